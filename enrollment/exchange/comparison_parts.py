"""The parts of a comparison run, sized by persons (issue 13).

Every statement of a part has a cost that does not depend on the part's size (planning, the scan
of the employee enrollments, the bookkeeping of the part's findings, a transaction), and one part
per township paid it ~150 times per city: a part is therefore a run of consecutive townships (in
code order) holding up to `COMPARISON_PART_PERSONS` persons registered there (户籍), written as the
shortest code prefixes that cover it: a whole county (or city) is its own prefix, the rest are
township prefixes. A township larger than the limit is a part of its own; a township or a region
below it is always one part. Each part is still one transaction.

A part travels as one string (the Celery task's argument, older single-prefix messages included):
its prefixes joined by commas.
"""
from __future__ import annotations

from django.conf import settings

from .. import region_counts, regions
from ..models import Region

SEPARATOR = ","
# Ancestors a part may collapse to, widest first (province, city, county).
COLLAPSE_LENGTHS = [regions.LEVEL_LENGTH[level]
                    for level in (regions.PROVINCE, regions.CITY, regions.COUNTY)]


def part_persons() -> int:
    return int(getattr(settings, "COMPARISON_PART_PERSONS", 150_000))


def prefixes_of(part: str) -> list[str]:
    return [p for p in part.split(SEPARATOR) if p]


def _townships_under(region: Region | None) -> list[str]:
    townships = Region.objects.filter(level=regions.TOWNSHIP)
    if region is not None:
        townships = townships.filter(path__startswith=region.path)
    return [regions.prefix_of(c) for c in townships.order_by("code").values_list("code", flat=True)]


def _collapse(group: list[str], townships: list[str], within: str) -> list[str]:
    """The shortest prefixes covering `group`: an ancestor inside the run's region (`within`)
    whose townships are all in the group stands for them."""
    chosen, left = [], set(group)
    for length in [n for n in COLLAPSE_LENGTHS if n >= len(within)]:
        for ancestor in sorted({t[:length] for t in left}):
            under = [t for t in townships if t.startswith(ancestor)]
            if under and all(t in left for t in under):
                chosen.append(ancestor)
                left.difference_update(under)
    return sorted(chosen + sorted(left))


def plan(region: Region | None) -> list[str]:
    """The parts of a run over `region` (None: everything), each a comma-joined prefix list."""
    if region is not None and region.level in (regions.TOWNSHIP, regions.VILLAGE, regions.GRID):
        return [regions.prefix_of(region.code)]
    townships = _townships_under(region)
    if not townships:
        return [regions.prefix_of(region.code)] if region is not None else []
    # Persons registered (户籍) there; merged files count too, close enough for sizing.
    registered = region_counts.persons_by_township(region, "hukou_region_id")
    groups = regions.in_batches(townships, registered, part_persons(),
                                workers=settings.JOB_WORKERS)
    within = regions.prefix_of(region.code) if region is not None else ""
    return [SEPARATOR.join(_collapse(g, townships, within)) for g in groups]
