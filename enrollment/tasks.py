"""Celery tasks of the registry: thin, take ids, safe to run twice.

A department file (数据交换) is applied by `feed_import_run` in one transaction with its report.

The monthly comparison: the beat schedule (1st of each month, migration 0011) starts a run over
every region, in parts sized by persons (enrollment/exchange/comparison_parts.py); each part is its own task and its own transaction, acks_late, so a worker
killed in a part has the message redelivered and the part (rolled back) redone.
"""
from __future__ import annotations

from celery import shared_task


@shared_task(name="enrollment.compare_part", acks_late=True, reject_on_worker_lost=True)
def compare_part(run_id: int, part: str) -> dict:
    """One part: its code prefixes joined by commas (a message of one prefix still works)."""
    from .exchange import comparison

    return comparison.run_part(run_id=run_id, part=part)


@shared_task(name="enrollment.compare_monthly", ignore_result=True)
def compare_monthly() -> int:
    """Start the month's comparison over the whole deployment; returns the run id."""
    from .services.findings import comparison_start

    return comparison_start(actor=None, region=None).pk


@shared_task(name="enrollment.feed_import_run", acks_late=True, reject_on_worker_lost=True)
def feed_import_run(import_id: int) -> None:
    """Apply a confirmed department file (enrollment.exchange.flow.run: one transaction with
    its report, so a redelivery after a killed worker applies it once)."""
    from .exchange import flow

    flow.run(import_id)
