"""Tables partitioned by coverage year on PostgreSQL (declarative RANGE partitions on `year`).

The tables that grow with persons × years are split into one partition per coverage year plus a
DEFAULT partition, so that a closed year can be detached, archived and vacuumed apart and each
year's indexes stay the size of one year. Which tables are partitioned is decided by the apps'
migrations (they call `rebuild`); everything else here finds the partitioned tables in the
catalog, so core imports no app. SQLite keeps plain tables: every function is a no-op there.

PostgreSQL requires the partition key in every primary key and unique constraint: the primary
key becomes (id, year) (Django still sees `id` as the primary key; the identity sequence keeps
`id` unique on its own), and a foreign key that points at a partitioned table must name
(id, year) too. `rebuild` therefore refuses a table that other tables reference.
"""
from __future__ import annotations

from dataclasses import dataclass

KEY = "year"
DEFAULT_SUFFIX = "_default"
ARCHIVE_SCHEMA = "archive"


def initial_years() -> range:
    """The partitions a migration makes besides the years already in the table: last year,
    this year and next year (beat adds the following ones ahead of January)."""
    import datetime as dt

    this_year = dt.date.today().year
    return range(this_year - 1, this_year + 2)


def partition_name(table: str, year: int) -> str:
    return f"{table}_y{year}"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class Partition:
    name: str
    year: int | None  # None: the DEFAULT partition
    rows: int  # the planner's estimate (reltuples), -1 before the first ANALYZE


def is_postgresql(connection) -> bool:
    return connection.vendor == "postgresql"


def partitioned_tables(connection) -> list[str]:
    """The tables partitioned by RANGE on `year`, from the catalog."""
    if not is_postgresql(connection):
        return []
    with connection.cursor() as cur:
        cur.execute("""
            SELECT c.relname FROM pg_partitioned_table p
            JOIN pg_class c ON c.oid = p.partrelid
            JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = current_schema()
            JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = p.partattrs[0]
            WHERE p.partstrat = 'r' AND p.partnatts = 1 AND a.attname = %s
            ORDER BY c.relname""", [KEY])
        return [row[0] for row in cur.fetchall()]


def partitions(connection, table: str) -> list[Partition]:
    """The partitions of `table`, by year (the DEFAULT partition last)."""
    with connection.cursor() as cur:
        cur.execute("""
            SELECT c.relname, pg_get_expr(c.relpartbound, c.oid), c.reltuples::bigint
            FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
            WHERE i.inhparent = %s::regclass""", [table])
        found = []
        for name, bound, rows in cur.fetchall():
            year = None
            if bound != "DEFAULT":  # FOR VALUES FROM (2026) TO (2027)
                year = int(bound.split("(", 1)[1].split(")", 1)[0].strip("'"))
            found.append(Partition(name=name, year=year, rows=rows))
    return sorted(found, key=lambda p: (p.year is None, p.year or 0))


def _referenced_by(cur, table: str) -> list[str]:
    cur.execute("""SELECT conname || ' (' || conrelid::regclass::text || ')' FROM pg_constraint
                   WHERE confrelid = %s::regclass AND contype = 'f'""", [table])
    return [row[0] for row in cur.fetchall()]


