"""The daily collection curves of the rollup refresh (`rollups`): one coverage year's resident
registrations per payment day, at village level and every level above, written into
`dashboards_dailycollection` by rewriting only the rows that differ from the stored curve."""
from __future__ import annotations

from .sql import DAILY_DEPTHS, Dialect, code_at

DAILY_LEAF = "dashboards_tmp_daily"
DAILY_NEW = "dashboards_tmp_daily_new"
DAILY_DIFF = "dashboards_tmp_daily_diff"
TEMPS = (DAILY_LEAF, DAILY_NEW, DAILY_DIFF)
_VILLAGE = DAILY_DEPTHS[0]


def _leaf_sql(d: Dialect, persons: str) -> str:
    day = f"COALESCE(e.paid_on, {d.to_date('e.created_at')})"
    # The period condition is spelled per column, not on the COALESCE: the planner has no
    # statistics for the expression, guessed 0.5 % of the rows, and sorted the year's enrollments
    # on their text codes instead of hashing them (half the statement at 100,000 persons).
    return f"""
    CREATE TEMP TABLE {DAILY_LEAF} AS
    SELECT p.daily_code AS code, p.daily_path AS path, {day} AS day, COUNT(*) AS enrolled
    FROM enrollment_enrollment e
    JOIN {persons} p ON p.id = e.person_id
    WHERE e.year = %(year)s AND e.status IN ('awaiting', 'active') AND e.scheme = 'resident'
      AND (e.paid_on BETWEEN %(period_start)s AND %(y_end)s
           OR (e.paid_on IS NULL
               AND {d.to_date('e.created_at')} BETWEEN %(period_start)s AND %(y_end)s))
    GROUP BY p.daily_code, p.daily_path, {day}
    """


def _new_sql() -> str:
    """Every level's curve of the year in one temp table (the counts as integers, like the
    stored column: a numeric comparison costs more). The leaf is grouped by village already (a
    grid's person has the village's code and path there), so the village level is its rows as
    they are, not a second grouping of them."""
    levels = [f"""
      SELECT code, day, enrolled FROM {DAILY_LEAF} WHERE length(path) >= {_VILLAGE}"""]
    levels += [f"""
      SELECT {code_at(depth)} AS code, day, SUM(enrolled) AS enrolled
      FROM {DAILY_LEAF} WHERE length(path) >= {depth}
      GROUP BY {code_at(depth)}, day""" for depth in DAILY_DEPTHS[1:]]
    return f"""
    CREATE TEMP TABLE {DAILY_NEW} AS
    SELECT g.code AS code, g.day AS day, CAST(g.enrolled AS integer) AS enrolled
    FROM ({" UNION ALL ".join(levels)}) g
    JOIN enrollment_region r ON r.code = g.code
    """


# The rows that differ, in one pass over the year's stored curve: a stored row whose day is
# gone or whose count changed (old_id) and a new row whose day is missing or changed (code).
# It replaces two anti-joins that each read the year's rows; one of them, planned as a nested
# loop while the table looked empty and filled meanwhile by the other connection's years, ran
# for minutes on the first refresh of an emptied table (both run with hash joins only now,
# `Dialect.hash_joins`).
# The stored curve has one row per region and day (written only here), like the new one.
_DIFF_SQL = f"""
    CREATE TEMP TABLE {DAILY_DIFF} AS
    SELECT o.id AS old_id, n.code AS code, n.day AS day, n.enrolled AS enrolled
    FROM (SELECT id, region_id, day, enrolled FROM dashboards_dailycollection
          WHERE year = %(year)s) o
    FULL JOIN {DAILY_NEW} n ON n.code = o.region_id AND n.day = o.day
    WHERE o.enrolled IS DISTINCT FROM n.enrolled
    """
_DELETE_SQL = f"""
    DELETE FROM dashboards_dailycollection
    WHERE id IN (SELECT old_id FROM {DAILY_DIFF} WHERE old_id IS NOT NULL)
    """
_INSERT_SQL = f"""
    INSERT INTO dashboards_dailycollection (year, region_id, day, enrolled, refresh_stamp)
    SELECT %(year)s, code, day, enrolled, %(stamp)s
    FROM {DAILY_DIFF} WHERE code IS NOT NULL
    """


def refresh_curve(cursor, d: Dialect, params: dict, *, persons: str) -> None:
    """Recompute one year's curves (`params`: `rollups.year_params`) from the refresh's persons
    table and write the rows that changed."""
    for table in TEMPS:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(_leaf_sql(d, persons), params)
    cursor.execute(_new_sql(), params)
    with d.hash_joins(cursor):
        cursor.execute(_DIFF_SQL, params)
        cursor.execute(_DELETE_SQL, params)
    cursor.execute(_INSERT_SQL, params)
    for table in TEMPS:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
