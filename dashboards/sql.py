"""SQL helpers shared by the rollup refresh (`rollups`) and the outreach funnel (`funnel`):
the code-prefix depths the rollups are kept at, the SQL for a leaf's ancestor code at a depth,
and the few places PostgreSQL and SQLite differ. Both modules import this one and not each
other."""
from __future__ import annotations

import datetime as dt
from contextlib import contextmanager

from enrollment import regions

# Code prefix lengths of the levels, grid first: every level the rollups are kept at.
DEPTHS = tuple(regions.LEVEL_LENGTH[level] for level in reversed(regions.LEVEL_ORDER))
# The daily curve stops at village level: grid-by-day rows would be most of the refresh's work.
DAILY_DEPTHS = DEPTHS[1:]
_GRID = regions.LEVEL_LENGTH[regions.GRID]


class Dialect:
    def __init__(self, vendor: str):
        self.vendor = vendor

    def days_between(self, later: str, earlier: str) -> str:
        if self.vendor == "postgresql":
            return f"({later} - {earlier})"
        return f"(julianday({later}) - julianday({earlier}))"

    def to_date(self, column: str) -> str:
        if self.vendor == "postgresql":
            return f"CAST({column} AS date)"
        return f"date({column})"

    def timestamp(self, value):
        """An aware datetime as a parameter compared with a stored timestamp: SQLite keeps
        Django's timestamps as UTC text, so it gets the same text."""
        if self.vendor == "postgresql":
            return value
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")

    def cents(self, amount: str) -> str:
        """A money amount (2 decimal places) as whole cents for summing: PostgreSQL sums a
        numeric with a growing state per group, which made the per-person money sums most of
        the rollup's time. An integer, not a bigint: SUM(bigint) keeps a 128-bit state
        allocated per group (the per-person aggregate then spilled to disk at 1M), SUM(integer)
        a bigint held in place, and the 1M leaf query took 4 s instead of 5.5 s. One amount
        (a premium, a subsidy, a transfer: hundreds of yuan) above 21,474,836.47 yuan would
        stop the refresh with "integer out of range", never give a wrong sum. Exact; SQLite
        keeps the amount as it is."""
        if self.vendor == "postgresql":
            return f"CAST(({amount}) * 100 AS integer)"
        return amount

    def from_cents(self, total: str) -> str:
        """The twin of `cents`: a sum of cents back to an amount."""
        if self.vendor == "postgresql":
            return f"(({total}) / 100.0)"
        return total

    def analyze(self, cursor) -> None:
        if self.vendor == "postgresql":  # fresh statistics, so pages get the index plans
            cursor.execute("ANALYZE dashboards_coveragerollup, dashboards_dailycollection, "
                           "dashboards_funnelrollup")

    def analyze_temp(self, cursor, table: str, columns: tuple[str, ...] = ()) -> None:
        """`columns`: the ones the next statements join or filter on (the row count comes
        with any); the statistics of every column of a wide table were a tenth of a refresh."""
        if self.vendor == "postgresql":  # temp tables get no statistics by themselves
            listed = f" ({', '.join(columns)})" if columns else ""
            cursor.execute(f"ANALYZE {table}{listed}")

    @contextmanager
    def hash_joins(self, cursor):
        """Statements planned with hash joins only (the daily curve's comparison with the stored
        curve). What the stored table holds when a statement is planned says little about what
        it holds when it runs: on the first refresh after the table was emptied it looks empty,
        while the other connection writes its years into it, and a nested loop over it (the
        planner's choice for "empty") ran for minutes at 100,000 persons. Merge joins sorted
        both ~100,000-row sides on their text codes (230 ms where hashing took 75 ms)."""
        if self.vendor != "postgresql":
            yield
            return
        cursor.execute("SET LOCAL enable_nestloop = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        try:
            yield
        finally:
            cursor.execute("RESET enable_nestloop")
            cursor.execute("RESET enable_mergejoin")

    def lock(self, cursor, years) -> None:
        # Two workers refreshing the same year at once would fight over the same rows; on
        # PostgreSQL take a transaction-scoped advisory lock per year, in year order so that two
        # refreshes of overlapping years cannot deadlock (SQLite's IMMEDIATE transactions
        # already serialise). Different years are different rows: the full refresh runs them
        # side by side. Enough memory for the GROUP BYs to hash instead of sorting on disk,
        # for this transaction only. No JIT: compiling the leaf query's hundred expressions
        # took 0.1 s (1.0 s once its cost passes jit_optimize_above_cost, as at 1,000,000
        # persons) for every year, and the compiled query ran no faster (hashing and joins,
        # not expressions, are its work: 0.87 s with JIT against 0.75 s without at 100,000).
        if self.vendor == "postgresql":
            for year in sorted(set(years)):
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [641_2026, year])
            cursor.execute("SET LOCAL work_mem = '256MB'")
            cursor.execute("SET LOCAL jit = off")


def code_at(depth: int, column: str = "code") -> str:
    """SQL for the code of the ancestor at `depth` of a leaf code (the SQL twin of
    `regions.ancestor_code`: a 12-digit code padded with zeros; grids keep their 15 digits)."""
    if depth == _GRID:
        return column
    if depth == regions.CODE_LENGTH:
        return f"substr({column}, 1, {regions.CODE_LENGTH})"
    return f"(substr({column}, 1, {depth}) || '{'0' * (regions.CODE_LENGTH - depth)}')"


def parent_at(depth: int, column: str = "code") -> str:
    index = DEPTHS.index(depth)
    if index == len(DEPTHS) - 1:
        return "''"
    return code_at(DEPTHS[index + 1], column)
