"""The period feeds: 民政/乡村振兴/残联 hardship groups, 退役军人, 司法 刑满释放, 人社 失业保险金."""
from __future__ import annotations

import datetime as dt

import pytest

from benefits.determination import case_from_registry
from enrollment import idnumbers
from enrollment.models import AuditEntry, PersonGroup, UnemploymentBenefit
from tests import factories
from tests.enrollment.feedkit import TODAY, example_passes, problems_of, run

pytestmark = pytest.mark.django_db

ADULT = "430121198005010034"  # the templates' example numbers
SPOUSE = "430121198203080041"
YOUNG = "430121199507150074"


@pytest.fixture
def people(region_tree):
    return {
        "adult": factories.make_person(id_number=ADULT, name="张三"),
        "spouse": factories.make_person(id_number=SPOUSE, name="李四", sex="F",
                                        birth_date=dt.date(1982, 3, 8)),
        "young": factories.make_person(id_number=YOUNG, name="王五",
                                       birth_date=dt.date(1995, 7, 15)),
        "neighbour": factories.make_person(factories.NEIGHBOUR_GRID, name="赵六"),
    }


def hardship_row(**kw):
    row = {"证件号码": ADULT, "姓名": "张三", "困难类别": "低保对象", "认定日期": "2026-01-15",
           "退出日期": "", "认定部门": "长沙县民政局"}
    return {**row, **kw}


@pytest.mark.parametrize("kind", ["hardship", "veterans", "released", "unemployed"])
def test_the_template_example_row_passes(kind, village_clerk, people):
    example_passes(kind, village_clerk)


def test_hardship_rows_become_groups_and_a_second_import_changes_nothing(village_clerk, people):
    rows = [hardship_row(), hardship_row(**{"证件号码": SPOUSE, "姓名": "李四",
                                             "困难类别": "特困供养人员"})]
    outcome = run("hardship", village_clerk, *rows)
    assert (outcome.created, outcome.updated, outcome.unchanged) == (2, 0, 0)
    group = PersonGroup.objects.get(person=people["adult"])
    assert (group.group, group.start_date, group.end_date, group.source) == (
        "low_income", dt.date(2026, 1, 15), None, "长沙县民政局")
    assert PersonGroup.objects.get(person=people["spouse"]).group == "special_hardship"
    assert AuditEntry.objects.filter(person=people["adult"], action="create").count() == 1
    again = run("hardship", village_clerk, *rows)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert PersonGroup.objects.count() == 2


def test_an_exit_date_closes_the_group(village_clerk, people):
    run("hardship", village_clerk, hardship_row())
    outcome = run("hardship", village_clerk, hardship_row(**{"退出日期": "2026-06-30"}))
    assert (outcome.created, outcome.updated) == (0, 1)
    group = PersonGroup.objects.get(person=people["adult"])
    assert group.end_date == dt.date(2026, 6, 30)
    assert not group.active_on(dt.date(2026, 7, 1))
    assert "张三" in outcome.changes[0]


def test_every_bad_row_names_its_row_column_and_what_to_do(village_clerk, people):
    bad_digit = ADULT[:-1] + ("5" if ADULT[-1] != "5" else "6")
    unknown = idnumbers.make_id("430121", dt.date(1970, 1, 1), 77, "M")
    found = problems_of(
        "hardship", village_clerk,
        hardship_row(**{"证件号码": bad_digit}),
        hardship_row(**{"证件号码": unknown}),
        hardship_row(**{"认定日期": "2026-02-30"}),
        hardship_row(**{"困难类别": "贫困户"}),
        hardship_row(**{"证件号码": people["neighbour"].id_number, "姓名": "赵六"}),
        hardship_row(**{"姓名": "张叁"}),
        hardship_row(**{"退出日期": "2025-12-31"}),
        hardship_row(),
        hardship_row(),
    )
    by_row = {row: (column, message) for row, column, message in found}
    assert by_row[2][0] == "证件号码" and "校验位" in by_row[2][1]
    assert by_row[3][0] == "证件号码" and "未找到" in by_row[3][1]
    assert by_row[4][0] == "认定日期" and "不是有效日期" in by_row[4][1]
    assert by_row[5][0] == "困难类别" and "贫困户" in by_row[5][1]
    assert by_row[6][0] == "证件号码" and "不在您的辖区内" in by_row[6][1]
    assert by_row[7][0] == "姓名" and "张叁" in by_row[7][1]
    assert by_row[8][0] == "退出日期"
    assert 9 not in by_row  # the first of two identical rows is fine
    assert by_row[10][0] == "证件号码" and "与第9行重复" in by_row[10][1]
    assert len(found) == 8


def test_the_neighbour_village_may_import_its_own_person(neighbour_clerk, people):
    outcome = run("hardship", neighbour_clerk,
                  hardship_row(**{"证件号码": people["neighbour"].id_number, "姓名": "赵六"}))
    assert outcome.created == 1


def veteran_row(**kw):
    row = {"证件号码": YOUNG, "姓名": "王五", "退役日期": "2026-09-30", "安置日期": "",
           "随军配偶证件号码": SPOUSE}
    return {**row, **kw}


