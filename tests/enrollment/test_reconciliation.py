"""Reconciliation against other departments' lists: preview every row, apply only matches."""
import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from enrollment.models import AuditEntry, Enrollment, Person
from tests import factories

pytestmark = pytest.mark.django_db


def xlsx(header, rows, name="list.xlsx"):
    workbook = Workbook()
    workbook.active.append(header)
    for r in rows:
        workbook.active.append(r)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def csv_file(text, encoding="utf-8-sig"):
    return SimpleUploadedFile("list.csv", text.encode(encoding))


DEATH_HEADER = ["证件号码", "姓名", "死亡日期", "数据来源"]


def test_death_list_preview_then_apply(as_user, village_clerk, make_person):
    alive = make_person(name="王老汉")
    later = Enrollment.objects.create(person=alive, year=2027, pooling_region_id=factories.COUNTY,
                                      status="active", paid_on=dt.date(2026, 10, 1))
    neighbour = make_person(factories.NEIGHBOUR_GRID, name="刘大爷")
    upload = xlsx(DEATH_HEADER, [
        [alive.id_number, "王老汉", "2026-03-02", "民政火化数据"],
        [neighbour.id_number, "刘大爷", "2026-03-02", "民政"],
        ["123", "某某", "2026-03-02", "民政"],
        [alive.id_number, "王老汉", "2026-03-02", "民政"],
    ])
    client = as_user(village_clerk)
    response = client.post("/reconcile/", {"kind": "deaths", "file": upload})
    rows = response.context["rows"]
    assert [r.status for r in rows] == ["ok", "skip", "error", "error"]
    assert "本辖区没有" in rows[1].message and "18位" in rows[2].message
    assert "重复" in rows[3].message
    alive.refresh_from_db()
    assert alive.life_status == "alive"  # the preview writes nothing
    client.post("/reconcile/", {"payload": response.context["payload"]})
    alive.refresh_from_db()
    neighbour.refresh_from_db()
    later.refresh_from_db()
    assert alive.life_status == "deceased" and alive.life_status_date == dt.date(2026, 3, 2)
    assert later.status == "stopped"
    assert neighbour.life_status == "alive"
    assert AuditEntry.objects.filter(action="import", user=village_clerk).exists()


def test_name_mismatch_and_bad_date_are_reported(as_user, village_clerk, make_person):
    person = make_person(name="王老汉")
    other = make_person(name="李四")
    upload = csv_file("证件号码,姓名,死亡日期,数据来源\n"
                      f"{person.id_number},王小汉,2026-03-02,民政\n"
                      f"{other.id_number},李四,2026-02-30,民政\n", encoding="gbk")
    rows = as_user(village_clerk).post("/reconcile/", {"kind": "deaths",
                                                       "file": upload}).context["rows"]
    assert "姓名与档案不符" in rows[0].message
    assert "不是有效日期" in rows[1].message


def test_missing_columns_are_named(as_user, village_clerk):
    upload = xlsx(["证件号码", "姓名"], [["1", "x"]])
    response = as_user(village_clerk).post("/reconcile/", {"kind": "deaths", "file": upload})
    assert "缺少列：死亡日期、数据来源" in response.context["form"].errors["file"][0]


def test_enrolled_elsewhere_ends_the_local_resident_enrollment(as_user, village_clerk,
                                                               make_person):
    person = make_person()
    local = Enrollment.objects.create(person=person, year=2026, scheme="resident",
                                      pooling_region_id=factories.COUNTY, status="active",
                                      paid_on=dt.date(2025, 10, 1))
    upload = xlsx(["证件号码", "姓名", "年度", "险种", "参保地区划代码"],
                  [[person.id_number, person.name, 2026, "居民", factories.OTHER_COUNTY]])
    client = as_user(village_clerk)
    response = client.post("/reconcile/", {"kind": "elsewhere", "file": upload})
    assert "自动停保" in response.context["rows"][0].message
    client.post("/reconcile/", {"payload": response.context["payload"]})
    local.refresh_from_db()
    assert local.status == "stopped"
    elsewhere = Enrollment.objects.get(person=person, elsewhere=True)
    assert elsewhere.status == "active" and elsewhere.pooling_region_id == factories.OTHER_COUNTY


def test_tampered_payload_is_refused(as_user, village_clerk):
    response = as_user(village_clerk).post("/reconcile/", {"payload": "forged"}, follow=True)
    assert "已过期或被修改" in response.content.decode()


def test_city_leader_cannot_reconcile(as_user, city_leader):
    assert as_user(city_leader).get("/reconcile/").status_code == 403


def test_template_download(as_user, village_clerk):
    response = as_user(village_clerk).get("/reconcile/template/deaths.xlsx")
    assert response.status_code == 200 and response.content[:2] == b"PK"
