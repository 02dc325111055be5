from datetime import date
from decimal import Decimal

import pytest

from benefits.rules import HUNAN, SHANXI, CaseError
from benefits.rules.special import student_enrollment_problems, whole_course_cover_end
from benefits.rules.transfers import employee_years_from_resident

from .builders import run, standards

SX = standards(cap=250000)


# --- newborns: hunan ---------------------------------------------------------------------


def test_newborn_paid_within_90_days_is_covered_from_birth():
    d = run(HUNAN, 2026, birth=date(2026, 2, 10), category="newborn", paid_on=date(2026, 5, 11))
    assert (d.benefit_start, d.waiting.total, d.amount_due) == (date(2026, 2, 10), 0, Decimal("420.00"))
    assert d.rules[0] == "R-NB-90"


def test_newborn_paid_on_the_91st_day_follows_the_ordinary_rules():
    d = run(HUNAN, 2026, birth=date(2026, 2, 10), category="newborn", paid_on=date(2026, 5, 12))
    assert d.rules[0] == "R-NB-LATE"
    assert d.amount_due == Decimal("1140.00")
    assert (d.gap_years, d.waiting.total, d.benefit_start) == (0, 3, date(2026, 8, 13))


def test_newborn_born_on_the_first_of_october_may_pay_only_for_next_year():
    d = run(HUNAN, 2027, birth=date(2026, 10, 1), category="newborn", paid_on=date(2026, 11, 1),
            newborn_next_year_only=True)
    assert d.rules[0] == "R-NB-OCT"
    assert (d.benefit_start, d.gap_years, d.amount_due) == (date(2027, 1, 1), 0, Decimal("440.00"))


def test_next_year_option_outside_the_period_still_has_no_wait():
    # Born 2026-12-01; paid 2027-02-01 (within 90 days, after the 2027 concentrated period).
    d = run(HUNAN, 2027, birth=date(2026, 12, 1), category="newborn", paid_on=date(2027, 2, 1),
            newborn_next_year_only=True)
    assert (d.in_concentrated_period, d.waiting.total, d.amount_due) == (False, 0, Decimal("440.00"))


def test_born_before_october_cannot_pay_only_for_next_year():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2027, birth=date(2026, 9, 30), category="newborn", paid_on=date(2026, 11, 1),
            newborn_next_year_only=True)
    assert info.value.field == "enrollment.newborn_next_year_only"


def test_next_year_option_must_be_for_the_year_after_birth():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2028, birth=date(2026, 10, 5), category="newborn", paid_on=date(2026, 11, 1),
            newborn_next_year_only=True)
    assert info.value.field == "year"


def test_next_year_option_after_90_days_counts_the_birth_year_as_a_gap():
    # R-NB-OCT excuses the birth year only when the option is taken within the 90 days.
    d = run(HUNAN, 2027, birth=date(2026, 10, 5), category="newborn", paid_on=date(2027, 3, 1),
            newborn_next_year_only=True)
    assert d.rules[0] == "R-NB-LATE"
    assert (d.gap_years, d.waiting.total, d.amount_due) == (1, 4, Decimal("1180.00"))
    assert d.benefit_start == date(2027, 7, 2)


def test_next_year_option_within_90_days_excuses_the_birth_year_even_in_january():
    d = run(HUNAN, 2027, birth=date(2026, 12, 1), category="newborn", paid_on=date(2027, 2, 28),
            newborn_next_year_only=True)
    assert (d.rules[0], d.gap_years, d.waiting.total) == ("R-NB-OCT", 0, 0)


def test_shanxi_newborn_later_than_the_window_in_the_next_year_counts_its_birth_year():
    # Shanxi has no October option: paying for the next year late, the birth year was free
    # only if registered; here it was not, and the next year follows the ordinary rules.
    d = run(SHANXI, 2027, birth=date(2026, 10, 5), category="newborn", paid_on=date(2027, 3, 1), stds=SX)
    assert "R-NB-OCT" not in d.rules and d.waiting.total >= 3


