"""Registry pages: scope (can the neighbour see it?), registration and its bad input."""
import datetime as dt

import pytest
from django.urls import reverse

from core.calendar import coverage_year_for
from enrollment import idnumbers
from enrollment.models import AuditEntry, Enrollment, Person
from tests import factories

pytestmark = pytest.mark.django_db

VALID_ID = idnumbers.make_id("430121", dt.date(1990, 3, 4), 17, "M")


def registration(**overrides):
    data = {"id_type": "resident_id", "id_number": VALID_ID, "name": "李四",
            "sex": "", "birth_date": "", "phone": "13800001111",
            "hukou_region": factories.VILLAGE, "residence_region": factories.GRID,
            "address": "东山村3组", "household_number": "", "relation_to_head": ""}
    data.update(overrides)
    return data


def test_person_list_shows_only_own_region(as_user, village_clerk, make_person):
    mine = make_person(factories.GRID, name="王小明")
    theirs = make_person(factories.NEIGHBOUR_GRID, name="刘小红")
    page = as_user(village_clerk).get("/persons/").content.decode()
    assert "王小明" in page and f"/persons/{mine.pk}/" in page
    assert "刘小红" not in page and f"/persons/{theirs.pk}/" not in page


@pytest.mark.parametrize("url", ["/persons/{pk}/", "/persons/{pk}/edit/",
                                 "/persons/{pk}/enroll/"])
def test_neighbour_cannot_open_person_by_url(as_user, neighbour_clerk, make_person, url):
    person = make_person(factories.GRID)
    assert as_user(neighbour_clerk).get(url.format(pk=person.pk)).status_code == 404


def test_neighbour_cannot_reveal_id(as_user, neighbour_clerk, make_person):
    person = make_person(factories.GRID)
    response = as_user(neighbour_clerk).post(f"/persons/{person.pk}/reveal-id/")
    assert response.status_code == 404
    assert not AuditEntry.objects.filter(action="view_id").exists()


def test_search_does_not_find_neighbours_people(as_user, village_clerk, make_person):
    theirs = make_person(factories.NEIGHBOUR_GRID, name="刘小红")
    client = as_user(village_clerk)
    for query in [theirs.id_number, "刘小红", "lxh"]:
        page = client.get("/persons/", {"q": query}).content.decode()
        assert f"/persons/{theirs.pk}/" not in page and "没有找到" in page


def test_search_by_pinyin_initials_and_id(as_user, village_clerk, make_person):
    person = make_person(factories.GRID, name="张三丰")
    client = as_user(village_clerk)
    assert "张三丰" in client.get("/persons/", {"q": "zsf"}).content.decode()
    assert "张三丰" in client.get("/persons/", {"q": person.id_number}).content.decode()


def test_export_contains_only_own_region_and_is_audited(as_user, village_clerk, make_person):
    make_person(factories.GRID, name="王小明")
    make_person(factories.NEIGHBOUR_GRID, name="刘小红")
    text = as_user(village_clerk).get("/persons/export/").content.decode("utf-8-sig")
    assert "王小明" in text and "刘小红" not in text
    assert AuditEntry.objects.filter(action="export", user=village_clerk).exists()


def test_ids_are_masked_in_list_and_revealing_is_audited(as_user, village_clerk, make_person):
    person = make_person(factories.GRID)
    client = as_user(village_clerk)
    page = client.get("/persons/").content.decode()
    assert person.id_number not in page and idnumbers.mask(person.id_number) in page
    assert person.id_number not in client.get(f"/persons/{person.pk}/").content.decode()
    response = client.post(f"/persons/{person.pk}/reveal-id/")
    assert response.json() == {"id_number": person.id_number}
    entry = AuditEntry.objects.get(action="view_id")
    assert entry.user == village_clerk and entry.person == person


def test_register_derives_birth_date_and_sex_from_id(as_user, village_clerk):
    response = as_user(village_clerk).post("/persons/new/", registration())
    person = Person.objects.get(id_number=VALID_ID)
    assert response.status_code == 302 and response["Location"] == f"/persons/{person.pk}/"
    assert person.birth_date == dt.date(1990, 3, 4) and person.sex == "M"
    assert person.name_initials == "ls"
    assert person.history.first().history_user == village_clerk


def test_wrong_check_digit_keeps_input_and_names_the_field(as_user, village_clerk):
    wrong = VALID_ID[:17] + ("1" if VALID_ID[17] != "1" else "2")
    response = as_user(village_clerk).post("/persons/new/", registration(id_number=wrong))
    assert response.status_code == 200
    assert "校验位" in response.context["form"].errors["id_number"][0]
    assert f'value="{wrong}"' in response.content.decode()
    assert 'value="李四"' in response.content.decode()
    assert not Person.objects.exists()


def test_birth_date_contradicting_id_is_refused(as_user, village_clerk):
    response = as_user(village_clerk).post("/persons/new/",
                                           registration(birth_date="1991-03-04"))
    assert "出生日期与证件号码不符" in response.context["form"].errors["birth_date"][0]
    assert not Person.objects.exists()


def test_duplicate_id_is_refused_with_a_message(as_user, village_clerk, make_person):
    make_person(factories.GRID, id_number=VALID_ID, birth_date=dt.date(1990, 3, 4))
    response = as_user(village_clerk).post("/persons/new/", registration())
    assert "已登记" in response.context["form"].errors["id_number"][0]
    assert Person.objects.count() == 1


