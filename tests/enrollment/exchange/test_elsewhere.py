"""Other pooling regions' enrollment lists, inside or outside the province."""
import datetime as dt

import pytest

from enrollment.models import Enrollment
from tests import factories

from .conftest import csv_bytes, problems_of

pytestmark = pytest.mark.django_db
HEADER = ["证件号码", "姓名", "年度", "险种", "参保地区划代码", "参保地名称"]


def local_resident(person, year=2026):
    return Enrollment.objects.create(person=person, year=year, scheme="resident",
                                     pooling_region_id=factories.COUNTY, status="active",
                                     paid_on=dt.date(2025, 10, 1))


def test_outside_the_deployment_is_accepted_with_its_name(township_officer, make_person,
                                                          run_feed):
    person = make_person(name="张三")
    local = local_resident(person)
    rows = [[person.id_number, "张三", "2026", "居民", "440300000000", "广东省深圳市"]]
    imp = run_feed(township_officer, "elsewhere", csv_bytes(HEADER, rows))
    assert (imp.status, imp.created, imp.rejected) == ("done", 1, 0)
    there = Enrollment.objects.get(person=person, elsewhere=True)
    assert there.pooling_region_id is None
    assert (there.elsewhere_code, there.elsewhere_name, there.status) == (
        "440300000000", "广东省深圳市", "active")
    assert there.pooling_label == "广东省深圳市"
    local.refresh_from_db()
    assert local.status == "stopped" and "广东省深圳市" in local.stop_reason  # R-AUTO-STOP
    assert "广东省深圳市" in imp.changes
    again = run_feed(township_officer, "elsewhere", csv_bytes(HEADER, rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Enrollment.objects.filter(person=person, elsewhere=True).count() == 1


def test_a_region_of_this_deployment_is_the_pooling_region(county_admin, make_person,
                                                           run_feed):
    person = make_person(name="张三")
    rows = [[person.id_number, "张三", "2026", "职工", factories.OTHER_COUNTY, ""]]
    imp = run_feed(county_admin, "elsewhere", csv_bytes(HEADER, rows))
    there = Enrollment.objects.get(person=person, elsewhere=True)
    assert imp.created == 1 and there.pooling_region_id == factories.OTHER_COUNTY
    assert there.scheme == "employee"


def test_bad_rows(township_officer, make_person, run_feed):
    person = make_person(name="张三")
    dead = make_person(name="王老汉", life_status="deceased",
                       life_status_date=dt.date(2025, 3, 1))
    outsider = make_person(factories.OTHER_GRID, name="外县人")
    rows = [[person.id_number, "张三", "26", "居民", "440300000000", "深圳"],        # year
            [person.id_number, "张三", "2026", "新农合", "440300000000", "深圳"],    # scheme
            [person.id_number, "张三", "2026", "居民", "4403", "深圳"],              # code
            [person.id_number, "张三", "2026", "居民", "440300000000", ""],          # no name
            [person.id_number, "张三", "2026", "居民", factories.COUNTY, ""],        # local
            [dead.id_number, "王老汉", "2026", "居民", "440300000000", "深圳"],       # the door
            [outsider.id_number, "外县人", "2026", "居民", "440300000000", "深圳"]]   # scope
    imp = run_feed(township_officer, "elsewhere", csv_bytes(HEADER, rows))
    assert problems_of(imp) == [(2, "年度"), (3, "险种"), (4, "参保地区划代码"),
                                (5, "参保地名称"), (6, "参保地区划代码"), (7, "年度"),
                                (8, "证件号码")]
    assert "死亡" in imp.problems[5]["message"]
    assert not Enrollment.objects.filter(elsewhere=True).exists()


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_gb18030_and_bom_files(township_officer, make_person, run_feed, encoding):
    person = make_person(name="张三")
    imp = run_feed(township_officer, "elsewhere", csv_bytes(HEADER, [
        [person.id_number, "张三", "2026", "居民", "440300000000", "广东省深圳市"]], encoding))
    assert imp.status == "done" and imp.created == 1
