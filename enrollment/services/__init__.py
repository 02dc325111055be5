"""The only code that writes to the registry, in six modules: `persons` (registering and
changing people), `enrollments` (the one door every enrollment write goes through), `files`
(merging two files of one person, asking for a file another village holds), `groups` (periods
a department vouches for: hardship and exit groups, unemployment benefit), `units` (schools
and employers as the departments' lists name them) and `findings` (resolving what the
monthly comparison found).

Callers import from here; the names below are the registry's whole write interface.
"""
from .enrollments import (
    NON_FIELD,
    EnrollmentPlan,
    auto_stop_superseded,
    credit_offered,
    duplicate_message,
    enrollment_preview,
    enrollment_record,
    enrollment_record_batch,
    enrollment_stop,
    pooling_region_of,
    tier_choices,
)
from .files import (
    merge_conflict_years,
    person_merge,
    person_merge_preview,
    transfer_accept,
    transfer_decline,
    transfer_request_create,
    transfers_asked,
    transfers_to_answer,
)
from .groups import Period, person_groups_record, unemployment_periods_record
from .findings import (
    comparison_start,
    finding_dismiss,
    finding_mark_elsewhere,
    finding_merge,
    finding_note,
    finding_stop,
)
from .persons import (
    ELSEWHERE_MESSAGE,
    PERSON_FIELDS,
    household_for_registration,
    likely_duplicate_message,
    person_likely_duplicates,
    person_link_id_number,
    person_mark_life_status,
    person_register,
    person_reveal_id,
    person_update,
)
from .units import enterprise_save, school_save

__all__ = [
    "ELSEWHERE_MESSAGE", "NON_FIELD", "PERSON_FIELDS", "EnrollmentPlan", "auto_stop_superseded",
    "credit_offered",
    "duplicate_message", "enrollment_preview", "enrollment_record", "enrollment_record_batch",
    "enrollment_stop", "household_for_registration", "likely_duplicate_message",
    "person_likely_duplicates", "person_link_id_number", "person_mark_life_status",
    "person_register", "person_reveal_id", "person_update", "pooling_region_of",
    "tier_choices",
    "comparison_start", "finding_dismiss", "finding_mark_elsewhere", "finding_merge",
    "finding_note", "finding_stop",
    "merge_conflict_years", "person_merge", "person_merge_preview", "transfer_accept",
    "transfer_decline", "transfer_request_create", "transfers_asked", "transfers_to_answer",
    "Period", "person_groups_record", "unemployment_periods_record", "enterprise_save",
    "school_save",
]
