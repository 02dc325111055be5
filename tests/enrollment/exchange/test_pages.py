"""The 数据交换 pages: upload, preview with every bad row, confirm, progress, report, error file,
the region's history; nobody else's import opens by URL."""
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from enrollment.models import AuditEntry, FeedImport, Person

from .conftest import csv_bytes, staged_files

pytestmark = pytest.mark.django_db
HEADER = ["证件号码", "姓名", "注销类型", "注销日期"]


def upload(client, rows, kind="deregistrations", name="注销名单.csv"):
    return client.post(f"/exchange/{kind}/", {
        "file": SimpleUploadedFile(name, csv_bytes(HEADER, rows)), "source": "县公安局"})


@pytest.fixture
def two(make_person):
    return make_person(name="王老汉"), make_person(name="李四")


@pytest.fixture
def staged(as_user, township_officer, two):
    client = as_user(township_officer)
    response = upload(client, [[two[0].id_number, "王老汉", "死亡", "2026-03-02"],
                               [two[1].id_number, "李四", "死掉", "2026-03-02"]])
    assert response.status_code == 302
    return client, FeedImport.objects.get()


def test_kinds_page_lists_every_kind_with_its_template(as_user, county_admin):
    from enrollment.exchange.base import all_feeds

    page = as_user(county_admin).get("/exchange/").content.decode()
    for feed in all_feeds():
        assert f"/exchange/{feed.kind}/template.xlsx" in page and feed.title in page


def test_menu_shows_data_exchange_only_to_who_may_import(as_user, township_officer,
                                                         village_clerk, grid_worker,
                                                         city_leader):
    assert "数据交换" in as_user(township_officer).get("/persons/").content.decode()
    for user in (village_clerk, grid_worker, city_leader):
        assert "数据交换" not in as_user(user).get("/persons/").content.decode()
        assert as_user(user).get("/exchange/").status_code == 403


def test_preview_lists_every_bad_row_and_writes_nothing(staged, two, settings):
    client, imp = staged
    page = client.get(f"/exchange/imports/{imp.pk}/").content.decode()
    assert "第3行" in page and "“死掉”不是可选的注销类型" in page and "请填写其中之一" in page
    assert "只导入有效行（1行）" in page and "确认导入" not in page
    assert Person.objects.get(pk=two[0].pk).life_status == "alive"
    assert len(staged_files(settings.UPLOAD_STAGING_DIR)) == 1  # kept for the confirmation


def test_preview_is_paginated(as_user, township_officer, settings):
    rows = [["123", f"某{i}", "死亡", "2026-03-02"] for i in range(60)]
    client = as_user(township_officer)
    upload(client, rows)
    imp = FeedImport.objects.get()
    first = client.get(f"/exchange/imports/{imp.pk}/").content.decode()
    second = client.get(f"/exchange/imports/{imp.pk}/?page=2").content.decode()
    assert "第51行" in first and "第52行" not in first and "第61行" in second


def test_all_or_nothing_refuses_a_file_with_bad_rows(staged, two):
    client, imp = staged
    response = client.post(f"/exchange/imports/{imp.pk}/confirm/", {"mode": "all"}, follow=True)
    assert "文件中有错误行" in response.content.decode()
    imp.refresh_from_db()
    assert imp.status == "staged" and Person.objects.get(pk=two[0].pk).life_status == "alive"


def test_valid_only_runs_the_job_and_reports(staged, two, django_capture_on_commit_callbacks,
                                            settings):
    client, imp = staged
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/exchange/imports/{imp.pk}/confirm/", {"mode": "valid"})
    assert response.status_code == 302
    imp.refresh_from_db()
    assert (imp.status, imp.updated, imp.rejected, imp.progress) == ("done", 1, 1, 100)
    assert Person.objects.get(pk=two[0].pk).life_status == "deceased"
    assert staged_files(settings.UPLOAD_STAGING_DIR) == []  # the file is gone after the job
    report = client.get(f"/exchange/imports/{imp.pk}/").content.decode()
    assert "导入结果" in report and "正常→死亡" in report and "第3行" in report
    assert two[0].id_number not in report
    progress = client.get(f"/exchange/imports/{imp.pk}/progress/").json()
    assert progress["finished"] and progress["percent"] == 100 and progress["updated"] == 1
    assert AuditEntry.objects.filter(action="import", detail__contains="已完成").exists()


