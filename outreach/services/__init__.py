"""The only code that writes outreach data (being split by noun)."""
from .tasks import (  # noqa: F401
    _can_push, batch_push, batch_report, batch_sign, campaign_create, campaign_refresh_progress,
    grid_assign, ledger_close_for_enrollment, ledger_generate, ledger_run_execute,
    ledger_run_start, ledger_set_reason, target_set, task_assign, task_cannot_enrol,
    task_mobilise, task_report, task_sign, visit_record, worker_substitute,
)
