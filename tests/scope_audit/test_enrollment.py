"""The scope and input audit over the registry: persons, households, enrollments, batch collection,
the data exchange (see __init__.py)."""
from __future__ import annotations

import datetime as dt
import io

import pytest

from enrollment.models import AuditEntry, Enrollment, Person
from tests.factories import COUNTY, GRID, NEIGHBOUR_GRID, VILLAGE

from . import checks
from .common import HUGE, TODAY, Y, resource_import, url_for

pytestmark = pytest.mark.django_db


# The URL table: (url pattern name, url with {placeholders} filled from `world`).
PAGES = [
    ("home", "/"),
    ("person_list", "/persons/"),
    ("person_export", "/persons/export/"),
    ("person_create", "/persons/new/"),
    ("id_check", "/persons/id-check/?n=110101199003077777"),
    ("person_detail", "/persons/{person}/"),
    ("person_edit", "/persons/{person}/edit/"),
    ("person_life_status", "/persons/{person}/status/"),
    ("person_reveal_id", "/persons/{person}/reveal-id/"),
    ("enrollment_create", "/persons/{person}/enroll/"),
    ("enrollment_preview", "/persons/{person}/enroll/preview/"),
    ("enrollment_batch", "/enrollments/batch/"),
    ("enrollment_batch_print", "/enrollments/batch/print/"),
    ("reconcile", "/reconcile/"),
    ("reconcile_template", "/reconcile/template/deaths.xlsx"),
    ("exchange_kinds", "/exchange/"),
    ("exchange_history", "/exchange/history/"),
    ("exchange_upload", "/exchange/deregistrations/"),
    ("exchange_template", "/exchange/deregistrations/template.xlsx"),
    ("exchange_import", "/exchange/imports/1/"),
    ("exchange_confirm", "/exchange/imports/1/confirm/"),
    ("exchange_retry", "/exchange/imports/1/retry/"),
    ("exchange_progress", "/exchange/imports/1/progress/"),
    ("exchange_errors", "/exchange/imports/1/errors.xlsx"),
    ("household_detail", "/households/{household}/"),
    ("household_receipt", "/households/{household}/receipt/"),
    ("enrollment_stop", "/enrollments/{enrollment}/stop/"),
    ("person_merge", "/persons/{person}/merge/"),
    ("person_merge_preview", "/persons/{person}/merge/{theirs}/"),
    ("transfer_list", "/transfers/"),
    ("transfer_create", "/transfers/new/"),
    ("transfer_accept", "/transfers/1/accept/"),
    ("transfer_decline", "/transfers/1/decline/"),
    ("finding_list", "/findings/"),
    ("finding_export", "/findings/export/"),
    ("comparison_run", "/findings/run/"),
    ("finding_detail", "/findings/1/"),
]


# (b) The neighbour's clerk gets a 404 by URL: (method, url, post data).
NEIGHBOUR_404 = [
    ("get", "/persons/{person}/", None),
    ("get", "/persons/{person}/edit/", None),
    ("post", "/persons/{person}/edit/", {"name": "改名"}),
    ("get", "/persons/{person}/status/", None),
    ("post", "/persons/{person}/status/", {"status": "deceased", "on": "2024-01-01",
                                           "source": "x"}),
    ("post", "/persons/{person}/reveal-id/", {}),
    ("get", "/persons/{person}/enroll/", None),
    ("post", "/persons/{person}/enroll/", {"year": Y, "scheme": "resident",
                                           "paid_on": TODAY.isoformat(), "channel": "individual",
                                           "repair_years": 0}),
    ("post", "/persons/{person}/enroll/preview/", {"year": Y, "scheme": "resident",
                                                   "paid_on": TODAY.isoformat(),
                                                   "channel": "individual", "repair_years": 0}),
    ("get", "/households/{household}/", None),
    ("get", "/households/{household}/receipt/", None),
    ("post", "/households/{household}/", {"year": "2026", "paid_on": "2025-10-10",
                                           "channel": "individual", "person": "1"}),
    ("get", "/enrollments/{enrollment}/stop/", None),
    ("post", "/enrollments/{enrollment}/stop/", {"on": TODAY.isoformat(), "reason": "x"}),
    ("get", "/persons/{person}/merge/", None),
]


@pytest.mark.parametrize("method,url,data", NEIGHBOUR_404,
                         ids=[f"{m}:{u}" for m, u, _ in NEIGHBOUR_404])
def test_neighbour_clerk_gets_404(as_user, neighbour_clerk, world, method, url, data):
    checks.neighbour_gets_404(as_user(neighbour_clerk), world, method, url, data)


