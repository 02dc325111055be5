"""The review queue (比对核查): scope (the neighbour can neither see nor resolve by URL), 人户分离
(one row both places see), each resolve action through its own door, audited and guarded, the
export, keyset pages and 立即比对."""
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from enrollment.exchange import comparison
from enrollment.models import AuditEntry, ComparisonRun, Enrollment, Finding, Person, School
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


def run():
    return comparison.run_inline(region=None, day=DAY)


@pytest.fixture
def dead(make_person):
    person = make_person(name="王老汉", life_status="deceased",
                         life_status_date=dt.date(2026, 3, 2))
    Enrollment.objects.create(person=person, year=2027, pooling_region_id=factories.COUNTY,
                              status="active")
    run()
    return Finding.objects.get(person=person)


@pytest.fixture
def separated(make_person):
    """A pupil registered in 东山村 who lives in 西湖社区."""
    school = School.objects.create(code="S2", name="西湖小学", kind="primary",
                                   region_id=factories.NEIGHBOUR_VILLAGE)
    person = make_person(factories.NEIGHBOUR_GRID, hukou_code=factories.VILLAGE, name="分离生",
                         birth_date=dt.date(2015, 1, 1), school=school)
    run()
    return Finding.objects.get(person=person)


def test_the_neighbour_neither_sees_nor_resolves_by_url(as_user, village_clerk, neighbour_clerk,
                                                        dead):
    page = as_user(village_clerk).get("/findings/").content.decode()
    assert "王老汉" in page and "死亡/出国定居/注销后仍参保" in page
    client = as_user(neighbour_clerk)
    assert "王老汉" not in client.get("/findings/").content.decode()
    assert client.get(f"/findings/{dead.pk}/").status_code == 404
    response = client.post(f"/findings/{dead.pk}/", {"action": "dismiss", "reason": "无"})
    assert response.status_code == 404
    dead.refresh_from_db()
    assert dead.status == "open"


def test_grid_workers_have_no_queue_and_the_city_leader_only_reads(as_user, grid_worker,
                                                                   city_leader, dead):
    assert as_user(grid_worker).get("/findings/").status_code == 403
    client = as_user(city_leader)
    page = client.get(f"/findings/{dead.pk}/").content.decode()
    assert "王老汉" in page and 'name="action"' not in page
    assert client.post(f"/findings/{dead.pk}/", {"action": "dismiss",
                                                 "reason": "x"}).status_code == 403


def test_a_separated_person_is_one_row_both_villages_work(as_user, village_clerk,
                                                          neighbour_clerk, separated):
    assert "分离生" in as_user(village_clerk).get("/findings/").content.decode()
    client = as_user(neighbour_clerk)
    assert "分离生" in client.get("/findings/").content.decode()
    client.post(f"/findings/{separated.pk}/", {"action": "note", "text": "已走访，学校下周代收"})
    page = as_user(village_clerk).get(f"/findings/{separated.pk}/").content.decode()
    assert "已走访，学校下周代收" in page and "西湖社区" in page
    as_user(village_clerk).post(f"/findings/{separated.pk}/",
                                {"action": "dismiss", "reason": "已在外省学校参保"})
    page = as_user(neighbour_clerk).get(f"/findings/{separated.pk}/").content.decode()
    assert "已核实无需处理" in page and "已在外省学校参保" in page


