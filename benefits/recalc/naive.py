"""The naive way: one person at a time through the ORM (the registration flow's own case builder,
`benefits.inputs.case_for_enrollment`, then `save()` per row). Kept as the reference the bulk path
is measured against (bench/recalc.py) and compared with in tests; never used by the job.
"""
from __future__ import annotations

import json

from django.utils import timezone

from enrollment.models import Enrollment, Scheme

from .. import inputs
from ..models import PersonYearStatus
from ..rules.errors import CaseError
from . import compute, fetch
from .services import ChunkResult


def recalc_range(*, year: int, region: str, id_from: int, id_to: int,
                 job_id: int | None = None) -> ChunkResult:
    persons = changed = 0
    enrollments = (Enrollment.objects
                   .filter(year=year, scheme=Scheme.RESIDENT, status__in=fetch.LIVE,
                           paid_on__isnull=False, pooling_region_id=region,
                           person_id__gte=id_from, person_id__lte=id_to)
                   .select_related("person").order_by("person_id", "id"))
    seen = set()
    for enrollment in enrollments:
        if enrollment.person_id in seen:
            continue
        seen.add(enrollment.person_id)
        persons += 1
        values = dict(zip(compute.VALUE_COLUMNS, _values(enrollment)))
        values["rule_ids"] = json.loads(values["rule_ids"])
        values.update(pooling_region_id=region, enrollment_id=enrollment.pk)
        row = PersonYearStatus.objects.filter(person_id=enrollment.person_id, year=year).first()
        if row is None:
            row = PersonYearStatus(person_id=enrollment.person_id, year=year)
        elif all(_same(getattr(row, k), v) for k, v in values.items()):
            continue
        for k, v in values.items():
            setattr(row, k, v)
        row.job_id, row.updated_at = job_id, timezone.now()
        row.save()
        changed += 1
    return ChunkResult(persons, changed)


def _values(enrollment: Enrollment) -> tuple:
    profile = inputs.profile_for_region(enrollment.pooling_region_id)
    if profile is None:
        return compute.error_row(compute.NO_PROFILE)
    try:
        case = inputs.case_for_enrollment(enrollment, today=fetch.as_of_date(enrollment.year))
        d = inputs.evaluate(case)
    except CaseError as exc:
        return compute.error_row(f"{exc.field}：{exc.message}", profile.code)
    cat = d.catastrophic
    return (
        profile.code, d.in_concentrated_period, d.gap_years, d.continuity_years,
        compute._money(cat.continuity_bonus), compute._money(cat.zero_claim_bonus),
        compute._money(cat.gap_penalty), compute._money(cat.effective_cap),
        d.amount_due, d.subsidy, d.repair_due,
        d.waiting.fixed, d.waiting.variable, d.waiting.repaired, d.waiting.total,
        d.benefit_start, d.benefit_end, json.dumps(list(d.rules)), "",
    )


def _same(old, new) -> bool:
    return old == new
