"""The engine's second pass against the seeds' own words, on both profiles: on-time privileges of
special-case payments, shanxi newborns and leavers, the employee-year credit, whole-course
students and multi-year payments."""

from datetime import date
from decimal import Decimal

import pytest

from benefits.rules import HUNAN, SHANXI, CaseError, evaluate_case

from .builders import run, standards

SX = standards(cap=250000)


# --- on-time privileges do not leak to special-case payments outside the period ---------------


def test_hunan_newborn_outside_the_period_gets_cover_but_no_hardship_subsidy():
    d = run(HUNAN, 2026, birth=date(2026, 2, 10), category="newborn", group="special_hardship",
            paid_on=date(2026, 3, 1))
    assert (d.benefit_start, d.waiting.total) == (date(2026, 2, 10), 0)
    assert (d.subsidy, d.amount_due) == (Decimal("0.00"), Decimal("420.00"))


def test_shanxi_subsidises_hardship_at_any_time_for_special_cases_too():
    d = run(SHANXI, 2027, birth=date(2026, 12, 1), category="newborn", group="special_hardship",
            paid_on=date(2027, 2, 1), stds=SX)
    assert (d.subsidy, d.amount_due, d.waiting.total) == (Decimal("440.00"), Decimal("0.00"), 0)


def test_hunan_transfer_outside_the_period_earns_no_zero_claim_credit():
    d = run(HUNAN, 2026, category="employee_transfer", history={2025: "resident"},
            paid_on=date(2026, 5, 20), employee_ended_on=date(2026, 5, 1))
    assert (d.benefit_start, d.waiting.total) == (date(2026, 5, 1), 0)
    assert d.catastrophic.zero_claim_bonus == 0 and not d.in_concentrated_period


def test_hunan_on_time_payment_still_earns_the_zero_claim_credit():
    d = run(HUNAN, 2026, history={2025: "resident"}, paid_on=date(2025, 11, 1))
    assert d.catastrophic.zero_claim_bonus == 5000


def test_shanxi_leaver_outside_the_period_keeps_the_zero_claim_credit():
    d = run(SHANXI, 2027, category="exit_other_scheme", history={2025: "resident", 2026: "resident"},
            paid_on=date(2027, 2, 1), exited_on=date(2027, 1, 15), exit_reason="veteran", stds=SX)
    assert d.catastrophic.zero_claim_bonus == 6000


# --- shanxi leavers: whichever path, the reason derived from the history ----------------------


@pytest.mark.parametrize("category,date_field", [("employee_transfer", "employee_ended_on"),
                                                 ("exit_other_scheme", "exited_on")])
def test_shanxi_employee_who_stopped_after_two_years_has_no_wait_whichever_path(category, date_field):
    d = run(SHANXI, 2026, category=category, history={2024: "employee:12", 2025: "employee:12"},
            paid_on=date(2026, 5, 10), stds=SX, **{date_field: date(2026, 3, 1)})
    assert d.rules[0] == "R-EXIT-3M"
    assert (d.benefit_start, d.waiting.total, d.amount_due) == (date(2026, 5, 10), 0, Decimal("420.00"))
    assert "按参保记录认定" in d.explanation[0]


def test_two_years_may_run_through_resident_and_employee_years():
    d = run(SHANXI, 2026, category="employee_transfer", history={2024: "resident", 2025: "employee:12"},
            paid_on=date(2026, 4, 20), employee_ended_on=date(2026, 2, 1), stds=SX)
    assert d.rules[0] == "R-EXIT-3M"


def test_shanxi_employee_with_less_than_two_years_waits_like_anyone():
    d = run(SHANXI, 2026, category="employee_transfer", history={2025: "employee:8"},
            paid_on=date(2026, 5, 10), employee_ended_on=date(2026, 3, 1), stds=SX)
    assert "R-EXIT-3M" not in d.rules and d.waiting.total == 3


def test_shanxi_exit_without_a_reason_the_history_cannot_show_is_asked_for():
    with pytest.raises(CaseError) as info:
        run(SHANXI, 2026, category="exit_other_scheme", history={2025: "gap"},
            paid_on=date(2026, 5, 10), exited_on=date(2026, 3, 1), stds=SX)
    assert info.value.field == "enrollment.exit_reason"


def test_hunan_employee_transfer_keeps_its_own_rule():
    d = run(HUNAN, 2026, category="employee_transfer", history={2024: "employee:12", 2025: "employee:12"},
            paid_on=date(2026, 5, 10), employee_ended_on=date(2026, 3, 1))
    assert d.rules[0] == "R-EMP-3M" and d.benefit_start == date(2026, 3, 1)


# --- R-EMP-CONVERT in the output --------------------------------------------------------------


def case(profile, history, **extra):
    return {"profile": profile, "year": 2031, "person": {"birth_date": "1980-05-01"},
            "history": history, "enrollment": {"paid_on": "2030-11-01"},
            "standards": {"2031": {"individual": 500, "subsidy": 800,
                                   "concentrated_start": "2030-09-01",
                                   "concentrated_end": "2030-12-31",
                                   "catastrophic_cap": 300000}}, **extra}


def test_shanxi_five_resident_years_paid_count_as_one_employee_year():
    history = {str(y): "resident" for y in range(2025, 2031)}  # six years, and this payment
    result = evaluate_case(case("shanxi", history))
    assert result["employee_year_credit"] == 1
    assert "R-EMP-CONVERT" in result["rules"]


def test_shanxi_four_resident_years_paid_count_for_nothing_yet():
    history = {str(y): "resident" for y in range(2028, 2031)}  # three, and this payment
    result = evaluate_case(case("shanxi", history))
    assert result["employee_year_credit"] == 0 and "R-EMP-CONVERT" not in result["rules"]


def test_hunan_has_no_conversion_and_says_so_with_null():
    history = {str(y): "resident" for y in range(2025, 2031)}
    result = evaluate_case(case("hunan", history))
    assert result["employee_year_credit"] is None and "R-EMP-CONVERT" not in result["rules"]


# --- R-STU-TERM and R-STU-ONCE ----------------------------------------------------------------


@pytest.mark.parametrize("profile,stds", [(HUNAN, None), (SHANXI, SX)])
def test_whole_course_prepayment_is_never_shortened(profile, stds):
    d = run(profile, 2025, birth=date(2005, 3, 1), category="college_student",
            paid_on=date(2023, 9, 1), course_paid_until=date(2027, 8, 31), stds=stds)
    assert d.rules[0] == "R-STU-TERM"
    assert (d.amount_due, d.benefit_start, d.benefit_end) == (Decimal("0.00"), date(2025, 1, 1), date(2027, 8, 31))


@pytest.mark.parametrize("profile,stds", [(HUNAN, None), (SHANXI, SX)])
def test_whole_course_prepayment_ending_this_year_is_extended_to_december(profile, stds):
    d = run(profile, 2025, birth=date(2003, 3, 1), category="college_student",
            paid_on=date(2025, 2, 1), course_paid_until=date(2025, 6, 30), stds=stds)
    assert (d.benefit_end, d.waiting.total) == (date(2025, 12, 31), 0)


@pytest.mark.parametrize("profile,stds", [(HUNAN, None), (SHANXI, SX)])
def test_a_student_paying_for_several_years_at_once_is_refused(profile, stds):
    with pytest.raises(CaseError) as info:
        run(profile, 2026, birth=date(2007, 3, 1), category="college_student",
            paid_on=date(2025, 10, 1), paid_years=3, stds=stds)
    assert info.value.field == "enrollment.paid_years" and info.value.rule == "R-STU-ONCE"
    assert "每年缴费一次" in info.value.message
