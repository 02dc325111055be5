"""Pages: scoped like the person list, neighbour gets 404 by URL, phone page, exports."""
import datetime as dt
from io import BytesIO

import pytest
from django.http import HttpRequest
from openpyxl import load_workbook

from enrollment.models import Region
from outreach.services import ledger as ledger_services
from outreach.services import tasks as task_services
from outreach.models import LedgerEntry, Task, TaskStatus, Visit
from tests.factories import COUNTY, GRID, NEIGHBOUR_GRID, TOWNSHIP

Y = 2027
TODAY = dt.date.today()


@pytest.fixture
def worked(county_admin, township_officer, worker, neighbour_worker, make_person):
    make_person(GRID, name="王小明", phone="13900001111", address="东山村3组12号")
    make_person(NEIGHBOUR_GRID, name="刘小红")
    ledger_services.ledger_generate(actor=county_admin, year=Y, region=Region.objects.get(code=COUNTY))
    batch = task_services.batch_push(actor=county_admin, year=Y,
                                     township=Region.objects.get(code=TOWNSHIP))
    task_services.batch_sign(actor=township_officer, batch=batch)
    return batch


def test_ledger_is_scoped_searchable_and_filterable(as_user, village_clerk, worked):
    client = as_user(village_clerk)
    page = client.get("/outreach/", {"year": Y}).content.decode()
    assert "王小明" in page and "刘小红" not in page
    assert "王小明" not in client.get("/outreach/", {"year": Y, "q": "刘"}).content.decode()
    assert "王小明" in client.get("/outreach/", {"year": Y, "q": "wxm"}).content.decode()
    assert "王小明" not in client.get("/outreach/", {"year": Y, "reason": "unwilling"}
                                     ).content.decode()
    assert "王小明" in client.get("/outreach/", {"year": Y, "status": "open"}).content.decode()
    assert "王小明" not in client.get("/outreach/", {"year": Y - 1}).content.decode()


def test_neighbour_clerk_gets_404_on_entry_and_task_urls(as_user, neighbour_clerk, worked):
    entry = LedgerEntry.objects.get(name="王小明")
    client = as_user(neighbour_clerk)
    assert client.get(f"/outreach/entries/{entry.pk}/").status_code == 404
    assert client.get(f"/outreach/tasks/{entry.task.pk}/").status_code == 404
    assert client.post(f"/outreach/tasks/{entry.task.pk}/mobilise/").status_code == 404
    assert client.post(f"/outreach/entries/{entry.pk}/",
                       {"reason": "unwilling"}).status_code == 404


def test_grid_worker_cannot_open_another_workers_task(as_user, worker, worked):
    theirs = Task.objects.get(entry__name="刘小红")
    assert as_user(worker).get(f"/outreach/tasks/{theirs.pk}/").status_code == 404


def test_my_tasks_phone_page_lists_own_open_tasks_with_call_link(as_user, worker, worked):
    page = as_user(worker).get("/outreach/my-tasks/").content.decode()
    assert "王小明" in page and "刘小红" not in page
    assert 'href="tel:13900001111"' in page and "东山村3组12号" in page
    assert 'name="visited_on"' in page


def test_visit_from_phone_page_and_future_date_keeps_input(as_user, worker, worked):
    task = Task.objects.get(entry__name="王小明")
    client = as_user(worker)
    bad = client.post(f"/outreach/tasks/{task.pk}/visit/", {
        "visited_on": (TODAY + dt.timedelta(days=2)).isoformat(), "method": "home",
        "outcome": "informed", "note": "下次再来", "next": "my"})
    assert bad.status_code == 400
    text = bad.content.decode()
    assert "走访日期不能晚于今天" in text and "下次再来" in text
    assert not Visit.objects.exists()
    ok = client.post(f"/outreach/tasks/{task.pk}/visit/", {
        "visited_on": TODAY.isoformat(), "method": "phone", "outcome": "agreed", "next": "my"})
    assert ok.status_code == 302 and ok["Location"] == "/outreach/my-tasks/"
    task.refresh_from_db()
    assert task.status == TaskStatus.MOBILISED