def test_a_veteran_and_spouse_are_the_exit_groups_the_engine_reads(village_clerk, people,
                                                                  shipped_policies):
    outcome = run("veterans", village_clerk, veteran_row())
    assert (outcome.created, outcome.unchanged) == (1, 0)
    assert set(PersonGroup.objects.values_list("person__name", "group", "start_date")) == {
        ("王五", "exit_veteran", dt.date(2026, 9, 30)),
        ("李四", "exit_veteran_spouse", dt.date(2026, 9, 30))}
    for person, reason in ((people["young"], "veteran"), (people["spouse"], "veteran_spouse")):
        case = case_from_registry(person=person, year=2026, paid_on=dt.date(2026, 11, 1),
                                  pooling_region_code=factories.COUNTY)
        assert (case["category"], case["exit_reason"]) == ("exit_other_scheme", reason)
    again = run("veterans", village_clerk, veteran_row())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_a_veteran_row_with_a_bad_spouse_or_dates_is_refused(village_clerk, people):
    found = problems_of(
        "veterans", village_clerk,
        veteran_row(**{"随军配偶证件号码": YOUNG}),
        veteran_row(**{"随军配偶证件号码": people["neighbour"].id_number}),
        veteran_row(**{"安置日期": "2026-09-01"}),
        veteran_row(**{"退役日期": "2027-01-01"}),
    )
    columns = {row: column for row, column, _ in found}
    assert columns == {2: "随军配偶证件号码", 3: "随军配偶证件号码", 4: "安置日期", 5: "退役日期"}


def test_a_released_prisoner_has_the_exit_date_the_3_month_rule_needs(village_clerk, people,
                                                                      shipped_policies):
    row = {"证件号码": YOUNG, "姓名": "王五", "释放日期": "2026-09-30"}
    assert run("released", village_clerk, row).created == 1
    case = case_from_registry(person=people["young"], year=2026, paid_on=dt.date(2026, 11, 1),
                              pooling_region_code=factories.COUNTY)
    assert (case["exit_reason"], case["exited_on"]) == ("released_prisoner", "2026-09-30")
    assert run("released", village_clerk, row).unchanged == 1
    assert problems_of("released", village_clerk, {**row, "释放日期": "30/09/2026"})[0][1] \
        == "释放日期"


def test_unemployment_periods_are_recorded_apart_from_hardship(village_clerk, people):
    row = {"证件号码": SPOUSE, "姓名": "李四", "领取起始日期": "2026-03-01",
           "领取终止日期": "2027-02-28"}
    assert run("unemployed", village_clerk, row).created == 1
    period = UnemploymentBenefit.objects.get(person=people["spouse"])
    assert period.active_in(2027) and not period.active_in(2028)
    assert not PersonGroup.objects.exists()  # not counted as a hardship group
    assert run("unemployed", village_clerk, row).unchanged == 1
    shorter = run("unemployed", village_clerk, {**row, "领取终止日期": "2026-12-31"})
    assert shorter.updated == 1
    assert UnemploymentBenefit.objects.get().end_date == dt.date(2026, 12, 31)
    found = problems_of("unemployed", village_clerk, {**row, "领取终止日期": ""})
    assert found[0][1] == "领取终止日期"


@pytest.mark.parametrize("kind", ["births", "students", "hardship", "veterans", "released",
                                  "tax_payments", "employee", "unemployed"])
def test_a_read_only_account_imports_nothing(kind, city_leader, people, shipped_policies):
    from enrollment.exchange.base import feed

    found = problems_of(kind, city_leader, feed(kind).example_row())
    assert ("", "您的账号为只读权限，不能导入数据。") in [(c, m) for _, c, m in found]


def test_the_same_file_under_another_upload_label_changes_nothing(village_clerk, people):
    """A row naming no department keeps the source recorded first: the import's own label
    (which names the upload) does not make a second import an update."""
    from django.db import transaction

    from enrollment.exchange.base import Context, feed

    row = hardship_row(**{"认定部门": "", "困难类别": "监测对象"})
    outcome = run("hardship", village_clerk, row)
    assert outcome.changes == ["新增 张三：防止返贫监测对象 2026-01-15起"]
    assert PersonGroup.objects.get().source == "测试"
    f = feed("hardship")
    ctx = Context(actor=village_clerk, today=TODAY, source="民政 2026-12 第二次上传")
    checked, _ = f.check_rows([(2, row)], ctx)
    with transaction.atomic():
        again = f.apply(checked, ctx)
    assert (again.updated, again.unchanged) == (0, 1)


@pytest.mark.parametrize("kind", ["veterans", "released", "unemployed"])
def test_a_neighbours_person_is_rejected_not_skipped(kind, village_clerk, people):
    from enrollment.exchange.base import feed

    row = {**feed(kind).example_row(), "证件号码": people["neighbour"].id_number, "姓名": "赵六"}
    found = problems_of(kind, village_clerk, row)
    assert [(r, c) for r, c, _ in found] == [(2, "证件号码")]
    assert "不在您的辖区内" in found[0][2]
