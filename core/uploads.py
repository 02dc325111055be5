"""The one upload reader, and the staging of uploads between preview and confirm.

Reading: CSV in UTF-8 (with or without BOM) or GB18030/GBK (what Excel on a Chinese Windows
saves), and XLSX, become one shape: a header and rows that keep their row number in the file
(header = row 1), so every message can point at the line the user sees. Anything unreadable is an
`UploadError` in Chinese, never a 500.

Staging: a file waiting for confirmation is stored under a random name inside a directory of its
own user, never under a name that came from the form; it expires after `STAGED_TTL` and the
sweep (a Celery beat task) deletes abandoned ones, which may carry ID numbers.
"""
from __future__ import annotations

import csv
import io
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError

CSV_ENCODINGS = ("utf-8-sig", "gb18030")  # GB18030 is a superset of GBK and GB2312
EXTENSIONS = (".csv", ".xlsx")
STAGED_TTL = 3600  # seconds a staged upload stays usable
_TOKEN = re.compile(r"^[0-9a-f]{32}\.(csv|xlsx)$")


class UploadError(ValidationError):
    """An upload that cannot be read; the message says what to do, in Chinese."""


@dataclass
class TableRow:
    number: int  # the row number in the file; the header is row 1
    values: list


@dataclass
class Table:
    headers: list[str]
    rows: list[TableRow]

    def __len__(self) -> int:
        return len(self.rows)

    def dicts(self, blank="") -> list[dict]:
        """Rows as dicts keyed by the header; empty cells become `blank`."""
        return [dict(zip(self.headers, [blank if v is None else v for v in r.values]))
                for r in self.rows]

    def dataset(self):
        """The table as a tablib Dataset (for django-import-export resources)."""
        import tablib

        width = len(self.headers)
        return tablib.Dataset(*[tuple((list(r.values) + [None] * width)[:width])
                                for r in self.rows], headers=self.headers)


def max_bytes() -> int:
    return getattr(settings, "UPLOAD_MAX_BYTES", 10 * 1024 * 1024)


def max_rows_default() -> int:
    return getattr(settings, "UPLOAD_MAX_ROWS", 50_000)


def limits_text() -> str:
    """The limits as every upload page states them."""
    return f"文件不超过{max_bytes() // (1024 * 1024)}MB、{max_rows_default()}行（.xlsx 或 .csv）。"


def check_size(size: int, limit: int | None = None) -> None:
    limit = max_bytes() if limit is None else limit
    if size > limit:
        raise UploadError(f"文件超过{limit // (1024 * 1024)}MB，请按乡镇拆分后分批上传。")


def suffix_of(name: str) -> str:
    name = (name or "").lower()
    for ext in EXTENSIONS:
        if name.endswith(ext):
            return ext
    raise UploadError("请上传 .xlsx 或 .csv 文件。")


def decode_csv(content: bytes) -> str:
    """CSV bytes as text (UTF-8 with or without BOM, or GB18030), or an UploadError."""
    return _decode(content)


def _decode(content: bytes) -> str:
    if b"\x00" in content[:4096]:
        raise UploadError("文件不是 CSV 文本，请用 Excel 另存为 .xlsx 或 CSV（UTF-8）后重新上传。")
    for encoding in CSV_ENCODINGS:
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UploadError("文件编码无法识别，请另存为 UTF-8 编码的 CSV 或 Excel（.xlsx）格式。")


def _xlsx_rows(content: bytes) -> list[list]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        try:
            return [list(r) for r in workbook.active.iter_rows(values_only=True)]
        finally:
            workbook.close()
    except Exception:
        # A renamed or damaged file: openpyxl raises zip, XML or key errors of many kinds.
        raise UploadError("文件无法读取：不是有效的 Excel（.xlsx）文件。请用 Excel 打开后另存为"
                          " .xlsx 或 CSV 再上传。") from None


def read_table(content: bytes, name: str, *, max_rows: int | None = None,
               max_size: int | None = None) -> Table:
    """The upload as a header and numbered rows; blank rows are left out (their numbers are
    kept by the rows after them). Size and rows are limited (`limits_text`; department feeds
    pass their own, larger limits)."""
    check_size(len(content), max_size)
    max_rows = max_rows_default() if max_rows is None else max_rows
    if suffix_of(name) == ".xlsx":
        raw = _xlsx_rows(content)
    else:
        try:
            raw = list(csv.reader(io.StringIO(_decode(content))))
        except csv.Error:
            raise UploadError("CSV 文件格式有误，请用 Excel 打开后重新另存为 CSV。") from None
    if not raw:
        raise UploadError("文件是空的。")
    headers = [str(h).strip() if h is not None else "" for h in raw[0]]
    rows = [TableRow(number=i, values=list(values)) for i, values in enumerate(raw[1:], start=2)
            if any(str(v).strip() for v in values if v is not None)]
    if max_rows is not None and len(rows) > max_rows:
        raise UploadError(f"一个文件最多 {max_rows} 行，请分批上传。")
    return Table(headers=headers, rows=rows)


# --- staging --------------------------------------------------------------------------------

def staging_root() -> Path:
    return Path(getattr(settings, "UPLOAD_STAGING_DIR", Path(settings.MEDIA_ROOT) / "staged"))


def _user_dir(user) -> Path:
    return staging_root() / f"u{int(user.pk)}"