# Lists and exports that take ?region=, ?q=: the neighbour's request never shows our people.
NEIGHBOUR_LISTS = [
    "/persons/?region={VILLAGE}",
    "/persons/?q={id_number}",
    "/persons/?q=wxm",
    "/persons/export/?region={VILLAGE}",
    "/enrollments/batch/?unit=region:{VILLAGE}&year=" + str(Y) + "&paid_on="
    + TODAY.isoformat() + "&channel=village_batch",
    "/enrollments/batch/?unit=school:{school}&year=" + str(Y) + "&paid_on="
    + TODAY.isoformat() + "&channel=school_batch",
]


@pytest.mark.parametrize("url", NEIGHBOUR_LISTS)
def test_neighbour_lists_never_show_our_people(as_user, neighbour_clerk, world, url):
    checks.list_never_shows_our_people(as_user(neighbour_clerk), world, url)


# (c) The city leader reads everything and changes nothing: (url, post data).
CITY_LEADER_POSTS = [
    ("/persons/new/", {"id_type": "resident_id", "id_number": "430121199001010019",
                       "name": "赵六", "hukou_region": VILLAGE, "residence_region": GRID}),
    ("/persons/{person}/edit/", {"name": "改名"}),
    ("/persons/{person}/status/", {"status": "deceased", "on": "2024-01-01", "source": "x"}),
    ("/persons/{person}/enroll/", {"year": Y, "scheme": "resident",
                                   "paid_on": TODAY.isoformat(), "channel": "individual",
                                   "repair_years": 0}),
    ("/enrollments/{enrollment}/stop/", {"on": TODAY.isoformat(), "reason": "x"}),
    ("/enrollments/batch/", {"unit": f"region:{VILLAGE}", "year": Y,
                             "paid_on": TODAY.isoformat(), "channel": "village_batch"}),
    ("/persons/{person}/enroll/preview/", {"year": Y, "scheme": "resident",
                                           "paid_on": TODAY.isoformat(), "channel": "individual",
                                           "repair_years": 0}),
    ("/enrollments/batch/print/", {"unit": f"region:{VILLAGE}", "year": Y,
                                   "paid_on": TODAY.isoformat(), "channel": "village_batch"}),
    ("/exchange/deregistrations/", {}),
    ("/households/{household}/", {"year": Y, "paid_on": TODAY.isoformat(),
                                  "channel": "individual", "person": "1"}),
]


@pytest.mark.parametrize("url,data", CITY_LEADER_POSTS,
                         ids=[u for u, _ in CITY_LEADER_POSTS])
def test_city_leader_cannot_post(as_user, city_leader, world, url, data):
    checks.city_leader_cannot_post(as_user(city_leader), world, url, data)


READS = [
    "/",
    "/persons/",
    "/persons/{person}/",
]


@pytest.mark.parametrize("url", READS)
def test_city_leader_reads(as_user, city_leader, world, url):
    checks.city_leader_reads(as_user(city_leader), world, url)


# (d) ID numbers are masked on screen: (persona, url).
SCREENS = [
    ("village_clerk", "/persons/"),
    ("village_clerk", "/persons/?q={id_prefix}"),
    ("village_clerk", "/persons/{person}/"),
    ("village_clerk", "/persons/export/"),
    ("village_clerk", "/households/{household}/"),
    ("village_clerk", "/enrollments/batch/?unit=region:{VILLAGE}&year=" + str(Y) + "&paid_on="
     + TODAY.isoformat() + "&channel=village_batch"),
]


@pytest.mark.parametrize("persona,url", SCREENS, ids=[u for _, u in SCREENS])
def test_screens_and_exports_show_masked_id_numbers(request, as_user, world, persona, url):
    checks.screen_shows_masked_id_numbers(as_user(request.getfixturevalue(persona)), world, url)


MASKED_PAGES = [
    "/persons/",
    "/persons/{person}/",
    "/households/{household}/",
]


@pytest.mark.parametrize("url", MASKED_PAGES)
def test_pages_that_show_an_id_number_show_it_masked(as_user, village_clerk, world, url):
    checks.page_shows_the_masked_id(as_user(village_clerk), world, url)


