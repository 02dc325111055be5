"""Coverage of a region in the registry's own terms (在册口径): alive persons living (常住地)
under the region, and those of them with a live enrollment for the year; and the coverage
target every page measures it against.

A village or township desk is small enough to count while a page loads, so its home page and
its dashboard both read `coverage_counts` and show one figure; larger regions read the
dashboards' rollups, which the refresh computes with the same definitions.
"""
from __future__ import annotations

from django.db.models import Count, Q

from . import regions, scope
from .models import Enrollment, LifeStatus, LIVE_STATUSES, Person, Scheme

COVERAGE_TARGET_PERCENT = 95  # 000: 常住人口参保率稳定在95%以上
# Every page and export shows a coverage rate with this many decimals (the `coverage_rate`
# template filter, the 0.00% Excel format), so one figure never reads two ways.
RATE_DIGITS = 2


def rate(covered: int, population: int | None) -> float | None:
    """参保率 in percent: the one formula every page, export and rollup uses."""
    return covered * 100 / population if population else None


def rate_text(value: float | None) -> str:
    return "—" if value is None else f"{value:.{RATE_DIGITS}f}%"


def counts_live(region_code: str | None) -> bool:
    """A township or anything below it: few enough persons to count on every visit."""
    if not region_code:
        return False
    return len(regions.prefix_of(region_code)) >= regions.LEVEL_LENGTH[regions.TOWNSHIP]


def coverage_counts(region, year: int) -> dict:
    """在册人口, 已参保 (resident and employee apart), 未参保 and the rate of one region."""
    persons = Person.objects.filter(scope.region_q_prefix(region.path, "residence_region_id"),
                                    life_status=LifeStatus.ALIVE)
    enrolled = Enrollment.objects.filter(year=year, status__in=LIVE_STATUSES,
                                         person__in=persons)
    counts = enrolled.aggregate(
        resident=Count("person", filter=Q(scheme=Scheme.RESIDENT, elsewhere=False),
                       distinct=True),
        employee=Count("person", filter=Q(scheme=Scheme.EMPLOYEE, elsewhere=False),
                       distinct=True),
        awaiting=Count("pk", filter=Q(status="awaiting")),
    )
    population = persons.count()
    covered = enrolled.values("person").distinct().count()
    rate_ = rate(covered, population)
    return {
        "population": population,
        "covered": covered,
        "uncovered": population - covered,
        "rate": rate_,
        "meets_target": rate_ is not None and rate_ >= COVERAGE_TARGET_PERCENT,
        **counts,
    }
