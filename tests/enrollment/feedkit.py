"""Running a department feed in tests as the flow does: check a batch, then apply the checked
rows inside one transaction (the flow itself is tested by feeds-core)."""
from __future__ import annotations

import datetime as dt

from django.db import transaction

from enrollment.exchange.base import Context, feed

TODAY = dt.date(2026, 12, 1)


def rows(*dicts: dict, first: int = 2) -> list[tuple[int, dict]]:
    """(row number, cells) as the reader gives them: the header is row 1."""
    return [(first + i, d) for i, d in enumerate(dicts)]


def check(kind: str, user, *cells: dict, today: dt.date = TODAY):
    return feed(kind).check_rows(rows(*cells), Context(actor=user, today=today, source="测试"))


def run(kind: str, user, *cells: dict, today: dt.date = TODAY):
    """Check and apply; fails the test if any row has a problem."""
    checked, problems = check(kind, user, *cells, today=today)
    assert not problems, [(p.row, p.column, p.message) for p in problems]
    with transaction.atomic():
        return feed(kind).apply(checked, Context(actor=user, today=today, source="测试"))


def problems_of(kind: str, user, *cells: dict, today: dt.date = TODAY):
    """[(row, column, message)] of the batch's problems; every problem says what to do."""
    checked, problems = check(kind, user, *cells, today=today)
    for p in problems:
        assert p.message and p.hint and p.row >= 2, p
    return [(p.row, p.column, p.message) for p in problems]


def example_passes(kind: str, user, today: dt.date = TODAY) -> None:
    f = feed(kind)
    checked, problems = f.check_rows(rows(f.example_row()), Context(actor=user, today=today))
    assert not problems, [(p.column, p.message) for p in problems]
    assert len(checked) == 1
