"""What a special case changes about a payment (RULES.md section 5), as one value: the rate, who
waits and from when, the cover dates, and which years are not gap years. The case families in
`special.py` and `transfers.py` return a `Plan`; the engine applies it."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date

from .due import RATE_LATE, RATE_ONTIME
from .types import Profile

WAIT_ORDINARY = "ordinary"  # section 3 as written
WAIT_NONE = "none"  # no waiting period; cover from `cover_start`
WAIT_IF_GAP_FROM_PAYMENT = "if_gap_from_payment"  # R-EMP-3M, year of E
WAIT_IF_GAP_FROM_YEAR_START = "if_gap_from_year_start"  # R-EMP-3M, next year only


@dataclass(frozen=True)
class Plan:
    rate: str
    wait: str
    on_time: bool  # counts as paid on time (hardship, zero-claim credit for X+1 = Y)
    cover_start: date | None = None  # WAIT_NONE, and the N = 0 branch of WAIT_IF_GAP_*
    cover_end: date | None = None  # None: 31 December of Y
    not_gap_years: frozenset[int] = frozenset()
    notes: list[tuple[str, str]] = field(default_factory=list)
    no_gap_note: str = ""  # appended to the last note when N(Y) = 0 (WAIT_IF_GAP_*)
    gap_note: str = ""  # appended when N(Y) ≥ 1; may use {gap_years}
    special: bool = False  # a special rule lifted the concentrated-period limit or the wait


def ordinary_plan(in_period: bool, **changes) -> Plan:
    plan = Plan(rate=RATE_ONTIME if in_period else RATE_LATE, wait=WAIT_ORDINARY, on_time=in_period)
    return replace(plan, **changes) if changes else plan


def option_day(profile: Profile, year: int) -> date:
    """The first day of the next-year-only option (R-NB-OCT, R-EMP-3M): "on or after
    1 October" (inclusive; the seed says "10月1日后")."""
    return date(year, profile.next_year_option_month, 1)
