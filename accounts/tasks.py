"""Audit retention: rows are kept at least AUDIT_RETENTION_DAYS (180), then archived to a gzip
file and removed, by a nightly beat job (migration accounts 0002 schedules it)."""
from __future__ import annotations

import datetime as dt
import logging

from celery import shared_task
from django.conf import settings
from django.utils import timezone

log = logging.getLogger(__name__)


@shared_task(name="accounts.archive_audit_entries")
def archive_audit_entries() -> int:
    from enrollment.audit import archive_before

    cutoff = timezone.now() - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS)
    path, count = archive_before(cutoff)
    if count:
        log.warning("archived %s audit entries older than %s to %s", count, cutoff, path)
    return count
