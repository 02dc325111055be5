"""人社 employee-scheme lists: months covered, through the one door; 一企一档."""
from __future__ import annotations

import datetime as dt

import pytest

from enrollment import idnumbers, services
from enrollment.models import Enrollment, Enterprise, Scheme
from tests import factories
from tests.enrollment.feedkit import example_passes, problems_of, run

pytestmark = pytest.mark.django_db

ADULT = "430121198005010034"
CODE = "91430121MA4L16JQ38"
OTHER_CODE = "91430121MA4L16JQ4B"


@pytest.fixture
def adult(region_tree, shipped_policies):
    return factories.make_person(id_number=ADULT, name="张三")


def job(**kw):
    row = {"证件号码": ADULT, "姓名": "张三", "单位名称": "长沙星沙机械有限公司",
           "统一社会信用代码": CODE, "年度": "2026", "参保起始月": "2026-03",
           "参保终止月": "", "缴费月数": "6"}
    return {**row, **kw}


def test_the_template_example_row_passes(village_clerk, adult):
    example_passes("employee", village_clerk)


def test_months_covered_become_an_employee_enrollment_and_its_employer(village_clerk, adult):
    outcome = run("employee", village_clerk, job())
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 0, 0)
    e = Enrollment.objects.get(person=adult)
    assert (e.scheme, e.status, e.cover_start, e.cover_end, e.channel) == (
        "employee", "active", dt.date(2026, 3, 1), dt.date(2026, 8, 31), "employer")
    assert e.employer == Enterprise.objects.get(credit_code=CODE)
    again = run("employee", village_clerk, job(**{"缴费月数": "", "参保终止月": "2026-08"}))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)


def test_an_ongoing_cover_ends_the_resident_enrollment_and_links_the_employer(village_clerk,
                                                                             adult):
    resident = services.enrollment_record(actor=village_clerk, person=adult, year=2026,
                                          paid_on=dt.date(2025, 11, 10))
    outcome = run("employee", village_clerk, job(**{"缴费月数": ""}))
    assert outcome.created == 1
    resident.refresh_from_db()
    assert resident.status == "stopped" and "R-AUTO-STOP" in resident.stop_reason
    adult.refresh_from_db()
    assert adult.employer.credit_code == CODE
    ended = run("employee", village_clerk, job(**{"缴费月数": "", "参保终止月": "2026-10"}))
    assert (ended.created, ended.updated) == (0, 1)
    assert Enrollment.objects.get(scheme=Scheme.EMPLOYEE).cover_end == dt.date(2026, 10, 31)


def test_overlapping_cover_at_another_employer_is_refused_on_the_row(village_clerk, adult):
    run("employee", village_clerk, job())
    found = problems_of("employee", village_clerk,
                        job(**{"统一社会信用代码": OTHER_CODE, "单位名称": "另一公司",
                               "参保起始月": "2026-05", "缴费月数": "2"}))
    assert found[0][1] == "参保起始月" and "重叠" in found[0][2]


def test_every_bad_row_is_named(village_clerk, adult):
    neighbour = factories.make_person(factories.NEIGHBOUR_GRID, name="赵六")
    found = problems_of(
        "employee", village_clerk,
        job(**{"证件号码": ADULT[:-1] + "9"}),
        job(**{"证件号码": idnumbers.make_id("430121", dt.date(1970, 1, 1), 9, "M")}),
        job(**{"参保起始月": "2026-3-x"}),
        job(**{"统一社会信用代码": CODE[:-1] + "0"}),
        job(**{"参保终止月": "2026-07"}),
        job(**{"参保起始月": "2025-03"}),
        job(**{"缴费月数": "12"}),
        job(**{"证件号码": neighbour.id_number, "姓名": "赵六"}),
        job(), job(),
    )
    columns = {row: column for row, column, _ in found}
    assert columns == {2: "证件号码", 3: "证件号码", 4: "参保起始月", 5: "统一社会信用代码",
                       6: "缴费月数", 7: "参保起始月", 8: "缴费月数", 9: "证件号码",
                       11: "证件号码"}
    assert not Enrollment.objects.exists() and not Enterprise.objects.exists()


def test_an_employer_of_another_village_is_named_not_renamed(village_clerk, neighbour_clerk,
                                                             adult):
    run("employee", village_clerk, job())
    worker = factories.make_person(factories.NEIGHBOUR_GRID, name="赵六")
    row = job(**{"证件号码": worker.id_number, "姓名": "赵六"})
    found = problems_of("employee", neighbour_clerk, {**row, "单位名称": "星沙机械"})
    assert found[0][1] == "单位名称" and "长沙星沙机械有限公司" in found[0][2]
    assert run("employee", neighbour_clerk, row).created == 1
    assert Enterprise.objects.get().name == "长沙星沙机械有限公司"
    assert Enrollment.objects.get(person=worker).employer.credit_code == CODE


def test_two_rows_of_one_file_with_overlapping_months_are_a_problem(village_clerk, adult):
    found = problems_of("employee", village_clerk, job(),
                        job(**{"参保起始月": "2026-06", "缴费月数": "", "统一社会信用代码": OTHER_CODE,
                               "单位名称": "另一公司"}),
                        job(**{"参保起始月": "2026-09", "缴费月数": "3"}))
    assert [(r, c) for r, c, _ in found] == [(3, "参保起始月")]
    assert "与第2行的参保月份重叠" in found[0][2]
