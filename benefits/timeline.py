"""The person file's yearly timeline: every year from the counting start (or birth, if later) to
the next coverage year, with the enrollments of the year, gap years as rows of their own, and
the January recalculation's results as `PersonYearStatus` stored them.

It lives in benefits, not in the registry, because it reads the recalculation's tables and the
policy profile, and the registry may not import benefits (the one sanctioned call up is the
determination). The registry's person page renders it through the `person_timeline` inclusion
tag (benefits/templatetags/timeline.py), so no registry module imports this one.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from core.calendar import coverage_year_for, today as beijing_today
from enrollment import scope
from enrollment.models import Enrollment, EnrollmentStatus, LifeStatus, LIVE_STATUSES, Person, Scheme
from enrollment.services.plans import employee_cover

from . import inputs
from .models import PersonYearStatus


@dataclass
class TimelineYear:
    year: int
    residents: list[Enrollment] = field(default_factory=list)
    employees: list[Enrollment] = field(default_factory=list)
    employee_months: int = 0
    status: PersonYearStatus | None = None
    # resident, resident_late, employee, gap, open (collection still open), before (the
    # counting start)
    kind: str = "gap"
    label: str = ""

    @property
    def is_gap(self) -> bool:
        return self.kind == "gap"

    @property
    def live_resident(self) -> Enrollment | None:
        return next((e for e in self.residents if e.status in LIVE_STATUSES), None)

    @property
    def effective_cap(self):
        """The cap the person has this year: the January recalculation's when it ran (it
        counts claims and gaps known only then), else the one determined at registration."""
        if self.status is not None and self.status.effective_cap is not None:
            return self.status.effective_cap
        e = self.live_resident
        return e.effective_cap if e else None

    @property
    def cap_source(self) -> str:
        if self.status is not None and self.status.effective_cap is not None:
            return "1月重算"
        return "登记时测算" if self.live_resident and self.live_resident.effective_cap else ""


def _months_in(year: int, start: dt.date, end: dt.date) -> int:
    start, end = max(start, dt.date(year, 1, 1)), min(end, dt.date(year, 12, 31))
    if end < start:
        return 0
    return (end.year - start.year) * 12 + end.month - start.month + 1


def year_range(person: Person, enrollments: list[Enrollment], today: dt.date, profile
               ) -> tuple[int, int]:
    """The counting start of the person's profile (or the birth year, if later; or an earlier
    enrollment, so that nothing recorded is hidden) to the next coverage year (or death)."""
    first = max(_counting_start(person, profile), person.birth_date.year)
    if enrollments:
        first = min(first, min(e.year for e in enrollments))
    last = coverage_year_for(today)
    if person.life_status == LifeStatus.DECEASED and person.life_status_date:
        last = min(last, person.life_status_date.year)
    return first, max(first, last)


def _counting_start(person: Person, profile) -> int:
    return profile.counting_start_year if profile is not None else person.birth_date.year


def person_timeline(user, person: Person, *, today: dt.date | None = None) -> list[TimelineYear]:
    """The person's years, newest first. Scoped: a person outside the user's scope has none."""
    if not scope.filter_persons(user, Person.objects.filter(pk=person.pk)).exists():
        return []
    today = today or beijing_today()
    enrollments = list(person.enrollments.select_related("pooling_region", "employer")
                       .order_by("year", "pk"))
    profile = inputs.profile_for_region(person.residence_region_id)
    first, last = year_range(person, enrollments, today, profile)
    counting = _counting_start(person, profile)
    neutral = profile.employee_neutral_min_months if profile is not None else 1
    statuses = {s.year: s for s in PersonYearStatus.objects.filter(
        person=person, year__gte=first, year__lte=last)}
    employees = [e for e in enrollments if e.scheme == Scheme.EMPLOYEE
                 and e.status != EnrollmentStatus.AWAITING_PAYMENT]
    years = []
    for y in range(last, first - 1, -1):
        row = TimelineYear(year=y, status=statuses.get(y),
                           residents=[e for e in enrollments
                                      if e.year == y and e.scheme == Scheme.RESIDENT])
        for e in employees:
            start, end = employee_cover(e)  # the one door's reading of a stop
            months = _months_in(y, start, end or dt.date.max)
            if months:
                row.employees.append(e)
                row.employee_months = min(12, row.employee_months + months)
        _classify(row, today, neutral, counting)
        years.append(row)
    return years


def _classify(row: TimelineYear, today: dt.date, neutral: int, counting: int) -> None:
    live = row.live_resident
    if live is not None and live.elsewhere:
        row.kind, row.label = "resident", f"居民医保（在{live.pooling_label}参保）"
    elif live is not None and live.paid_on:
        on_time = live.in_concentrated_period
        row.kind = "resident" if on_time else "resident_late"
        row.label = "居民医保（集中期内缴费）" if on_time else "居民医保（集中期外缴费）"
    elif live is not None and live.status == EnrollmentStatus.AWAITING_PAYMENT:
        row.kind, row.label = "open", "居民医保（待缴费）"
    elif live is not None:  # confirmed by another system's list, without a payment here
        row.kind, row.label = "resident", "居民医保（已确认参保）"
    elif row.employee_months >= neutral:
        row.kind, row.label = "employee", f"职工医保{row.employee_months}个月"
    elif row.year > today.year:
        row.kind, row.label = "open", "尚未参保（集中缴费期内可缴费）"
    elif row.year < counting:
        # Gaps count from the profile's counting start (“自2025年起”): not a gap before it.
        row.kind, row.label = "before", f"未参保（{counting}年起算前，不计断缴）"
    else:
        row.kind = "gap"
        row.label = ("断缴" if not row.employee_months
                     else f"断缴（职工医保仅{row.employee_months}个月，不足{neutral}个月）")
