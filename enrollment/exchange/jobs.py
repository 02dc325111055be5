"""Handing a confirmed department file to Celery (inline on the embedded defaults). The job
itself is `enrollment.tasks.feed_import_run`, which calls `flow.run`; the flow knows nothing of
Celery, so the command runs the same job in its own process."""
from __future__ import annotations

from django.utils import timezone

from core import queue

from ..tasks import feed_import_run
from .models import FeedImport

OPEN = (FeedImport.Status.PENDING, FeedImport.Status.RUNNING)


def enqueue_run(import_id: int) -> None:
    """Publish the job; with the broker unreachable the import says so (重试 tries again)."""
    if not queue.publish(feed_import_run, args=(import_id,)):
        FeedImport.objects.filter(pk=import_id, status__in=OPEN).update(
            status=FeedImport.Status.FAILED, error=queue.QUEUE_DOWN, finished_at=timezone.now())