def rebuild(schema_editor, table: str, years=None) -> None:
    """Rebuild `table` as partitioned by `year` (one partition per year in `years` and in its
    rows, plus DEFAULT) or, with `years=None`, back as a plain table (the reverse migration).
    Keeps its rows, column defaults, checks, identity, foreign keys, unique constraints and
    indexes with their names; the primary key is (id, year) when partitioned. Refuses a table
    that other tables reference by foreign key (drop or widen those first)."""
    if not is_postgresql(schema_editor.connection):
        return
    plain = f"{table}__plain"
    with schema_editor.connection.cursor() as cur:
        others = _referenced_by(cur, table)
        if others:
            raise RuntimeError(f"{table} is referenced by {', '.join(others)}: a foreign key to "
                               f"a partitioned table must include {KEY}")
        cur.execute("""SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
                       JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass
                       AND NOT EXISTS (SELECT 1 FROM pg_constraint c
                                       WHERE c.conrelid = x.indrelid AND c.conindid = i.oid)""",
                    [table])
        indexes = cur.fetchall()
        cur.execute("""SELECT conname, contype, pg_get_constraintdef(oid) FROM pg_constraint
                       WHERE conrelid = %s::regclass AND contype IN ('p', 'u', 'f')
                       ORDER BY contype DESC, conname""", [table])
        constraints = cur.fetchall()
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        sequence = cur.fetchone()[0]
        years = None if years is None else set(years)
        if years is not None:
            cur.execute(f"SELECT DISTINCT {KEY} FROM {_q(table)}")
            years |= {row[0] for row in cur.fetchall()}

        cur.execute(f"ALTER TABLE {_q(table)} RENAME TO {_q(plain)}")
        if sequence:
            cur.execute(f"ALTER SEQUENCE {sequence} RENAME TO {_q(plain + '_id_seq')}")
        like = (f"(LIKE {_q(plain)} INCLUDING DEFAULTS INCLUDING CONSTRAINTS INCLUDING IDENTITY "
                f"INCLUDING STORAGE INCLUDING COMMENTS)")
        if years is None:
            cur.execute(f"CREATE TABLE {_q(table)} {like}")
        else:
            cur.execute(f"CREATE TABLE {_q(table)} {like} PARTITION BY RANGE ({KEY})")
            for year in sorted(years):
                cur.execute(f"CREATE TABLE {_q(partition_name(table, year))} PARTITION OF "
                            f"{_q(table)} FOR VALUES FROM ({year}) TO ({year + 1})")
            cur.execute(f"CREATE TABLE {_q(table + DEFAULT_SUFFIX)} PARTITION OF {_q(table)} "
                        f"DEFAULT")
        cur.execute(f"INSERT INTO {_q(table)} OVERRIDING SYSTEM VALUE SELECT * FROM {_q(plain)}")
        if sequence:
            cur.execute(f"SELECT setval(pg_get_serial_sequence(%s, 'id'), "
                        f"COALESCE((SELECT max(id) FROM {_q(table)}), 0) + 1, false)", [table])
        cur.execute(f"DROP TABLE {_q(plain)}")
        for name, kind, definition in constraints:
            if kind == "p":
                definition = f"PRIMARY KEY (id, {KEY})" if years is not None else "PRIMARY KEY (id)"
            cur.execute(f"ALTER TABLE {_q(table)} ADD CONSTRAINT {_q(name)} {definition}")
        for name, definition in indexes:
            # From a partitioned table the definition reads "ON ONLY" (the parent alone); the
            # table built here is the other kind, and ONLY must not keep its partitions bare.
            cur.execute(definition.replace(" ON ONLY ", " ON ", 1))


def ensure(connection, table: str, year: int) -> bool:
    """Create the partition of `year` unless it exists (True when created). Rows of that year
    already in the DEFAULT partition move into it, in the same transaction."""
    if any(p.year == year for p in partitions(connection, table)):
        return False
    name, default = partition_name(table, year), table + DEFAULT_SUFFIX
    bounds = f"{KEY} >= {year} AND {KEY} < {year + 1}"
    has_default = any(p.year is None for p in partitions(connection, table))
    with connection.cursor() as cur:
        cur.execute(f"CREATE TABLE {_q(name)} (LIKE {_q(table)} INCLUDING DEFAULTS "
                    f"INCLUDING CONSTRAINTS INCLUDING STORAGE)")
        # The bound as a check first, so ATTACH need not scan the new table to prove it.
        cur.execute(f"ALTER TABLE {_q(name)} ADD CONSTRAINT {_q(name + '_bound')} "
                    f"CHECK ({bounds})")
        if has_default:
            cur.execute(f"WITH moved AS (DELETE FROM {_q(default)} WHERE {KEY} = %s "
                        f"RETURNING *) INSERT INTO {_q(name)} SELECT * FROM moved", [year])
        cur.execute(f"ALTER TABLE {_q(table)} ATTACH PARTITION {_q(name)} "
                    f"FOR VALUES FROM ({year}) TO ({year + 1})")
        cur.execute(f"ALTER TABLE {_q(name)} DROP CONSTRAINT {_q(name + '_bound')}")
    return True


def archive(connection, table: str, year: int) -> str | None:
    """Detach the partition of `year` and move it to the `archive` schema, where it stays
    readable (dump it, then drop it); returns its archived name, None when it has none."""
    found = [p for p in partitions(connection, table) if p.year == year]
    if not found:
        return None
    name = found[0].name
    with connection.cursor() as cur:
        cur.execute(f"CREATE SCHEMA IF NOT EXISTS {ARCHIVE_SCHEMA}")
        cur.execute(f"ALTER TABLE {_q(table)} DETACH PARTITION {_q(name)}")
        cur.execute(f"ALTER TABLE {_q(name)} SET SCHEMA {ARCHIVE_SCHEMA}")
    return f"{ARCHIVE_SCHEMA}.{name}"