def test_shanxi_has_no_next_year_only_option():
    with pytest.raises(CaseError):
        run(SHANXI, 2027, birth=date(2026, 10, 5), category="newborn", paid_on=date(2026, 11, 1),
            newborn_next_year_only=True, stds=SX)


# --- newborns: shanxi --------------------------------------------------------------------


def test_shanxi_birth_year_is_free_even_long_after_birth():
    d = run(SHANXI, 2026, birth=date(2026, 1, 5), category="newborn", paid_on=date(2026, 11, 30), stds=SX)
    assert (d.amount_due, d.benefit_start, d.waiting.total) == (Decimal("0.00"), date(2026, 1, 5), 0)
    assert d.rules == ["R-NB-FREE"]


def test_shanxi_born_in_december_registered_in_january_within_the_window_is_free_from_birth():
    d = run(SHANXI, 2026, birth=date(2026, 12, 20), category="newborn", paid_on=date(2027, 1, 10), stds=SX)
    assert d.rules == ["R-NB-FREE"]
    assert (d.amount_due, d.benefit_start, d.benefit_end, d.waiting.total) == (
        Decimal("0.00"), date(2026, 12, 20), date(2026, 12, 31), 0)


def test_shanxi_birth_year_registered_after_the_window_in_the_next_year_is_not_free():
    d = run(SHANXI, 2026, birth=date(2026, 12, 20), category="newborn", paid_on=date(2027, 3, 21), stds=SX)
    assert "R-NB-FREE" not in d.rules
    assert d.benefit_start is None


def test_hunan_birth_year_is_not_free():
    d = run(HUNAN, 2026, birth=date(2026, 2, 10), category="newborn", paid_on=date(2026, 3, 1))
    assert d.amount_due == Decimal("420.00")


def test_shanxi_year_after_birth_paid_late_after_90_days_waits():
    d = run(SHANXI, 2027, birth=date(2026, 3, 1), category="newborn", history={2026: "resident"},
            paid_on=date(2027, 3, 1), stds=SX)
    assert d.rules[0] == "R-NB-NEXT"
    assert (d.waiting.total, d.benefit_start) == (3, date(2027, 6, 2))


def test_shanxi_year_after_birth_within_90_days_has_no_wait():
    d = run(SHANXI, 2027, birth=date(2026, 12, 1), category="newborn", paid_on=date(2027, 2, 20), stds=SX)
    assert (d.waiting.total, d.benefit_start, d.gap_years) == (0, date(2027, 1, 1), 0)


# --- welfare children --------------------------------------------------------------------


def test_welfare_child_is_covered_from_entry_with_no_wait():
    d = run(HUNAN, 2026, birth=date(2016, 1, 1), category="welfare_child", paid_on=date(2026, 7, 1),
            welfare_entry_on=date(2026, 6, 3))
    assert (d.benefit_start, d.waiting.total, d.amount_due) == (date(2026, 6, 3), 0, Decimal("420.00"))
    assert d.rules[0] == "R-WELFARE"


def test_welfare_child_cover_starts_on_the_first_of_january_at_the_earliest():
    d = run(HUNAN, 2026, birth=date(2016, 1, 1), category="welfare_child", paid_on=date(2026, 7, 1),
            welfare_entry_on=date(2024, 6, 3))
    assert d.benefit_start == date(2026, 1, 1)


def test_welfare_child_needs_an_entry_date():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2026, birth=date(2016, 1, 1), category="welfare_child", paid_on=date(2026, 7, 1))
    assert info.value.field == "enrollment.welfare_entry_on"


def test_shanxi_welfare_child_follows_the_ordinary_rules():
    d = run(SHANXI, 2026, birth=date(2016, 1, 1), category="welfare_child", history={2025: "resident"},
            paid_on=date(2026, 7, 1), welfare_entry_on=date(2026, 6, 3), stds=SX)
    assert "R-WELFARE" not in d.rules and d.waiting.total == 3