# Bad input: a Chinese message or a 404, never a 500: (persona, url).
BAD_QUERIES = [
    ("village_clerk", "/persons/?page=abc"),
    ("village_clerk", "/persons/?page=999999"),
    ("village_clerk", f"/persons/?page={HUGE}"),
    ("village_clerk", "/persons/?page=-3"),
    ("village_clerk", "/persons/?region=abc"),
    ("village_clerk", "/persons/?region=430121100001%25"),
    ("village_clerk", f"/persons/?region={HUGE}"),
    ("village_clerk", "/persons/?q=%25_%25"),
    ("village_clerk", "/persons/?q=a%00b&region=430121100001%00%00%00"),
    ("village_clerk", "/persons/export/?q=%00"),
    ("village_clerk", f"/persons/export/?region={HUGE}"),
    ("village_clerk", f"/enrollments/batch/?unit=region:{VILLAGE}&year={HUGE}"
                      f"&paid_on={TODAY.isoformat()}&channel=village_batch"),
    ("village_clerk", "/enrollments/batch/?unit=nonsense&year=abc&paid_on=abc"),
    ("village_clerk", "/persons/id-check/?n=abc"),
    ("village_clerk", f"/persons/id-check/?n={HUGE}"),
    ("village_clerk", "/reconcile/template/nonsense.xlsx"),
    ("county_admin", "/exchange/nonsense/template.xlsx"),
    ("county_admin", f"/exchange/imports/{HUGE}/"),
    ("county_admin", "/exchange/history/?after=%00&before=abc"),
    ("village_clerk", f"/persons/{HUGE}/"),
]


@pytest.mark.parametrize("persona,url", BAD_QUERIES, ids=[u for _, u in BAD_QUERIES])
def test_bad_query_parameters_never_give_a_500(request, as_user, world, persona, url):
    checks.bad_query_never_gives_a_500(as_user(request.getfixturevalue(persona)), world, url)


# (persona, url, data, field message expected on the page)
BAD_POSTS = [
    ("village_clerk", "/persons/{person}/enroll/",
     {"year": Y, "scheme": "resident", "paid_on": (TODAY + dt.timedelta(days=3)).isoformat(),
      "channel": "individual", "repair_years": 0}, "缴费日期不能晚于今天"),
    ("village_clerk", "/persons/{person}/enroll/",
     {"year": Y, "scheme": "resident", "paid_on": TODAY.isoformat(), "amount_paid": "-5",
      "channel": "individual", "repair_years": 0}, "实缴金额"),
    ("village_clerk", "/persons/{person}/enroll/",
     {"year": "abc", "scheme": "resident", "paid_on": TODAY.isoformat(),
      "channel": "individual", "repair_years": 0}, "输入整数"),
    ("village_clerk", "/persons/{person}/enroll/",
     {"year": HUGE, "scheme": "resident", "paid_on": TODAY.isoformat(),
      "channel": "individual", "repair_years": HUGE}, "待遇年度"),
    ("village_clerk", "/persons/{person}/status/",
     {"status": "deceased", "on": (TODAY + dt.timedelta(days=3)).isoformat(), "source": "x"},
     "变更日期不能晚于今天"),
    ("village_clerk", "/enrollments/{enrollment}/stop/", {"on": "abc", "reason": "x"},
     "输入一个有效的日期"),
    ("village_clerk", "/enrollments/batch/",
     {"unit": f"region:{VILLAGE}", "year": HUGE, "paid_on": TODAY.isoformat(),
      "channel": "village_batch"}, "待遇年度"),
    ("village_clerk", "/enrollments/batch/",
     {"unit": f"region:{VILLAGE}", "year": "abc",
      "paid_on": (TODAY + dt.timedelta(days=1)).isoformat(), "channel": "village_batch"},
     "缴费日期不能晚于今天"),
    ("village_clerk", "/persons/new/",
     {"id_type": "resident_id", "id_number": "12345", "name": "赵六",
      "hukou_region": VILLAGE, "residence_region": GRID}, "证件号码"),
]


@pytest.mark.parametrize("persona,url,data,message", BAD_POSTS,
                         ids=[f"{u}:{m}" for _, u, _, m in BAD_POSTS])
def test_bad_form_input_gives_a_chinese_message_and_writes_nothing(request, as_user, world,
                                                                   persona, url, data,
                                                                   message):
    checks.bad_form_input_gives_a_message_and_writes_nothing(
        as_user(request.getfixturevalue(persona)), world, url, data, message)


def test_neighbour_cannot_batch_enroll_our_person_by_posting_ids(as_user, neighbour_clerk,
                                                                 world):
    client = as_user(neighbour_clerk)
    for unit in (f"region:{VILLAGE}", f"school:{world['school'].pk}"):
        response = client.post("/enrollments/batch/", {
            "unit": unit, "year": Y, "paid_on": TODAY.isoformat(),
            "channel": "village_batch", "person": world["person"].pk})
        assert response.status_code == 200
        assert "选择一个有效的选项" in response.content.decode()
    assert not Enrollment.objects.filter(person=world["person"], year=Y).exists()


