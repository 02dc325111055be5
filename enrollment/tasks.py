"""Celery tasks of the registry: thin, take ids, safe to run twice."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="enrollment.feed_import_run", acks_late=True, reject_on_worker_lost=True)
def feed_import_run(import_id: int) -> None:
    """Apply a confirmed department file (enrollment.exchange.flow.run: one transaction with
    its report, so a redelivery after a killed worker applies it once)."""
    from .exchange import flow

    flow.run(import_id)
