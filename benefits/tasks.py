"""Celery tasks of the benefits app: thin, take ids, safe to run twice.

The recalculation tasks are acks_late with reject_on_worker_lost: a worker killed mid-chunk gets
the message redelivered, and the chunk (one transaction) is redone from scratch.
"""
from __future__ import annotations

from celery import shared_task
from core.calendar import recalculation_year

from .recalc import services


@shared_task(name="benefits.recalc_job", acks_late=True, reject_on_worker_lost=True)
def recalc_job(job_id: int) -> None:
    """Plan the job into chunks and enqueue every chunk that is not done."""
    for chunk_id in services.job_plan(job_id=job_id):
        recalc_chunk.delay(chunk_id)
    services.job_refresh(job_id=job_id)


@shared_task(name="benefits.recalc_chunk", acks_late=True, reject_on_worker_lost=True)
def recalc_chunk(chunk_id: int) -> None:
    services.chunk_run(chunk_id=chunk_id)


@shared_task(name="benefits.sweep_stale_chunks", ignore_result=True)
def sweep_stale_chunks() -> int:
    """Every minute (beat): chunks whose worker died are picked up again, without a 继续."""
    return len(services.chunks_sweep_stale())


@shared_task(name="benefits.recalc_scheduled", acks_late=True, reject_on_worker_lost=True)
def recalc_scheduled() -> int:
    """The 1 January 00:30 (Asia/Shanghai) run: every pooling region, the new coverage year, in
    full (the yearly safety net under the incremental runs)."""
    from .models import RecalcJob

    job = services.job_start(actor=None, year=recalculation_year(),
                             trigger=RecalcJob.Trigger.SCHEDULE, enqueue=False, full=True)
    services.job_enqueue(job_id=job.pk)
    return job.pk