def test_neighbour_cannot_put_a_person_in_our_household_or_village(as_user, neighbour_clerk,
                                                                   world):
    client = as_user(neighbour_clerk)
    data = {"id_type": "resident_id", "id_number": "430121199001010019", "name": "赵六",
            "hukou_region": NEIGHBOUR_GRID[:12], "residence_region": NEIGHBOUR_GRID,
            "household_number": world["household"].number, "relation_to_head": "child"}
    page = client.post("/persons/new/", data).content.decode()
    assert "该户不在您的辖区内" in page
    page = client.post("/persons/new/", {**data, "household_number": "",
                                         "residence_region": GRID}).content.decode()
    assert "选择一个有效的选项" in page
    assert not Person.objects.filter(name="赵六").exists()


def test_another_townships_feed_does_not_match_our_person(as_user, world):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enrollment.models import FeedImport
    from tests import factories

    other = factories.make_user("other_township", "township_officer", "430181100000")
    csv = f"证件号码,姓名,注销类型,注销日期\n{world['person'].id_number},王小明,死亡,2024-01-01\n"
    client = as_user(other)
    response = client.post("/exchange/deregistrations/",
                           {"file": SimpleUploadedFile("deaths.csv", csv.encode())}, follow=True)
    assert response.status_code == 200
    imp = FeedImport.objects.get()
    assert imp.rejected == 1 and "本辖区没有此人的档案" in imp.problems[0]["message"]
    assert world["person"].name not in response.content.decode()
    assert Person.objects.get(pk=world["person"].pk).life_status == "alive"


def test_neighbour_cannot_import_an_enrollment_for_our_person(neighbour_clerk, world):
    from enrollment.resources import EnrollmentResource

    csv = ("证件号码,year,scheme,统筹区代码,status,paid_on\n"
           f"{world['person'].id_number},{Y},resident,{COUNTY},active,{TODAY.isoformat()}\n")
    result = resource_import(EnrollmentResource, neighbour_clerk, csv)
    assert result.has_validation_errors()
    assert "不在您的辖区内" in str(result.invalid_rows[0].error_dict)
    assert not Enrollment.objects.filter(person=world["person"], year=Y).exists()


def test_village_clerk_imports_an_enrollment_for_own_person(village_clerk, world):
    from enrollment.resources import EnrollmentResource

    csv = ("证件号码,year,scheme,统筹区代码,status,paid_on\n"
           f"{world['person'].id_number},{Y},resident,{COUNTY},active,{TODAY.isoformat()}\n")
    result = resource_import(EnrollmentResource, village_clerk, csv)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Enrollment.objects.filter(person=world["person"], year=Y).exists()


def test_neighbour_cannot_take_our_person_by_import(neighbour_clerk, world):
    """A person row keyed by our person's ID number must not update our person (moving them
    into the neighbour's village): for the neighbour the number is a new row, a duplicate."""
    from enrollment.resources import PersonResource

    p = world["person"]
    csv = ("id_type,id_number,name,sex,birth_date,户籍地代码,常住地代码\n"
           f"resident_id,{p.id_number},被改名,M,{p.birth_date},{NEIGHBOUR_GRID[:12]},"
           f"{NEIGHBOUR_GRID}\n")
    result = resource_import(PersonResource, neighbour_clerk, csv)
    assert result.has_validation_errors()
    p.refresh_from_db()
    assert (p.name, p.residence_region_id) == ("王小明", GRID)


def test_city_leader_import_writes_nothing_even_without_the_page(city_leader, world):
    from enrollment import idnumbers
    from enrollment.resources import PersonResource

    number = idnumbers.make_unique_id(990001, dt.date(1990, 1, 1), "M")
    csv = ("id_type,id_number,name,sex,birth_date,户籍地代码,常住地代码\n"
           f"resident_id,{number},赵六,M,1990-01-01,{VILLAGE},{GRID}\n")
    result = resource_import(PersonResource, city_leader, csv)
    assert "只读" in str(result.invalid_rows[0].error_dict)
    assert not Person.objects.filter(name="赵六").exists()


def test_city_leader_has_no_write_buttons_on_person_page(as_user, city_leader, world):
    page = as_user(city_leader).get(url_for("/persons/{person}/", world)).content.decode()
    assert url_for("/persons/{person}/edit/", world) not in page


def test_revealing_an_id_number_is_audited(as_user, village_clerk, city_leader, world):
    person = world["person"]
    for user in (village_clerk, city_leader):
        response = as_user(user).post(f"/persons/{person.pk}/reveal-id/")
        assert response.json() == {"id_number": person.id_number}
        assert AuditEntry.objects.filter(user=user, person=person,
                                         action=AuditEntry.Action.VIEW_ID).count() == 1


def test_reveal_needs_post(as_user, village_clerk, world):
    response = as_user(village_clerk).get(f"/persons/{world['person'].pk}/reveal-id/")
    assert response.status_code == 405
