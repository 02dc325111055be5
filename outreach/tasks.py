"""Celery tasks: take ids, call one service, safe to run twice."""
from __future__ import annotations

from celery import shared_task


@shared_task(name="outreach.generate_ledger")
def generate_ledger(run_id: int) -> dict:
    from .services.ledger import ledger_run_execute

    run = ledger_run_execute(run_id=run_id)
    return {"added": run.added, "closed": run.closed}


@shared_task(name="outreach.refresh_campaign")
def refresh_campaign(campaign_id: int) -> int:
    from .services.campaigns import campaign_refresh_progress

    return campaign_refresh_progress(campaign_id=campaign_id)
