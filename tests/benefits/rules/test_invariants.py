"""Properties that hold for every ordinary (general) case, checked with hypothesis."""

from datetime import date, timedelta

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits.rules import PROFILES, Claim, Enrollment, Person, determine

from .builders import standards

STDS = standards(*range(2024, 2033))
STATUSES = ["resident", "resident_late", "employee:12", "employee:2", "gap", None]


@st.composite
def ordinary_cases(draw):
    profile = PROFILES[draw(st.sampled_from(sorted(PROFILES)))]
    year = draw(st.integers(2025, 2032))
    birth = draw(st.dates(date(1940, 1, 1), date(2015, 12, 31)))
    history = {}
    for y in range(2025, year):
        status = draw(st.sampled_from(STATUSES))
        if status:
            history[y] = status
    claims = {
        y: Claim(fund_paid=draw(st.sampled_from([0, 0, 50, 90000])), used_incentive=draw(st.booleans()))
        for y in range(2025, year)
        if draw(st.booleans())
    }
    paid_on = draw(st.dates(date(year - 1, 9, 1), date(year, 12, 31)))
    group = draw(st.sampled_from([None, None, "special_hardship", "low_income", "monitored"]))
    person = Person(birth_date=birth, group=group)
    gaps = determine(profile, year, person, history, Enrollment(paid_on), claims, STDS).gap_years
    repair = draw(st.integers(0, gaps))
    return profile, year, person, history, Enrollment(paid_on, repair_years=repair), claims


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ordinary_cases())
def test_ordinary_determinations_keep_their_invariants(case):
    profile, year, person, history, enrollment, claims = case
    d = determine(profile, year, person, history, enrollment, claims, STDS)
    std = STDS[year]
    w = d.waiting

    assert d.amount_due >= 0 and d.subsidy >= 0 and d.repair_due >= 0
    assert d.amount_due + d.subsidy in (std.individual, std.individual + std.subsidy)
    assert w.total >= 0
    assert w.repaired <= enrollment.repair_years * profile.variable_wait_months_per_gap_year
    if w.total:
        assert w.total == max(w.fixed + w.variable - w.repaired,
                              profile.repair_floor_months if d.gap_years >= profile.repair_floor_gap_years else 0)
        if d.gap_years >= profile.repair_floor_gap_years:
            assert w.total >= profile.repair_floor_months
    else:
        assert d.gap_years == 0 and d.in_concentrated_period
    assert d.repair_due == d.repair_years_charged * STDS[enrollment.paid_on.year].individual
    assert d.repair_years_charged <= enrollment.repair_years

    if d.benefit_start is not None:
        assert d.benefit_start >= enrollment.paid_on or d.benefit_start == date(year, 1, 1)
        assert d.benefit_start >= date(year, 1, 1)
        assert d.benefit_end == date(year, 12, 31)
        if w.total and not d.in_concentrated_period:
            assert d.benefit_start > enrollment.paid_on + timedelta(days=28 * w.total)
    else:
        assert d.benefit_end is None and w.total > 0

    c = d.catastrophic
    assert 0 <= c.gap_penalty <= (profile.gap_penalty_cap if profile.gap_penalty_cap is not None else c.gap_penalty)
    assert c.effective_cap <= std.catastrophic_cap + c.continuity_bonus + c.zero_claim_bonus
    if c.increase_limit is not None:
        assert c.effective_cap <= std.catastrophic_cap + c.increase_limit
    assert d.continuity_years >= 1
    assert len(d.rules) == len(d.explanation)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ordinary_cases())
def test_repair_never_lengthens_the_wait(case):
    profile, year, person, history, enrollment, claims = case
    with_repair = determine(profile, year, person, history, enrollment, claims, STDS)
    without = determine(profile, year, person, history, Enrollment(enrollment.paid_on), claims, STDS)
    assert with_repair.waiting.total <= without.waiting.total
    if without.waiting.total:
        assert without.waiting.total == max(
            profile.fixed_wait_months + without.gap_years, 0
        )
