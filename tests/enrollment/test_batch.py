"""Batch collection by village or school: all or nothing, every problem named."""
import datetime as dt

import pytest

from enrollment.models import Enrollment, School
from tests import factories

pytestmark = pytest.mark.django_db

PARAMS = {"year": 2026, "unit": f"region:{factories.VILLAGE}", "paid_on": "2025-10-10",
          "channel": "village_batch"}


def test_lists_only_unenrolled_people_of_the_village(as_user, village_clerk, make_person):
    waiting = make_person(name="未参保")
    done = make_person(name="已参保")
    Enrollment.objects.create(person=done, year=2026, pooling_region_id=factories.COUNTY,
                              status="active")
    make_person(factories.NEIGHBOUR_GRID, name="邻村人")
    page = as_user(village_clerk).get("/enrollments/batch/", PARAMS)
    assert [p.name for p in page.context["candidates"]] == ["未参保"]
    assert waiting in page.context["candidates"]


def test_batch_records_everyone_chosen(as_user, village_clerk, make_person):
    a, b = make_person(name="甲"), make_person(name="乙")
    response = as_user(village_clerk).post("/enrollments/batch/?" + "&".join(
        f"{k}={v}" for k, v in PARAMS.items()), {**PARAMS, "person": [a.pk, b.pk]})
    assert response.status_code == 302
    rows = Enrollment.objects.filter(year=2026, channel="village_batch")
    assert {e.person for e in rows} == {a, b}
    assert all(e.status == "active" and e.created_by == village_clerk for e in rows)


def test_one_bad_person_means_nobody_is_written(as_user, village_clerk, make_person):
    adult = make_person(name="甲")
    unborn = make_person(name="乙", birth_date=dt.date(2025, 12, 1))  # paid before birth
    response = as_user(village_clerk).post("/enrollments/batch/", {
        **PARAMS, "person": [adult.pk, unborn.pk]})
    assert response.status_code == 200
    assert any("乙" in p and "出生" in p for p in response.context["problems"])
    assert not Enrollment.objects.exists()


def test_neighbours_people_cannot_be_smuggled_in(as_user, village_clerk, make_person):
    theirs = make_person(factories.NEIGHBOUR_GRID)
    as_user(village_clerk).post("/enrollments/batch/", {
        **PARAMS, "unit": f"region:{factories.NEIGHBOUR_VILLAGE}", "person": [theirs.pk]})
    assert not Enrollment.objects.exists()


def test_school_batch(as_user, township_officer, make_person):
    school = School.objects.create(code="S1", name="第一中学", kind="primary",
                                   region_id=factories.VILLAGE)
    pupil = make_person(name="学生", birth_date=dt.date(2012, 5, 1), school=school)
    make_person(name="非学生")
    params = {**PARAMS, "unit": f"school:{school.pk}", "channel": "school_batch"}
    client = as_user(township_officer)
    assert [p.name for p in client.get("/enrollments/batch/", params).context["candidates"]] \
        == ["学生"]
    client.post("/enrollments/batch/", {**params, "person": [pupil.pk]})
    assert Enrollment.objects.get().channel == "school_batch"


def test_city_leader_cannot_batch(as_user, city_leader):
    assert as_user(city_leader).get("/enrollments/batch/").status_code == 403
