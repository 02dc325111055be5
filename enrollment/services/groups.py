"""Periods a department vouches for: hardship and special groups (PersonGroup: 民政, 乡村振兴,
残联, 退役军人事务, 司法) and unemployment benefit (人社). A period is known by its person, its
group and its start date: recording the same period again changes nothing, a new end date
closes it. Each batch checks the actor's scope once and audits every row it writes."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied

from .. import scope
from ..audit import audit_record
from ..models import AuditEntry, Person, PersonGroup, UnemploymentBenefit

CREATED, UPDATED, UNCHANGED = "created", "updated", "unchanged"


@dataclass
class Period:
    person: Person
    start_date: dt.date
    end_date: dt.date | None = None
    group: str = ""  # a HardshipGroup value (PersonGroup only)
    source: str = ""  # the department the row names; blank keeps what is recorded
    default_source: str = ""  # the source of a new period whose row names none


def _require_scope(actor, periods: list[Period]) -> None:
    scope.require_write(actor)
    pks = {p.person.pk for p in periods}
    visible = set(scope.filter_persons(actor, Person.objects.filter(pk__in=pks))
                  .values_list("pk", flat=True))
    if pks - visible:
        raise PermissionDenied("只能登记本辖区内人员的信息。")


def _end_text(end: dt.date | None) -> str:
    return f"至{end:%Y-%m-%d}" if end else "起"


def person_groups_record(*, actor, periods: list[Period], request=None) -> list[str]:
    """Record group memberships; returns created/updated/unchanged for each period."""
    _require_scope(actor, periods)
    existing = {(g.person_id, g.group, g.start_date): g for g in PersonGroup.objects.filter(
        person__in={p.person.pk for p in periods}, group__in={p.group for p in periods})}
    states = []
    for period in periods:
        key = (period.person.pk, period.group, period.start_date)
        group = existing.get(key)
        source = period.source or (group.source if group else period.default_source)
        if group is not None and (group.end_date, group.source) == (period.end_date, source):
            states.append(UNCHANGED)
            continue
        state = CREATED if group is None else UPDATED
        group = group or PersonGroup(person=period.person, group=period.group,
                                     start_date=period.start_date)
        group.end_date, group.source = period.end_date, source[:50]
        group.clean()
        group._history_user = actor
        group.save()
        existing[key] = group
        audit_record(user=actor, action=AuditEntry.Action.CREATE if state == CREATED
                     else AuditEntry.Action.UPDATE, person=period.person, obj=group,
                     detail=f"{group.get_group_display()}：{period.start_date:%Y-%m-%d}"
                            f"{_end_text(period.end_date)}（{source or '未注明来源'}）",
                     request=request)
        states.append(state)
    return states


def unemployment_periods_record(*, actor, periods: list[Period], request=None) -> list[str]:
    """Record unemployment-benefit periods; returns created/updated/unchanged for each."""
    _require_scope(actor, periods)
    existing = {(u.person_id, u.start_date): u for u in UnemploymentBenefit.objects.filter(
        person__in={p.person.pk for p in periods})}
    states = []
    for period in periods:
        key = (period.person.pk, period.start_date)
        row = existing.get(key)
        if row is not None and row.end_date == period.end_date:
            states.append(UNCHANGED)
            continue
        state = CREATED if row is None else UPDATED
        row = row or UnemploymentBenefit(person=period.person, start_date=period.start_date)
        row.end_date = period.end_date
        row.source = (period.source or row.source or period.default_source)[:100]
        row.clean()
        row.save()
        existing[key] = row
        audit_record(user=actor, action=AuditEntry.Action.CREATE if state == CREATED
                     else AuditEntry.Action.UPDATE, person=period.person, obj=row,
                     detail=f"失业保险金领取：{period.start_date:%Y-%m-%d}"
                            f"{_end_text(period.end_date)}（{row.source or '未注明来源'}）",
                     request=request)
        states.append(state)
    return states
