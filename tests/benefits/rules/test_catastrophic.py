from datetime import date
from decimal import Decimal

from benefits.rules import HUNAN, SHANXI, Profile

from .builders import resident_years, run, standards


def cat(d):
    c = d.catastrophic
    return (c.continuity_bonus, c.zero_claim_bonus, c.gap_penalty, c.effective_cap)


def busy(*years):
    """Claims in which the fund paid something every year (no zero-claim credit)."""
    return {y: {"fund_paid": 10} for y in years}


def test_four_full_years_earn_no_continuity_bonus():
    d = run(HUNAN, 2028, history=resident_years(2025, 2027), claims=busy(2025, 2026, 2027))
    assert d.continuity_years == 4
    assert d.catastrophic.continuity_bonus == 0


def test_fifth_continuous_year_raises_the_cap_by_a_step():
    d = run(HUNAN, 2029, history=resident_years(2025, 2028), claims=busy(*range(2025, 2029)))
    assert cat(d) == (5000, 0, 0, 305000)
    assert "R-CAT-CONT" in d.rules


def test_shanxi_step_is_three_thousand():
    d = run(SHANXI, 2029, history=resident_years(2025, 2028), claims=busy(*range(2025, 2029)), stds=standards(cap=250000))
    assert d.catastrophic.continuity_bonus == 3000


def test_late_years_count_for_continuity():
    d = run(HUNAN, 2029, history=resident_years(2025, 2028, "resident_late"), claims=busy(*range(2025, 2029)))
    assert d.catastrophic.continuity_bonus == 5000


def test_gap_resets_the_continuity_bonus():
    history = {**resident_years(2025, 2029), 2030: "gap"}
    d = run(HUNAN, 2031, history=history, claims=busy(*range(2025, 2031)), repair_years=0)
    assert d.continuity_years == 1 and d.catastrophic.continuity_bonus == 0


def test_zero_claim_year_adds_a_step_the_next_year():
    d = run(HUNAN, 2026, history={2025: "resident"}, paid_on=date(2025, 10, 1))
    assert d.catastrophic.zero_claim_bonus == 5000
    assert "R-CAT-ZERO" in d.rules


def test_year_with_fund_payment_earns_no_credit():
    d = run(HUNAN, 2026, history={2025: "resident"}, claims=busy(2025), paid_on=date(2025, 10, 1))
    assert d.catastrophic.zero_claim_bonus == 0


def test_hunan_zero_claim_needs_the_next_year_paid_on_time():
    d = run(HUNAN, 2027, history={2025: "resident", 2026: "resident_late"}, claims=busy(2026))
    assert d.catastrophic.zero_claim_bonus == 0


def test_hunan_zero_claim_needs_the_current_payment_on_time():
    d = run(HUNAN, 2026, history={2025: "resident"}, paid_on=date(2026, 1, 5))
    assert d.catastrophic.zero_claim_bonus == 0


def test_shanxi_zero_claim_has_no_timing_condition():
    d = run(SHANXI, 2027, history={2025: "resident", 2026: "resident_late"}, claims=busy(2026), stds=standards(cap=250000))
    assert d.catastrophic.zero_claim_bonus == 3000


def test_zero_claim_needs_the_person_resident_the_next_year():
    d = run(HUNAN, 2027, history={2025: "resident", 2026: "employee:12"})
    assert d.catastrophic.zero_claim_bonus == 0


def test_zero_claim_credits_add_up():
    d = run(HUNAN, 2028, history=resident_years(2025, 2027))
    assert d.catastrophic.zero_claim_bonus == 15000


def test_using_the_incentive_clears_the_zero_claim_credit_but_not_continuity():
    history = resident_years(2025, 2029)
    claims = {2029: {"fund_paid": 90000, "used_incentive": True}}
    d = run(HUNAN, 2030, history=history, claims=claims)
    assert cat(d)[:2] == (10000, 0)
    assert "R-CAT-ZERO-RESET" in d.rules


def test_a_gap_does_not_clear_the_zero_claim_credit():
    d = run(HUNAN, 2028, history={2025: "resident", 2026: "resident", 2027: "gap"}, claims=busy())
    assert d.catastrophic.zero_claim_bonus == 5000  # 2025 -> 2026, kept through the 2027 gap


def test_gap_clearing_the_credit_is_a_profile_choice():
    profile = Profile.from_dict({**HUNAN.to_dict(), "zero_claim_cleared_by_gap": True})
    d = run(profile, 2028, history={2025: "resident", 2026: "resident", 2027: "gap"})
    assert d.catastrophic.zero_claim_bonus == 0


def test_hunan_increase_is_capped_at_twenty_percent_of_the_original_cap():
    d = run(HUNAN, 2030, history=resident_years(2025, 2029), stds=standards(cap=100000))
    assert cat(d) == (10000, 25000, 0, 120000)
    assert "R-CAT-LIMIT" in d.rules


def test_shanxi_increase_is_capped_at_eighty_thousand():
    history = resident_years(2025, 2054)
    d = run(SHANXI, 2055, history=history, claims=busy(*range(2025, 2055)), stds=standards(2055, cap=250000))
    assert d.catastrophic.continuity_bonus == 27 * 3000
    assert d.catastrophic.effective_cap == 250000 + 80000


def test_shanxi_gap_year_lowers_the_cap():
    d = run(SHANXI, 2027, history={2025: "resident", 2026: "gap"}, claims=busy(2025), stds=standards(cap=250000))
    assert cat(d) == (0, 0, 3000, 247000)
    assert "R-CAT-GAP-PENALTY" in d.rules


def test_gap_penalty_counts_every_gap_since_the_counting_start():
    history = {2025: "gap", 2026: "resident", 2027: "gap"}
    d = run(SHANXI, 2028, history=history, claims=busy(2026), stds=standards(cap=250000))
    assert d.gap_years == 1
    assert d.catastrophic.gap_penalty == 6000


def test_gap_penalty_is_at_most_eighty_thousand():
    d = run(SHANXI, 2055, history={}, stds=standards(2055, cap=250000), paid_on=date(2054, 10, 1))
    assert d.catastrophic.gap_penalty == 80000


def test_repair_does_not_lift_the_gap_penalty():
    d = run(SHANXI, 2027, history={2025: "resident", 2026: "gap"}, claims=busy(2025), repair_years=1,
            stds=standards(cap=250000))
    assert d.catastrophic.gap_penalty == 3000


def test_lifting_the_penalty_by_repair_is_a_profile_choice():
    profile = Profile.from_dict({**SHANXI.to_dict(), "gap_penalty_lifted_by_repair": True})
    d = run(profile, 2027, history={2025: "resident", 2026: "gap"}, claims=busy(2025), repair_years=1,
            stds=standards(cap=250000))
    assert d.catastrophic.gap_penalty == 0


def test_hunan_has_no_gap_penalty():
    d = run(HUNAN, 2028, history={2025: "resident", 2026: "gap", 2027: "gap"})
    assert d.catastrophic.gap_penalty == 0
    assert "R-CAT-GAP-PENALTY" not in d.rules


def test_amounts_are_decimals():
    d = run(HUNAN, 2026, history={2025: "resident"})
    assert isinstance(d.catastrophic.effective_cap, Decimal)
