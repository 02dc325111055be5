"""Celery tasks: take ids, call one service, safe to run twice."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="outreach.generate_ledger", acks_late=True, reject_on_worker_lost=True)
def generate_ledger(run_id: int) -> int:
    """Plan the run and enqueue one task per part, so the workers (and the database's cores)
    write the parts side by side; the part that completes the run finishes it."""
    from .services.ledger import ledger_run_plan

    parts = ledger_run_plan(run_id=run_id) or []
    for part in parts:
        generate_ledger_part.delay(run_id, list(part.prefixes))
    return len(parts)


@shared_task(name="outreach.generate_ledger_part", acks_late=True, reject_on_worker_lost=True)
def generate_ledger_part(run_id: int, prefixes: list[str]) -> bool:
    from .services.ledger import ledger_part_execute

    return ledger_part_execute(run_id=run_id, prefixes=prefixes)


@shared_task(name="outreach.refresh_campaign")
def refresh_campaign(campaign_id: int) -> int:
    from .services.campaigns import campaign_refresh_progress

    return campaign_refresh_progress(campaign_id=campaign_id)