# --- students ----------------------------------------------------------------------------


def test_hunan_student_not_resident_in_the_entry_year_follows_the_ordinary_rules():
    d = run(HUNAN, 2027, birth=date(2008, 3, 1), category="college_student", history={2025: "resident"},
            paid_on=date(2026, 9, 20), first_at_school=True)
    assert "R-STU-HN" not in d.rules
    assert d.benefit_start == date(2027, 5, 1)  # on time, one gap year: 3 + 1 months from 1 January


def test_hunan_student_paying_in_the_following_year_follows_the_ordinary_rules():
    d = run(HUNAN, 2027, birth=date(2008, 3, 1), category="college_student",
            history={2025: "resident", 2026: "resident"}, paid_on=date(2027, 3, 1), first_at_school=True)
    assert "R-STU-HN" not in d.rules
    assert d.benefit_start == date(2027, 6, 2)


def test_hunan_student_covered_from_the_first_of_september():
    d = run(HUNAN, 2027, birth=date(2008, 3, 1), category="college_student",
            history={2026: "resident_late"}, paid_on=date(2026, 10, 8), first_at_school=True)
    assert (d.benefit_start, d.benefit_end) == (date(2026, 9, 1), date(2027, 12, 31))


def test_shanxi_student_covered_from_the_payment_date():
    d = run(SHANXI, 2027, birth=date(2008, 3, 1), category="college_student", paid_on=date(2026, 9, 3),
            first_at_school=True, stds=SX)
    assert (d.benefit_start, d.benefit_end, d.waiting.total) == (date(2026, 9, 3), date(2027, 12, 31), 0)
    assert d.rules[0] == "R-STU-SX"


def test_student_not_first_at_school_follows_the_ordinary_rules():
    d = run(SHANXI, 2027, birth=date(2008, 3, 1), category="college_student", history={2026: "resident"},
            paid_on=date(2026, 9, 3), stds=SX)
    assert "R-STU-SX" not in d.rules and d.benefit_start == date(2027, 1, 1)


def test_whole_course_payment_is_extended_to_december_and_never_shortened():
    # R-STU-TERM: "统一延长至当年的12月31日" extends; a course prepaid beyond keeps its cover.
    assert whole_course_cover_end(date(2027, 8, 31), 2025) == date(2027, 8, 31)
    assert whole_course_cover_end(date(2026, 6, 30), 2026) == date(2026, 12, 31)


def test_graduating_student_with_whole_course_payment_is_covered_to_december():
    assert whole_course_cover_end(date(2026, 6, 30), 2026) == date(2026, 12, 31)


def test_whole_course_cover_that_already_ended_is_left_alone():
    assert whole_course_cover_end(date(2025, 6, 30), 2026) == date(2025, 6, 30)


def test_students_enroll_once_a_year_through_the_school():
    # R-STU-ONCE
    assert student_enrollment_problems(years=[2027], channel="school") == []
    assert student_enrollment_problems(years=[2027, 2028], channel="school") == ["学生每年参保缴费一次，不能一次缴纳多个年度"]
    assert "应通过学校" in student_enrollment_problems(years=[2027], channel="home")[0]


def test_student_already_enrolled_at_home_for_the_year_is_refused():
    problems = student_enrollment_problems(years=[2027], channel="school", existing=[(2027, "home")])
    assert problems == ["该学生2027年已在户籍地或常住地参保，不能重复参保"]


# --- employee to resident (hunan) and leaving another system (shanxi) ----------------------


def test_employee_transfer_with_a_gap_waits_from_the_payment_date():
    d = run(HUNAN, 2026, category="employee_transfer", history={2025: "gap"}, paid_on=date(2026, 6, 20),
            employee_ended_on=date(2026, 5, 1))
    assert (d.amount_due, d.waiting.total, d.benefit_start) == (Decimal("420.00"), 4, date(2026, 10, 21))
    assert d.rules[0] == "R-EMP-3M"


