"""What is due for year Y (RULES.md section 2).

Implements R-DUE-ONTIME, R-DUE-LATE, R-DUE-HARDSHIP and R-DUE-REPAIR.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .types import Profile, YearStandard, money

RATE_ONTIME = "ontime"  # I(Y): inside the concentrated period, or a rule lifts the limit
RATE_LATE = "late"  # outside it: I(Y) + S(Y) where the profile says so
RATE_FREE = "free"  # R-NB-FREE: nothing due
RATE_NEWBORN = "newborn"  # R-NB-90: I(birth year) times the profile's birth-year share

GROUP_LABELS = {
    "special_hardship": "特困人员",
    "low_income": "低保对象",
    "monitored": "防止返贫监测对象",
}

ZERO = money(0)


@dataclass(frozen=True)
class DueResult:
    amount_due: Decimal
    subsidy: Decimal
    notes: list[tuple[str, str]] = field(default_factory=list)


def contribution_due(
    profile: Profile,
    standard: YearStandard,
    *,
    rate: str,
    group: str | None,
    in_period: bool,
) -> DueResult:
    """The contribution for Y after any hardship subsidy.

    Implements R-DUE-ONTIME (I(Y)), R-NB-DISCOUNT (a newborn's birth year at
    `newborn_birth_year_share` of I(Y)), R-DUE-LATE (I(Y) + S(Y) where `late_pays_subsidy`, else I(Y))
    and R-DUE-HARDSHIP (a share of I(Y) or a fixed amount, at most I(Y); only for payments
    inside the concentrated period where `hardship_on_time_only`, whatever special case lifted the
    period's limit). `rate` is RATE_ONTIME, RATE_NEWBORN, RATE_LATE or RATE_FREE.
    """
    individual = standard.individual
    notes: list[tuple[str, str]] = []
    if rate == RATE_FREE:
        return DueResult(ZERO, ZERO, notes)
    if rate == RATE_ONTIME or (rate == RATE_NEWBORN and profile.newborn_birth_year_share == 1):
        base = individual
        where = "您在集中参保缴费期内缴费，" if in_period else ""
        notes.append(("R-DUE-ONTIME", f"{where}按个人缴费标准缴纳{individual}元"))
    elif rate == RATE_NEWBORN:
        base = money(individual * profile.newborn_birth_year_share)
        notes.append(
            (
                "R-NB-DISCOUNT",
                f"新生儿出生当年参保优惠：按个人缴费标准{individual}元的"
                f"{profile.newborn_birth_year_share * 100:.0f}%缴纳{base}元",
            )
        )
    elif rate == RATE_LATE:
        if profile.late_pays_subsidy:
            base = individual + standard.subsidy
            line = (
                f"您在集中参保缴费期外缴费，要按个人缴费标准{individual}元加上财政补助标准"
                f"{standard.subsidy}元缴纳，共{base}元"
            )
        else:
            base = individual
            line = f"您在集中参保缴费期外缴费，按个人缴费标准缴纳{individual}元（不加收财政补助）"
        notes.append(("R-DUE-LATE", line))
    else:
        raise ValueError(f"unknown rate {rate!r}")

    subsidy = ZERO
    if group:
        label = GROUP_LABELS.get(group, group)
        table_rate = standard.hardship.get(group)
        # Inside the concentrated period only where the profile says so: a special case that
        # lifts the period's limit (newborn, transfer ...) does not bring the subsidy with it.
        allowed = in_period or not profile.hardship_on_time_only
        if not allowed:
            notes.append(
                ("R-DUE-HARDSHIP", f"{label}的参保资助只在集中参保缴费期内缴费时享受，本次由个人全额缴费")
            )
        elif table_rate is None:
            notes.append(("R-DUE-HARDSHIP", f"{standard.year}年没有{label}的资助标准，由个人全额缴费"))
        else:
            subsidy = table_rate.subsidy(individual)
            notes.append(
                ("R-DUE-HARDSHIP", f"您是{label}，政府代缴{subsidy}元，您本人缴纳{base - subsidy}元")
            )
    return DueResult(base - subsidy, subsidy, notes)


def repair_price_standard(
    profile: Profile, *, coverage: YearStandard, payment: YearStandard | None
) -> YearStandard | None:
    """The standard whose I prices a repair: the year the repair is paid (both profiles; the
    `shanxi` "当年" is read the same way), or Y where `repair_price_year` is 'coverage'."""
    return coverage if profile.repair_price_year == "coverage" else payment


def repair_due(years: int, standard: YearStandard) -> tuple[Decimal, list[tuple[str, str]]]:
    """Implements R-DUE-REPAIR: r repaired gap years cost r × I(year of the repair payment)."""
    if years <= 0:
        return ZERO, []
    cost = money(standard.individual * years)
    line = (
        f"补缴{years}年未参保的年份，按{standard.year}年个人缴费标准每年{standard.individual}元，"
        f"另交{cost}元"
    )
    return cost, [("R-DUE-REPAIR", line)]
