"""Seed 000's pilots as profile data: contribution tiers (R-TIER), unemployment-fund cover
(R-UNEMP) and the newborn birth-year contribution (R-NB-DISCOUNT), on both profiles."""

import dataclasses
from datetime import date
from decimal import Decimal

import pytest

from benefits.rules import HUNAN, SHANXI, CaseError, evaluate_case
from benefits.rules.case import parse_case
from benefits.rules.engine import determine
from benefits.rules.types import Tier, Unemployment

from .builders import run, standard, standards

TIERS = {"low": Tier(code="low", name="一档", individual=Decimal("300"), catastrophic_cap=Decimal("200000"),
                     reimbursement_ratio=Decimal("0.55")),
         "high": Tier(code="high", name="二档", individual=Decimal("600"))}

CLAIMED = {2025: {"fund_paid": 100}}  # no zero-claim credit, so the cap is the tier's own


def tiered(cap=300000):
    stds = standards(cap=cap)
    return {y: dataclasses.replace(s, tiers=TIERS) for y, s in stds.items()}


# --- R-TIER -----------------------------------------------------------------------------------


@pytest.mark.parametrize("profile", [HUNAN, SHANXI])
def test_amount_due_and_cap_follow_the_chosen_tier(profile):
    d = run(profile, 2026, history={2025: "resident"}, paid_on=date(2025, 11, 1), tier="low", stds=tiered(),
            claims=CLAIMED)
    assert d.amount_due == Decimal("300.00")
    assert d.catastrophic.effective_cap == Decimal("200000")
    assert d.tier["code"] == "low" and d.tier["reimbursement_ratio"] == 0.55
    assert "R-TIER" in d.rules


@pytest.mark.parametrize("profile", [HUNAN, SHANXI])
def test_a_tier_without_its_own_cap_keeps_the_years_cap(profile):
    d = run(profile, 2026, history={2025: "resident"}, paid_on=date(2025, 11, 1), tier="high", stds=tiered(),
            claims=CLAIMED)
    assert (d.amount_due, d.catastrophic.effective_cap) == (Decimal("600.00"), Decimal("300000"))


def test_late_payment_adds_the_subsidy_to_the_tiers_amount_in_hunan():
    d = run(HUNAN, 2026, history={2025: "resident"}, paid_on=date(2026, 3, 1), tier="low", stds=tiered())
    assert d.amount_due == Decimal("300.00") + Decimal("720.00")


def test_repair_is_priced_at_the_tier():
    d = run(HUNAN, 2027, history={2025: "gap", 2026: "gap"}, paid_on=date(2026, 11, 1), repair_years=2,
            tier="low", stds=tiered())
    assert d.repair_due == Decimal("600.00")  # 2 × the tier's 300, not 2 × 420


def test_no_tier_chosen_uses_the_years_standard_and_says_so():
    d = run(HUNAN, 2026, history={2025: "resident"}, paid_on=date(2025, 11, 1), stds=tiered())
    assert d.amount_due == Decimal("420.00") and d.tier["code"] is None


def test_an_unknown_tier_is_refused_naming_the_field():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2026, paid_on=date(2025, 11, 1), tier="gold", stds=tiered())
    assert info.value.field == "enrollment.tier"


def test_a_year_without_tiers_outputs_no_tier():
    result = evaluate_case({"profile": "shanxi", "year": 2026, "person": {"birth_date": "1980-01-01"},
                            "enrollment": {"paid_on": "2025-11-01"},
                            "standards": {"2026": {"individual": 400, "subsidy": 700,
                                                   "concentrated_start": "2025-09-01",
                                                   "concentrated_end": "2025-12-31",
                                                   "catastrophic_cap": 300000}}})
    assert "tier" not in result


def test_policy_case_reads_tiers_and_reports_the_tier():
    result = evaluate_case({"profile": "hunan", "year": 2026, "person": {"birth_date": "1980-01-01"},
                            "history": {"2025": "resident"}, "claims": {"2025": {"fund_paid": 100}},
                            "enrollment": {"paid_on": "2025-11-01", "tier": "low"},
                            "standards": {"2026": {"individual": 420, "subsidy": 720,
                                                   "concentrated_start": "2025-09-01",
                                                   "concentrated_end": "2025-12-31",
                                                   "catastrophic_cap": 300000,
                                                   "tiers": {"low": {"individual": 300,
                                                                     "catastrophic_cap": 200000,
                                                                     "reimbursement_ratio": 0.55}}}}})
    assert result["amount_due"] == "300.00"
    assert result["tier"] == {"code": "low", "individual": "300.00", "catastrophic_cap": 200000,
                              "reimbursement_ratio": 0.55}
    assert result["catastrophic"]["effective_cap"] == 200000


# --- R-UNEMP ----------------------------------------------------------------------------------


