"""One upload reader (CSV in UTF-8, BOM or GB18030; XLSX) and staged uploads that expire."""
from __future__ import annotations

import io
import os
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from core import uploads
from tests import factories

# 䶮 (CJK extension A) exists in GB18030 but not in GBK: a real given name.
NAME = "李䶮"


def xlsx_bytes(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_every_encoding_reads_the_same(encoding):
    text = f"姓名,年度\n{NAME},2026\n\n王五,2027\n"
    table = uploads.read_table(text.encode(encoding), "名单.CSV")
    assert table.headers == ["姓名", "年度"]
    assert [(r.number, r.values) for r in table.rows] == [(2, [NAME, "2026"]), (4, ["王五", "2027"])]


def test_xlsx_reads_into_the_same_shape():
    table = uploads.read_table(xlsx_bytes([["姓名", "年度"], [NAME, 2026]]), "a.xlsx")
    assert table.headers == ["姓名", "年度"] and table.rows[0].values == [NAME, 2026]
    assert table.dicts() == [{"姓名": NAME, "年度": 2026}]
    assert table.dataset().headers == ["姓名", "年度"]


@pytest.mark.parametrize("content,name,message", [
    (b"PK\x03\x04 not really a workbook", "a.xlsx", "不是有效的 Excel"),
    (os.urandom(64) + b"\x00", "a.csv", "不是 CSV 文本"),
    (b"\xff\xfe\xfa\xfb\x81\x20", "a.csv", "编码无法识别"),
    (b"", "a.csv", "文件是空的"),
    (b"x", "a.txt", "请上传 .xlsx 或 .csv 文件"),
])
def test_unreadable_files_say_so_in_chinese(content, name, message):
    with pytest.raises(uploads.UploadError) as caught:
        uploads.read_table(content, name)
    assert message in caught.value.messages[0]


def test_row_limit():
    with pytest.raises(uploads.UploadError, match="最多 2 行"):
        uploads.read_table("a\n1\n2\n3\n".encode(), "a.csv", max_rows=2)


# --- the data exchange reads through it -----------------------------------------------------

def _post(client, content: bytes, name: str):
    return client.post("/exchange/deregistrations/", {"file": SimpleUploadedFile(name, content)})


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_feeds_read_gb18030_and_bom_files(as_user, township_officer, make_person, encoding):
    from enrollment.models import FeedImport

    person = make_person(name=NAME)
    text = "证件号码,姓名,注销类型,注销日期\n" + f"{person.id_number},{NAME},死亡,2026-03-02\n"
    response = _post(as_user(township_officer), text.encode(encoding), "注销名单.csv")
    assert response.status_code == 302
    imp = FeedImport.objects.get()
    assert (imp.rows, imp.rejected) == (1, 0)


def test_feed_garbage_xlsx_is_a_message_not_a_500(as_user, township_officer):
    response = _post(as_user(township_officer), b"this is not a zip file", "名单.xlsx")
    assert response.status_code == 200
    assert "不是有效的 Excel" in response.content.decode()


# --- staging ---------------------------------------------------------------------------------

def test_staged_upload_is_bound_to_its_user_and_never_to_a_form_name(village_clerk,
                                                                    neighbour_clerk, staging):
    token = uploads.stage(village_clerk, b"a,b\n", "../../etc/passwd.csv")
    assert token.endswith(".csv") and "/" not in token and "passwd" not in token
    assert uploads.load(village_clerk, token) == (b"a,b\n", token)
    assert uploads.load(neighbour_clerk, token) is None
    for forged in ("../../etc/passwd", "../u1/" + token, token.upper(), "", None):
        assert uploads.load(village_clerk, forged) is None


def test_staged_upload_expires(village_clerk, staging):
    token = uploads.stage(village_clerk, b"a\n", "x.csv")
    path = next(staging.glob("u*/" + token))
    old = time.time() - uploads.STAGED_TTL - 60
    os.utime(path, (old, old))
    assert uploads.load(village_clerk, token) is None and not path.exists()


def test_abandoned_claims_upload_is_deleted_by_the_sweep(as_user, village_clerk, make_person,
                                                         staging):
    from core.tasks import sweep_staged_uploads
    from tests.benefits.test_recalc import ensure_policies

    ensure_policies()
    person = make_person(factories.GRID)
    client = as_user(village_clerk)
    page = client.post(reverse("claims_upload"), {"file": SimpleUploadedFile(
        "claims.csv", f"证件号码,年度,基金支付金额,使用激励额度\n{person.id_number},2025,0,否\n"
        .encode())})
    assert page.status_code == 200
    staged = [p for p in staging.rglob("*") if p.is_file()]
    assert len(staged) == 1 and person.id_number.encode() in staged[0].read_bytes()
    assert sweep_staged_uploads() == 0  # fresh: kept for the confirmation
    old = time.time() - 2 * 3600
    os.utime(staged[0], (old, old))
    assert sweep_staged_uploads() == 1 and not staged[0].exists()
    assert client.post(reverse("claims_confirm"), {"mode": "all"}).status_code == 404
