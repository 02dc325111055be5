"""One tap from a radar line to a task for the person's grid worker: the reason goes with it,
a double click makes one task, an open task shows as 已派任务, and a neighbour cannot do it."""
import datetime as dt
import re

import pytest
from django.urls import reverse

from core import once
from outreach.models import LedgerEntry, Task, TaskStatus
from tests import factories as f
from tests.dashboards.test_radar import SUMMER
from tests.outreach.factories import assign

pytestmark = pytest.mark.django_db


@pytest.fixture
def summer(time_machine):
    time_machine.move_to(SUMMER, tick=False)
    return SUMMER.date()


@pytest.fixture
def newborn(summer, make_person):
    return make_person(name="八十天", birth_date=summer - dt.timedelta(days=80))


@pytest.fixture
def worker(grid_worker):
    assign(grid_worker, f.GRID)
    return grid_worker


def _form(page: str) -> dict:
    """The fields of the first one-tap form on the radar page, as the browser would send them."""
    form = re.search(r'<form method="post" action="([^"]+)" class="d-inline radar-task">(.*?)'
                     r'</form>', page, re.S)
    fields = dict(re.findall(r'name="([^"]+)" value="([^"]*)"', form.group(2)))
    return form.group(1), fields


def test_one_tap_makes_a_task_for_the_grid_worker_with_the_radar_reason(
        newborn, worker, village_clerk, as_user):
    client = as_user(village_clerk)
    page = client.get(reverse("outreach_radar")).content.decode()
    action, fields = _form(page)
    assert action == reverse("outreach_radar_task") and "交网格员" in page
    response = client.post(action, fields)
    assert response.status_code == 302
    task = Task.objects.get()
    assert task.worker == worker and task.status == TaskStatus.SIGNED
    assert task.entry.person == newborn and task.entry.year == 2026
    assert task.grid_id == f.GRID and task.region_id == f.VILLAGE
    assert "出生第80天" in task.batch.note and "已满80天" in task.batch.note
    assert task.follow_up_date == dt.date(2026, 7, 10)  # the line's deadline
    # The grid worker finds it on their day with the reason.
    cards = as_user(worker).get(reverse("outreach_my_tasks")).content.decode()
    assert "八十天" in cards and "出生第80天" in cards


def test_a_double_click_makes_one_task(newborn, worker, village_clerk, as_user):
    client = as_user(village_clerk)
    action, fields = _form(client.get(reverse("outreach_radar")).content.decode())
    client.post(action, fields)
    second = client.post(action, fields, follow=True)
    assert Task.objects.count() == 1 and LedgerEntry.objects.count() == 1
    assert once.REPLAY_MESSAGE in second.content.decode()
    # A fresh form for the same line (another tab) keeps the task too.
    fields[once.FIELD] = once.issue()
    client.post(action, fields)
    assert Task.objects.count() == 1


def test_an_open_task_shows_as_sent_and_links_to_it(newborn, worker, village_clerk, as_user):
    client = as_user(village_clerk)
    action, fields = _form(client.get(reverse("outreach_radar")).content.decode())
    client.post(action, fields)
    task = Task.objects.get()
    page = client.get(reverse("outreach_radar")).content.decode()
    assert f'href="{reverse("outreach_task", args=[task.pk])}">已派任务' in page
    assert "radar-task" not in page


def test_a_neighbour_cannot_make_a_task_for_your_person(newborn, worker, neighbour_clerk,
                                                       as_user):
    response = as_user(neighbour_clerk).post(reverse("outreach_radar_task"), {
        "person": newborn.pk, "year": 2026, "reason": "新生儿", once.FIELD: once.issue()})
    assert response.status_code == 404 and not Task.objects.exists()
    assert not LedgerEntry.objects.exists()


@pytest.mark.parametrize("persona", ["city_leader", "grid_worker"])
def test_readers_and_grid_workers_cannot_make_tasks(newborn, worker, persona, request, as_user):
    user = request.getfixturevalue(persona)
    response = as_user(user).post(reverse("outreach_radar_task"),
                                  {"person": newborn.pk, "year": 2026, "reason": "x"})
    assert response.status_code in (403, 404) and not Task.objects.exists()


def test_a_grid_without_a_worker_is_said_and_nothing_is_made(newborn, village_clerk, as_user):
    client = as_user(village_clerk)
    action, fields = _form(client.get(reverse("outreach_radar")).content.decode())
    page = client.post(action, fields, follow=True).content.decode()
    assert "暂无在岗网格员" in page and not Task.objects.exists()
    assert not LedgerEntry.objects.exists()
