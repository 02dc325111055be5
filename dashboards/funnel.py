"""The outreach funnel: registry stages (from the coverage rollups) and, once the outreach app
has its un-enrolled ledger, the ledger stages, rolled up per region like the coverage numbers.

dashboards reads outreach; outreach never imports dashboards. The outreach models are looked up
at call time, so this module works before (and without) them.
"""
from __future__ import annotations

from django.apps import apps

# Registry stages, computed from CoverageRollup at page time (no extra table needed).
REGISTRY_STAGES = [
    ("persons", "在册人口"),
    ("covered", "已登记参保"),
    ("paid", "已缴费"),
]


def outreach_model(name: str):
    """An outreach model if that app is installed and defines it, else None."""
    if not apps.is_installed("outreach"):
        return None
    try:
        return apps.get_model("outreach", name)
    except LookupError:
        return None


def refresh_outreach_stages(cursor, params: dict) -> None:
    """Upsert the ledger stages of one year into FunnelRollup (none until outreach has a
    ledger), then drop this year's rows that the run did not write."""
    for position, (stage, label, sql) in enumerate(_outreach_stage_sql(), start=10):
        from .rollups import DEPTHS, code_at

        for depth in DEPTHS:
            cursor.execute(f"""
                INSERT INTO dashboards_funnelrollup
                  (year, region_id, stage, position, count, refresh_stamp)
                SELECT %(year)s, g.code, '{stage}', {position}, g.n, %(stamp)s
                FROM (SELECT {code_at(depth)} AS code, SUM(n) AS n
                      FROM ({sql}) leaf WHERE length(path) >= {depth}
                      GROUP BY {code_at(depth)}) g
                JOIN enrollment_region r ON r.code = g.code
                WHERE true
                ON CONFLICT (year, region_id, stage) DO UPDATE SET
                  count = excluded.count, position = excluded.position,
                  refresh_stamp = excluded.refresh_stamp
            """, params)
    cursor.execute("DELETE FROM dashboards_funnelrollup WHERE year = %(year)s "
                   "AND refresh_stamp <> %(stamp)s", params)


def _outreach_stage_sql() -> list[tuple[str, str, str]]:
    """(stage, label, leaf SQL giving code, path, n) for each outreach stage available."""
    return []


STAGE_LABELS: dict[str, str] = {}
