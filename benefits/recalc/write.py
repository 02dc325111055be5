"""One set-based write per chunk into PersonYearStatus.

The chunk's rows go into a temporary stage table (PostgreSQL: COPY; SQLite: executemany), then one
INSERT … SELECT … ON CONFLICT (person_id, year) DO UPDATE … WHERE the values are distinct, and one
DELETE of the chunk's rows whose enrollment is gone. The row counts of those two statements are
the rows whose values changed: a second run straight after changes nothing.

Before each of the two, one INSERT … SELECT keeps what the job changed for a person (the cap
credits and the waiting period, before → after) in `benefits_recalcchange`, joining the stage to
the old rows on the unique (person, year) key: in the chunk's transaction, so a redone chunk
leaves no half of it, and set-based, so the bulk path pays one indexed join per chunk.
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
            _copy(cursor, rows)
            # A temporary table has no statistics: without them the planner nests loops over it.
            cursor.execute("ANALYZE recalc_stage")
        else:
            marks = ", ".join(["%s"] * len(STAGE_COLUMNS))
            cursor.executemany(f"INSERT INTO recalc_stage VALUES ({marks})",
                               [_sqlite_row(r) for r in rows])
        if job_id is not None:
            cursor.execute(_changes_of_upsert_sql(vendor), [job_id])
        cursor.execute(_upsert_sql(vendor), [job_id, timezone.now()])
        changed = max(cursor.rowcount, 0)
        if only is None:
            delete, params = _DELETE_SQL, [year, region, id_from, id_to]
        elif vendor == "postgresql":
            delete = _DELETE_SQL + " AND person_id = ANY(%s::bigint[])"
            params = [year, region, id_from, id_to, only]
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
