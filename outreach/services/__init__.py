"""The only code that writes outreach data, by noun: `grids` (grids and grid workers), `ledger`
(the ledger of the un-enrolled), `tasks` (the six steps from push to report), `campaigns`
(targets and concentrated campaigns).

Keyword-only arguments, one transaction, the actor's scope checked (enrollment/scope.py), an
audit entry naming the actor. Callers import from the submodule; the names below are re-exported
so that `from outreach import services; services.batch_push(...)` keeps working.
"""
from .campaigns import campaign_create, campaign_refresh_progress, target_set
from .grids import grid_assign, worker_substitute
from .ledger import (
    ledger_close_for_enrollment,
    ledger_generate,
    ledger_run_execute,
    ledger_run_start,
    ledger_set_reason,
)
from .tasks import (
    batch_push,
    batch_report,
    batch_sign,
    task_assign,
    task_cannot_enrol,
    task_from_radar,
    task_mobilise,
    task_report,
    task_sign,
    visit_record,
)

__all__ = [
    "batch_push", "batch_report", "batch_sign", "campaign_create", "campaign_refresh_progress",
    "grid_assign", "ledger_close_for_enrollment", "ledger_generate", "ledger_run_execute",
    "ledger_run_start", "ledger_set_reason", "target_set", "task_assign", "task_cannot_enrol",
    "task_from_radar", "task_mobilise", "task_report", "task_sign", "visit_record", "worker_substitute",
]
