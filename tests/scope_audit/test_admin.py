"""The scope and input audit over the admin site of every app, and the staff accounts in it (see
__init__.py)."""
from __future__ import annotations

import pytest

from enrollment.models import AuditEntry, Enrollment, Person
from tests import factories
from tests.factories import GRID, NEIGHBOUR_GRID, VILLAGE

from . import checks
from .common import HUGE, Y, admin_import, url_for

pytestmark = pytest.mark.django_db


ADMIN_URLS = [
    "/admin/",
    "/admin/enrollment/person/",
    "/admin/enrollment/person/import/",
    "/admin/enrollment/person/export/",
    "/admin/enrollment/person/{person}/change/",
    "/admin/outreach/ledgerentry/export/",
    "/admin/enrollment/user/",
]


# Lists and exports that take ?region=, ?q=: the neighbour's request never shows our people.
NEIGHBOUR_LISTS = [
    "/admin/enrollment/person/?q={id_number}",
    "/admin/enrollment/enrollment/",
    "/admin/enrollment/household/",
    "/admin/outreach/ledgerentry/",
    "/admin/outreach/task/",
    "/admin/outreach/campaign/",
]


@pytest.mark.parametrize("url", NEIGHBOUR_LISTS)
def test_neighbour_lists_never_show_our_people(as_user, neighbour_clerk, world, url):
    checks.list_never_shows_our_people(as_user(neighbour_clerk), world, url)


ADMIN_OBJECTS = [
    "enrollment/person/{person}",
    "enrollment/household/{household}",
    "enrollment/enrollment/{enrollment}",
    "enrollment/school/{school}",
    "outreach/ledgerentry/{entry}",
    "outreach/task/{task}",
    "outreach/campaign/{campaign}",
    "outreach/batch/{batch}",
]


# (c) The city leader reads everything and changes nothing: (url, post data).
CITY_LEADER_POSTS = [
    ("/admin/enrollment/person/add/", {"name": "赵六"}),
    ("/admin/enrollment/person/{person}/change/", {"name": "改名"}),
    ("/admin/enrollment/person/import/", {"format": "0"}),
    ("/admin/enrollment/enrollment/import/", {"format": "0"}),
    ("/admin/outreach/enrollmenttarget/import/", {"format": "0"}),
    ("/admin/enrollment/officialpopulation/import/", {"format": "0"}),
    ("/admin/enrollment/household/{household}/change/", {"head_name": "改名"}),
    ("/admin/outreach/campaign/{campaign}/change/", {"name": "改名"}),
    ("/admin/benefits/yearstandard/add/", {}),
]


@pytest.mark.parametrize("url,data", CITY_LEADER_POSTS,
                         ids=[u for u, _ in CITY_LEADER_POSTS])
def test_city_leader_cannot_post(as_user, city_leader, world, url, data):
    checks.city_leader_cannot_post(as_user(city_leader), world, url, data)


CITY_LEADER_IMPORT_PAGES = [
    "/admin/enrollment/person/import/",
    "/admin/enrollment/enrollment/import/",
    "/admin/outreach/enrollmenttarget/import/",
]


READS = [
    "/admin/enrollment/person/",
]


@pytest.mark.parametrize("url", READS)
def test_city_leader_reads(as_user, city_leader, world, url):
    checks.city_leader_reads(as_user(city_leader), world, url)


# (d) ID numbers are masked on screen: (persona, url).
SCREENS = [
    ("village_clerk", "/admin/enrollment/person/"),
    ("village_clerk", "/admin/enrollment/enrollment/"),
    ("village_clerk", "/admin/outreach/ledgerentry/"),
    ("village_clerk", "/admin/outreach/task/"),
    ("village_clerk", "/admin/enrollment/auditentry/"),
]


@pytest.mark.parametrize("persona,url", SCREENS, ids=[u for _, u in SCREENS])
def test_screens_and_exports_show_masked_id_numbers(request, as_user, world, persona, url):
    checks.screen_shows_masked_id_numbers(as_user(request.getfixturevalue(persona)), world, url)


# Bad input: a Chinese message or a 404, never a 500: (persona, url).
BAD_QUERIES = [
    ("village_clerk", f"/admin/enrollment/person/?p={HUGE}"),
    ("village_clerk", "/admin/enrollment/person/?p=abc"),
]


