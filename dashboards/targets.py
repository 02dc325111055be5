"""Targets leadership reports against (004 §14: the province issues 参保人数目标 per city;
000: 常住人口参保率 ≥ 95%).

A region's target is, in order: the enrollment target recorded for that region and year
(`outreach.EnrollmentTarget`: a number of persons, else a rate); else the coverage target
(`COVERAGE_TARGET_PERCENT`) of the official resident population; else of the registry
population.
"""
from __future__ import annotations

import math
from decimal import Decimal

from enrollment.coverage import COVERAGE_TARGET_PERCENT
from outreach.models import EnrollmentTarget

SOURCE_TARGET = "下达目标"
SOURCE_OFFICIAL = f"常住人口×{COVERAGE_TARGET_PERCENT}%"
SOURCE_REGISTRY = f"在册人口×{COVERAGE_TARGET_PERCENT}%"


def recorded_targets(codes: list[str], year: int) -> dict[str, tuple[int | None, Decimal | None]]:
    """{code: (target count, target rate %)} recorded for the regions and year."""
    if not codes:
        return {}
    return {row["region_id"]: (row["target_count"], row["target_rate"])
            for row in EnrollmentTarget.objects.filter(region_id__in=codes, year=year)
            .values("region_id", "target_count", "target_rate")}


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
