"""Malformed uploads: garbage files, wrong headers, GB18030 and BOM CSV, duplicate rows, empty
optional identifiers and oversize files each get a Chinese answer (never a 500, a traceback or
a server path), and the limits are stated on the upload pages."""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from enrollment import idnumbers
from enrollment.models import Person
from tests import factories

pytestmark = pytest.mark.django_db

GARBAGE = SimpleUploadedFile  # built per test: a file read once is consumed
PERSON_HEADER = ("id_type,id_number,birth_cert_number,name,sex,birth_date,phone,户籍地代码,"
                 "常住地代码,address,life_status")


def garbage_xlsx():
    return SimpleUploadedFile("名单.xlsx", b"PK\x03\x04 this is not a workbook" * 50)


def person_line(number, name="李四", cert=""):
    return (f"resident_id,{number},{cert},{name},M,1990-03-04,,{factories.VILLAGE},"
            f"{factories.GRID},,alive")


def number(seq=17):
    return idnumbers.make_id("430121", dt.date(1990, 3, 4), seq, "M")


def admin_import(client, text: str, encoding="utf-8", name="persons.csv", fmt="0"):
    upload = io.BytesIO(text.encode(encoding))
    upload.name = name
    return client.post("/admin/enrollment/person/import/",
                       {"format": fmt, "resource": "0", "import_file": upload})


def clean_answer(response) -> str:
    html = response.content.decode()
    assert response.status_code == 200
    assert "Traceback" not in html and "/work/" not in html and "site-packages" not in html
    return html


@pytest.fixture
def admin_client(as_user, region_tree):
    from enrollment.models import User

    user = User.objects.create_superuser("root", "root@example.com", "x" * 16)
    return as_user(user)


def test_garbage_xlsx_on_a_feed_is_a_form_error(as_user, township_officer):
    response = as_user(township_officer).post("/exchange/deregistrations/",
                                              {"file": garbage_xlsx()})
    assert "不是有效的 Excel" in clean_answer(response)


def test_garbage_xlsx_on_claims_upload_is_a_form_error(as_user, county_admin):
    response = as_user(county_admin).post("/benefits/recalc/claims/", {"file": garbage_xlsx()})
    assert "不是有效的 Excel" in clean_answer(response)


def test_upload_pages_state_the_limits(as_user, township_officer, county_admin, admin_client,
                                      settings):
    settings.FEED_MAX_BYTES, settings.FEED_MAX_ROWS = 60 * 1024 * 1024, 300_000
    # The admin page first: `as_user` logs the one test client in as someone else.
    assert "50000行" in admin_client.get("/admin/enrollment/person/import/").content.decode()
    feed_page = as_user(township_officer).get("/exchange/deregistrations/").content.decode()
    assert "60MB、300000行" in feed_page
    assert "50000行" in as_user(county_admin).get("/benefits/recalc/claims/").content.decode()


def test_oversize_upload_is_refused_in_chinese(as_user, township_officer, settings):
    settings.FEED_MAX_BYTES = 1024
    big = SimpleUploadedFile("名单.csv", ("证件号码,姓名\n" + "1,张三\n" * 400).encode())
    response = as_user(township_officer).post("/exchange/deregistrations/", {"file": big})
    assert "文件超过" in clean_answer(response)


def test_too_many_rows_are_refused_in_chinese(admin_client, settings):
    settings.UPLOAD_MAX_ROWS = 2
    text = "\n".join([PERSON_HEADER] + [person_line(number(s)) for s in (11, 13, 15)])
    assert "最多 2 行" in clean_answer(admin_import(admin_client, text))
    assert not Person.objects.exists()


def test_admin_import_answers_in_chinese(admin_client):
    html = admin_client.get("/admin/enrollment/person/import/").content.decode()
    assert "导入" in html and "Import" not in html.split("<body")[1].split("</h1>")[0]


def test_admin_import_reads_gb18030(admin_client):
    text = "\n".join([PERSON_HEADER, person_line(number(), name="王五")])
    response = admin_import(admin_client, text, encoding="gb18030")
    html = clean_answer(response)
    assert "王五" in html and "confirm" in html.lower()


def test_admin_import_reads_utf8_with_bom(admin_client):
    text = "\n".join([PERSON_HEADER, person_line(number(), name="赵六")])
    html = clean_answer(admin_import(admin_client, text, encoding="utf-8-sig"))
    assert "赵六" in html and "缺少列" not in html


def test_admin_import_with_wrong_headers_names_the_missing_column(admin_client):
    html = clean_answer(admin_import(admin_client, "姓名,电话\n张三,138\n"))
    assert "缺少列：id_number" in html


def test_admin_import_garbage_xlsx_is_a_form_error(admin_client):
    upload = garbage_xlsx()
    response = admin_client.post("/admin/enrollment/person/import/",
                                 {"format": "1", "resource": "0", "import_file": upload})
    assert "不是有效的 Excel" in clean_answer(response)


def test_admin_import_reports_duplicate_rows_instead_of_merging(admin_client):
    same = number()
    text = "\n".join([PERSON_HEADER, person_line(same, name="甲"), person_line(number(19)),
                      person_line(same, name="乙")])
    html = clean_answer(admin_import(admin_client, text))
    assert "第4行与第2行重复" in html
    assert not Person.objects.exists()


def test_empty_birth_certificate_numbers_are_stored_as_null(village_clerk):
    import tablib

    from enrollment.resources import PersonResource

    for seq in (11, 13):
        data = tablib.Dataset().load("\n".join([PERSON_HEADER, person_line(number(seq))]),
                                     format="csv")
        result = PersonResource(user=village_clerk).import_data(data, dry_run=False,
                                                                raise_errors=False)
        assert not result.has_errors() and not result.has_validation_errors(), \
            [r.error_dict for r in result.invalid_rows]
    assert Person.objects.filter(birth_cert_number__isnull=True).count() == 2


def test_the_confirm_step_reads_only_a_file_this_session_previewed(admin_client):
    response = admin_client.post("/admin/enrollment/person/process_import/", {
        "import_file_name": "../../etc/passwd", "original_file_name": "x.csv", "format": "0",
        "resource": "0"})
    assert response.status_code == 403
