"""The 公安 person feed (kind `persons`): good rows, every kind of bad row, scope, re-import,
updates with what changed; the streamed file path on the embedded database."""
import datetime as dt

import pytest

from core import crypto
from enrollment import idnumbers
from enrollment.exchange.base import Context, feed
from enrollment.exchange.bulk import import_person_csv
from enrollment.models import AuditEntry, Household, Person
from tests import factories

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 1)
HEADERS = ["证件号码", "姓名", "性别", "出生日期", "户籍地区划代码", "常住地区划代码", "户号",
           "与户主关系", "住址", "联系电话"]


def number(serial, birth=dt.date(1980, 5, 1), sex="M"):
    return idnumbers.make_unique_id(serial, birth, sex)


def cells(serial, name="王五", *, sex="M", birth=dt.date(1980, 5, 1), hukou=factories.VILLAGE,
          residence=factories.GRID, household="H001", relation="户主", address="东山村1组",
          phone="13800138000", id_number=None):
    return dict(zip(HEADERS, [id_number or number(serial, birth, sex), name,
                              {"M": "男", "F": "女"}[sex], birth.isoformat(), hukou, residence,
                              household, relation, address, phone]))


def run(actor, rows, source="公安户籍 2026-11"):
    """Check and apply as the flow does: rows numbered from 2 (header = row 1)."""
    kind, ctx = feed("persons"), Context(actor=actor, today=TODAY, source=source)
    checked, problems = kind.check_rows(list(enumerate(rows, start=2)), ctx)
    outcome = kind.apply(checked, ctx) if not problems else None
    return outcome, problems


def test_good_rows_create_persons_with_initials_marker_household_and_history(village_clerk):
    outcome, problems = run(village_clerk, [cells(1, "王五"), cells(
        2, "曾刚刚", sex="F", relation="配偶", phone="")])
    assert problems == [] and (outcome.created, outcome.updated, outcome.unchanged) == (2, 0, 0)
    wang = Person.objects.get(id_number=number(1))
    assert (wang.name_initials, wang.residence_region_id, wang.hukou_region_id) == (
        "ww", factories.GRID, factories.VILLAGE)
    assert wang.phone == "13800138000" and wang.phone_bidx == crypto.blind_index("13800138000")
    assert wang.inputs_changed_at is not None and wang.relation_to_head == "head"
    zeng = Person.objects.get(id_number=number(2, sex="F"))
    assert zeng.name_initials == "zgg" and zeng.phone == "" and zeng.phone_bidx is None
    household = Household.objects.get(number="H001")
    assert household.head_name == "王五" and {wang.household_id, zeng.household_id} == {
        household.pk}
    history = wang.history.get()
    assert (history.history_type, history.history_user, history.history_change_reason) == (
        "+", village_clerk, "导入：公安户籍 2026-11")


def test_bad_id_number_and_birth_date_and_sex_against_it_are_named(village_clerk):
    good = number(3)
    wrong_check = good[:17] + ("1" if good[17] != "1" else "2")
    _, problems = run(village_clerk, [
        cells(3, id_number=wrong_check), cells(4, birth=dt.date(1980, 5, 1)) | {
            "出生日期": "1980-05-02"}, cells(5) | {"性别": "女"}])
    by_row = {p.row: p for p in problems}
    assert by_row[2].column == "证件号码" and "校验位不正确" in by_row[2].message
    assert by_row[3].column == "出生日期" and "1980年05月01日" in by_row[3].message
    assert by_row[4].column == "性别" and "第17位" in by_row[4].message
    assert Person.objects.count() == 0


def test_unknown_region_and_a_region_outside_scope_are_refused(village_clerk):
    _, problems = run(village_clerk, [
        cells(6, hukou="430121100099", residence=""),
        cells(7, hukou=factories.NEIGHBOUR_VILLAGE, residence="")])
    assert [(p.row, p.column) for p in problems] == [(2, "户籍地区划代码"), (3, "户籍地区划代码")]
    assert "不存在" in problems[0].message and "不在您的辖区内" in problems[1].message


def test_a_person_registered_in_another_village_is_refused_not_updated(village_clerk):
    factories.make_person(factories.NEIGHBOUR_GRID, id_number=number(8), name="赵六")
    _, problems = run(village_clerk, [cells(8, "赵六")])
    assert [(p.row, p.column) for p in problems] == [(2, "证件号码")]
    assert "其他地区" in problems[0].message and "西湖" not in problems[0].message


