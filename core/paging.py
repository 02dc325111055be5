"""Keyset pagination for long lists (persons, ledger, tasks, dashboard people lists).

A page is "the next N rows after this key", never "skip N×page rows": the database walks the
ordering index from the cursor, so page 2,000 costs what page 1 costs. The list must be ordered by
ascending, non-null columns of its own table ending in a unique one (the primary key); the cursor
is the key of the page's last (or first) row, plus the page's ordinal for the "第N页" label, in an
opaque URL-safe string. A cursor that does not decode is page 1 (links are made by us; anything
else is made up).

`ids_first`: the page's keys are read first (only the key columns: an index-only scan where an
index carries the keys and the filter's columns) and then its rows by primary key, so a walk that
skips many rows before it has a page reads index entries, not table rows. For querysets without
annotations (the rows are fetched again by primary key, with their select_related and
prefetch_related).

Counts: exact only where cheap (SQLite, a small desk); on PostgreSQL the planner's estimate of the
filtered query, shown as "约", so a list never pays a COUNT(*) over millions of rows.
"""
from __future__ import annotations

import base64
import datetime as dt
import json
from dataclasses import dataclass, field

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import BooleanField
from django.db.models.expressions import RawSQL

PER_PAGE = 50


@dataclass
class KeysetPage:
    rows: list
    number: int
    has_next: bool
    has_previous: bool
    next_cursor: str = ""
    previous_cursor: str = ""
    total: int | None = None
    total_is_estimate: bool = False
    keyset: bool = field(default=True, init=False)

    def __getitem__(self, name):  # templates and tests read a page like the dicts of old
        return getattr(self, name)


def encode_cursor(number: int, values: list) -> str:
    raw = json.dumps([number, [v.isoformat() if isinstance(v, (dt.date, dt.datetime)) else v
                               for v in values]], ensure_ascii=False, separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, width: int) -> tuple[int, list] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        number, values = json.loads(raw)
    except (ValueError, TypeError):
        return None
    if (not isinstance(number, int) or not isinstance(values, list) or len(values) != width
            or not all(isinstance(v, (str, int)) for v in values)):
        return None
    return max(1, min(number, 10**9)), values


def _columns(qs, keys):
    meta = qs.model._meta
    fields = [meta.pk if k == "pk" else meta.get_field(k) for k in keys]
    quote = connections[qs.db].ops.quote_name
    return fields, [f"{quote(meta.db_table)}.{quote(f.column)}" for f in fields]


def _after(qs, columns, values, op):
    # A row comparison, (a, b, id) > (x, y, z): PostgreSQL reads it straight off a composite
    # index in order; SQLite (3.15+) understands it too.
    marks = ", ".join(["%s"] * len(values))
    sql = f"({', '.join(columns)}) {op} ({marks})"
    return qs.filter(RawSQL(sql, values, output_field=BooleanField()))


def _fetch(qs, ordered, limit: int, ids_first: bool) -> list:
    if not ids_first:
        return list(ordered[:limit])
    ids = list(ordered.values_list("pk", flat=True)[:limit])
    rows = qs.model._default_manager.using(qs.db).filter(pk__in=ids)
    rows.query.select_related = qs.query.select_related
    by_pk = {row.pk: row for row in rows.prefetch_related(*qs._prefetch_related_lookups)}
    return [by_pk[pk] for pk in ids if pk in by_pk]


def keyset_page(qs, params, *, keys=("pk",), per_page: int = PER_PAGE,
                count: bool = False, descending: bool = False,
                ids_first: bool = False) -> KeysetPage:
    """The page of `qs` named by `params` (request.GET: `after=` or `before=` cursor), ordered
    by `keys` (all descending with `descending`: newest first). `count`: also give the total
    (exact on SQLite, estimated on PostgreSQL)."""
    fields, columns = _columns(qs, keys)
    down, up = ("<", ">") if descending else (">", "<")
    order = [f"-{k}" for k in keys] if descending else list(keys)
    backwards = list(keys) if descending else [f"-{k}" for k in keys]
    after = decode_cursor(params.get("after", ""), len(keys)) if params.get("after") else None
    before = decode_cursor(params.get("before", ""), len(keys)) if params.get("before") else None
    if before:
        number = max(1, before[0])
        rows = _fetch(qs, _after(qs, columns, before[1], up).order_by(*backwards),
                      per_page + 1, ids_first)
        has_previous = len(rows) > per_page and number > 1
        rows = rows[:per_page][::-1]
        has_next = True
    else:
        number = after[0] if after else 1
        base = _after(qs, columns, after[1], down) if after else qs
        rows = _fetch(qs, base.order_by(*order), per_page + 1, ids_first)
        has_next = len(rows) > per_page
        rows = rows[:per_page]
        has_previous = after is not None
    if not rows and before:  # the rows before the cursor went away: start again at page 1
        return keyset_page(qs, {}, keys=keys, per_page=per_page, count=count,
                           descending=descending, ids_first=ids_first)

    def key_of(row):
        return [getattr(row, f.attname) for f in fields]

    page = KeysetPage(rows=rows, number=number, has_next=has_next, has_previous=has_previous)
    if rows:
        page.next_cursor = encode_cursor(number + 1, key_of(rows[-1]))
        page.previous_cursor = encode_cursor(number - 1, key_of(rows[0]))
    if count:
        page.total, page.total_is_estimate = estimated_count(qs)
    return page


def estimated_count(qs) -> tuple[int, bool]:
    """(count, is_estimate): the planner's row estimate on PostgreSQL (no scan), the exact
    count elsewhere (the embedded SQLite database is one office's)."""
    connection = connections[qs.db]
    if connection.vendor != "postgresql":
        return qs.count(), False
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:  # a filter known to match nothing (pk__in=[]): no query at all
        return 0, False
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"]), True


def list_page(rows, number, per_page: int = PER_PAGE) -> dict:
    """A page of a bounded list already in memory (the radar's lines, capped where they are
    built): ?page=N, a next page when one more row exists. Long database lists use
    `keyset_page` instead."""
    try:
        number = max(1, int(number))
    except (TypeError, ValueError):
        number = 1
    start = (number - 1) * per_page
    chunk = list(rows[start:start + per_page + 1])
    return {"rows": chunk[:per_page], "number": number, "has_next": len(chunk) > per_page,
            "has_previous": number > 1, "next": number + 1, "previous": number - 1}
