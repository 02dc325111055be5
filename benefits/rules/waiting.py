"""The waiting period and the benefit period (RULES.md section 3).

Implements R-WAIT-FIXED, R-WAIT-VARIABLE, R-WAIT-REPAIR, R-WAIT-FLOOR and R-WAIT-DATES.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date

from .dates import (
    first_day_after_months_from_day,
    first_day_after_months_from_event,
    year_end,
    year_start,
)
from .types import Profile, Waiting


@dataclass(frozen=True)
class WaitResult:
    waiting: Waiting
    repair_years_charged: int
    floor_applied: bool
    notes: list[tuple[str, str]] = field(default_factory=list)


def variable_months(profile: Profile, gap_years: int) -> int:
    """Implements R-WAIT-VARIABLE: N(Y) × 1 month; the first gap year already adds a month
    (`variable_wait_free_gap_years` = 0)."""
    counted = max(0, gap_years - profile.variable_wait_free_gap_years)
    return counted * profile.variable_wait_months_per_gap_year


def waiting_period(
    profile: Profile, *, gap_years: int, repair_years: int, reason: str
) -> WaitResult:
    """The waiting period of a person who waits at all (not continuous, or paid late).

    Implements R-WAIT-FIXED (F), R-WAIT-VARIABLE (V), R-WAIT-REPAIR (r years remove r months of V;
    only the years that shorten the wait are charged) and R-WAIT-FLOOR (N ≥ 4: at least 6 months).
    `repair_years` must not exceed `gap_years` (the engine checks it). `reason` opens the
    explanation line of the fixed period ("集中参保缴费期外缴费", "断缴2年" …).
    """
    if repair_years < 0 or repair_years > gap_years:
        raise ValueError("repair_years must be between 0 and the gap years")
    fixed = profile.fixed_wait_months
    variable = variable_months(profile, gap_years)
    per = profile.variable_wait_months_per_gap_year
    notes: list[tuple[str, str]] = [("R-WAIT-FIXED", f"{reason}，等待期为{fixed}个月")]
    if variable:
        notes.append(("R-WAIT-VARIABLE", f"未参保{gap_years}年，等待期再加{variable}个月"))

    repaired = min(repair_years * per, variable)
    floor_applies = gap_years >= profile.repair_floor_gap_years
    floor_binds = floor_applies and fixed + variable - repaired < profile.repair_floor_months
    if floor_applies:
        useful = max(0, fixed + variable - profile.repair_floor_months)
        repaired = min(repaired, useful)
    total = fixed + variable - repaired
    if floor_applies:
        total = max(total, profile.repair_floor_months)

    if profile.repair_charge_useful_only:
        charged = math.ceil(repaired / per) if per else 0
        charged = min(charged, repair_years)
    else:
        charged = repair_years

    if repair_years:
        line = f"补缴{repair_years}年可减少{repaired}个月"
        if charged < repair_years:
            line += (
                f"；补缴后等待期不能少于{profile.repair_floor_months}个月，"
                f"所以只需修复{charged}年，其余{repair_years - charged}年不收费"
            )
        notes.append(("R-WAIT-REPAIR", line))
    if floor_binds:
        notes.append(
            (
                "R-WAIT-FLOOR",
                f"您连续{gap_years}年未参保（{profile.repair_floor_gap_years}年及以上），"
                f"补缴后等待期合计不能少于{profile.repair_floor_months}个月，共{total}个月",
            )
        )
    return WaitResult(
        waiting=Waiting(fixed=fixed, variable=variable, repaired=repaired, total=total),
        repair_years_charged=charged,
        floor_applied=floor_binds,
        notes=notes,
    )


@dataclass(frozen=True)
class BenefitPeriod:
    start: date | None  # None: no benefit in Y
    end: date | None
    notes: list[tuple[str, str]] = field(default_factory=list)


def waiting_benefit_period(
    year: int, *, months: int, paid_on: date, from_year_start: bool
) -> BenefitPeriod:
    """Implements R-WAIT-DATES for a person with a waiting period of `months` months.

    `from_year_start`: paid inside the concentrated period but not continuous: the wait counts
    1 January of Y itself (4 months → benefits from 1 May). Otherwise it runs from the payment
    date, which is not counted (paid 03-15, 3 months → benefits from 06-16). Benefits never start
    before 1 January of Y and end on 31 December of Y; a start after that means no benefit in Y.
    """
    if from_year_start:
        start = first_day_after_months_from_day(year_start(year), months)
        how = f"等待期从{year}年1月1日算起，共{months}个月"
    else:
        start = first_day_after_months_from_event(paid_on, months)
        how = f"等待期从缴费日{paid_on.isoformat()}的第二天算起，共{months}个月"
    start = max(start, year_start(year))
    end = year_end(year)
    if start > end:
        line = f"{how}，等到期满已过{year}年12月31日，所以{year}年不享受待遇"
        return BenefitPeriod(None, None, [("R-WAIT-DATES", line)])
    line = f"{how}，{start.isoformat()}起可以报销，到{end.isoformat()}止"
    return BenefitPeriod(start, end, [("R-WAIT-DATES", line)])
