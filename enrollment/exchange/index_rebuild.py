"""The classic bulk load for an import large against the registry: write the rows first, build
the secondary indexes afterwards (PostgreSQL only; docs/scale.md "Imports").

Building an index over a million sorted entries is far cheaper than a million insertions into
it (each a descent of the b-tree, or a GIN posting-list update). It is used only when the new
persons of the file are at least REBUILD_SHARE of the persons already registered (the first
load of a city or a province, an empty table), because dropping an index takes ACCESS
EXCLUSIVE on its table:

- The drop, the writes and the rebuild are in the import's one transaction. The indexes are
  taken from the catalogue (`pg_get_indexdef`) and created again with the same names and
  definitions before the commit; whatever fails rolls them back with the rows (PostgreSQL's DDL
  is transactional), so no other session ever sees the tables without them.
- The lock is taken just before the writes, with a short lock_timeout: if
  another session holds the table (a long report), the import does not wait (and make every
  page wait behind it) but writes through the indexes, as for a small file.
- From then to the commit, every other reader and writer of enrollment_person and its history
  waits: the person pages of the whole registry stand still for the write phase. Hence the
  threshold: a daily file (a few per cent of the registry) never takes this path.
- Unique indexes and primary keys stay: the upsert's ON CONFLICT and the database's refusal of
  a second file for one ID number depend on them.
"""
from __future__ import annotations

import contextlib

from django.db import OperationalError, transaction

REBUILD_SHARE = 0.2  # new persons / persons registered, at or above which the indexes wait
LOCK_TIMEOUT = "5s"
TABLES = ("enrollment_person", "enrollment_historicalperson")


def worth_it(cursor, stage: str, share: float | None = None) -> bool:
    """Whether the new persons of the staging table (ID numbers not registered yet) are at
    least `share` of the persons registered. Counts at most staged / share persons (never the
    whole registry), then the new ones only if the file could be large enough: a file imported
    again (nothing new) never rebuilds."""
    share = REBUILD_SHARE if share is None else share
    cursor.execute(f"SELECT count(*) FROM {stage}")
    staged = cursor.fetchone()[0]
    if not staged:
        return False
    bound = int(staged / share) + 1
    cursor.execute("SELECT count(*) FROM (SELECT 1 FROM enrollment_person LIMIT %s) t", [bound])
    registered = cursor.fetchone()[0]
    if registered == bound:
        return False
    cursor.execute(f"SELECT count(*) FROM {stage} s WHERE NOT EXISTS "
                   "(SELECT 1 FROM enrollment_person p WHERE p.id_number_bidx = s.bidx)")
    new = cursor.fetchone()[0]
    return new > 0 and new >= share * registered


def _lock(cursor, tables) -> bool:
    try:
        with transaction.atomic():  # a savepoint: a timeout leaves the import's transaction usable
            cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
            cursor.execute(f"LOCK TABLE {', '.join(tables)} IN ACCESS EXCLUSIVE MODE")
    except OperationalError:
        return False
    finally:
        cursor.execute("SET LOCAL lock_timeout TO DEFAULT")
    return True


def secondary_indexes(cursor, tables=TABLES) -> list[tuple[str, str]]:
    """(name, CREATE INDEX statement) of every index of `tables` that neither is unique nor is
    the primary key."""
    cursor.execute(
        "SELECT c.relname, pg_get_indexdef(i.indexrelid) FROM pg_index i "
        "JOIN pg_class c ON c.oid = i.indexrelid "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisunique AND NOT i.indisprimary "
        "ORDER BY c.relname", [list(tables)])
    return cursor.fetchall()


@contextlib.contextmanager
def indexes_after(cursor, *, stage: str, tables=TABLES):
    """Inside the caller's transaction: when the import is large against the registry and the
    tables can be locked at once, drop their secondary indexes for the block and build them
    again at its end. Yields whether it did."""
    if not (worth_it(cursor, stage) and _lock(cursor, tables)):
        yield False
        return
    indexes = secondary_indexes(cursor, tables)
    for name, _ in indexes:
        cursor.execute(f'DROP INDEX "{name}"')
    yield True
    # PostgreSQL builds no index on a table with pending trigger events: the foreign-key checks
    # Django declares DEFERRABLE INITIALLY DEFERRED run now instead of at the commit (the same
    # checks, in the same transaction), and are deferred again afterwards.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    for _, create in indexes:
        cursor.execute(create)
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    # A first load leaves statistics of an empty table: the pages' plans need the new ones now,
    # not at autovacuum's next visit (a sample of 30,000 rows: a second or two at a million).
    cursor.execute(f"ANALYZE {', '.join(tables)}")
