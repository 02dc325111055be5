"""The monthly comparison (按月动态交叉比对, issue 13): the registry compared with itself and with
what the department feeds recorded in it, into the review queue (比对核查).

A run works through the townships of its region (a "part"; a village or township is one part),
each in one transaction: every kind is one INSERT … SELECT … ON CONFLICT (key) statement over the
persons registered (户籍) in the part (comparison_sql.py), then the part's open findings that this
run did not see again are closed as 已消除, and the persons of new findings that change who should
be visited are marked changed (enrollment/changes.py) so that the un-enrolled ledger's next
incremental generation looks at them again. A worker killed in a part leaves that part as it was
before the run; the parts done stay done, and running again is safe (the key updates in place).

Re-seeing a finding: an open one stays open (its last run updated), a dismissed one stays
dismissed (the clerk's word holds), one that was resolved or cleared and is true again re-opens
as new (the audit keeps the earlier resolution).
"""
from __future__ import annotations

import datetime as dt

from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from core.calendar import coverage_year_for

from .. import regions
from ..finding import (
    ComparisonRun,
    Finding,
    FindingStatus,
    LEDGER_KINDS,
    Resolution,
)
from ..models import Person, Region
from . import comparison_sql

NEWBORN_DAYS = 60


def parts_of(region: Region | None) -> list[str]:
    """The code prefixes a run works through: the townships under a county, city or province
    (or under everything), or the region itself when it is a township or below."""
    if region is not None and region.level in (regions.TOWNSHIP, regions.VILLAGE, regions.GRID):
        return [regions.prefix_of(region.code)]
    townships = Region.objects.filter(level=regions.TOWNSHIP)
    if region is not None:
        townships = townships.filter(path__startswith=region.path)
    prefixes = [regions.prefix_of(c) for c in townships.values_list("code", flat=True)
                .order_by("code")]
    if prefixes or region is None:
        return prefixes
    return [regions.prefix_of(region.code)]


def params_for(day: dt.date, run_id: int, prefix: str, now: dt.datetime) -> dict:
    return {
        "like": prefix + "%", "today": day, "this_year": day.year,
        "year": coverage_year_for(day), "run": run_id,
        "newborn_until": day - dt.timedelta(days=NEWBORN_DAYS),
        "newborn_from": day - dt.timedelta(days=365),
        # As the ORM writes it (SQLite keeps text), so `found_at=now` finds this run's rows.
        "now": connection.ops.adapt_datetimefield_value(now),
    }


def _in_part(prefix: str):
    return Finding.objects.filter(region__pk__startswith=prefix)


def compare_part(*, run: ComparisonRun, prefix: str) -> dict:
    """Compare one part in one transaction; returns its counts (open findings seen, of them
    new, and cleared)."""
    dialect = comparison_sql.Dialect(pg=connection.vendor == "postgresql")
    with transaction.atomic():
        now = timezone.now()
        params = params_for(run.day, run.pk, prefix, now)
        with connection.cursor() as cursor:
            for select in comparison_sql.kind_queries(dialect).values():
                cursor.execute(comparison_sql.UPSERT.format(select=select), params)
        seen = _in_part(prefix).filter(last_seen_run=run, status=FindingStatus.OPEN)
        found = seen.count()
        new = seen.filter(found_at=now)
        new_count = new.count()
        ledger_persons = new.filter(kind__in=LEDGER_KINDS).values("person_id")
        Person.objects.filter(pk__in=ledger_persons).update(inputs_changed_at=now)
        cleared = _in_part(prefix).filter(status=FindingStatus.OPEN).exclude(
            last_seen_run=run).update(status=FindingStatus.RESOLVED,
                                      resolution=Resolution.CLEARED, resolved_at=now,
                                      resolved_by=None, resolution_reason="复核时已不存在")
        ComparisonRun.objects.filter(pk=run.pk).update(
            parts_done=F("parts_done") + 1, findings=F("findings") + found,
            new=F("new") + new_count, cleared=F("cleared") + cleared)
    return {"findings": found, "new": new_count, "cleared": cleared}


def run_create(*, region: Region | None, day: dt.date | None = None, actor=None
               ) -> ComparisonRun:
    day = day or timezone.localdate()
    return ComparisonRun.objects.create(region=region, day=day, created_by=actor,
                                        parts_total=len(parts_of(region)))


def run_part(*, run_id: int, prefix: str) -> dict:
    """One part of a run (the Celery task's body); a failure marks the run failed and leaves
    the part as it was."""
    run = ComparisonRun.objects.get(pk=run_id)
    ComparisonRun.objects.filter(pk=run_id, status=ComparisonRun.Status.QUEUED).update(
        status=ComparisonRun.Status.RUNNING)
    try:
        counts = compare_part(run=run, prefix=prefix)
    except Exception as exc:
        ComparisonRun.objects.filter(pk=run_id).update(status=ComparisonRun.Status.FAILED,
                                                       error=str(exc)[:2000])
        raise
    ComparisonRun.objects.filter(pk=run_id, parts_done__gte=F("parts_total")).exclude(
        status=ComparisonRun.Status.FAILED).update(status=ComparisonRun.Status.DONE,
                                                   finished_at=timezone.now())
    return counts


def run_inline(*, region: Region | None, day: dt.date | None = None, actor=None
               ) -> ComparisonRun:
    """A whole run in this process, part after part (the command)."""
    run = run_create(region=region, day=day, actor=actor)
    for prefix in parts_of(region):
        run_part(run_id=run.pk, prefix=prefix)
    ComparisonRun.objects.filter(pk=run.pk).exclude(
        status=ComparisonRun.Status.FAILED).update(status=ComparisonRun.Status.DONE,
                                                   finished_at=timezone.now())
    run.refresh_from_db()
    return run
