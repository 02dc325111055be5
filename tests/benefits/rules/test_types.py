from dataclasses import FrozenInstanceError
from decimal import Decimal

import pytest

from benefits.rules import HUNAN, PROFILES, SHANXI, Profile, YearStandard
from benefits.rules.types import HardshipRate, money


def test_builtin_profiles_carry_the_rules_md_parameters():
    assert (HUNAN.step, HUNAN.increase_cap_share, HUNAN.increase_cap_amount) == (5000, Decimal("0.20"), None)
    assert (SHANXI.step, SHANXI.increase_cap_share, SHANXI.increase_cap_amount) == (3000, None, 80000)
    assert (HUNAN.gap_penalty_step, SHANXI.gap_penalty_step, SHANXI.gap_penalty_cap) == (0, 3000, 80000)
    assert HUNAN.late_pays_subsidy and not SHANXI.late_pays_subsidy
    assert HUNAN.hardship_on_time_only and not SHANXI.hardship_on_time_only
    assert HUNAN.zero_claim_next_on_time and not SHANXI.zero_claim_next_on_time
    assert SHANXI.newborn_birth_year_free and not HUNAN.newborn_birth_year_free
    assert HUNAN.welfare_child_anytime and not SHANXI.welfare_child_anytime
    assert (HUNAN.student_rule, SHANXI.student_rule) == ("hunan", "shanxi")
    assert HUNAN.employee_3m_rule and SHANXI.exit_3m_rule
    for p in PROFILES.values():
        assert (p.counting_start_year, p.fixed_wait_months, p.variable_wait_months_per_gap_year) == (2025, 3, 1)
        assert (p.repair_floor_gap_years, p.repair_floor_months, p.employee_neutral_min_months) == (4, 6, 3)


def test_profile_round_trips_through_a_dict_of_fields():
    for profile in PROFILES.values():
        assert Profile.from_dict(profile.to_dict()) == profile


def test_profile_from_a_db_row_coerces_numbers_and_ignores_other_columns():
    row = {"id": 3, "code": "hebei", "step": 4000, "increase_cap_share": "0.15", "gap_penalty_cap": None}
    profile = Profile.from_dict(row)
    assert profile.step == Decimal("4000")
    assert profile.increase_cap_share == Decimal("0.15")
    assert profile.gap_penalty_cap is None


def test_profile_rejects_an_unknown_student_rule():
    with pytest.raises(ValueError):
        Profile(code="x", student_rule="guangdong")


def test_profiles_are_frozen():
    with pytest.raises(FrozenInstanceError):
        HUNAN.step = Decimal(1)


def test_money_has_two_places_and_survives_floats():
    assert money(0.1) == Decimal("0.10")
    assert money(120.5) == Decimal("120.50")
    assert str(money(420)) == "420.00"


def test_hardship_rate_is_a_share_or_an_amount():
    with pytest.raises(ValueError):
        HardshipRate(share=Decimal("0.5"), amount=Decimal("100"))
    with pytest.raises(ValueError):
        HardshipRate()


def test_year_standard_from_dict():
    std = YearStandard.from_dict(2026, {
        "individual": 420, "subsidy": 720, "concentrated_start": __import__("datetime").date(2025, 9, 1),
        "concentrated_end": __import__("datetime").date(2025, 12, 31), "catastrophic_cap": 300000,
    })
    assert std.individual == Decimal("420.00") and std.hardship == {}
