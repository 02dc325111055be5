"""The monthly comparison (按月动态交叉比对, issue 13): the registry compared with itself and with
what the department feeds recorded in it, into the review queue (比对核查).

A run works through parts of its region sized by persons (comparison_parts.py: consecutive
townships, a whole county where it fits; a village or township is one part), each in one
transaction: every kind is one INSERT … SELECT … ON CONFLICT (key) statement over the
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
from django.db.models import F, Q
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
from . import comparison_parts, comparison_sql

NEWBORN_DAYS = 60


def parts_of(region: Region | None) -> list[str]:
    """The parts a run over `region` works through (comparison_parts.py: consecutive townships
    up to COMPARISON_PART_PERSONS persons, a whole county as its own prefix; a township or a
    region below it is one part)."""
    return comparison_parts.plan(region)


def params_for(day: dt.date, run_id: int, part: str, now: dt.datetime) -> dict:
    likes = {}
    for i, prefix in enumerate(comparison_parts.prefixes_of(part)):
        # `vlike`: the same prefix cut to a village (a grid's run pairs files of its village).
        likes.update({f"like{i}": prefix + "%", f"vlike{i}": prefix[:12] + "%"})
    return {
        **likes, "today": day, "this_year": day.year,
        "year": coverage_year_for(day), "run": run_id,
        "newborn_until": day - dt.timedelta(days=NEWBORN_DAYS),
        "newborn_from": day - dt.timedelta(days=365),
        # As the ORM writes it (SQLite keeps text), so `found_at=now` finds this run's rows.
        "now": connection.ops.adapt_datetimefield_value(now),
    }


def _in_part(part: str):
    """The findings a part owns: those of the villages under its prefixes."""
    under = Q()
    for prefix in comparison_parts.prefixes_of(part):
        under |= Q(region__pk__startswith=prefix)
    return Finding.objects.filter(under)


def compare_part(*, run: ComparisonRun, part: str) -> dict:
    """Compare one part in one transaction; returns its counts (open findings seen, of them
    new, and cleared)."""
    dialect = comparison_sql.Dialect(pg=connection.vendor == "postgresql",
                                     prefixes=len(comparison_parts.prefixes_of(part)))
    with transaction.atomic():
        now = timezone.now()
        params = params_for(run.day, run.pk, part, now)
        with connection.cursor() as cursor:
            if dialect.pg:
                # At a million persons each kind's estimated cost passes jit_above_cost, and
                # compiling (0.3 s for the duplicate search) cost more than these index-probe
                # plans ever save: no JIT for the part's statements (LOCAL: this transaction).
                cursor.execute("SET LOCAL jit = off")
            cursor.execute(comparison_sql.DROP_FOUND)
            for statement in comparison_sql.collect(dialect):
                cursor.execute(statement, params)
            cursor.execute(comparison_sql.UPSERT_FOUND, params)
            cursor.execute(comparison_sql.DROP_FOUND)
        seen = _in_part(part).filter(last_seen_run=run, status=FindingStatus.OPEN)
        found = seen.count()
        new = seen.filter(found_at=now)
        new_count = new.count()
        ledger_persons = new.filter(kind__in=LEDGER_KINDS).values("person_id")
        Person.objects.filter(pk__in=ledger_persons).update(inputs_changed_at=now)
        cleared = _in_part(part).filter(status=FindingStatus.OPEN).exclude(
            last_seen_run=run).update(status=FindingStatus.RESOLVED,
                                      resolution=Resolution.CLEARED, resolved_at=now,
                                      resolved_by=None, resolution_reason="复核时已不存在")
        ComparisonRun.objects.filter(pk=run.pk).update(
            parts_done=F("parts_done") + 1, findings=F("findings") + found,
            new=F("new") + new_count, cleared=F("cleared") + cleared)
    return {"findings": found, "new": new_count, "cleared": cleared}


def run_create(*, region: Region | None, parts: list[str], day: dt.date | None = None,
               actor=None) -> ComparisonRun:
    day = day or timezone.localdate()
    return ComparisonRun.objects.create(region=region, day=day, created_by=actor,
                                        parts_total=len(parts))


def run_part(*, run_id: int, part: str) -> dict:
    """One part of a run (the Celery task's body); a failure marks the run failed and leaves
    the part as it was."""
    run = ComparisonRun.objects.get(pk=run_id)
    ComparisonRun.objects.filter(pk=run_id, status=ComparisonRun.Status.QUEUED).update(
        status=ComparisonRun.Status.RUNNING)
    try:
        counts = compare_part(run=run, part=part)
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
    parts = parts_of(region)
    run = run_create(region=region, parts=parts, day=day, actor=actor)
    for part in parts:
        run_part(run_id=run.pk, part=part)
    ComparisonRun.objects.filter(pk=run.pk).exclude(
        status=ComparisonRun.Status.FAILED).update(status=ComparisonRun.Status.DONE,
                                                   finished_at=timezone.now())
    run.refresh_from_db()
    return run
