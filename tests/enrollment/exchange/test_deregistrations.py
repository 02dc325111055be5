"""公安 户籍注销人员名单: life status through the registry's service, later enrollments stopped."""
import datetime as dt

import pytest

from enrollment.models import AuditEntry, Enrollment
from tests import factories

from .conftest import csv_bytes, problems_of, xlsx_bytes

pytestmark = pytest.mark.django_db
HEADER = ["证件号码", "姓名", "注销类型", "注销日期"]


def later_enrollment(person, year=2027):
    return Enrollment.objects.create(person=person, year=year, pooling_region_id=factories.COUNTY,
                                     status="active", paid_on=dt.date(2026, 10, 1))


def test_good_rows_change_the_life_status_and_stop_later_years(township_officer, make_person,
                                                               run_feed):
    dead, abroad, missing, gone = (make_person(name=n) for n in ("王老汉", "李出国", "赵失踪",
                                                                 "钱注销"))
    later = [later_enrollment(p) for p in (dead, abroad, missing, gone)]
    this_year = Enrollment.objects.create(person=dead, year=2026, status="active",
                                          pooling_region_id=factories.COUNTY,
                                          paid_on=dt.date(2025, 10, 1))
    rows = [[dead.id_number, "王老汉", "死亡", "2026-03-02"],
            [abroad.id_number, "李出国", "出国定居", "2026/04/01"],
            [missing.id_number, "赵失踪", "失踪", "2026年5月6日"],
            [gone.id_number, "钱注销", "注销", "20260601"]]
    imp = run_feed(township_officer, "deregistrations", xlsx_bytes(HEADER, rows), "注销.xlsx")
    assert (imp.status, imp.rows, imp.created, imp.updated, imp.rejected) == ("done", 4, 0, 4, 0)
    statuses = {p.name: (p.life_status, p.life_status_date) for p in
                (dead, abroad, missing, gone) if not p.refresh_from_db()}
    assert statuses == {"王老汉": ("deceased", dt.date(2026, 3, 2)),
                        "李出国": ("emigrated", dt.date(2026, 4, 1)),
                        "赵失踪": ("missing", dt.date(2026, 5, 6)),
                        "钱注销": ("deregistered", dt.date(2026, 6, 1))}
    assert all(e.status == "stopped" for e in later if not e.refresh_from_db())
    this_year.refresh_from_db()
    assert this_year.status == "active"  # the year of death stays paid
    assert "王老汉（" in imp.changes and "正常→死亡" in imp.changes
    assert dead.id_number not in imp.changes  # masked
    assert AuditEntry.objects.filter(action="import", user=township_officer,
                                     detail__contains="户籍注销人员名单").exists()


def test_every_kind_of_bad_row_is_named(township_officer, make_person, run_feed):
    person, other = make_person(name="王老汉"), make_person(name="李四")
    neighbour_county = make_person(factories.OTHER_GRID, name="外县人")
    rows = [["123", "某某", "死亡", "2026-03-02"],                        # ID format
            [person.id_number, "王小汉", "死亡", "2026-03-02"],           # name mismatch
            [other.id_number, "李四", "死掉", "2026-03-02"],              # unknown type
            [other.id_number, "李四", "死亡", "2026-02-30"],              # bad date
            [other.id_number, "李四", "死亡", "2027-01-01"],              # after today
            [other.id_number, "李四", "死亡", "1970-01-01"],              # before birth
            [neighbour_county.id_number, "外县人", "死亡", "2026-03-02"],  # outside scope
            [person.id_number, "王老汉", "", "2026-03-02"]]               # empty type
    imp = run_feed(township_officer, "deregistrations", csv_bytes(HEADER, rows))
    assert imp.status == "staged" and imp.rejected == 8
    assert problems_of(imp) == [(2, "证件号码"), (3, "姓名"), (4, "注销类型"), (5, "注销日期"),
                                (6, "注销日期"), (7, "注销日期"), (8, "证件号码"), (9, "注销类型")]
    messages = [p["message"] for p in imp.problems]
    assert "本辖区没有此人的档案" in messages[6] and "晚于今天" in messages[4]
    assert all(p["hint"] for p in imp.problems)


def test_a_row_twice_in_one_file_is_a_problem(township_officer, make_person, run_feed):
    person = make_person(name="王老汉")
    row = [person.id_number, "王老汉", "死亡", "2026-03-02"]
    imp = run_feed(township_officer, "deregistrations", csv_bytes(HEADER, [row, row]))
    assert imp.problems[0]["row"] == 3 and "与第2行重复" in imp.problems[0]["message"]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_gb18030_and_bom_files(township_officer, make_person, run_feed, encoding):
    person = make_person(name="王老汉")
    content = csv_bytes(HEADER, [[person.id_number, "王老汉", "死亡", "2026-03-02"]], encoding)
    imp = run_feed(township_officer, "deregistrations", content)
    person.refresh_from_db()
    assert imp.status == "done" and imp.updated == 1 and person.life_status == "deceased"


def test_the_same_file_again_changes_nothing(township_officer, make_person, run_feed):
    person = make_person(name="王老汉")
    content = csv_bytes(HEADER, [[person.id_number, "王老汉", "死亡", "2026-03-02"]])
    run_feed(township_officer, "deregistrations", content)
    again = run_feed(township_officer, "deregistrations", content)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_death_is_not_turned_into_a_deregistration(township_officer, make_person, run_feed):
    person = make_person(name="王老汉")
    run_feed(township_officer, "deregistrations",
             csv_bytes(HEADER, [[person.id_number, "王老汉", "死亡", "2026-03-02"]]))
    later = run_feed(township_officer, "deregistrations",
                     csv_bytes(HEADER, [[person.id_number, "王老汉", "注销", "2026-04-02"]]))
    person.refresh_from_db()
    assert later.unchanged == 1 and person.life_status == "deceased"