@pytest.mark.parametrize("persona,url", BAD_QUERIES, ids=[u for _, u in BAD_QUERIES])
def test_bad_query_parameters_never_give_a_500(request, as_user, world, persona, url):
    checks.bad_query_never_gives_a_500(as_user(request.getfixturevalue(persona)), world, url)


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_anonymous_is_redirected_to_admin_login(client, world, url):
    response = client.get(url_for(url, world))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


@pytest.mark.parametrize("obj", ADMIN_OBJECTS)
@pytest.mark.parametrize("view", ["change", "history"])
def test_neighbour_cannot_open_our_objects_in_the_admin(as_user, neighbour_clerk, world, obj,
                                                        view):
    url = url_for(f"/admin/{obj}/{view}/", world)
    response = as_user(neighbour_clerk).get(url)
    # The admin sends a missing object to its index with a message; never the object.
    assert response.status_code in (302, 404), response.status_code
    if response.status_code == 302:
        assert response["Location"] == "/admin/"


def test_neighbour_cannot_add_an_enrollment_for_our_person_in_the_admin(as_user,
                                                                       neighbour_clerk, world):
    response = as_user(neighbour_clerk).post("/admin/enrollment/enrollment/add/", {
        "person": world["person"].pk, "year": Y, "scheme": "resident",
        "pooling_region": NEIGHBOUR_GRID[:12], "status": "active", "repair_years": 0,
        "rule_ids": "[]", "explanation": "[]", "case_details": "{}"})
    assert response.status_code == 403  # the admin is read-only for a clerk
    assert not Enrollment.objects.filter(person=world["person"], year=Y).exists()


@pytest.mark.parametrize("url", CITY_LEADER_IMPORT_PAGES)
def test_city_leader_has_no_import_page(as_user, city_leader, world, url):
    assert as_user(city_leader).get(url).status_code == 403


def test_city_leader_cannot_import_persons(as_user, city_leader, world):
    csv = ("id_type,id_number,name,sex,birth_date,户籍地代码,常住地代码\n"
           f"resident_id,430121199001010019,赵六,M,1990-01-01,{VILLAGE},{GRID}\n")
    response = admin_import(as_user(city_leader), "/admin/enrollment/person/import/", "person", csv)
    assert response.status_code == 403
    assert not Person.objects.filter(name="赵六").exists()


def test_clerk_cannot_make_themselves_superuser_or_county_admin(as_user, village_clerk, world):
    client = as_user(village_clerk)
    url = f"/admin/enrollment/user/{village_clerk.pk}/change/"
    response = client.post(url, {
        "username": village_clerk.username, "last_name": "x", "role": "county_admin",
        "region": VILLAGE, "is_active": "on", "is_staff": "on", "is_superuser": "on",
        "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"})
    assert response.status_code == 403
    village_clerk.refresh_from_db()
    assert not village_clerk.is_superuser and village_clerk.role == "village_clerk"


def test_clerk_cannot_reset_a_colleagues_password(as_user, village_clerk, grid_worker, world):
    response = as_user(village_clerk).post(
        f"/admin/enrollment/user/{grid_worker.pk}/password/",
        {"password1": "Xx-new-pass-987", "password2": "Xx-new-pass-987",
         "usable_password": "true"})
    assert response.status_code == 403
    grid_worker.refresh_from_db()
    assert grid_worker.check_password(factories.PASSWORD)


def test_county_admin_reads_staff_but_changes_no_account(as_user, county_admin, village_clerk):
    client = as_user(county_admin)
    url = f"/admin/enrollment/user/{village_clerk.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    response = client.post(url, {
        "username": village_clerk.username, "last_name": "改名", "role": "village_clerk",
        "region": VILLAGE, "is_active": "on", "is_staff": "on", "is_superuser": "on",
        "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"})
    assert response.status_code == 403
    village_clerk.refresh_from_db()
    assert village_clerk.last_name != "改名" and not village_clerk.is_superuser


@pytest.mark.parametrize("url,resource", [("/admin/enrollment/person/export/", "personresource"),
                                          ("/admin/outreach/ledgerentry/export/",
                                           "ledgerentryresource")])
def test_admin_export_of_whole_id_numbers_is_audited(as_user, village_clerk, world, url,
                                                     resource):
    response = as_user(village_clerk).post(url, {
        "format": "0", "resource": "0",
        **{f"{resource}_{f}": "on" for f in ["name", "id_number"]}})
    assert response.status_code == 200
    assert world["person"].id_number in response.content.decode("utf-8-sig")
    entry = AuditEntry.objects.get(user=village_clerk, action=AuditEntry.Action.EXPORT)
    assert "后台导出" in entry.detail
