"""Pages of the benefits app (thin views: scope check, form, one service call, render).

- `policy`: the policy calculator and the guided special-case and newborn registrations.
- `recalc`: starting and following the January recalculation, and what a job changed.

The claims upload pages live with the rest of the claims upload in benefits.claims.
"""
from .policy import calculator, newborn, special_case
from .recalc import (
    recalc_changes,
    recalc_changes_export,
    recalc_job,
    recalc_job_json,
    recalc_job_resume,
    recalc_start,
)

__all__ = ["calculator", "newborn", "recalc_changes", "recalc_changes_export", "recalc_job",
           "recalc_job_json", "recalc_job_resume", "recalc_start", "special_case"]
