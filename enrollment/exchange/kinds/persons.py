"""公安 household register: new persons and changes to known ones (户籍人员名单).

Checks per row in `person_rows` (shared with the bulk path), per batch here: the regions of the
batch and the persons already registered under its ID numbers, one query each. Writes in
`person_write` (batched ORM) or, on PostgreSQL with many rows, `bulk.apply_checked` (COPY and
set-based SQL); both leave the database the same.
"""
from __future__ import annotations

from django.db import connection

from ... import scope
from ...models import Person, Region
from ..base import CheckedRow, Context, Feed, Outcome, RowProblem, register
from ..person_rows import (COLUMNS, HUKOU, RESIDENCE, PersonRowChecker, cell_text,
                           duplicate_problem, elsewhere_problem, merged_problem)
from ..person_write import apply_orm

BULK_ROWS = 2000  # from this many rows on PostgreSQL, stage with COPY and write set-based


@register
class PersonsFeed(Feed):
    kind = "persons"
    title = "户籍人员名单"
    department = "公安"
    columns = COLUMNS

    def check_rows(self, rows: list[tuple[int, dict]], ctx: Context
                   ) -> tuple[list[CheckedRow], list[RowProblem]]:
        rows = [(number, {k: cell_text(v) for k, v in cells.items()}) for number, cells in rows]
        codes = {(cells.get(h) or "").strip() for _, cells in rows for h in (HUKOU, RESIDENCE)}
        known = set(Region.objects.filter(code__in=codes - {""}).values_list("code", flat=True))
        prefix = scope.region_prefix(ctx.actor)
        checker = PersonRowChecker(regions=known, prefix=prefix, today=ctx.today)
        checked, problems, first = [], [], {}
        for number, cells in rows:
            values, found = checker.check(number, cells)
            if found:
                problems.extend(found)
            elif values["id_number"] in first:
                problems.append(duplicate_problem(number, first[values["id_number"]]))
            else:
                first[values["id_number"]] = number
                checked.append(CheckedRow(number, values["id_number"], values))
        outside = self._registered_elsewhere(checked, prefix or "")
        problems += [outside[r.key](r.row) for r in checked if r.key in outside]
        return [r for r in checked if r.key not in outside], problems

    @staticmethod
    def _registered_elsewhere(checked: list[CheckedRow], prefix: str) -> dict:
        """ID numbers whose file lies outside the importer's scope, or was merged: the row is
        refused (a file in another region is only said to exist)."""
        found = Person.objects.filter(id_number__in=[r.key for r in checked]).values_list(
            "id_number", "residence_region_id", "hukou_region_id", "merged_into_id")
        refused = {}
        for number, residence, hukou, merged_into in found:
            if merged_into:
                refused[number] = lambda row, into=merged_into: merged_problem(row, into)
            elif not (residence.startswith(prefix) or hukou.startswith(prefix)):
                refused[number] = elsewhere_problem
        return refused

    def apply(self, rows: list[CheckedRow], ctx: Context) -> Outcome:
        scope.require_write(ctx.actor)
        if connection.vendor == "postgresql" and len(rows) >= BULK_ROWS:
            from ..bulk import apply_checked

            return apply_checked(rows, ctx)
        return apply_orm(rows, ctx)