def test_a_clean_file_imports_everything(as_user, township_officer, two,
                                         django_capture_on_commit_callbacks):
    client = as_user(township_officer)
    upload(client, [[p.id_number, p.name, "死亡", "2026-03-02"] for p in two])
    imp = FeedImport.objects.get()
    assert "确认导入2行" in client.get(f"/exchange/imports/{imp.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/exchange/imports/{imp.pk}/confirm/", {"mode": "all"})
    assert Person.objects.filter(life_status="deceased").count() == 2
    again = client.post(f"/exchange/imports/{imp.pk}/confirm/", {"mode": "all"}, follow=True)
    assert "请勿重复提交" in again.content.decode()


def test_progress_while_queued(staged):
    client, imp = staged
    client.post(f"/exchange/imports/{imp.pk}/confirm/", {"mode": "valid"})  # not yet run
    page = client.get(f"/exchange/imports/{imp.pk}/").content.decode()
    assert "导入进度" in page and f"/exchange/imports/{imp.pk}/progress/" in page
    data = client.get(f"/exchange/imports/{imp.pk}/progress/").json()
    assert data["status"] == "pending" and not data["finished"]


def test_error_file_has_row_column_message_hint_and_masks_numbers(staged, two):
    client, imp = staged
    response = client.get(f"/exchange/imports/{imp.pk}/errors.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    assert rows[0] == ["行号", "列", "错误", "处理办法"]
    assert rows[1][:3] == [3, "注销类型", "“死掉”不是可选的注销类型"]
    assert two[1].id_number not in response.content.decode("latin-1")


def test_upload_refusals_are_shown_on_the_form(as_user, township_officer):
    client = as_user(township_officer)
    bad = client.post("/exchange/deregistrations/", {
        "file": SimpleUploadedFile("名单.xlsx", b"not a zip")}).content.decode()
    assert "不是有效的 Excel" in bad
    missing = client.post("/exchange/deregistrations/", {
        "file": SimpleUploadedFile("名单.csv", "证件号码,姓名\n1,x\n".encode())}).content.decode()
    assert "文件缺少列：注销类型、注销日期" in missing
    assert not FeedImport.objects.exists()


def test_history_is_scoped_and_another_region_cannot_open_an_import(staged, as_user,
                                                                    county_admin, superuser):
    from tests import factories

    client, imp = staged
    assert f"#{imp.pk}" in client.get("/exchange/history/").content.decode()
    assert f"#{imp.pk}" in as_user(county_admin).get("/exchange/history/").content.decode()
    other = factories.make_user("other_township", "township_officer", "430181100000")
    other_client = as_user(other)
    assert f"#{imp.pk}" not in other_client.get("/exchange/history/").content.decode()
    for url in ("", "progress/", "errors.xlsx"):
        assert other_client.get(f"/exchange/imports/{imp.pk}/{url}").status_code == 404
    assert other_client.post(f"/exchange/imports/{imp.pk}/confirm/",
                             {"mode": "valid"}).status_code == 404


def test_old_reconcile_addresses_redirect(as_user, township_officer):
    client = as_user(township_officer)
    assert client.get("/reconcile/")["Location"] == "/exchange/"
    assert client.get("/reconcile/template/deaths.xlsx")["Location"] == \
        "/exchange/deregistrations/template.xlsx"
    assert client.get("/reconcile/template/nonsense.xlsx").status_code == 404


def test_a_staged_file_never_confirmed_shows_as_expired(staged):
    import datetime as dt

    from django.utils import timezone

    client, imp = staged
    FeedImport.objects.filter(pk=imp.pk).update(created_at=timezone.now() - dt.timedelta(hours=2))
    assert "已过期（未导入）" in client.get("/exchange/history/").content.decode()
