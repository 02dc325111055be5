"""Renewal and lapse (续保与断保): of the persons insured last year, how many renewed by the end
of the concentrated period, how many later, how many not yet; per region and over the last
years. Read from the coverage rollups (the refresh counts them with the same definitions as
the other figures: alive persons, counted where they live now)."""
from __future__ import annotations

from .models import CoverageRollup

TREND_YEARS = 5


def figures(row: CoverageRollup | None) -> dict:
    base = row.renew_base if row else 0
    on_time = row.renewed_on_time if row else 0
    late = row.renewed_late if row else 0
    return {
        "base": base, "on_time": on_time, "late": late,
        "not_renewed": max(base - on_time - late, 0),
        "renewal_rate": (on_time + late) * 100 / base if base else None,
        "on_time_rate": on_time * 100 / base if base else None,
    }


def trend(region_code: str, year: int, years: int = TREND_YEARS) -> list[dict]:
    """The region's renewal figures for the last `years` coverage years up to `year`, oldest
    first (years without a rollup are left out)."""
    rows = CoverageRollup.objects.filter(region_id=region_code, year__gt=year - years,
                                         year__lte=year).order_by("year")
    return [{"year": r.year, **figures(r)} for r in rows]


def children_trend(parent_code: str, year: int, years: int = TREND_YEARS) -> dict:
    """{"years": [...], "rows": [{code, name, by_year: {year: figures}}]} for the regions one
    level below, so a leader sees which of them lapse."""
    rows = (CoverageRollup.objects.filter(parent_code=parent_code, year__gt=year - years,
                                          year__lte=year)
            .select_related("region").order_by("region_id", "year"))
    by_code: dict[str, dict] = {}
    seen_years: set[int] = set()
    for r in rows:
        seen_years.add(r.year)
        entry = by_code.setdefault(r.region_id, {"code": r.region_id, "name": r.region.name,
                                                 "by_year": {}})
        entry["by_year"][r.year] = figures(r)
    ordered = sorted(seen_years)
    for entry in by_code.values():
        entry["cells"] = [{"year": y, "figures": entry["by_year"].get(y)} for y in ordered]
        entry["latest"] = entry["by_year"].get(year) or figures(None)
    return {"years": ordered, "rows": list(by_code.values())}