def test_stop_goes_through_the_one_door_and_is_audited(as_user, village_clerk, dead):
    enrollment = Enrollment.objects.get(person=dead.person)
    page = as_user(village_clerk).get(f"/findings/{dead.pk}/").content.decode()
    assert f'<option value="{enrollment.pk}" selected>' in page  # the one the finding names
    response = as_user(village_clerk).post(f"/findings/{dead.pk}/", {
        "action": "stop", "enrollment": enrollment.pk, "on": "2026-12-01", "reason": "人员死亡"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    dead.refresh_from_db()
    assert enrollment.status == "stopped" and enrollment.stopped_on == dt.date(2026, 12, 1)
    assert (dead.status, dead.resolution, dead.resolved_by) == ("resolved", "stopped",
                                                                village_clerk)
    assert AuditEntry.objects.filter(action="stop", person=dead.person).exists()
    assert AuditEntry.objects.filter(action="update", person=dead.person,
                                     detail__contains="比对核查").exists()
    # Guarded: the same finding cannot be resolved twice.
    again = as_user(village_clerk).post(f"/findings/{dead.pk}/",
                                        {"action": "dismiss", "reason": "重复提交"})
    assert "无需重复处理" in again.content.decode()
    assert Finding.objects.get(pk=dead.pk).resolution == "stopped"
    assert run().cleared == 0  # resolved, not open: nothing left to clear


def test_mark_enrolled_elsewhere_records_it_through_the_one_door(as_user, village_clerk,
                                                                 separated):
    client = as_user(village_clerk)
    bad = client.post(f"/findings/{separated.pk}/", {"action": "elsewhere", "year": "2027",
                                                     "scheme": "resident",
                                                     "region_code": "440300000000"})
    assert "参保地区划代码“440300000000”不存在" in bad.content.decode()
    assert 'value="440300000000"' in bad.content.decode()  # what was typed stays
    assert not Enrollment.objects.filter(person=separated.person).exists()
    client.post(f"/findings/{separated.pk}/", {"action": "elsewhere", "year": "2027",
                                               "scheme": "resident",
                                               "region_code": factories.OTHER_COUNTY})
    enrollment = Enrollment.objects.get(person=separated.person)
    assert enrollment.elsewhere and enrollment.year == 2027 and enrollment.status == "active"
    separated.refresh_from_db()
    assert separated.resolution == "elsewhere"
    assert AuditEntry.objects.filter(action="enroll", person=separated.person).exists()


def test_dismiss_needs_a_reason_naming_the_field(as_user, village_clerk, dead):
    page = as_user(village_clerk).post(f"/findings/{dead.pk}/",
                                       {"action": "dismiss", "reason": ""}).content.decode()
    assert "核实情况：请填写不需处理的原因。" in page
    assert Finding.objects.get(pk=dead.pk).status == "open"


def test_merge_two_files_of_one_child(as_user, county_admin, village_clerk, make_person):
    birth = dt.date(2026, 2, 3)
    id_file = make_person(name="周小宝", birth_date=birth)
    cert = make_person(name="周小宝", birth_date=birth, birth_cert_number="R43000001")
    Person.objects.filter(pk=cert.pk).update(id_number=None, id_type="birth_cert")
    run()
    finding = Finding.objects.get(kind="duplicate_person")
    page = as_user(village_clerk).get(f"/findings/{finding.pk}/").content.decode()
    assert 'value="merge"' not in page and "县级管理员办理" in page
    assert as_user(village_clerk).post(f"/findings/{finding.pk}/", {
        "action": "merge", "survivor": id_file.pk, "confirm": "on"}).status_code == 403
    response = as_user(county_admin).post(f"/findings/{finding.pk}/", {
        "action": "merge", "survivor": id_file.pk, "confirm": "on"})
    assert response.status_code == 302
    cert.refresh_from_db()
    finding.refresh_from_db()
    assert cert.merged_into_id == id_file.pk and finding.resolution == "merged"


def test_the_export_is_scoped_and_audited(as_user, village_clerk, neighbour_clerk, dead,
                                          separated):
    response = as_user(neighbour_clerk).get("/findings/export/")
    sheet = load_workbook(io.BytesIO(response.content)).worksheets[0]
    names = [row[2] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["分离生"]
    assert AuditEntry.objects.filter(action="export", user=neighbour_clerk).exists()


def test_filters_and_keyset_pages(as_user, village_clerk, make_person):
    school = School.objects.create(code="S1", name="东山小学", kind="primary",
                                   region_id=factories.VILLAGE)
    for i in range(55):
        make_person(name=f"学生{i:02d}", birth_date=dt.date(2015, 1, 1), school=school)
    run()
    client = as_user(village_clerk)
    first = client.get("/findings/")
    assert len(first.context["page"].rows) == 50 and first.context["page"].has_next
    second = client.get("/findings/", {"after": first.context["page"].next_cursor})
    assert len(second.context["page"].rows) == 5
    assert not client.get("/findings/", {"kind": "gone_enrolled", "status": "open"}
                          ).context["page"].rows


def test_run_now_for_ones_own_region_only(as_user, village_clerk, make_person,
                                          django_capture_on_commit_callbacks):
    make_person(name="小学生", birth_date=dt.date(2015, 1, 1),
                school=School.objects.create(code="S1", name="东山小学", kind="primary",
                                             region_id=factories.VILLAGE))
    client = as_user(village_clerk)
    response = client.post("/findings/run/", {"region": factories.NEIGHBOUR_VILLAGE},
                           follow=True)
    assert "比对范围：请选择本辖区的地区。" in response.content.decode()
    assert not ComparisonRun.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/findings/run/", {"region": factories.VILLAGE})
    done = ComparisonRun.objects.get()
    assert (done.status, done.region_id, done.findings) == ("done", factories.VILLAGE, 1)
    assert AuditEntry.objects.filter(action="other", detail__contains="按月动态比对").exists()