def test_employee_transfer_inside_the_period_follows_the_ordinary_rules():
    d = run(HUNAN, 2027, category="employee_transfer", history={2025: "resident", 2026: "employee:8"},
            paid_on=date(2026, 11, 20), employee_ended_on=date(2026, 9, 1))
    assert "R-EMP-3M" not in d.rules and d.benefit_start == date(2027, 1, 1)


def test_employee_transfer_next_year_only_with_a_gap_waits_from_the_first_of_january():
    d = run(HUNAN, 2027, category="employee_transfer", history={2025: "gap", 2026: "employee:9"},
            paid_on=date(2027, 1, 5), employee_ended_on=date(2026, 10, 10))
    assert (d.amount_due, d.waiting.total, d.benefit_start) == (Decimal("440.00"), 4, date(2027, 5, 1))


def test_employee_ended_before_october_cannot_choose_next_year_only():
    # E = 2026-07-15, paid 2026-08-20 for 2027: within 3 months but before the 2027 period opens.
    d = run(HUNAN, 2027, category="employee_transfer", history={2025: "resident", 2026: "employee:6"},
            paid_on=date(2026, 8, 20), employee_ended_on=date(2026, 7, 15))
    assert "R-EMP-3M" not in d.rules
    assert d.amount_due == Decimal("440.00") + Decimal("740.00")


def test_employee_transfer_late_pays_the_late_rate_even_for_the_next_year():
    d = run(HUNAN, 2027, category="employee_transfer", history={2025: "resident", 2026: "employee:8"},
            paid_on=date(2027, 1, 5), employee_ended_on=date(2026, 9, 30))
    assert d.rules[:2] == ["R-EMP-3M", "R-DUE-LATE"]
    assert (d.waiting.total, d.benefit_start) == (3, date(2027, 4, 6))


def test_employee_transfer_needs_the_end_date():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2026, category="employee_transfer", paid_on=date(2026, 6, 20))
    assert info.value.field == "enrollment.employee_ended_on"


def test_exit_after_three_months_waits():
    d = run(SHANXI, 2026, category="exit_other_scheme", history={2025: "employee:12"},
            paid_on=date(2026, 6, 2), exited_on=date(2026, 3, 1), exit_reason="veteran", stds=SX)
    assert "R-EXIT-3M" not in d.rules and d.waiting.total == 3


def test_exit_inside_the_concentrated_period_follows_the_ordinary_rules():
    d = run(SHANXI, 2026, category="exit_other_scheme", history={2025: "gap"}, paid_on=date(2025, 12, 1),
            exited_on=date(2025, 11, 1), exit_reason="released_prisoner", stds=SX)
    assert "R-EXIT-3M" not in d.rules and d.waiting.total == 4


def test_exit_needs_a_known_reason():
    with pytest.raises(CaseError) as info:
        run(SHANXI, 2026, category="exit_other_scheme", paid_on=date(2026, 4, 1),
            exited_on=date(2026, 3, 1), exit_reason="tourist", stds=SX)
    assert info.value.field == "enrollment.exit_reason"


def test_hunan_defers_people_leaving_other_systems_to_later_rules():
    d = run(HUNAN, 2026, category="exit_other_scheme", history={2025: "employee:12"},
            paid_on=date(2026, 4, 1), exited_on=date(2026, 3, 1), exit_reason="veteran")
    assert "R-EXIT-3M" not in d.rules and d.waiting.total == 3


def test_five_resident_years_count_as_one_employee_year_in_shanxi():
    # R-EMP-CONVERT
    assert employee_years_from_resident(SHANXI, 4) == 0
    assert employee_years_from_resident(SHANXI, 5) == 1
    assert employee_years_from_resident(SHANXI, 14) == 2


def test_hunan_has_no_resident_to_employee_conversion():
    assert employee_years_from_resident(HUNAN, 10) == 0
