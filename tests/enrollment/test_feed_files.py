"""Every kind of this module's feeds reads its template the way departments send it: CSV in
GB18030 and in UTF-8 with a BOM, and XLSX with real dates and numbers in the cells. The rows
come through the one upload reader (core.uploads) and pass the kind's checks."""
from __future__ import annotations

import csv
import datetime as dt
import io

import openpyxl
import pytest

from core.uploads import read_table
from enrollment.exchange.base import Context, feed
from tests import factories
from tests.enrollment.feedkit import TODAY

pytestmark = pytest.mark.django_db

KINDS = ["births", "students", "hardship", "veterans", "released", "tax_payments", "employee",
         "unemployed"]


@pytest.fixture
def example_people(region_tree, shipped_policies):
    factories.make_person(id_number="430121198005010034", name="张三")
    factories.make_person(id_number="430121198203080041", name="李四", sex="F",
                          birth_date=dt.date(1982, 3, 8))
    factories.make_person(id_number="430121199507150074", name="王五",
                          birth_date=dt.date(1995, 7, 15))
    factories.make_person(id_number="430121201009010116", name="张小明",
                          birth_date=dt.date(2010, 9, 1))


def _csv(kind: str, encoding: str) -> bytes:
    f = feed(kind)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(f.headers())
    writer.writerow([f.example_row()[h] for h in f.headers()])
    return out.getvalue().encode(encoding)


def _xlsx(kind: str) -> bytes:
    f = feed(kind)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(f.headers())
    row = []
    for header in f.headers():
        value = f.example_row()[header]
        if len(value) == 10 and value[4] == "-" and value[7] == "-":
            value = dt.datetime.fromisoformat(value)  # Excel keeps dates as dates
        elif header in ("缴费年度", "年度", "缴费月数"):
            value = int(value)
        row.append(value)
    sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig", "xlsx"])
def test_the_template_reads_from_each_kind_of_file(kind, encoding, village_clerk,
                                                    example_people):
    content = _xlsx(kind) if encoding == "xlsx" else _csv(kind, encoding)
    table = read_table(content, f"模板.{'xlsx' if encoding == 'xlsx' else 'csv'}")
    assert not feed(kind).missing_headers(table.headers)
    rows = [(r.number, d) for r, d in zip(table.rows, table.dicts())]
    checked, problems = feed(kind).check_rows(rows, Context(actor=village_clerk, today=TODAY))
    assert not problems, [(p.column, p.message) for p in problems]
    assert [c.row for c in checked] == [2]


@pytest.mark.parametrize("kind", KINDS)
def test_a_superuser_without_a_region_checks_the_example_too(kind, superuser, example_people):
    rows = [(2, feed(kind).example_row())]
    checked, problems = feed(kind).check_rows(
        rows, Context(actor=superuser, today=dt.date(2026, 11, 20)))
    assert not problems, [(p.column, p.message) for p in problems]