def test_an_id_twice_in_the_file_is_refused_with_the_first_row(village_clerk):
    _, problems = run(village_clerk, [cells(9), cells(10), cells(9, "王五五")])
    assert [(p.row, p.column, p.message) for p in problems] == [
        (4, "证件号码", "证件号码与第2行重复。")]


def test_the_same_rows_again_change_nothing(village_clerk):
    rows = [cells(11), cells(12, "李四", relation="子女")]
    run(village_clerk, rows)
    outcome, problems = run(village_clerk, rows)
    assert problems == [] and (outcome.created, outcome.updated, outcome.unchanged) == (0, 0, 2)
    assert Person.history.count() == 2


def test_a_changed_name_is_one_update_with_the_change_noted(village_clerk):
    run(village_clerk, [cells(13, "孙七"), cells(14, "周八")])
    before = Person.objects.get(id_number=number(13)).inputs_changed_at
    outcome, problems = run(village_clerk, [cells(13, "孙柒"), cells(14, "周八")])
    assert problems == [] and (outcome.created, outcome.updated, outcome.unchanged) == (0, 1, 1)
    assert outcome.changes == ["孙柒：姓名 孙七→孙柒"]
    person = Person.objects.get(id_number=number(13))
    assert (person.name, person.name_initials) == ("孙柒", "sq")
    assert person.inputs_changed_at > before
    assert [h.history_type for h in person.history.order_by("history_id")] == ["+", "~"]


def test_an_empty_optional_cell_keeps_what_is_recorded(village_clerk):
    run(village_clerk, [cells(15)])
    outcome, _ = run(village_clerk, [cells(15, phone="", address="", residence="")])
    assert (outcome.updated, outcome.unchanged) == (0, 1)
    assert Person.objects.get(id_number=number(15)).phone == "13800138000"


def test_the_template_example_row_passes_its_own_checks(village_clerk):
    kind = feed("persons")
    _, problems = kind.check_rows([(2, kind.example_row())],
                                  Context(actor=village_clerk, today=TODAY))
    assert problems == []


def write_csv(tmp_path, rows, encoding="utf-8-sig"):
    path = tmp_path / "persons.csv"
    lines = [",".join(HEADERS)] + [",".join(r[h] for h in HEADERS) for r in rows]
    path.write_bytes(("\n".join(lines) + "\n").encode(encoding))
    return path


def test_the_file_path_on_gb18030_is_all_or_nothing_and_audited_once(village_clerk, tmp_path):
    ctx = Context(actor=village_clerk, today=TODAY, source="公安户籍 2026-11")
    bad = write_csv(tmp_path, [cells(16, "吴九"), cells(17, hukou="430121100099")], "gb18030")
    result = import_person_csv(bad, ctx)
    assert not result.written and result.rejected == 1 and result.problems[0].row == 3
    assert Person.objects.count() == 0 and not AuditEntry.objects.filter(action="import").exists()
    result = import_person_csv(bad, ctx, valid_only=True)
    assert result.written and (result.rows, result.outcome.created, result.rejected) == (2, 1, 1)
    assert Person.objects.get().name == "吴九"
    entry = AuditEntry.objects.get(action="import")
    assert entry.action == "import" and "新增1" in entry.detail and "拒绝1" in entry.detail


def test_a_superscript_digit_in_an_id_number_is_a_problem_not_a_crash(village_clerk):
    _, problems = run(village_clerk, [cells(18, id_number="43012119800501²23X")])
    assert [(p.row, p.column) for p in problems] == [(2, "证件号码")]
    assert "前17位必须是数字" in problems[0].message


def test_xlsx_cells_as_numbers_and_dates_are_read_as_the_csv_text(village_clerk):
    row = cells(19) | {"出生日期": dt.datetime(1980, 5, 1), "户籍地区划代码": int(factories.VILLAGE),
                       "常住地区划代码": None, "联系电话": 13800138000.0}
    outcome, problems = run(village_clerk, [row])
    assert problems == [] and outcome.created == 1
    assert Person.objects.get(id_number=number(19)).phone == "13800138000"


def test_a_file_without_a_required_column_is_refused_whole(village_clerk, tmp_path):
    from core.uploads import UploadError

    path = tmp_path / "persons.csv"
    path.write_text("证件号码,姓名\n" + number(20) + ",王五\n", encoding="utf-8")
    with pytest.raises(UploadError, match="缺少必填列：性别、出生日期、户籍地区划代码"):
        import_person_csv(path, Context(actor=village_clerk, today=TODAY))