def unemployed(ended, start, until):
    return Unemployment(employment_ended_on=ended, benefit_from=start, benefit_until=until)


def run_unemployed(profile, history, unemployment, year=2027, paid_on=date(2026, 11, 1), stds=None):
    from benefits.rules import Enrollment, Person

    return determine(profile, year, Person(birth_date=date(1980, 5, 1)), history,
                     Enrollment(paid_on=paid_on), {}, stds or standards(), unemployment)


@pytest.mark.parametrize("profile", [HUNAN, SHANXI])
def test_months_on_unemployment_benefit_are_employee_cover_not_a_gap(profile):
    # Employed to 2025-02-28, benefit drawn 2025-04 … 2026-01: 2025 is ten months of fund-paid
    # employee cover including the bridge (neutral), 2026 one month (a gap, R-EMP-NEUTRAL).
    u = unemployed(date(2025, 3, 1), date(2025, 4, 10), date(2026, 1, 31))
    d = run_unemployed(profile, {2025: "employee:2", 2026: "resident"}, u)
    assert d.gap_years == 0
    assert "R-UNEMP" in d.rules


@pytest.mark.parametrize("profile", [HUNAN, SHANXI])
def test_the_months_before_the_funds_first_payment_are_covered(profile):
    # Employment ended 2025-07-01; the fund's first payment covers 2025-10 on; without the
    # bridge July–September would leave only three months (still neutral), so shorten it:
    u = unemployed(date(2025, 10, 1), date(2025, 12, 1), date(2025, 12, 31))
    bridged = run_unemployed(profile, {2026: "resident"}, u)
    unbridged = run_unemployed(dataclasses.replace(profile, unemployment_bridge=False), {2026: "resident"}, u)
    # Bridged: October–December = 3 months, neutral; not bridged: December only, a gap year.
    assert (bridged.gap_years, unbridged.gap_years) == (0, 0)
    assert bridged.continuity_years == unbridged.continuity_years == 2
    year_2025 = run_unemployed(profile, {}, u, year=2026, paid_on=date(2025, 11, 1))
    no_bridge = run_unemployed(dataclasses.replace(profile, unemployment_bridge=False), {}, u,
                               year=2026, paid_on=date(2025, 11, 1))
    assert (year_2025.gap_years, no_bridge.gap_years) == (0, 1)


def test_policy_case_reads_the_unemployment_object():
    case = {"profile": "hunan", "year": 2026, "person": {"birth_date": "1980-01-01"},
            "enrollment": {"paid_on": "2025-11-01"},
            "unemployment": {"employment_ended_on": "2025-05-01", "benefit_from": "2025-06-15",
                             "benefit_until": "2026-03-31"},
            "standards": {"2026": {"individual": 400, "subsidy": 700,
                                   "concentrated_start": "2025-09-01",
                                   "concentrated_end": "2025-12-31",
                                   "catastrophic_cap": 300000}}}
    result = evaluate_case(case)
    assert result["gap_years"] == 0 and result["waiting"]["total"] == 0
    assert "R-UNEMP" in result["rules"]
    case["unemployment"]["benefit_from"] = "2025-04-01"
    with pytest.raises(CaseError) as info:
        parse_case(case)
    assert info.value.field == "unemployment.benefit_from"


def test_unemployment_ends_the_employee_cover_for_the_transfer_rules():
    # A hunan transfer whose end of employee cover is the day after the last benefit day.
    u = unemployed(date(2025, 5, 1), date(2025, 6, 1), date(2026, 3, 31))
    from benefits.rules import Enrollment, Person

    d = determine(HUNAN, 2026, Person(birth_date=date(1980, 5, 1), category="employee_transfer"),
                  {2025: "resident"}, Enrollment(paid_on=date(2026, 5, 20)), {}, standards(), u)
    assert d.rules[0] == "R-EMP-3M" and d.benefit_start == date(2026, 4, 1)


# --- R-NB-DISCOUNT ----------------------------------------------------------------------------


def test_a_birth_year_share_lowers_the_newborns_contribution():
    profile = dataclasses.replace(HUNAN, newborn_birth_year_share=Decimal("0.5"))
    d = run(profile, 2026, birth=date(2026, 2, 10), category="newborn", paid_on=date(2026, 3, 1))
    assert d.amount_due == Decimal("210.00") and "R-NB-DISCOUNT" in d.rules


def test_shipped_profiles_charge_the_full_birth_year_contribution():
    d = run(HUNAN, 2026, birth=date(2026, 2, 10), category="newborn", paid_on=date(2026, 3, 1))
    assert d.amount_due == Decimal("420.00") and "R-NB-DISCOUNT" not in d.rules
    d = run(SHANXI, 2026, birth=date(2026, 2, 10), category="newborn", paid_on=date(2026, 3, 1))
    assert d.amount_due == Decimal("0.00")
