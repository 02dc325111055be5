"""One set-based write per chunk into PersonYearStatus.

The chunk's rows go into a temporary stage table (PostgreSQL: COPY; SQLite: executemany). What
changed is decided once: the stage is compared with the chunk's old rows (one range of the
unique (person, year) index), and only the rows that are new or differ are written, by one
INSERT … ON CONFLICT (person_id, year) DO UPDATE … WHERE the values are distinct; an unchanged
row is neither rewritten nor locked. Then one DELETE of the chunk's rows whose enrollment is
gone. The row counts of those two statements are the rows whose values changed: a second run
straight after changes nothing.

What the job changed for a person (the cap credits and the waiting period, before → after) is
kept in `benefits_recalcchange` by the same statements (on PostgreSQL a data-modifying CTE over
the same comparison and the same DELETE … RETURNING; on SQLite an INSERT … SELECT before each):
in the chunk's transaction, so a redone chunk leaves no half of it.
"""
from __future__ import annotations

import json
from datetime import date
from typing import Iterable, Sequence

from django.db import connection
from django.utils import timezone

from .compute import VALUE_COLUMNS

TABLE = "benefits_personyearstatus"
KEY_COLUMNS = ("person_id", "year", "pooling_region_id", "enrollment_id")
STAGE_COLUMNS = KEY_COLUMNS + VALUE_COLUMNS
# Columns compared to decide whether a row changed (everything but the key, job and timestamp).
COMPARED = ("pooling_region_id", "enrollment_id") + VALUE_COLUMNS

_STAGE_TYPES = {
    "person_id": "bigint", "year": "smallint", "pooling_region_id": "varchar(15)",
    "enrollment_id": "bigint", "profile_code": "varchar(30)", "in_concentrated_period": "boolean",
    "gap_years": "smallint", "continuity_years": "smallint",
    "continuity_bonus": "numeric(12,2)", "zero_claim_credit": "numeric(12,2)",
    "gap_penalty": "numeric(12,2)", "effective_cap": "numeric(12,2)",
    "amount_due": "numeric(10,2)", "subsidy": "numeric(10,2)", "repair_due": "numeric(10,2)",
    "waiting_fixed": "smallint", "waiting_variable": "smallint", "waiting_repaired": "smallint",
    "waiting_months": "smallint", "benefit_start": "date", "benefit_end": "date",
    "rule_ids": "jsonb", "error": "varchar(300)",
}
_SQLITE_TYPES = {"jsonb": "text", "numeric(12,2)": "decimal", "numeric(10,2)": "decimal",
                 "boolean": "bool"}


def _stage_ddl(vendor: str) -> str:
    cols = []
    for name in STAGE_COLUMNS:
        kind = _STAGE_TYPES[name]
        if vendor != "postgresql":
            kind = _SQLITE_TYPES.get(kind, kind)
        cols.append(f"{name} {kind}")
    suffix = " ON COMMIT DELETE ROWS" if vendor == "postgresql" else ""
    return f"CREATE TEMP TABLE IF NOT EXISTS recalc_stage ({', '.join(cols)}){suffix}"


def _upsert_sql(vendor: str) -> str:
    cols = ", ".join(STAGE_COLUMNS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in COMPARED + ("job_id", "updated_at"))
    old = ", ".join(f"{TABLE}.{c}" for c in COMPARED)
    new = ", ".join(f"excluded.{c}" for c in COMPARED)
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    return (
        f"INSERT INTO {TABLE} ({cols}, job_id, updated_at) "
        f"SELECT {cols}, %s, %s FROM recalc_stage WHERE true "
        f"ON CONFLICT (person_id, year) DO UPDATE SET {sets} "
        f"WHERE ({old}) {distinct} ({new})"
    )


