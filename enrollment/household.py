"""The household card (一户一档): every member's state for a coverage year, what each would pay
today, hardship subsidies, who in the household can pay for whom from an employee personal
account (R-RELATIVES), and the receipt list of a payment recorded together.

What a member owes comes from `services.enrollment_preview`, the one door's own dry run (it asks
the engine through benefits' determination, the one call from the registry up to benefits), so
the card shows exactly what recording the payment would store. Nothing here writes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db.models import Q

from . import relations, scope, selectors, services
from .models import (
    Enrollment,
    LifeStatus,
    LIVE_STATUSES,
    Person,
    PersonGroup,
    Scheme,
)
# The employee cover period as the one door reads it (stops and cover end included).
from .services.plans import employee_cover


@dataclass
class MemberLine:
    person: Person
    enrollment: Enrollment | None = None  # live enrollment for the year
    due: Decimal | None = None  # contribution + repair, what paying today would cost
    subsidy: Decimal | None = None
    waiting_months: int | None = None
    problem: str = ""  # why paying today would be refused
    groups: list[str] = field(default_factory=list)  # hardship groups on the day
    payers: list[tuple[Person, str]] = field(default_factory=list)  # (relative, relation label)
    has_employee_account: bool = False

    @property
    def can_pay(self) -> bool:
        return (self.enrollment is None and not self.problem and self.due is not None
                and self.person.life_status == LifeStatus.ALIVE)

    @property
    def status(self) -> str:
        if self.person.life_status != LifeStatus.ALIVE:
            return self.person.get_life_status_display()
        if self.enrollment is not None:
            e = self.enrollment
            label = "职工医保" if e.scheme == Scheme.EMPLOYEE else "居民医保"
            return f"已参保（{label}，{e.get_status_display()}）"
        return "未参保"


def _groups_on(persons: list[Person], day: dt.date) -> dict[int, list[str]]:
    found: dict[int, list[str]] = {}
    for g in PersonGroup.objects.filter(
            Q(end_date__isnull=True) | Q(end_date__gte=day), person__in=persons,
            start_date__lte=day):
        found.setdefault(g.person_id, []).append(g.get_group_display())
    return found


def _accounts_on(persons: list[Person], day: dt.date) -> set[int]:
    """Members with live employee cover on the day: a personal account that may pay."""
    return {e.person_id for e in Enrollment.objects.filter(
                person__in=persons, scheme=Scheme.EMPLOYEE, status__in=LIVE_STATUSES)
            if employee_cover(e)[0] <= day <= (employee_cover(e)[1] or dt.date.max)}


def household_card(user, household, *, year: int, paid_on: dt.date) -> list[MemberLine]:
    """One line per member the user may see, with what paying for `year` on `paid_on` means."""
    members = list(selectors.household_members(user, household))
    live = {e.person_id: e for e in Enrollment.objects.filter(
        person__in=members, year=year, status__in=LIVE_STATUSES).order_by("scheme")}
    groups = _groups_on(members, paid_on)
    accounts = _accounts_on(members, paid_on)
    writer = scope.can_write(user)
    lines = []
    for person in members:
        line = MemberLine(person=person, enrollment=live.get(person.pk),
                          groups=groups.get(person.pk, []),
                          has_employee_account=person.pk in accounts)
        for other in members:
            relation = relations.relation_between(other.relation_to_head,
                                                  person.relation_to_head)
            if other.pk != person.pk and other.pk in accounts and relation:
                line.payers.append((other, relations.RELATIONS[relation]))
        if line.enrollment is None and person.life_status == LifeStatus.ALIVE and writer:
            _preview(user, line, year, paid_on)
        lines.append(line)
    return lines


def _preview(user, line: MemberLine, year: int, paid_on: dt.date) -> None:
    try:
        plan = services.enrollment_preview(actor=user, person=line.person, year=year,
                                           paid_on=paid_on)
    except PermissionDenied:
        return
    if not plan.ok:
        line.problem = "；".join(m for ms in plan.errors.values() for m in ms)
        return
    e = plan.enrollment
    line.due = (e.amount_due or Decimal(0)) + (e.repair_due or Decimal(0))
    line.subsidy = e.subsidy
    line.waiting_months = e.waiting_months


def receipt_rows(user, household, year: int, ids: list[int]) -> list[Enrollment]:
    """The enrollments of a payment recorded together, for the receipt list: only the
    household's members the user may see."""
    members = selectors.household_members(user, household)
    return list(Enrollment.objects.filter(pk__in=ids, year=year, person__in=members)
                .select_related("person", "created_by").order_by("person__birth_date"))
