"""Phone numbers whole where the work is calling them (enrollment.scope.sees_whole_phone): the
village clerk's own villagers in their exports and lists, a grid worker's own tasks; masked
for leaders and for the clerk of a village the person is only registered in."""
from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from enrollment import scope
from enrollment.models import PersonGroup
from outreach.models import Batch, LedgerEntry, Task, TaskStatus
from tests import factories as f
from tests.outreach.factories import assign

pytestmark = pytest.mark.django_db

PHONE = "13900003333"
MASKED = "139****3333"


@pytest.fixture
def villager(make_person):
    """Lives in the clerk's village, registered in the neighbouring one (人户分离), so the
    neighbour's clerk sees the person too."""
    return make_person(f.GRID, hukou_code=f.NEIGHBOUR_VILLAGE, name="李来电", phone=PHONE)


def _csv_cells(response) -> str:
    text = b"".join(response.streaming_content if response.streaming else [response.content])
    return text.decode("utf-8-sig")


def _xlsx_cells(response) -> list:
    sheet = load_workbook(io.BytesIO(response.content)).active
    return [c.value for row in sheet.iter_rows() for c in row]


@pytest.mark.parametrize("persona, whole", [("village_clerk", True), ("neighbour_clerk", False),
                                            ("township_officer", False),
                                            ("county_admin", False), ("city_leader", False)])
def test_person_export_shows_the_whole_phone_only_to_the_villagers_clerk(
        villager, persona, whole, request, as_user):
    body = _csv_cells(as_user(request.getfixturevalue(persona)).get("/persons/export/"))
    assert "李来电" in body
    assert (PHONE in body) is whole and (MASKED in body) is not whole


@pytest.fixture
def entry(villager):
    return LedgerEntry.objects.create(year=2026, person=villager, region_id=f.VILLAGE,
                                      grid_id=f.GRID, name=villager.name, phone=PHONE)


@pytest.mark.parametrize("persona, whole", [("village_clerk", True), ("county_admin", False),
                                            ("city_leader", False)])
def test_ledger_export_and_list(entry, persona, whole, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    cells = _xlsx_cells(client.get("/outreach/export/?year=2026"))
    assert (PHONE in cells) is whole and (MASKED in cells) is not whole
    page = client.get("/outreach/?year=2026").content.decode()
    assert "李来电" in page and (PHONE in page) is whole


def test_the_neighbours_clerk_sees_the_radar_phone_masked(villager, as_user, village_clerk,
                                                          neighbour_clerk, time_machine):
    time_machine.move_to(dt.datetime(2026, 11, 20, 10, tzinfo=dt.timezone.utc), tick=False)
    PersonGroup.objects.create(person=villager, group="low_income",
                               start_date=dt.date(2020, 1, 1))
    theirs = as_user(neighbour_clerk).get("/outreach/radar/").content.decode()
    assert "李来电" in theirs and PHONE not in theirs and MASKED in theirs
    cells = _xlsx_cells(as_user(neighbour_clerk).get("/outreach/radar/export.xlsx"))
    assert PHONE not in cells and MASKED in cells
    mine = as_user(village_clerk).get("/outreach/radar/").content.decode()
    assert f'href="tel:{PHONE}"' in mine


def test_a_task_shows_the_whole_phone_to_its_worker_and_clerk_only(
        entry, as_user, grid_worker, village_clerk, county_admin):
    assign(grid_worker, f.GRID)
    batch = Batch.objects.create(year=2026, township_id=f.TOWNSHIP, pushed_by_region_id=f.COUNTY)
    task = Task.objects.create(entry=entry, batch=batch, region_id=f.VILLAGE, grid_id=f.GRID,
                               worker=grid_worker, status=TaskStatus.SIGNED)
    url = f"/outreach/tasks/{task.pk}/"
    for user in (grid_worker, village_clerk):
        assert f'href="tel:{PHONE}"' in as_user(user).get(url).content.decode()
    leader = as_user(county_admin).get(url).content.decode()
    assert PHONE not in leader and MASKED in leader


def test_the_one_capability_decides(villager, grid_worker, village_clerk, neighbour_clerk):
    assert scope.sees_whole_phone(village_clerk, villager)
    assert not scope.sees_whole_phone(neighbour_clerk, villager)
    assert not scope.sees_whole_phone(grid_worker, villager)  # only through their own tasks
    assert scope.shown_phone(neighbour_clerk, villager, PHONE) == MASKED
