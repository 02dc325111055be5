"""Admin of the benefits app; importing each module registers its model admins.

- `policy`: profiles, yearly standards and region mappings.
- `claims`: the yearly claims summaries.
- `recalc`: the January recalculation's statuses, jobs and chunks (read-only).
"""
from .claims import ClaimSummaryAdmin
from .policy import PolicyProfileAdmin, PoolingRegionProfileAdmin, YearStandardAdmin
from .recalc import PersonYearStatusAdmin, RecalcChunkAdmin, RecalcJobAdmin

__all__ = ["ClaimSummaryAdmin", "PersonYearStatusAdmin", "PolicyProfileAdmin",
           "PoolingRegionProfileAdmin", "RecalcChunkAdmin", "RecalcJobAdmin", "YearStandardAdmin"]
