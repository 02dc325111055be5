"""Claims summaries upload: every bad row listed in Chinese before anything is written."""
from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from benefits.models import ClaimSummary
from tests import factories
from tests.benefits.test_recalc import ensure_policies

pytestmark = pytest.mark.django_db

HEADER = "证件号码,年度,基金支付金额,使用激励额度\n"


@pytest.fixture
def policies(region_tree):
    ensure_policies()


def csv_file(text: str, name="claims.csv") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (HEADER + text).encode("utf-8"), content_type="text/csv")


def xlsx_file(rows) -> SimpleUploadedFile:
    wb = Workbook()
    ws = wb.active
    ws.append(["证件号码", "年度", "基金支付金额", "使用激励额度"])
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    return SimpleUploadedFile("claims.xlsx", out.getvalue())


def upload(client, f):
    return client.post(reverse("claims_upload"), {"file": f})


def test_valid_csv_previews_then_imports(policies, village_clerk, make_person, as_user):
    a, b = make_person(), make_person()
    client = as_user(village_clerk)
    page = upload(client, csv_file(f"{a.id_number},2025,0,否\n{b.id_number},2026,1234.5,是\n"))
    assert "全部2行校验通过" in page.content.decode() and not ClaimSummary.objects.exists()
    done = client.post(reverse("claims_confirm"), {"mode": "all"})
    assert done.status_code == 200
    rows = {c.person_id: c for c in ClaimSummary.objects.all()}
    assert rows[a.pk].fund_paid == Decimal("0") and not rows[a.pk].used_incentive
    assert rows[b.pk].fund_paid == Decimal("1234.50") and rows[b.pk].used_incentive


def test_every_bad_row_is_listed_in_chinese_and_nothing_is_written(
        policies, village_clerk, make_person, as_user):
    good = make_person()
    neighbour = make_person(factories.NEIGHBOUR_GRID)
    text = (f"{good.id_number},2025,100,否\n"
            "430121198001010000,2025,0,否\n"  # a mistyped ID number (check digit)
            f"{good.id_number},2026,-5,否\n"  # negative amount
            f"{good.id_number},2019,0,否\n"  # year without standards
            f"{neighbour.id_number},2025,0,否\n"  # outside the clerk's village
            f"{good.id_number},2027,abc,也许\n")  # not an amount, not yes/no
    client = as_user(village_clerk)
    body = upload(client, csv_file(text)).content.decode()
    assert "“430121198001010000”：证件号码校验位不正确" in body
    assert "金额不能为负数" in body
    assert "2019年不在政策方案" in body
    assert "不在您的辖区内" in body
    assert "不是有效金额" in body and "应填“是”或“否”" in body
    assert body.count("<tr><td>") == 5  # lines 3-7, one row each
    assert not ClaimSummary.objects.exists()
    refused = client.post(reverse("claims_confirm"), {"mode": "all"})
    assert "文件中有错误行" in refused.content.decode() and not ClaimSummary.objects.exists()


def test_only_valid_rows_can_be_imported_and_errors_downloaded(
        policies, village_clerk, make_person, as_user):
    good = make_person()
    client = as_user(village_clerk)
    upload(client, csv_file(f"{good.id_number},2025,100,否\n430121198001010000,2025,0,否\n"))
    done = client.post(reverse("claims_confirm"), {"mode": "valid"}).content.decode()
    assert "1行有错误未导入" in done
    assert ClaimSummary.objects.get().person == good
    response = client.get(reverse("claims_errors"))
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.values)
    assert rows[0][-1] == "错误原因" and len(rows) == 2
    assert rows[1][0] == 3 and "校验位不正确" in rows[1][-1]


def test_xlsx_upload_and_reimport_updates_the_same_row(policies, village_clerk, make_person,
                                                        as_user):
    p = make_person()
    client = as_user(village_clerk)
    upload(client, xlsx_file([[p.id_number, 2025, 0, "否"]]))
    client.post(reverse("claims_confirm"), {"mode": "all"})
    upload(client, xlsx_file([[p.id_number, 2025, 88.8, "否"]]))
    client.post(reverse("claims_confirm"), {"mode": "all"})
    assert ClaimSummary.objects.get(person=p).fund_paid == Decimal("88.80")


def test_missing_columns_and_wrong_format_are_explained(policies, village_clerk, as_user):
    client = as_user(village_clerk)
    bad = SimpleUploadedFile("a.csv", "姓名,年度\n张三,2025\n".encode())
    assert "缺少列：证件号码、基金支付金额" in upload(client, bad).content.decode()
    txt = SimpleUploadedFile("a.txt", b"x")
    assert "只支持 .csv 或 .xlsx 文件" in upload(client, txt).content.decode()


def test_read_only_leader_cannot_upload(policies, city_leader, as_user):
    assert as_user(city_leader).get(reverse("claims_upload")).status_code == 403


def test_admin_import_uses_the_same_checks(policies, superuser, make_person, as_user):
    # The admin import is the superuser's (staff upload claims on the claims page).
    p = make_person()
    client = as_user(superuser)
    data = csv_file(f"{p.id_number},2025,-1,否\n")
    response = client.post(reverse("admin:benefits_claimsummary_import"),
                           {"import_file": data, "format": "0", "resource": "0"})
    body = response.content.decode()
    assert response.status_code == 200 and "金额不能为负数" in body
    assert not ClaimSummary.objects.exists()


def test_an_unknown_number_is_shown_as_typed(policies, village_clerk, as_user):
    body = upload(as_user(village_clerk), csv_file("430121198001010002,2025,0,否\n")
                  ).content.decode()
    assert "未找到该证件号码“430121198001010002”" in body


def test_the_templates_example_row_passes_every_check_but_registration(policies):
    from benefits.claims import services
    from enrollment import idnumbers

    sheet = services.template_sheet()
    number = list(sheet.rows)[0][0]
    assert idnumbers.parse(number).number == number  # a well-formed ID, check digit included