def test_stale_action_is_told_in_chinese(as_user, village_clerk, worker, worked):
    task = Task.objects.get(entry__name="王小明")
    task_services.task_cannot_enrol(actor=worker, task=Task.objects.get(pk=task.pk),
                                    reason="unwilling")
    response = as_user(village_clerk).post(f"/outreach/tasks/{task.pk}/mobilise/", follow=True)
    assert "已无法参保" in response.content.decode() or "无法参保" in response.content.decode()
    assert Task.objects.get(pk=task.pk).status == TaskStatus.CANNOT_ENROL


def test_push_screen_pushes_selected_and_refuses_twice(as_user, county_admin, make_person):
    make_person(GRID, name="甲")
    ledger_services.ledger_generate(actor=county_admin, year=Y, region=Region.objects.get(code=COUNTY))
    entry = LedgerEntry.objects.get()
    client = as_user(county_admin)
    assert "待下发人数" in client.get("/outreach/push/").content.decode()
    data = {"entry_ids": [entry.pk], "year": Y, "township": TOWNSHIP}
    assert client.post("/outreach/push/", data).status_code == 302
    again = client.post("/outreach/push/", data)
    assert again.status_code == 200 and "已下发，不能重复下发" in again.content.decode()
    assert Task.objects.count() == 1


def test_push_screen_is_for_county_only(as_user, village_clerk, township_officer):
    assert as_user(village_clerk).get("/outreach/push/").status_code == 403


def test_ledger_and_feedback_export_to_excel(as_user, county_admin, worked):
    client = as_user(county_admin)
    wb = load_workbook(BytesIO(client.get("/outreach/export/", {"year": Y}).content))
    rows = list(wb.active.values)
    assert rows[0][1] == "姓名" and {r[1] for r in rows[1:]} == {"王小明", "刘小红"}
    assert all("*" in (r[2] or "*") for r in rows[1:])   # ID numbers masked
    wb = load_workbook(BytesIO(client.get("/outreach/feedback/", {
        "year": Y, "level": "township", "export": 1}).content))
    rows = list(wb.active.values)
    assert rows[1][:3] == ("星沙街道", 2, 2)


def test_township_sees_batch_neighbour_clerk_does_not(as_user, township_officer,
                                                      neighbour_clerk, worked):
    assert as_user(township_officer).get(f"/outreach/batches/{worked.pk}/").status_code == 200
    assert as_user(neighbour_clerk).get(f"/outreach/batches/{worked.pk}/").status_code == 404


@pytest.mark.parametrize("url", ["/outreach/tasks/", "/outreach/feedback/", "/outreach/batches/",
                                 "/outreach/campaigns/", "/outreach/targets/"])
def test_pages_render(as_user, county_admin, worked, url):
    assert as_user(county_admin).get(url).status_code == 200


def test_grids_page_assigns_and_substitutes(as_user, township_officer, worker):
    from enrollment.models import Role
    from tests import factories

    sub = factories.make_user("sub", Role.GRID_WORKER, GRID)
    client = as_user(township_officer)
    assert client.get("/outreach/grids/").status_code == 200
    r = client.post("/outreach/grids/", {"form": "substitute", "leaving": worker.pk,
                                         "substitute": sub.pk, "on": TODAY.isoformat()})
    assert r.status_code == 302
    assert sub.grid_assignments.filter(active=True).count() == 1


def test_seed_demo_gives_grid_worker_open_tasks(client, settings, db):
    import os

    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo", persons=600, stdout=open(os.devnull, "w"))
    assert client.login(username="grid_worker", password="canbao-demo",
                        request=HttpRequest())  # axes needs the request
    page = client.get("/outreach/my-tasks/").content.decode()
    assert 'href="tel:' in page
    assert Task.objects.filter(worker__username="grid_worker",
                               status__in=["signed", "investigating", "mobilised"]).exists()
    assert LedgerEntry.objects.filter(year=2026).exists()
    assert LedgerEntry.objects.filter(year=2027).exists()
