"""Batch collection by village or school: all or nothing, every problem named."""
import datetime as dt
from pathlib import Path

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


# --- The amounts before confirming, and the printable collection list ----------------------

def test_review_shows_each_chosen_persons_amount_and_the_total(as_user, village_clerk,
                                                              make_person):
    from enrollment import services

    adult, child = make_person(name="大人"), make_person(name="小孩",
                                                         birth_date=dt.date(2015, 3, 3))
    make_person(name="未勾选")
    client = as_user(village_clerk)
    response = client.post("/enrollments/batch/?" + "&".join(f"{k}={v}" for k, v in PARAMS.items()),
                           {**PARAMS, "person": [adult.pk, child.pk], "review": "1"})
    html = response.content.decode()
    expected = {}
    for person in (adult, child):
        e = services.enrollment_preview(actor=village_clerk, person=person, year=2026,
                                        paid_on=dt.date(2025, 10, 10),
                                        channel="village_batch").enrollment
        expected[person.pk] = e.amount_due + e.repair_due
        assert f'data-amount-of="{person.pk}">{expected[person.pk]}元<' in html
    assert f'data-field="total">{sum(expected.values())}元<' in html
    assert "未勾选" not in html and "合计 2 人" in html
    assert not Enrollment.objects.exists(), "the review wrote something"
    # Confirming records exactly what was reviewed.
    client.post("/enrollments/batch/?" + "&".join(f"{k}={v}" for k, v in PARAMS.items()),
                {**PARAMS, "person": [adult.pk, child.pk]})
    for person in (adult, child):
        assert Enrollment.objects.get(person=person).amount_paid == expected[person.pk]


def test_review_names_who_cannot_be_recorded(as_user, village_clerk, make_person):
    # Born after the batch's payment date: listed, but the one door refuses the payment.
    baby = make_person(name="婴儿", birth_date=dt.date(2025, 12, 1))
    html = as_user(village_clerk).post("/enrollments/batch/", {
        **PARAMS, "person": [baby.pk], "review": "1"}).content.decode()
    assert "不能登记" in html and "出生" in html and "disabled" in html


def test_batch_default_payment_date_is_filled(as_user, village_clerk, time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                         tick=False)
    html = as_user(village_clerk).get("/enrollments/batch/").content.decode()
    assert 'name="paid_on" value="2026-12-01"' in html


def test_printable_collection_list(as_user, village_clerk, make_person):
    chosen, other = make_person(name="甲"), make_person(name="乙")
    client = as_user(village_clerk)
    response = client.post("/enrollments/batch/print/", {**PARAMS, "person": [chosen.pk]})
    assert response.status_code == 200
    html = response.content.decode()
    review = client.post("/enrollments/batch/", {**PARAMS, "person": [chosen.pk],
                                                 "review": "1"}).context["review"]
    assert "东山村" in html and "2026年度" in html and "2025年10月10日" in html
    assert chosen.masked_id in html and chosen.id_number not in html
    assert "乙" not in html, "only the ticked people are printed"
    assert "经办人签字" in html and "审核人签字" in html and "缴费人签字" in html
    assert "合计 1 人" in html and f'data-field="total">{review["total"]}<' in html
    assert "css/batch_print.css" in html and "<script>" not in html
    assert not Enrollment.objects.exists()


def test_print_needs_a_selection(as_user, village_clerk, make_person):
    make_person(name="甲")
    client = as_user(village_clerk)
    assert client.post("/enrollments/batch/print/", PARAMS).status_code == 302
    assert client.get("/enrollments/batch/print/", PARAMS).status_code == 405


def test_print_css_numbers_the_pages():
    css = (Path(__file__).resolve().parents[2] / "static" / "css" / "batch_print.css").read_text()
    assert "counter(page)" in css and "counter(pages)" in css
    assert "table-header-group" in css


def test_neighbour_prints_no_list_of_another_village(as_user, neighbour_clerk, city_leader,
                                                     make_person):
    person = make_person(name="甲")
    response = as_user(neighbour_clerk).post("/enrollments/batch/print/",
                                             {**PARAMS, "person": [person.pk]})
    assert response.status_code == 302 and "甲" not in response.content.decode()
    # Even with a unit of their own, a neighbour's person is not printed.
    own = {**PARAMS, "unit": f"region:{factories.NEIGHBOUR_VILLAGE}", "person": [person.pk]}
    assert "甲" not in as_user(neighbour_clerk).post("/enrollments/batch/print/",
                                                     own).content.decode()
    assert as_user(city_leader).post("/enrollments/batch/print/",
                                     {**PARAMS, "person": [person.pk]}).status_code == 403
