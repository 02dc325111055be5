"""The one Excel/CSV builder.

Every file a page hands out goes through here, so that every export:
- writes text as text cells (ID and phone numbers keep their digits and leading zeros);
- escapes formula injection: a text cell that starts with = + - @, a tab or a carriage return is
  prefixed with an apostrophe, so a name like =HYPERLINK(...) stays inert text in Excel and WPS;
- says when its data is from ("数据截至 … （北京时间）");
- carries a UTF-8 Chinese file name and `Cache-Control: no-store` (personal data must not sit
  in a proxy or browser cache).
"""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from typing import Iterable, Sequence
from urllib.parse import quote
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from django.utils import timezone

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
BEIJING = ZoneInfo("Asia/Shanghai")
# Leading characters that make Excel, WPS or LibreOffice read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
NOTES_SHEET = "说明"


def escape(value):
    """The value with formula injection defused; non-text values pass unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def as_of_line(moment: dt.datetime | None = None) -> str:
    """"数据截至 2026-12-02 18:30（北京时间）" for the given moment (default: now)."""
    moment = moment or timezone.now()
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, BEIJING)
    return f"数据截至 {moment.astimezone(BEIJING):%Y-%m-%d %H:%M}（北京时间）"


def content_disposition(filename: str) -> str:
    """An attachment header with the Chinese name (RFC 5987) and an ASCII fallback."""
    stem, dot, ext = filename.rpartition(".")
    if not dot:
        stem, ext = filename, ""
    stem = "".join(ch for ch in stem if ch.isascii() and ch.isprintable() and ch not in '"\\')
    ascii_name = (stem or "export") + (f".{ext}" if ext.isascii() and ext.isalnum() else "")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


@dataclass
class Sheet:
    """One worksheet: optional caption lines, a header row, then the rows."""

    title: str
    header: Sequence[str]
    rows: Iterable[Sequence]
    caption: Sequence[str] = ()
    widths: Sequence[int] | None = None  # None: fitted to the contents (at most 40)
    number_formats: dict[int, str] = field(default_factory=dict)  # column index -> format
    header_fill: str | None = None
    bold_last_row: bool = False
    last_column_fill: str | None = None  # e.g. the reasons column of an error file
    freeze: str | None = None  # default: below the header


def _cell_text(cell, value) -> None:
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

    if isinstance(value, str):
        value = ILLEGAL_CHARACTERS_RE.sub("", value)  # control characters Excel cannot hold
    value = escape(value)
    cell.value = value
    if isinstance(value, str):
        # Never a formula, whatever the value: the cell type is text.
        cell.data_type = "s"
        cell.number_format = "@"


def _write_sheet(ws, sheet: Sheet) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws.title = sheet.title[:31]
    for i, line in enumerate(sheet.caption, start=1):
        _cell_text(ws.cell(i, 1), line)
        ws.cell(i, 1).font = Font(bold=i == 1, size=13 if i == 1 and len(sheet.caption) > 1
                                  else 11)
    header_row = len(sheet.caption) + 1
    widths = [len(str(h)) * 2 + 2 for h in sheet.header]
    for col, title in enumerate(sheet.header, start=1):
        cell = ws.cell(header_row, col)
        _cell_text(cell, title)
        cell.font = Font(bold=True)
        if sheet.header_fill:
            cell.fill = PatternFill("solid", fgColor=sheet.header_fill)
            cell.alignment = Alignment(horizontal="center", wrap_text=True)
    row_number = header_row
    for row in sheet.rows:
        row_number += 1
        for col, value in enumerate(row, start=1):
            cell = ws.cell(row_number, col)
            _cell_text(cell, value)
            if col - 1 in sheet.number_formats and not isinstance(cell.value, str):
                cell.number_format = sheet.number_formats[col - 1]
            if col <= len(widths):
                widths[col - 1] = min(40, max(widths[col - 1], len(str(value or "")) + 2))
        if sheet.last_column_fill and row:
            ws.cell(row_number, len(row)).fill = PatternFill("solid",
                                                             fgColor=sheet.last_column_fill)
    if sheet.bold_last_row and row_number > header_row:
        for cell in ws[row_number]:
            cell.font = Font(bold=True)
    for i, width in enumerate(sheet.widths or widths, start=1):
        ws.column_dimensions[get_column_letter(i)].width = width
    ws.freeze_panes = sheet.freeze or f"A{header_row + 1}"


def workbook_bytes(sheets: Sheet | Sequence[Sheet], *, as_of: dt.datetime | None = None,
                   notes: Sequence[str] = ()) -> bytes:
    """The sheets as an .xlsx file, with a last sheet 说明 saying when the data is from."""
    from openpyxl import Workbook

    sheets = [sheets] if isinstance(sheets, Sheet) else list(sheets)
    wb = Workbook()
    for i, sheet in enumerate(sheets):
        _write_sheet(wb.active if i == 0 else wb.create_sheet(), sheet)
    info = wb.create_sheet(NOTES_SHEET)
    for i, line in enumerate([as_of_line(as_of), *notes], start=1):
        _cell_text(info.cell(i, 1), line)
    info.column_dimensions["A"].width = 60
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()


def _attachment(response: HttpResponse, filename: str) -> HttpResponse:
    response["Content-Disposition"] = content_disposition(filename)
    response["Cache-Control"] = "no-store"
    return response


def xlsx_response(filename: str, sheets: Sheet | Sequence[Sheet], *,
                  as_of: dt.datetime | None = None, notes: Sequence[str] = ()) -> HttpResponse:
    """An .xlsx download (see `workbook_bytes`)."""
    return _attachment(HttpResponse(workbook_bytes(sheets, as_of=as_of, notes=notes),
                                    content_type=XLSX_CONTENT_TYPE), filename)


def csv_response(filename: str, header: Sequence[str], rows: Iterable[Sequence], *,
                 as_of: dt.datetime | None = None) -> HttpResponse:
    """A CSV download in UTF-8 with a BOM (Excel needs it), escaped like the workbooks, the
    data-as-of line last."""
    response = _attachment(HttpResponse(content_type=CSV_CONTENT_TYPE), filename)
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow([escape(h) for h in header])
    for row in rows:
        writer.writerow([escape("" if v is None else v) for v in row])
    writer.writerow([])
    writer.writerow([as_of_line(as_of)])
    return response


def escape_dataset(dataset) -> None:
    """Escape a tablib dataset in place (django-import-export's admin exports)."""
    headers = [escape(h) for h in dataset.headers] if dataset.headers else None
    rows = [[escape(v) for v in row] for row in dataset]
    dataset.wipe()
    dataset.headers = headers
    dataset.extend(rows)


SPREADSHEET_FORMATS = ("CSV", "TSV", "XLS", "XLSX", "ODS")


def admin_export_formats() -> list[type]:
    """django-import-export's default formats, the spreadsheet ones escaped like our own files
    (the library's own escaping only strips a leading "=")."""
    from import_export.formats import base_formats

    formats = []
    for base in base_formats.DEFAULT_FORMATS:
        if base.__name__ in SPREADSHEET_FORMATS:
            base = type(base.__name__, (base,),
                        {"_escape_formulae": lambda self, dataset: escape_dataset(dataset),
                         "__module__": __name__})
        formats.append(base)
    return formats
