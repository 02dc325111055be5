"""Beat tasks of core: thin, safe to run twice."""
from celery import shared_task

from . import uploads


@shared_task(name="core.sweep_staged_uploads")
def sweep_staged_uploads() -> int:
    return uploads.sweep()


@shared_task(name="core.sweep_submitted_forms")
def sweep_submitted_forms() -> int:
    from . import once

    return once.sweep()
