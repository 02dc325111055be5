import datetime as dt
import io

import pytest
from openpyxl import Workbook

TODAY = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def staging(settings, tmp_path):
    """Staged feed files go to a temporary directory, never into var/."""
    settings.UPLOAD_STAGING_DIR = tmp_path / "staged"
    return settings.UPLOAD_STAGING_DIR


@pytest.fixture(autouse=True)
def frozen_today(monkeypatch):
    """The flow's and the kinds' today (dates in the files are checked against it)."""
    from django.utils import timezone

    monkeypatch.setattr(timezone, "localdate", lambda *a, **k: TODAY)
    return TODAY


def csv_bytes(header, rows, encoding="utf-8") -> bytes:
    lines = [",".join(header)] + [",".join(str(v) for v in r) for r in rows]
    return ("\n".join(lines) + "\n").encode(encoding)


def xlsx_bytes(header, rows) -> bytes:
    workbook = Workbook()
    workbook.active.append(header)
    for r in rows:
        workbook.active.append(list(r))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def staged_files(staging):
    return [p for p in staging.glob("u*/*") if p.is_file()] if staging.exists() else []
