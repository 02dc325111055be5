"""Targets leadership reports against (004 §14: the province issues 参保人数目标 per city;
000: 常住人口参保率 ≥ 95%).

A region's target is, in order: the enrollment target the outreach app records for that region
and year (`outreach.EnrollmentTarget`, read at call time when it exists); else 95% of the
official resident population; else 95% of the registry population.
"""
from __future__ import annotations

import math
from decimal import Decimal

from django.db import models

from .funnel import outreach_model
from .models import COVERAGE_TARGET_PERCENT

COUNT_FIELDS = ("target", "target_count", "target_persons", "persons", "count", "number",
                "enrolled", "enrolled_target", "planned")
RATE_FIELDS = ("target_rate", "rate", "coverage_rate", "percent")
SOURCE_TARGET, SOURCE_OFFICIAL, SOURCE_REGISTRY = "下达目标", "常住人口×95%", "在册人口×95%"


def _field(model, names, kinds):
    fields = {f.name: f for f in model._meta.get_fields() if isinstance(f, kinds)}
    for name in names:
        if name in fields:
            return name
    return None


def recorded_targets(codes: list[str], year: int) -> dict[str, tuple[int | None, Decimal | None]]:
    """{code: (target count, target rate %)} from outreach.EnrollmentTarget, if present."""
    model = outreach_model("EnrollmentTarget")
    if model is None or not codes:
        return {}
    count_field = _field(model, COUNT_FIELDS, (models.IntegerField,))
    rate_field = _field(model, RATE_FIELDS, (models.DecimalField, models.FloatField))
    if count_field is None and rate_field is None:
        return {}
    fields = ["region_id"] + [f for f in (count_field, rate_field) if f]
    result = {}
    for row in model.objects.filter(region_id__in=codes, year=year).values(*fields):
        result[row["region_id"]] = (row.get(count_field) if count_field else None,
                                    row.get(rate_field) if rate_field else None)
    return result


def target_for(*, recorded, official: int | None, persons: int) -> tuple[int | None, str]:
    """(target number of enrolled persons, where it comes from)."""
    count, rate = recorded if recorded else (None, None)
    denominator = official or persons
    if count:
        return int(count), SOURCE_TARGET
    if rate and denominator:
        return math.ceil(denominator * float(rate) / 100), SOURCE_TARGET
    if official:
        return math.ceil(official * COVERAGE_TARGET_PERCENT / 100), SOURCE_OFFICIAL
    if persons:
        return math.ceil(persons * COVERAGE_TARGET_PERCENT / 100), SOURCE_REGISTRY
    return None, ""
