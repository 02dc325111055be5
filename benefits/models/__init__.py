"""Models of the `benefits` app, one module per subject; every model is imported here so that
Django finds it under the app label `benefits`.

- `profiles`: the policy profiles, their yearly standards and contribution tiers and which region follows which profile.
- `claims`: the yearly claims summaries imported from the claims system.
- `status`: the engine's answer for every person-year, as the January recalculation wrote it.
- `recalc`: the recalculation's job and chunk rows, and what each job changed per person.
"""
from .claims import ClaimSummary
from .profiles import ContributionTier, PolicyProfile, PoolingRegionProfile, YearStandard
from .recalc import JobStatus, RecalcChange, RecalcChunk, RecalcJob
from .status import PersonYearStatus

__all__ = [
    "ClaimSummary", "ContributionTier", "JobStatus", "PersonYearStatus", "PolicyProfile", "PoolingRegionProfile",
    "RecalcChange", "RecalcChunk", "RecalcJob", "YearStandard",
]
