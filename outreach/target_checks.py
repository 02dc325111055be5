"""Checks on the targets the level above sets (004 §14: targets from the resident population,
the registered population and the potential; guard against "一刀切" and "层层加码").

A target is read as a rate of the region's resident population (a number of persons is turned
into one). Against the nearest ancestor with a target for the same year:
- below the level above's share: a lower rate than the parent's, so that the children together
  cannot reach the parent's target (flagged for the level that set it);
- 层层加码: a rate more than `RAISE_THRESHOLD_POINTS` above the parent's, or a target above the
  population itself (over 100 %), which the base cannot meet;
and on a parent, the children's targets that add up to fewer persons than its own.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count

from enrollment import regions
from enrollment.models import Region

from .models import EnrollmentTarget

# How far above its parent's rate a child's target may go before it counts as 层层加码.
RAISE_THRESHOLD_POINTS = Decimal("2")


@dataclass
class Flag:
    kind: str  # "below" | "raised" | "children_short"
    message: str

    @property
    def is_raise(self) -> bool:
        return self.kind == "raised"


def rate_of(target: EnrollmentTarget) -> Decimal | None:
    """The target as a percentage of the resident population recorded with it."""
    if target.target_rate is not None:
        return Decimal(target.target_rate)
    if target.target_count is not None and target.resident_population:
        return Decimal(target.target_count * 100) / target.resident_population
    return None


def count_of(target: EnrollmentTarget) -> int | None:
    if target.target_count is not None:
        return target.target_count
    if target.target_rate is not None and target.resident_population:
        return int(-(-target.target_rate * target.resident_population // 100))  # ceiling
    return None


def _ancestors(code: str) -> list[str]:
    found, current = [], regions.parent_code(code)
    while current:
        found.append(current)
        current = regions.parent_code(current)
    return found


def _pct(value: Decimal) -> str:
    return f"{value:.2f}%"


def check(targets: list[EnrollmentTarget]) -> dict[int, list[Flag]]:
    """{target pk: flags} for the given targets, each compared with its nearest ancestor's
    target of the same year (looked up in one query)."""
    wanted = {(a, t.year) for t in targets for a in _ancestors(t.region_id)}
    codes = {code for code, _ in wanted}
    years = {year for _, year in wanted}
    parents = {(t.region_id, t.year): t for t in EnrollmentTarget.objects.filter(
        region_id__in=codes, year__in=years).select_related("region")}
    flags: dict[int, list[Flag]] = {}
    for t in targets:
        found = flags.setdefault(t.pk, [])
        rate = rate_of(t)
        if rate is not None and rate > 100:
            found.append(Flag("raised", f"层层加码：目标为常住人口的{_pct(rate)}，超过人口本身，"
                                        "基层无法完成，请按人口和扩面潜力重新测算。"))
        parent = next((parents[(a, t.year)] for a in _ancestors(t.region_id)
                       if (a, t.year) in parents), None)
        parent_rate = rate_of(parent) if parent else None
        if rate is None or parent_rate is None:
            continue
        if rate < parent_rate:
            found.append(Flag("below", f"低于上级份额：目标参保率{_pct(rate)}低于{parent.region.name}"
                                       f"的{_pct(parent_rate)}，各下级合计可能完不成上级目标。"))
        elif rate > parent_rate + RAISE_THRESHOLD_POINTS and rate <= 100:
            found.append(Flag("raised", f"层层加码：目标参保率{_pct(rate)}比{parent.region.name}的"
                                        f"{_pct(parent_rate)}高出{RAISE_THRESHOLD_POINTS}个百分点以上，"
                                        "请防止层层加码、增加基层负担。"))
    _children_short(targets, flags)
    return flags


def _children_short(targets: list[EnrollmentTarget], flags: dict[int, list[Flag]]) -> None:
    """On a parent: its direct children's targets add up to fewer persons than its own."""
    children: dict[tuple[str, int], list[int | None]] = {}
    for c in EnrollmentTarget.objects.filter(
            year__in={t.year for t in targets},
            region__parent_id__in={t.region_id for t in targets}).select_related("region"):
        children.setdefault((c.region.parent_id, c.year), []).append(count_of(c))
    regions_below = dict(Region.objects.filter(parent_id__in={t.region_id for t in targets})
                         .values_list("parent_id").annotate(n=Count("pk")))
    for t in targets:
        own, counts = count_of(t), children.get((t.region_id, t.year), [])
        if own is None or not counts or None in counts or sum(counts) >= own:
            continue
        missing = regions_below.get(t.region_id, 0) - len(counts)
        flags.setdefault(t.pk, []).append(Flag("children_short", (
            f"已下达的下级目标合计{sum(counts)}人，少于本级目标{own}人"
            + (f"（另有{missing}个下级尚未下达目标）。" if missing > 0 else "。"))))
