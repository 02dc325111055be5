"""Small builders for rule tests: yearly standards like the policy examples, and a `run()` that
calls the engine with sensible defaults."""

from datetime import date
from decimal import Decimal

from benefits.rules import HUNAN, SHANXI, Claim, Enrollment, Person, YearStandard, determine

HARDSHIP = {
    "special_hardship": {"share": Decimal("1.0")},
    "low_income": {"share": Decimal("0.5")},
    "monitored": {"amount": Decimal("100")},
}
INDIVIDUAL = {2025: 400, 2026: 420, 2027: 440, 2028: 460, 2029: 480, 2030: 500, 2031: 520}


def standard(year, individual=None, subsidy=None, cap=300000, hardship=HARDSHIP):
    individual = INDIVIDUAL.get(year, 600) if individual is None else individual
    return YearStandard(
        year=year,
        individual=individual,
        subsidy=subsidy if subsidy is not None else individual + 300,
        concentrated_start=date(year - 1, 9, 1),
        concentrated_end=date(year - 1, 12, 31),
        catastrophic_cap=cap,
        hardship=hardship,
    )


def standards(*years, **kwargs):
    years = years or tuple(range(2024, 2032))
    return {y: standard(y, **kwargs) for y in years}


def run(
    profile=HUNAN,
    year=2026,
    *,
    birth=date(1980, 5, 1),
    group=None,
    category="general",
    history=None,
    claims=None,
    stds=None,
    **enrollment,
):
    enrollment.setdefault("paid_on", date(year - 1, 11, 1))
    return determine(
        profile,
        year,
        Person(birth_date=birth, group=group, category=category),
        history or {},
        Enrollment(**enrollment),
        {y: c if isinstance(c, Claim) else Claim(**c) for y, c in (claims or {}).items()},
        stds if stds is not None else standards(),
    )


def resident_years(first, last, status="resident"):
    return {y: status for y in range(first, last + 1)}


__all__ = ["HUNAN", "SHANXI", "run", "standard", "standards", "resident_years"]