CHANGES = "benefits_recalcchange"
# The values the result page compares: the two cap credits and the waiting period.
_TRACKED = ("continuity_bonus", "zero_claim_credit", "waiting_months")
_CHANGE_COLUMNS = ("job_id, person_id, pooling_region_id, bonus_before, bonus_after, "
                   "credit_before, credit_after, wait_before, wait_after")


def _changes_of_upsert_sql(vendor: str) -> str:
    distinct = "IS DISTINCT FROM" if vendor == "postgresql" else "IS NOT"
    old = ", ".join(f"o.{c}" for c in _TRACKED)
    new = ", ".join(f"s.{c}" for c in _TRACKED)
    return (
        f"INSERT INTO {CHANGES} ({_CHANGE_COLUMNS}) "
        "SELECT %s, s.person_id, s.pooling_region_id, o.continuity_bonus, s.continuity_bonus, "
        "o.zero_claim_credit, s.zero_claim_credit, o.waiting_months, s.waiting_months "
        f"FROM recalc_stage s JOIN {TABLE} o ON o.person_id = s.person_id AND o.year = s.year "
        f"WHERE ({old}) {distinct} ({new})"
    )


_DELETE_SQL = (
    f"DELETE FROM {TABLE} WHERE year = %s AND pooling_region_id = %s "
    "AND person_id BETWEEN %s AND %s "
    # NOT IN over the stage is a hashed subplan, whatever the statistics say.
    "AND person_id NOT IN (SELECT person_id FROM recalc_stage)"
)


def _pg_upsert_sql() -> str:
    """PostgreSQL: compare once, log the tracked changes and write only the changed rows."""
    cols = ", ".join(STAGE_COLUMNS)
    sets = ", ".join(f"{c} = excluded.{c}" for c in COMPARED + ("job_id", "updated_at"))
    old = ", ".join(f"{TABLE}.{c}" for c in COMPARED)
    new = ", ".join(f"excluded.{c}" for c in COMPARED)
    tracked_old = ", ".join(f"o_{c}" for c in _TRACKED)
    tracked_new = ", ".join(_TRACKED)
    return f"""
WITH old AS (
  -- the chunk's old rows: one range of the unique (person, year) index, one partition;
  -- an incremental run's persons only
  SELECT {", ".join(("id", "person_id") + COMPARED)} FROM {TABLE}
  WHERE year = %(year)s AND person_id BETWEEN %(lo)s AND %(hi)s
    AND (%(only)s::bigint[] IS NULL OR person_id = ANY(%(only)s::bigint[]))
),
diff AS MATERIALIZED (
  SELECT s.*, o.id IS NOT NULL AS existed,
         {", ".join(f"o.{c} AS o_{c}" for c in _TRACKED)}
  FROM recalc_stage s LEFT JOIN old o ON o.person_id = s.person_id
  WHERE o.id IS NULL
     OR ({", ".join(f"o.{c}" for c in COMPARED)}) IS DISTINCT FROM
        ({", ".join(f"s.{c}" for c in COMPARED)})
),
logged AS (
  INSERT INTO {CHANGES} ({_CHANGE_COLUMNS})
  SELECT %(job)s, person_id, pooling_region_id, o_continuity_bonus, continuity_bonus,
         o_zero_claim_credit, zero_claim_credit, o_waiting_months, waiting_months
  FROM diff
  WHERE %(job)s::bigint IS NOT NULL AND existed
    AND ({tracked_old}) IS DISTINCT FROM ({tracked_new})
)
INSERT INTO {TABLE} ({cols}, job_id, updated_at)
SELECT {cols}, %(job)s, %(now)s FROM diff
ON CONFLICT (person_id, year) DO UPDATE SET {sets}
WHERE ({old}) IS DISTINCT FROM ({new})
"""