def stage(user, content: bytes, name: str) -> str:
    """Keep an upload until the user confirms it; returns the token to remember (in the
    session). The name is random; only the extension comes from the upload."""
    folder = _user_dir(user)
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_hex(16) + suffix_of(name)
    (folder / token).write_bytes(content)
    return token


def _path(user, token: str) -> Path | None:
    if not isinstance(token, str) or not _TOKEN.match(token):
        return None
    return _user_dir(user) / token


def load(user, token: str) -> tuple[bytes, str] | None:
    """The staged content and its token (which ends with the extension), or None when it is
    unknown, someone else's or expired (an expired file is deleted)."""
    path = _path(user, token)
    if path is None or not path.is_file():
        return None
    if time.time() - path.stat().st_mtime > STAGED_TTL:
        path.unlink(missing_ok=True)
        return None
    return path.read_bytes(), token


def discard(user, token: str) -> None:
    path = _path(user, token)
    if path is not None:
        path.unlink(missing_ok=True)


def sweep(max_age: int = STAGED_TTL, *, now: float | None = None) -> int:
    """Delete staged uploads older than `max_age` seconds; returns how many."""
    now = time.time() if now is None else now
    root = staging_root()
    if not root.is_dir():
        return 0
    removed = 0
    for path in root.glob("u*/*"):
        if path.is_file() and now - path.stat().st_mtime > max_age:
            path.unlink(missing_ok=True)
            removed += 1
    return removed


# --- streaming: files too large to hold (bulk imports) ---------------------------------------

UNREADABLE = "\ufffd"  # what a byte that is not in the file's encoding becomes: a row problem
_SAMPLE = 1 << 20
_BLOCK = 8 << 20


@dataclass(frozen=True)
class CsvPart:
    """A byte range of a CSV file on disk that begins at a line start, with the row number of
    that line (header = row 1), so that several processes can each read their own part."""
    path: str
    start: int
    end: int
    first_row: int
    encoding: str


def _sniff(path) -> tuple[str, int]:
    """The encoding of a CSV file and where its text starts (after a BOM), from its first MB."""
    with open(path, "rb") as fh:
        sample = fh.read(_SAMPLE)
    if b"\x00" in sample[:4096]:
        raise UploadError("文件不是 CSV 文本，请用 Excel 另存为 .xlsx 或 CSV（UTF-8）后重新上传。")
    if sample.startswith(b"\xef\xbb\xbf"):
        return "utf-8", 3
    import codecs

    try:  # an incremental decoder: a character cut at the end of the sample is not an error
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8", 0
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(sample, final=False)
        return "gb18030", 0
    except UnicodeDecodeError:
        raise UploadError("文件编码无法识别，请另存为 UTF-8 编码的 CSV 或 Excel（.xlsx）格式。") from None


def csv_parts(path, parts: int = 1) -> tuple[list[str], list[CsvPart]]:
    """The header of a CSV file on disk and its data lines cut into about `parts` byte ranges.
    The file is read once in blocks to count lines (never held whole). One record per line: a
    line break inside a quoted cell is read as two rows, each reported as bad, never lost."""
    encoding, offset = _sniff(path)
    size = os.path.getsize(path)
    with open(path, "rb") as fh:
        fh.seek(offset)
        header_line = fh.readline()
        data_start = fh.tell()
    try:
        headers = [h.strip() for h in next(csv.reader([header_line.decode(encoding)]), [])]
    except (UnicodeDecodeError, csv.Error):
        raise UploadError("CSV 文件的表头无法读取，请用 Excel 打开后重新另存为 CSV。") from None
    if not headers or not any(headers):
        raise UploadError("文件是空的。")
    targets = [data_start + (size - data_start) * i // max(parts, 1) for i in range(1, parts)]
    cuts, row, position = [(data_start, 2)], 2, data_start
    with open(path, "rb") as fh:
        fh.seek(data_start)
        while targets:
            block = fh.read(_BLOCK)
            if not block:
                break
            while targets and position + len(block) > targets[0]:
                # The first line start at or after the target inside this block.
                at = block.find(b"\n", max(targets.pop(0) - position - 1, 0))
                if at < 0:
                    break
                if position + at + 1 > cuts[-1][0]:
                    cuts.append((position + at + 1, row + block.count(b"\n", 0, at + 1)))
            row += block.count(b"\n")
            position += len(block)
    bounds = [c[0] for c in cuts[1:]] + [size]
    return headers, [CsvPart(str(path), start, end, first, encoding)
                     for (start, first), end in zip(cuts, bounds) if end > start]


def iter_csv_part(part: CsvPart):
    """(row number, cells) for each non-blank line of a part, cells as written; a byte that is
    not in the file's encoding becomes UNREADABLE (the checks then report the row)."""
    def lines():
        with open(part.path, "rb") as fh:
            fh.seek(part.start)
            left = part.end - part.start
            for raw in fh:
                yield raw.decode(part.encoding, errors="replace")
                left -= len(raw)
                if left <= 0:
                    return

    reader = csv.reader(lines())
    base = part.first_row - 1
    try:
        for cells in reader:
            if any(cells):
                yield base + reader.line_num, cells
    except csv.Error:
        raise UploadError("CSV 文件格式有误，请用 Excel 打开后重新另存为 CSV。") from None
