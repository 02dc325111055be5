"""税务 payment records: each through the one door, with its determination; idempotent."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from enrollment import idnumbers, services
from enrollment.models import AuditEntry, Enrollment, Scheme
from tests import factories
from tests.enrollment.feedkit import example_passes, problems_of, run

pytestmark = pytest.mark.django_db

ADULT = "430121198005010034"


@pytest.fixture
def adult(region_tree, shipped_policies):
    return factories.make_person(id_number=ADULT, name="张三")


def pay(**kw):
    row = {"证件号码": ADULT, "姓名": "张三", "缴费年度": "2027", "缴费金额": "440.00",
           "缴费日期": "2026-11-10", "缴费渠道": "微信", "票据号": "A1"}
    return {**row, **kw}


def test_the_template_example_row_passes(village_clerk, adult):
    example_passes("tax_payments", village_clerk)


def test_a_payment_becomes_an_enrollment_with_its_determination(village_clerk, adult):
    outcome = run("tax_payments", village_clerk, pay())
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 0, 0)
    e = Enrollment.objects.get(person=adult)
    assert (e.year, e.status, e.channel, e.paid_on, e.amount_paid) == (
        2027, "active", "tax_record", dt.date(2026, 11, 10), Decimal("440.00"))
    assert "R-DUE-ONTIME" in e.rule_ids and e.amount_due == Decimal("440.00")
    assert e.determination["benefit_start"] and e.benefit_start == dt.date(2027, 6, 1)
    assert e.case_details["found"]["category"] == "general"
    assert AuditEntry.objects.filter(person=adult, action="enroll").count() == 1
    assert "张三" in outcome.changes[0] and "微信" in outcome.changes[0]


def test_the_way_paid_and_the_receipt_number_are_kept_with_the_enrollment(village_clerk, adult):
    run("tax_payments", village_clerk, pay(**{"缴费渠道": "银行代扣", "票据号": "A2026110012345"}))
    e = Enrollment.objects.get(person=adult)
    assert (e.paid_via, e.payment_reference) == ("银行代扣", "A2026110012345")
    assert e.history.latest().payment_reference == "A2026110012345"


def test_the_same_payment_twice_is_unchanged_not_a_duplicate(village_clerk, adult):
    run("tax_payments", village_clerk, pay())
    again = run("tax_payments", village_clerk, pay())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Enrollment.objects.filter(person=adult).count() == 1
    assert AuditEntry.objects.filter(person=adult, action="enroll").count() == 1


def test_a_registration_awaiting_payment_is_paid_by_the_record(village_clerk, adult):
    waiting = services.enrollment_record(actor=village_clerk, person=adult, year=2027)
    assert waiting.status == "awaiting"
    outcome = run("tax_payments", village_clerk, pay())
    assert (outcome.created, outcome.updated) == (0, 1)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.channel, waiting.paid_on) == (
        "active", "tax_record", dt.date(2026, 11, 10))
    assert waiting.determination
    assert Enrollment.objects.filter(person=adult).count() == 1


def test_another_payment_of_the_same_year_is_the_one_doors_refusal(village_clerk, adult):
    run("tax_payments", village_clerk, pay())
    found = problems_of("tax_payments", village_clerk, pay(**{"缴费日期": "2026-11-20"}))
    assert found[0][:2] == (2, "缴费年度") and "同一年度只能参加一次居民医保" in found[0][2]


def test_every_bad_row_is_named(village_clerk, adult, region_tree):
    neighbour = factories.make_person(factories.NEIGHBOUR_GRID, name="赵六")
    found = problems_of(
        "tax_payments", village_clerk,
        pay(**{"证件号码": ADULT[:-1] + ("1" if ADULT[-1] != "1" else "2")}),
        pay(**{"证件号码": idnumbers.make_id("430121", dt.date(1970, 1, 1), 9, "M")}),
        pay(**{"缴费日期": "2026-13-01"}),
        pay(**{"缴费金额": "四百"}),
        pay(**{"缴费年度": "27"}),
        pay(**{"缴费渠道": ""}),
        pay(**{"证件号码": neighbour.id_number, "姓名": "赵六"}),
        pay(**{"缴费日期": "1979-01-01", "缴费年度": "2026"}),
        pay(), pay(),
    )
    columns = {row: column for row, column, _ in found}
    assert "未找到" in next(m for r, _, m in found if r == 3)
    assert columns == {2: "证件号码", 3: "证件号码", 4: "缴费日期", 5: "缴费金额",
                       6: "缴费年度", 7: "缴费渠道", 8: "证件号码", 9: "缴费日期",
                       11: "证件号码"}
    assert not Enrollment.objects.exists()


def test_resident_enrollment_is_not_written_for_a_neighbours_person(neighbour_clerk, adult):
    found = problems_of("tax_payments", neighbour_clerk, pay())
    assert "不在您的辖区内" in found[0][2]
    assert Enrollment.objects.filter(scheme=Scheme.RESIDENT).count() == 0


def test_a_payment_other_than_what_is_due_is_recorded_and_said(village_clerk, adult):
    outcome = run("tax_payments", village_clerk, pay(**{"缴费金额": "400"}))
    assert outcome.created == 1 and "与应缴440.00元不符" in outcome.changes[0]
    assert Enrollment.objects.get().amount_paid == Decimal("400.00")


def test_the_person_file_shows_how_and_under_which_receipt_it_was_paid(client, village_clerk,
                                                                        adult):
    run("tax_payments", village_clerk, pay(**{"缴费渠道": "支付宝", "票据号": "B77"}))
    client.force_login(village_clerk)
    page = client.get(f"/persons/{adult.pk}/").content.decode()
    assert "支付宝" in page and "票据号 B77" in page
