"""The change marker per person: `Person.inputs_changed_at`, the last time anything the yearly
jobs read about a person changed (the person's file, enrollments, groups, claims).

The incremental jobs (the January recalculation, the ledger generation, the dashboard rollups)
record the instant they started as their watermark and, next time, look only at persons marked
since then; a full run stays available as the safety net. Writers mark through this module: the
one door (`services.enrollments`), person saves (signals below, so the admin and the imports are
covered too), group and claims writes, and every bulk path after its statement.
"""
from __future__ import annotations

import datetime as dt
from typing import Iterable

from django.conf import settings
from django.db import connection
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver
from django.utils import timezone


def margin() -> dt.timedelta:
    """How far before a watermark the next run still looks: the clocks of the application
    servers and of the database may differ by this much."""
    return dt.timedelta(seconds=getattr(settings, "INPUTS_CHANGED_MARGIN_SECONDS", 60))


def watermark_now() -> dt.datetime:
    """The instant a run starts reading. A change is stamped inside its own transaction and may
    commit after the run has read its chunk: on PostgreSQL the watermark is therefore no later
    than the start of the oldest transaction still open, so such a change is seen next time."""
    now = timezone.now()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT min(xact_start) FROM pg_stat_activity WHERE datname = "
                           "current_database() AND pid <> pg_backend_pid() "
                           "AND xact_start IS NOT NULL")
            oldest = cursor.fetchone()[0]
        if oldest is not None and oldest < now:
            return oldest
    return now


def mark_inputs_changed(person_ids: Iterable[int], *, at: dt.datetime | None = None) -> int:
    from .models import Person

    ids = sorted({int(i) for i in person_ids if i})
    if not ids:
        return 0
    at = at or timezone.now()
    marked = 0
    for start in range(0, len(ids), 5000):  # bounded IN lists for bulk callers
        marked += Person.objects.filter(pk__in=ids[start:start + 5000]).update(
            inputs_changed_at=at)
    return marked


def changed_since(since: dt.datetime):
    """Person ids marked at or after `since` (less the clock margin): a values queryset, for an
    `__in` filter or a subquery."""
    from .models import Person

    return Person.objects.filter(inputs_changed_at__gte=since - margin()).values("pk")


@receiver(post_save, sender="enrollment.Person", dispatch_uid="person_inputs_changed")
def _person_saved(sender, instance, update_fields=None, **kwargs):
    if update_fields is not None and set(update_fields) <= {"updated_at", "inputs_changed_at"}:
        return
    mark_inputs_changed([instance.pk])


@receiver(post_save, sender="enrollment.PersonGroup", dispatch_uid="group_inputs_changed")
@receiver(post_delete, sender="enrollment.PersonGroup", dispatch_uid="group_inputs_gone")
@receiver(post_save, sender="enrollment.Enrollment", dispatch_uid="enrollment_inputs_changed")
@receiver(post_delete, sender="enrollment.Enrollment", dispatch_uid="enrollment_inputs_gone")
def _person_part_saved(sender, instance, **kwargs):
    mark_inputs_changed([instance.person_id])
