"""What every department feed is, so one flow serves them all.

A feed kind declares the Chinese column names the sending department uses (with an example row
for the downloadable template, which must pass its own checks), checks rows without writing
anything, and applies the checked rows through the registry's services (every enrollment through
the one door). Checking is per batch so a kind can look up all the persons of a batch in one
query; applying is idempotent: the same file applied twice reports created=0 updated=0.

Rows outside the importer's region are problems like any other (rejected, never silently
skipped); a row's problems name the row number of the file (header = row 1), the column, what is
wrong and what to do, in Chinese.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar, Iterable

MAX_CHANGES = 200  # "what changed" lines kept in a report; the counts are always complete


@dataclass(frozen=True)
class Column:
    header: str  # the column name as the department writes it, e.g. "证件号码"
    required: bool = True
    example: str = ""  # the template's example value; the example row must pass `check_rows`
    note: str = ""  # shown under the template's header: format, allowed words


@dataclass
class RowProblem:
    row: int  # row number in the file; the header is row 1
    column: str  # the header of the column at fault, or "" for the row as a whole
    message: str  # what is wrong, in Chinese
    hint: str = ""  # what to do about it, in Chinese


@dataclass
class CheckedRow:
    row: int
    key: str  # the row's natural key (usually the ID number): a key twice in one file is a problem
    values: dict  # cleaned values under the kind's own names (dates as dates, codes as strings)


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[str] = field(default_factory=list)  # "张三：人员状态 正常→死亡", at most MAX_CHANGES

    def note(self, line: str) -> None:
        if len(self.changes) < MAX_CHANGES:
            self.changes.append(line)

    def add(self, other: "Outcome") -> None:
        self.created += other.created
        self.updated += other.updated
        self.unchanged += other.unchanged
        for line in other.changes:
            self.note(line)


@dataclass
class Context:
    """What a kind may know about the import it is part of."""
    actor: object  # the importing staff user; scope comes from enrollment.scope
    today: dt.date
    source: str = ""  # free text stored as the data source, e.g. "公安户籍 2026-11"
    request: object = None  # for the audit row's IP, when the import came from a page


class Feed:
    """One kind of department file. Subclass, fill the class attributes, implement both methods,
    and decorate with `@register`."""

    kind: ClassVar[str]  # the command's KIND: persons, births, deregistrations, …
    title: ClassVar[str]  # Chinese name of the list, e.g. "户籍注销人员名单"
    department: ClassVar[str]  # e.g. "公安"
    columns: ClassVar[tuple[Column, ...]]

    def check_rows(self, rows: list[tuple[int, dict]], ctx: Context
                   ) -> tuple[list[CheckedRow], list[RowProblem]]:
        """Check a batch of (row number, {header: text}) without writing. Every row ends up
        either checked or with at least one problem."""
        raise NotImplementedError

    def apply(self, rows: list[CheckedRow], ctx: Context) -> Outcome:
        """Write the checked rows (the caller holds the transaction). Rows already recorded
        count as unchanged."""
        raise NotImplementedError

    def may_import(self, user) -> bool:
        """Whether this user may import this kind, beyond `scope.can_import_feeds` (which the
        flow asks first). Override to narrow it, asking a capability of enrollment/scope.py."""
        return True

    # --- shared helpers -------------------------------------------------------------------

    @classmethod
    def headers(cls) -> list[str]:
        return [c.header for c in cls.columns]

    @classmethod
    def example_row(cls) -> dict:
        return {c.header: c.example for c in cls.columns}

    @classmethod
    def missing_headers(cls, headers: Iterable[str]) -> list[str]:
        present = {str(h).strip() for h in headers}
        return [c.header for c in cls.columns if c.required and c.header not in present]


def cell_text(value) -> str:
    """A cell as the text a kind checks: an XLSX gives numbers and dates where a CSV gives text
    (a region code typed as a number, a date formatted as a date), so dates become 2026-01-31
    and whole numbers lose their ".0"."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


FEEDS: dict[str, Feed] = {}


def register(cls: type[Feed]) -> type[Feed]:
    if cls.kind in FEEDS:
        raise ValueError(f"feed kind {cls.kind} registered twice")
    FEEDS[cls.kind] = cls()
    return cls


def feed(kind: str) -> Feed:
    """The feed of a kind, or KeyError. Importing `kinds` registers every module in it."""
    from . import kinds  # noqa: F401  (registration happens on import)

    return FEEDS[kind]


def all_feeds() -> list[Feed]:
    from . import kinds  # noqa: F401

    return list(FEEDS.values())
