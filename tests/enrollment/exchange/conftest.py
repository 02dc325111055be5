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
    import csv

    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode(encoding)


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


@pytest.fixture
def run_feed(django_capture_on_commit_callbacks):
    """Stage a file as `actor`, confirm it and run its job (inline, as without Redis)."""
    from enrollment.exchange import flow, jobs

    def run(actor, kind, content, name="名单.csv", *, valid_only=False):
        imp = flow.stage(actor=actor, kind=kind, content=content, name=name)
        if imp.rejected and not valid_only:
            return imp
        with django_capture_on_commit_callbacks(execute=True):
            flow.confirm(actor=actor, imp=imp, valid_only=valid_only, enqueue=jobs.enqueue_run)
        imp.refresh_from_db()
        return imp

    return run


def problems_of(imp) -> list[tuple[int, str]]:
    return [(p["row"], p["column"]) for p in imp.problems]