def test_cannot_register_into_neighbours_village(as_user, village_clerk):
    response = as_user(village_clerk).post(
        "/persons/new/", registration(residence_region=factories.NEIGHBOUR_GRID))
    assert "residence_region" in response.context["form"].errors
    assert not Person.objects.exists()


def test_city_leader_is_read_only(as_user, city_leader, make_person):
    person = make_person(factories.GRID)
    client = as_user(city_leader)
    assert client.get(f"/persons/{person.pk}/").status_code == 200
    assert client.get("/persons/new/").status_code == 403
    assert client.post("/persons/new/", registration()).status_code == 403
    assert client.post(f"/persons/{person.pk}/enroll/", {}).status_code == 403
    assert not Person.objects.filter(id_number=VALID_ID).exists()


def test_household_page_is_scoped(as_user, village_clerk, neighbour_clerk):
    as_user(village_clerk).post("/persons/new/", registration(
        household_number="H0001", relation_to_head="head"))
    person = Person.objects.get(id_number=VALID_ID)
    assert person.household.head_name == "李四"
    url = f"/households/{person.household_id}/"
    assert "李四" in as_user(village_clerk).get(url).content.decode()
    assert as_user(neighbour_clerk).get(url).status_code == 404


def test_unknown_household_number_needs_head_relation(as_user, village_clerk):
    response = as_user(village_clerk).post("/persons/new/",
                                           registration(household_number="NOPE"))
    assert "户号不存在" in response.context["form"].errors["household_number"][0]


def test_login_page_and_anonymous_redirect(client):
    assert client.get("/accounts/login/").status_code == 200
    response = client.get("/persons/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_id_check_endpoint(as_user, village_clerk):
    data = as_user(village_clerk).get(reverse("id_check"), {"n": VALID_ID}).json()
    assert data == {"ok": True, "birth_date": "1990-03-04", "sex": "M", "is_permit": False,
                    "taken": False}
    bad = as_user(village_clerk).get(reverse("id_check"), {"n": "123"}).json()
    assert not bad["ok"] and "18位" in bad["error"]


def test_stop_enrollment_is_scoped_and_guarded(as_user, village_clerk, neighbour_clerk,
                                               make_person):
    person = make_person(factories.GRID)
    enrollment = Enrollment.objects.create(person=person, year=2026, scheme="resident",
                                           pooling_region_id=factories.COUNTY, status="active",
                                           paid_on=dt.date(2025, 10, 1))
    url = f"/enrollments/{enrollment.pk}/stop/"
    assert as_user(neighbour_clerk).get(url).status_code == 404
    client = as_user(village_clerk)
    response = client.post(url, {"on": "2026-05-01", "reason": "本人申请"})
    assert response.status_code == 302
    enrollment.refresh_from_db()
    assert enrollment.status == "stopped" and enrollment.stop_reason == "本人申请"
    again = client.post(url, {"on": "2026-05-01", "reason": "再次"})
    assert "无需重复" in again.content.decode()


def test_marking_death_stops_later_enrollments(as_user, village_clerk, neighbour_clerk,
                                               make_person):
    person = make_person()
    this_year = Enrollment.objects.create(person=person, year=2026, pooling_region_id=factories.COUNTY,
                                          status="active")
    next_year = Enrollment.objects.create(person=person, year=2027, pooling_region_id=factories.COUNTY,
                                          status="active")
    url = f"/persons/{person.pk}/status/"
    assert as_user(neighbour_clerk).get(url).status_code == 404
    response = as_user(village_clerk).post(url, {"status": "deceased", "on": "2026-05-01",
                                                 "source": "火化证明"})
    assert response.status_code == 302
    person.refresh_from_db()
    this_year.refresh_from_db()
    next_year.refresh_from_db()
    assert person.life_status == "deceased" and person.life_status_source == "火化证明"
    assert this_year.status == "active" and next_year.status == "stopped"


def test_life_status_date_in_future_is_refused(as_user, village_clerk, make_person):
    person = make_person()
    response = as_user(village_clerk).post(f"/persons/{person.pk}/status/", {
        "status": "deceased", "on": "2099-01-01", "source": "x"})
    assert "不能晚于今天" in response.context["form"].errors["on"][0]
    person.refresh_from_db()
    assert person.life_status == "alive"


def test_home_counts_a_village_desk_and_sends_a_county_to_the_dashboard(
        as_user, village_clerk, county_admin, make_person):
    person = make_person()
    # The home page opens on the coverage year every page opens on (next year from September).
    Enrollment.objects.create(person=person, year=coverage_year_for(dt.date.today()),
                              pooling_region_id=factories.COUNTY, status="active")
    make_person(name="未参保")
    make_person(factories.NEIGHBOUR_GRID)
    # The clerk lands on their work list, which counts the village desk live.
    numbers = as_user(village_clerk).get("/", follow=True).context["numbers"]
    assert (numbers["population"], numbers["covered"], numbers["uncovered"]) == (2, 1, 1)
    page = as_user(county_admin).get("/")
    assert page.status_code == 302 and page["Location"] == "/dashboards/"
