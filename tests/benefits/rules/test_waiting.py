from datetime import date

import pytest

from benefits.rules import HUNAN, Profile
from benefits.rules.waiting import waiting_benefit_period, waiting_period

from .builders import run


def wait(gaps, repair=0, profile=HUNAN):
    return waiting_period(profile, gap_years=gaps, repair_years=repair, reason="测试")


def rules_of(result):
    return [r for r, _ in result.notes]


def test_fixed_wait_is_three_months():
    result = wait(0)
    assert (result.waiting.fixed, result.waiting.total) == (3, 3)
    assert rules_of(result) == ["R-WAIT-FIXED"]


def test_gap_year_adds_a_month():
    assert wait(1).waiting.variable == 1
    assert wait(1).waiting.total == 4
    assert "R-WAIT-VARIABLE" in rules_of(wait(1))


def test_each_gap_year_adds_a_month():
    assert wait(3).waiting.total == 6


def test_other_reading_of_variable_wait_is_a_profile_choice():
    profile = Profile(code="x", variable_wait_free_gap_years=1)
    assert wait(1, profile=profile).waiting.variable == 0


def test_repair_removes_a_month_per_year():
    result = wait(2, repair=1)
    assert (result.waiting.repaired, result.waiting.total, result.repair_years_charged) == (1, 4, 1)
    assert "R-WAIT-REPAIR" in rules_of(result)


def test_full_repair_below_the_threshold_leaves_the_fixed_wait():
    assert wait(3, repair=3).waiting.total == 3


def test_floor_keeps_six_months_after_repair_at_four_gap_years():
    result = wait(4, repair=4)
    assert (result.waiting.repaired, result.waiting.total) == (1, 6)
    assert "R-WAIT-FLOOR" in rules_of(result)


def test_only_useful_repair_years_are_charged():
    result = wait(5, repair=5)
    assert result.repair_years_charged == 2
    assert "只需修复2年" in dict(result.notes)["R-WAIT-REPAIR"]


def test_charging_every_repair_year_is_a_profile_choice():
    profile = Profile(code="x", repair_charge_useful_only=False)
    assert wait(5, repair=5, profile=profile).repair_years_charged == 5


def test_floor_does_not_apply_below_four_gap_years():
    result = wait(3, repair=3)
    assert "R-WAIT-FLOOR" not in rules_of(result)


def test_floor_is_silent_when_it_does_not_bind():
    assert "R-WAIT-FLOOR" not in rules_of(wait(5, repair=1))


def test_more_repair_years_than_gaps_is_refused():
    with pytest.raises(ValueError):
        wait(1, repair=2)


def test_wait_from_payment_starts_the_day_after_it_ends():
    period = waiting_benefit_period(2026, months=3, paid_on=date(2026, 3, 15), from_year_start=False)
    assert (period.start, period.end) == (date(2026, 6, 16), date(2026, 12, 31))


def test_on_time_but_not_continuous_waits_from_the_first_of_january():
    period = waiting_benefit_period(2026, months=4, paid_on=date(2025, 12, 1), from_year_start=True)
    assert period.start == date(2026, 5, 1)


def test_wait_past_the_year_end_means_no_benefit():
    period = waiting_benefit_period(2026, months=4, paid_on=date(2026, 9, 15), from_year_start=False)
    assert (period.start, period.end) == (None, None)
    assert "不享受待遇" in period.notes[0][1]


def test_benefits_never_start_before_the_coverage_year():
    period = waiting_benefit_period(2026, months=3, paid_on=date(2025, 8, 1), from_year_start=False)
    assert period.start == date(2026, 1, 1)


def test_continuous_and_on_time_has_no_waiting_period():
    d = run(HUNAN, 2026, history={2025: "resident"}, paid_on=date(2025, 10, 1))
    assert d.waiting.total == 0 and d.benefit_start == date(2026, 1, 1)
    assert not any(r.startswith("R-WAIT") for r in d.rules)


def test_hardship_groups_wait_like_anyone_else():
    d = run(HUNAN, 2026, group="special_hardship", history={2025: "resident"}, paid_on=date(2026, 2, 1))
    assert d.waiting.total == 3


def test_exempting_hardship_groups_from_the_wait_is_a_profile_choice():
    profile = Profile.from_dict({**HUNAN.to_dict(), "hardship_waits": False})
    d = run(profile, 2026, group="special_hardship", history={2025: "resident"}, paid_on=date(2026, 2, 1))
    assert d.waiting.total == 0 and d.benefit_start == date(2026, 2, 1)


def test_waiting_from_the_payment_date_is_a_profile_choice_for_on_time_payers():
    profile = Profile.from_dict({**HUNAN.to_dict(), "ontime_wait_from_year_start": False})
    d = run(profile, 2026, history={2025: "gap"}, paid_on=date(2025, 12, 1))
    assert d.benefit_start == date(2026, 4, 2)  # the wait 2025-12-02 … 2026-04-01, not 1 January
    d = run(profile, 2026, history={2025: "gap"}, paid_on=date(2025, 12, 20))
    assert d.benefit_start == date(2026, 4, 21)
