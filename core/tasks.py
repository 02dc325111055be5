"""Beat tasks of core: thin, safe to run twice."""
from celery import shared_task

from . import uploads


@shared_task(name="core.sweep_staged_uploads")
def sweep_staged_uploads() -> int:
    return uploads.sweep()
