"""The registration flow asks benefits for its determination; the ORM history feeds the engine."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from benefits import inputs
from benefits.models import YearStandard
from enrollment import services as registry
from enrollment.models import Enrollment, PersonGroup, Scheme
from tests import factories

pytestmark = pytest.mark.django_db


def enroll(actor, person, year, paid_on, **kw):
    return registry.enrollment_record(actor=actor, person=person, year=year, paid_on=paid_on,
                                      amount_paid=Decimal("420"), **kw)


def test_on_time_continuous_payment_has_no_waiting(village_clerk, make_person):
    person = make_person()
    enroll(village_clerk, person, 2025, dt.date(2024, 10, 1))
    e = enroll(village_clerk, person, 2026, dt.date(2025, 11, 10))
    e.refresh_from_db()
    assert e.amount_due == Decimal("420.00") and e.waiting_months == 0
    assert e.in_concentrated_period
    assert e.benefit_start == dt.date(2026, 1, 1) and e.benefit_end == dt.date(2026, 12, 31)
    assert e.effective_cap == 305000  # zero-claim credit for 2025 (no claims record)
    assert "R-DUE-ONTIME" in e.rule_ids and len(e.explanation) == len(e.rule_ids)


def test_late_payment_after_a_gap_waits_and_pays_the_subsidy(village_clerk, make_person):
    person = make_person()
    e = enroll(village_clerk, person, 2026, dt.date(2026, 3, 15))  # 2025 is a gap
    assert e.amount_due == Decimal("1140.00")  # 420 + 720 (hunan late_pays_subsidy)
    assert (e.waiting_fixed, e.waiting_variable, e.waiting_months) == (3, 1, 4)
    assert e.benefit_start == dt.date(2026, 7, 16)


def test_history_reads_enrollments(village_clerk, make_person):
    person = make_person()
    enroll(village_clerk, person, 2024, dt.date(2024, 3, 1))
    enroll(village_clerk, person, 2025, dt.date(2024, 11, 1))
    Enrollment.objects.create(person=person, year=2023, scheme=Scheme.EMPLOYEE,
                              pooling_region_id=factories.COUNTY, status="active",
                              cover_start=dt.date(2023, 1, 1), cover_end=dt.date(2023, 8, 31))
    standards = inputs.stored_standards("hunan")
    assert inputs.history_for(person, 2026, standards=standards) == {
        "2023": "employee:8", "2024": "resident_late", "2025": "resident"}


def test_hardship_group_active_on_payment_date_is_used(village_clerk, make_person):
    person = make_person(birth_date=dt.date(1950, 7, 7))
    PersonGroup.objects.create(person=person, group="orphan", start_date=dt.date(2020, 1, 1))
    PersonGroup.objects.create(person=person, group="low_income", start_date=dt.date(2020, 1, 1))
    assert inputs.policy_group_on(person, dt.date(2025, 10, 1)) == "special_hardship"
    enroll(village_clerk, person, 2025, dt.date(2024, 10, 1))
    e = enroll(village_clerk, person, 2026, dt.date(2025, 10, 15))
    assert e.subsidy == Decimal("420.00") and e.amount_due == Decimal("0.00")


def test_group_ended_before_payment_gives_no_subsidy(make_person):
    person = make_person()
    PersonGroup.objects.create(person=person, group="low_income", start_date=dt.date(2020, 1, 1),
                               end_date=dt.date(2025, 6, 30))
    assert inputs.policy_group_on(person, dt.date(2025, 10, 1)) is None


def test_repair_of_more_years_than_the_gap_is_a_field_error(village_clerk, make_person):
    person = make_person()
    enroll(village_clerk, person, 2025, dt.date(2024, 10, 1))
    with pytest.raises(ValidationError) as exc:
        enroll(village_clerk, person, 2026, dt.date(2026, 3, 1), repair_years=2)
    assert "repair_years" in exc.value.error_dict
    assert "修复年数不能超过断缴年数" in exc.value.error_dict["repair_years"][0].message
    assert not Enrollment.objects.filter(person=person, year=2026).exists()


def test_year_without_standards_is_a_field_error_and_writes_nothing(village_clerk, make_person):
    person = make_person()
    YearStandard.objects.filter(year=2026).delete()
    with pytest.raises(ValidationError) as exc:
        enroll(village_clerk, person, 2026, dt.date(2026, 3, 1))
    assert "该年度尚未设置缴费标准" in exc.value.error_dict["year"][0].message or \
        "尚未设置缴费标准" in exc.value.error_dict["year"][0].message
    assert not Enrollment.objects.filter(person=person).exists()


def test_region_without_profile_is_refused(village_clerk, make_person):
    from benefits.models import PoolingRegionProfile

    PoolingRegionProfile.objects.all().delete()
    with pytest.raises(ValidationError) as exc:
        enroll(village_clerk, make_person(), 2026, dt.date(2026, 3, 1))
    assert "政策方案" in str(exc.value)


def test_unpaid_enrollment_has_no_determination(village_clerk, make_person):
    e = registry.enrollment_record(actor=village_clerk, person=make_person(), year=2027)
    assert e.amount_due is None and e.rule_ids == []


def test_claims_summary_feeds_the_zero_claim_credit(village_clerk, make_person):
    from django.apps import apps

    ClaimSummary = apps.get_model("benefits", "ClaimSummary")
    person = make_person()
    enroll(village_clerk, person, 2025, dt.date(2024, 10, 1))
    ClaimSummary.objects.create(person=person, year=2025, fund_paid=Decimal("1200"))
    assert inputs.claims_for(person) == {"2025": {"fund_paid": "1200.00", "used_incentive": False}}
    e = enroll(village_clerk, person, 2026, dt.date(2025, 11, 10))
    assert e.effective_cap == 300000  # the fund paid in 2025: no zero-claim credit
