"""Year statuses, gap years N(Y) and continuity C(Y) (RULES.md section 1).

Implements R-EMP-NEUTRAL and R-CONT-RESET.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Iterable, Mapping

from .types import Profile

RESIDENT = "resident"
NEUTRAL = "neutral"
GAP = "gap"

_EMPLOYEE = re.compile(r"^employee:(\d{1,2})$")


@dataclass(frozen=True)
class YearStatus:
    """One year of a person's history: resident, resident_late, employee (N months) or gap."""

    kind: str
    employee_months: int = 0

    @property
    def is_resident(self) -> bool:
        return self.kind in ("resident", "resident_late")

    @property
    def on_time(self) -> bool:
        return self.kind == "resident"

    def __str__(self) -> str:
        if self.kind == "employee":
            return f"employee:{self.employee_months}"
        return self.kind


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:40] + "…"


def parse_status(raw: str | YearStatus) -> YearStatus:
    """Parse 'resident', 'resident_late', 'employee:N' (0 ≤ N ≤ 12) or 'gap'.

    Raises ValueError with a Chinese message for anything else.
    """
    if isinstance(raw, YearStatus):
        return raw
    if not isinstance(raw, str):
        raise ValueError(f"参保状态应为文字，收到的是“{_short(repr(raw))}”")
    text = raw.strip()
    if text in ("resident", "resident_late", "gap"):
        return YearStatus(text)
    match = _EMPLOYEE.match(text)
    if match:
        months = int(match.group(1))
        if months > 12:
            raise ValueError(f"职工医保月数应在0到12之间，收到的是{months}")
        return YearStatus("employee", months)
    raise ValueError(
        f"参保状态“{_short(raw)}”无效，应为 resident、resident_late、employee:月数 或 gap"
    )


def classify(status: YearStatus, profile: Profile) -> str:
    """Implements R-EMP-NEUTRAL: employee cover of at least `employee_neutral_min_months`
    months is neutral (neither gap nor continuous); shorter employee cover is a gap year."""
    if status.is_resident:
        return RESIDENT
    if status.kind == "employee" and status.employee_months >= profile.employee_neutral_min_months:
        return NEUTRAL
    return GAP


@dataclass(frozen=True)
class HistorySummary:
    year: int
    first_counted_year: int
    statuses: Mapping[int, YearStatus]  # every counted year before Y (missing years are gaps)
    classes: Mapping[int, str]  # RESIDENT / NEUTRAL / GAP per counted year
    gap_years: int  # N(Y)
    continuity_years: int  # C(Y), Y included
    total_gap_years: int  # gap years from the counting start to Y-1 (R-CAT-GAP-PENALTY)
    continuity_reset_by: int | None  # the gap year that cut off earlier resident years
    neutral_years: tuple[int, ...] = ()
    short_employee_years: tuple[int, ...] = ()
    not_gap_years: frozenset[int] = field(default_factory=frozenset)
    gap_year_list: tuple[int, ...] = ()  # the years counted in N(Y), oldest first

    def resident_in(self, year: int) -> bool:
        return self.classes.get(year) == RESIDENT

    def on_time_in(self, year: int) -> bool:
        status = self.statuses.get(year)
        return bool(status and status.on_time)


def first_counted_year(profile: Profile, birth_date: date) -> int:
    """The counting start or the birth year, whichever is later."""
    return max(profile.counting_start_year, birth_date.year)


def summarize(
    profile: Profile,
    year: int,
    birth_date: date,
    history: Mapping[int, YearStatus | str],
    not_gap_years: Iterable[int] = (),
) -> HistorySummary:
    """Gap years N(Y) and continuity C(Y) for a person enrolling as a resident in `year`.

    Implements R-EMP-NEUTRAL and R-CONT-RESET. A year missing from `history` between the first
    counted year and Y-1 is a gap; `not_gap_years` (a newborn's birth year under R-NB-OCT or
    R-NB-NEXT) are skipped like neutral years.
    """
    first = first_counted_year(profile, birth_date)
    not_gap = frozenset(not_gap_years)
    statuses: dict[int, YearStatus] = {}
    classes: dict[int, str] = {}
    neutral: list[int] = []
    short: list[int] = []
    for y in range(first, year):
        status = parse_status(history[y]) if y in history else YearStatus("gap")
        statuses[y] = status
        cls = classify(status, profile)
        if cls == GAP and y in not_gap:
            cls = NEUTRAL
        elif status.kind == "employee":
            (neutral if cls == NEUTRAL else short).append(y)
        classes[y] = cls

    gap_list: list[int] = []
    for y in range(year - 1, first - 1, -1):
        if classes[y] == RESIDENT:
            break
        if classes[y] == GAP:
            gap_list.append(y)
    gaps = len(gap_list)

    continuity = 1 if year >= profile.counting_start_year else 0
    reset_by: int | None = None
    for y in range(year - 1, first - 1, -1):
        if classes[y] == RESIDENT:
            continuity += 1
        elif classes[y] == GAP:
            if any(classes[x] == RESIDENT for x in range(first, y)):
                reset_by = y
            break

    return HistorySummary(
        year=year,
        first_counted_year=first,
        statuses=statuses,
        classes=classes,
        gap_years=gaps,
        continuity_years=continuity,
        total_gap_years=sum(1 for c in classes.values() if c == GAP),
        continuity_reset_by=reset_by,
        neutral_years=tuple(neutral),
        short_employee_years=tuple(short),
        not_gap_years=not_gap,
        gap_year_list=tuple(sorted(gap_list)),
    )


def history_notes(summary: HistorySummary, profile: Profile) -> list[tuple[str, str]]:
    """(rule id, Chinese line) for the history rules that shaped N(Y) and C(Y)."""
    notes: list[tuple[str, str]] = []
    parts = []
    for y in summary.neutral_years:
        months = summary.statuses[y].employee_months
        parts.append(f"{y}年您参加职工医保{months}个月，这一年既不算未参保，也不算连续参保")
    for y in summary.short_employee_years:
        months = summary.statuses[y].employee_months
        parts.append(
            f"{y}年您参加职工医保只有{months}个月（不满{profile.employee_neutral_min_months}个月），算未参保"
        )
    if parts:
        notes.append(("R-EMP-NEUTRAL", "；".join(parts)))
    if summary.continuity_reset_by is not None:
        notes.append(
            (
                "R-CONT-RESET",
                f"您{summary.continuity_reset_by}年未参保，连续参保年数从头算起，"
                f"到{summary.year}年连续参保{summary.continuity_years}年",
            )
        )
    return notes