def _pg_delete_sql(only: bool) -> str:
    """PostgreSQL: delete the chunk's rows whose enrollment is gone and log them, in one
    statement; it returns how many were deleted."""
    where = _DELETE_SQL.split(" WHERE ", 1)[1].replace("%s", "{}").format(
        "%(year)s", "%(region)s", "%(lo)s", "%(hi)s")
    if only:
        where += " AND person_id = ANY(%(only)s::bigint[])"
    return f"""
WITH gone AS (
  DELETE FROM {TABLE} WHERE {where}
  RETURNING person_id, pooling_region_id, continuity_bonus, zero_claim_credit, waiting_months
),
logged AS (
  INSERT INTO {CHANGES} ({_CHANGE_COLUMNS})
  SELECT %(job)s, person_id, pooling_region_id, continuity_bonus, NULL, zero_claim_credit,
         NULL, waiting_months, NULL
  FROM gone WHERE %(job)s::bigint IS NOT NULL
)
SELECT count(*) FROM gone
"""


def _changes_of_delete_sql(delete_sql: str) -> str:
    """The rows the DELETE removes, as changes to nothing (the enrollment is gone)."""
    where = delete_sql.split(" WHERE ", 1)[1]
    return (f"INSERT INTO {CHANGES} ({_CHANGE_COLUMNS}) "
            "SELECT %s, person_id, pooling_region_id, continuity_bonus, NULL, "
            f"zero_claim_credit, NULL, waiting_months, NULL FROM {TABLE} WHERE {where}")


def write_chunk(*, year: int, region: str, id_from: int, id_to: int, job_id: int | None,
                rows: Sequence[tuple], only: list[int] | None = None) -> int:
    """Write `rows` (tuples in STAGE_COLUMNS order) for one chunk; return how many rows of
    PersonYearStatus changed (inserted, updated with different values, or deleted).
    `only`: the rows are those of just these persons (an incremental run): the others' rows
    are left alone.

    Must run inside the chunk's transaction."""
    vendor = connection.vendor
    with connection.cursor() as cursor:
        cursor.execute(_stage_ddl(vendor))
        cursor.execute("DELETE FROM recalc_stage")
        if vendor == "postgresql":
            # No ANALYZE of the stage: the comparison hashes the stage against one index range
            # of the old rows and the DELETE's NOT IN is a hashed subplan, whatever the planner
            # guesses of the stage's size (it guesses from its pages).
            _copy(cursor, rows)
            params = {"year": year, "region": region, "lo": id_from, "hi": id_to,
                      "job": job_id, "now": timezone.now(), "only": only}
            cursor.execute(_pg_upsert_sql(), params)
            changed = max(cursor.rowcount, 0)
            cursor.execute(_pg_delete_sql(only is not None), params)
            # The stage empties itself at commit (ON COMMIT DELETE ROWS).
            return changed + cursor.fetchone()[0]
        marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
        cursor.executemany(f"INSERT INTO recalc_stage VALUES ({marks})",
                           [_sqlite_row(r) for r in rows])
        if job_id is not None:
            cursor.execute(_changes_of_upsert_sql(vendor), [job_id])
        cursor.execute(_upsert_sql(vendor), [job_id, timezone.now()])
        changed = max(cursor.rowcount, 0)
        if only is None:
            delete, params = _DELETE_SQL, [year, region, id_from, id_to]
        else:
            delete = _DELETE_SQL + " AND person_id IN (SELECT value FROM json_each(%s))"
            params = [year, region, id_from, id_to, json.dumps(only)]
        if job_id is not None:
            cursor.execute(_changes_of_delete_sql(delete), [job_id, *params])
        cursor.execute(delete, params)
        changed += max(cursor.rowcount, 0)
        cursor.execute("DELETE FROM recalc_stage")
    return changed


def _copy(cursor, rows: Iterable[tuple]) -> None:
    raw = cursor.cursor  # the psycopg cursor under Django's wrapper
    with raw.copy(f"COPY recalc_stage ({', '.join(STAGE_COLUMNS)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _sqlite_row(row: tuple) -> tuple:
    return tuple(v.isoformat() if isinstance(v, date) else v for v in row)
