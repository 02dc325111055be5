"""The outreach funnel: registry stages (from the coverage rollups) and the stages of the
outreach ledger, rolled up per region like the coverage numbers.

dashboards reads outreach; outreach never imports dashboards. Ledger entries are counted on the
residence side only (a person who is 人户分离 has an entry on each side).
"""
from __future__ import annotations

from outreach.models import LedgerEntry, Task, Visit

from .sql import DEPTHS, code_at

# Registry stages, computed from CoverageRollup at page time (no extra table needed).
REGISTRY_STAGES = [
    ("persons", "在册人口"),
    ("covered", "已登记参保"),
    ("paid", "已缴费"),
]
# Outreach stages: (stage, label, SQL condition on the ledger entry `le` and its task `t`).
OUTREACH_STAGES = [
    ("ledger", "列入未参保台账", "1 = 1"),
    ("tasked", "已下发摸排任务", "t.id IS NOT NULL"),
    ("visited", "已走访", "t.visited_at IS NOT NULL"),
    ("mobilised", "已动员", "t.mobilised_at IS NOT NULL"),
    ("finished", "六步闭环办结", "t.finished_at IS NOT NULL"),
    ("converted", "台账销号（已参保）", "le.status = 'enrolled'"),
]
# Counted alongside the stages for the evaluation, but not a stage of the funnel chart.
MEASURES = [("visits", "走访次数", "COALESCE(v.n, 0)")]
STAGE_LABELS = {stage: label for stage, label, _ in OUTREACH_STAGES + MEASURES}
NOT_IN_FUNNEL = {stage for stage, _, _ in MEASURES}
LEAF = "dashboards_tmp_funnel"


def refresh_outreach_stages(cursor, params: dict) -> None:
    """Upsert the ledger stages of one year into FunnelRollup, then drop this year's rows that
    the run did not write."""
    entry_table, task_table = LedgerEntry._meta.db_table, Task._meta.db_table
    sums = ", ".join([f"SUM(CASE WHEN {cond} THEN 1 ELSE 0 END) AS {stage}"
                      for stage, _, cond in OUTREACH_STAGES]
                     + [f"SUM({expr}) AS {stage}" for stage, _, expr in MEASURES])
    visit_table = Visit._meta.db_table
    cursor.execute(f"DROP TABLE IF EXISTS {LEAF}")
    cursor.execute(f"""
        CREATE TEMP TABLE {LEAF} AS
        SELECT COALESCE(le.grid_id, le.region_id) AS code, r.path AS path, {sums}
        FROM {entry_table} le
        LEFT JOIN {task_table} t ON t.entry_id = le.id
        LEFT JOIN (SELECT task_id, COUNT(*) AS n FROM {visit_table} GROUP BY task_id) v
          ON v.task_id = t.id
        JOIN enrollment_region r ON r.code = COALESCE(le.grid_id, le.region_id)
        WHERE le.year = %(year)s AND le.side = 'residence'
        GROUP BY COALESCE(le.grid_id, le.region_id), r.path
    """, params)
    for position, (stage, _, _) in enumerate(OUTREACH_STAGES + MEASURES, start=10):
        for depth in DEPTHS:
            cursor.execute(f"""
                INSERT INTO dashboards_funnelrollup
                  (year, region_id, stage, position, count, refresh_stamp)
                SELECT %(year)s, g.code, '{stage}', {position}, g.n, %(stamp)s
                FROM (SELECT {code_at(depth)} AS code, SUM({stage}) AS n
                      FROM {LEAF} WHERE length(path) >= {depth}
                      GROUP BY {code_at(depth)}) g
                JOIN enrollment_region r ON r.code = g.code
                WHERE true
                ON CONFLICT (region_id, year, stage) DO UPDATE SET
                  count = excluded.count, position = excluded.position,
                  refresh_stamp = excluded.refresh_stamp
            """, params)
    cursor.execute(f"DROP TABLE IF EXISTS {LEAF}")
    cursor.execute("DELETE FROM dashboards_funnelrollup WHERE year = %(year)s "
                   "AND refresh_stamp <> %(stamp)s", params)
