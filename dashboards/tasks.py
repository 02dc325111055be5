"""Celery tasks: refresh the rollups after registrations and imports (debounced) and nightly.

Many registrations in a row cause one refresh: the first one sets a cache key and enqueues the
task `DEBOUNCE_SECONDS` later (on commit); the others see the key and do nothing. The task
clears the key before it starts, so a registration during the refresh schedules the next one.
"""
from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from core import queue

from . import regional, rollups

PENDING_KEY = "dashboards:refresh-pending"
DEBOUNCE_SECONDS = getattr(settings, "DASHBOARDS_REFRESH_DEBOUNCE_SECONDS", 60)


@shared_task(name="dashboards.refresh_rollups", acks_late=True)
def refresh_rollups(years: list[int] | None = None, reason: str = "task",
                    touched: bool = False) -> dict:
    """Refresh the given years (default: the nightly set); `touched`: only the villages whose
    persons changed since the last refresh, and their ancestors, a village per transaction.
    Safe to run twice: each run rewrites the same rows from the registry."""
    cache.delete(PENDING_KEY)
    if touched:
        run = regional.refresh_touched(years=years, reason=reason)
    else:
        run = rollups.refresh(years=years, reason=reason)
    return {"run": run.pk, "seconds": run.seconds, "years": run.years}


@shared_task(name="dashboards.refresh_rollups_nightly", acks_late=True)
def refresh_rollups_nightly() -> dict:
    return refresh_rollups(None, "nightly")


def schedule_refresh(reason: str = "registration") -> bool:
    """Ask for a refresh soon; returns False when one is already pending or Redis is down (the
    nightly refresh catches up: a dashboard refresh must never break a registration)."""
    added = queue.best_effort(
        lambda: cache.add(PENDING_KEY, reason, timeout=DEBOUNCE_SECONDS * 5),
        "dashboard refresh debounce", default=False)
    if not added:
        return False
    transaction.on_commit(lambda: _enqueue(reason))
    return True


def _enqueue(reason: str) -> None:
    if not queue.publish(refresh_rollups, kwargs={"years": rollups.open_years(),
                                                  "reason": reason,
                                                  "touched": True},
                         countdown=DEBOUNCE_SECONDS):
        queue.best_effort(lambda: cache.delete(PENDING_KEY), "dashboard refresh debounce")


def refresh_now(reason: str) -> bool:
    """The refresh button: False when the queue is down (the page says so; press again)."""
    return queue.publish(refresh_rollups, kwargs={"reason": reason})
