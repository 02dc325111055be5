"""The product promise, checked over every URL of the app.

Every page is scoped: the clerk of the neighbouring village gets a 404 for the village clerk's
people, households, enrollments, ledger entries, tasks and campaigns, by URL and by the ids a form
posts. A city leader reads everything and changes nothing (every POST is a 403, in the admin
too). Anonymous visitors go to the login page. ID numbers are masked on screen, revealing one is
audited, and admin exports (which carry whole numbers for re-import) are audited too. Bad input
(page numbers, years, region codes, ids) gives a Chinese message or a 404, never a 500.

The URL table below is the list of every pattern in config/urls.py and the apps' urls.py;
`test_every_url_pattern_is_in_the_table` fails when a new pattern is added without a row here.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from enrollment.models import AuditEntry, Enrollment, Household, Person, Region, School
from outreach import services as outreach_services
from outreach.models import Campaign, LedgerEntry, Task
from tests import factories
from tests.factories import COUNTY, GRID, NEIGHBOUR_GRID, TOWNSHIP, VILLAGE

pytestmark = pytest.mark.django_db

Y = timezone.localdate().year + 1
TODAY = timezone.localdate()


# --- The village clerk's world -------------------------------------------------------------


@pytest.fixture
def world(village_clerk, neighbour_clerk, county_admin, township_officer, grid_worker,
          make_person):
    """One of everything in the village clerk's village (東山村), and one neighbour person."""
    from outreach.models import GridAssignment

    GridAssignment.objects.create(grid_id=GRID, worker=grid_worker)
    household = Household.objects.create(number="4301211000010001", head_name="王小明",
                                         region_id=VILLAGE)
    person = make_person(GRID, name="王小明", phone="13900001111", household=household,
                         relation_to_head="head")
    theirs = make_person(NEIGHBOUR_GRID, name="刘小红")
    school = School.objects.create(code="S-EAST", name="东山小学", kind="primary",
                                   region_id=VILLAGE)
    outreach_services.ledger_generate(actor=county_admin, year=Y,
                                      region=Region.objects.get(code=COUNTY))
    batch = outreach_services.batch_push(actor=county_admin, year=Y,
                                         township=Region.objects.get(code=TOWNSHIP))
    outreach_services.batch_sign(actor=township_officer, batch=batch)
    entry = LedgerEntry.objects.get(person=person, year=Y)
    task = Task.objects.get(entry=entry)
    enrollment = Enrollment.objects.create(person=person, year=Y - 1, status="active",
                                           pooling_region_id=COUNTY, paid_on=TODAY)
    campaign = Campaign.objects.create(name="东山村集中宣传", year=Y, region_id=VILLAGE,
                                       start_date=TODAY, end_date=TODAY)
    return {"person": person, "theirs": theirs, "household": household, "school": school,
            "entry": entry, "task": task, "batch": batch, "enrollment": enrollment,
            "campaign": campaign, "VILLAGE": VILLAGE, "GRID": GRID}


def _url(template: str, w: dict) -> str:
    return template.format(**{k: getattr(v, "pk", v) for k, v in w.items()})


# --- The URL table ---------------------------------------------------------------------------
# (url pattern name or admin, url with {placeholders} filled from `world`)

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
    ("enrollment_batch", "/enrollments/batch/"),
    ("reconcile", "/reconcile/"),
    ("reconcile_template", "/reconcile/template/deaths.xlsx"),
    ("household_detail", "/households/{household}/"),
    ("enrollment_stop", "/enrollments/{enrollment}/stop/"),
    ("policy_calculator", "/benefits/calculator/"),
    ("special_case", "/benefits/persons/{person}/special/"),
    ("newborn_enroll", "/benefits/newborn/"),
    ("recalc_start", "/benefits/recalc/"),
    ("recalc_job", "/benefits/recalc/jobs/1/"),
    ("recalc_job_json", "/benefits/recalc/jobs/1/progress.json"),
    ("recalc_job_resume", "/benefits/recalc/jobs/1/resume/"),
    ("claims_upload", "/benefits/recalc/claims/"),
    ("claims_confirm", "/benefits/recalc/claims/confirm/"),
    ("claims_errors", "/benefits/recalc/claims/errors.xlsx"),
    ("claims_template", "/benefits/recalc/claims/template.xlsx"),
    ("outreach_ledger", "/outreach/"),
    ("outreach_ledger_export", "/outreach/export/"),
    ("outreach_generate", "/outreach/generate/"),
    ("outreach_entry", "/outreach/entries/{entry}/"),
    ("outreach_push", "/outreach/push/"),
    ("outreach_batches", "/outreach/batches/"),
    ("outreach_batch", "/outreach/batches/{batch}/"),
    ("outreach_tasks", "/outreach/tasks/"),
    ("outreach_task", "/outreach/tasks/{task}/"),
    ("outreach_task_action", "/outreach/tasks/{task}/visit/"),
    ("outreach_my_tasks", "/outreach/my-tasks/"),
    ("outreach_feedback", "/outreach/feedback/"),
    ("outreach_grids", "/outreach/grids/"),
    ("outreach_targets", "/outreach/targets/"),
    ("outreach_campaigns", "/outreach/campaigns/"),
    ("outreach_campaign", "/outreach/campaigns/{campaign}/"),
    ("dashboards:dashboard", "/dashboards/"),
    ("dashboards:print", "/dashboards/print/"),
    ("dashboards:export", "/dashboards/export.xlsx"),
    ("dashboards:people", "/dashboards/people/"),
    ("dashboards:refresh", "/dashboards/refresh/"),
    ("otp_setup", "/accounts/otp/setup/"),
    ("otp_verify", "/accounts/otp/verify/"),
    ("audit_log", "/audit/"),
    ("audit_export", "/audit/export.xlsx"),
]
AUTH_URLS = {"login", "logout", "password_change", "password_change_done", "password_reset",
             "password_reset_done", "password_reset_confirm", "password_reset_complete"}


def _named_patterns(resolver=None, namespace=""):
    resolver = resolver or get_resolver()
    for p in resolver.url_patterns:
        if isinstance(p, URLResolver):
            if p.app_name == "admin":
                continue
            ns = f"{p.namespace}:" if p.namespace else namespace
            yield from _named_patterns(p, ns)
        elif isinstance(p, URLPattern) and p.name:
            yield namespace + p.name


def test_every_url_pattern_is_in_the_table():
    covered = {name for name, _ in PAGES} | AUTH_URLS
    assert set(_named_patterns()) - covered == set()


# --- (a) Anonymous visitors go to the login page -------------------------------------------


@pytest.mark.parametrize("name,url", PAGES, ids=[n for n, _ in PAGES])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_is_redirected_to_login(client, world, name, url, method):
    response = getattr(client, method)(_url(url, world))
    assert response.status_code == 302, (name, response.status_code)
    assert response["Location"].startswith("/accounts/login/")


ADMIN_URLS = ["/admin/", "/admin/enrollment/person/", "/admin/enrollment/person/import/",
              "/admin/enrollment/person/export/", "/admin/enrollment/person/{person}/change/",
              "/admin/outreach/ledgerentry/export/", "/admin/enrollment/user/"]


@pytest.mark.parametrize("url", ADMIN_URLS)
def test_anonymous_is_redirected_to_admin_login(client, world, url):
    response = client.get(_url(url, world))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


# --- (b) The neighbour's clerk gets a 404 by URL ---------------------------------------------

NEIGHBOUR_404 = [
    # (method, url, post data)
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
    ("get", "/households/{household}/", None),
    ("get", "/enrollments/{enrollment}/stop/", None),
    ("post", "/enrollments/{enrollment}/stop/", {"on": TODAY.isoformat(), "reason": "x"}),
    ("get", "/benefits/persons/{person}/special/", None),
    ("post", "/benefits/persons/{person}/special/?category=repair",
     {"year": Y, "paid_on": TODAY.isoformat(), "repair_years": 1}),
    ("get", "/benefits/calculator/?person={person}", None),
    ("get", "/benefits/newborn/?parent={person}", None),
    ("post", "/benefits/newborn/?parent={person}", {}),
    ("get", "/outreach/entries/{entry}/", None),
    ("post", "/outreach/entries/{entry}/", {"reason": "unwilling"}),
    ("get", "/outreach/tasks/{task}/", None),
    ("post", "/outreach/tasks/{task}/sign/", {}),
    ("post", "/outreach/tasks/{task}/mobilise/", {}),
    ("post", "/outreach/tasks/{task}/visit/", {"visited_on": TODAY.isoformat(),
                                               "method": "home", "outcome": "informed"}),
    ("post", "/outreach/tasks/{task}/cannot/", {"reason": "unwilling"}),
    ("get", "/outreach/batches/{batch}/", None),
    ("post", "/outreach/batches/{batch}/", {"action": "report"}),
    ("get", "/outreach/campaigns/{campaign}/", None),
    ("post", "/outreach/campaigns/{campaign}/", {}),
    ("get", "/dashboards/?region={VILLAGE}", None),
    ("get", "/dashboards/print/?region={VILLAGE}", None),
    ("get", "/dashboards/export.xlsx?region={VILLAGE}", None),
    ("get", "/dashboards/people/?region={VILLAGE}", None),
    ("get", "/dashboards/people/?region={GRID}&metric=persons", None),
]


@pytest.mark.parametrize("method,url,data", NEIGHBOUR_404,
                         ids=[f"{m}:{u}" for m, u, _ in NEIGHBOUR_404])
def test_neighbour_clerk_gets_404(as_user, neighbour_clerk, world, method, url, data):
    before = _fingerprint(world)
    client = as_user(neighbour_clerk)
    response = (client.get(_url(url, world)) if method == "get"
                else client.post(_url(url, world), data))
    assert response.status_code == 404, response.status_code
    assert _fingerprint(world) == before


def _fingerprint(w):
    """What a neighbour could have changed in the village clerk's world."""
    person = Person.objects.get(pk=w["person"].pk)
    return (person.name, person.life_status, Enrollment.objects.filter(person=person).count(),
            tuple(Enrollment.objects.filter(person=person).values_list("status", flat=True)),
            tuple(Task.objects.filter(pk=w["task"].pk).values_list("status", "worker_id")),
            tuple(LedgerEntry.objects.filter(pk=w["entry"].pk).values_list("reason")),
            AuditEntry.objects.filter(person=person,
                                      action=AuditEntry.Action.VIEW_ID).count())


# Lists and exports that take ?region=, ?q=: the neighbour's request never shows our people.
NEIGHBOUR_LISTS = [
    "/persons/?region={VILLAGE}",
    "/persons/?q={id_number}",
    "/persons/?q=wxm",
    "/persons/export/?region={VILLAGE}",
    "/outreach/?region={VILLAGE}&year=" + str(Y),
    "/outreach/?q=wxm&year=" + str(Y),
    "/outreach/export/?region={VILLAGE}&year=" + str(Y),
    "/outreach/tasks/",
    "/outreach/feedback/?year=" + str(Y),
    "/outreach/campaigns/",
    "/enrollments/batch/?unit=region:{VILLAGE}&year=" + str(Y) + "&paid_on="
    + TODAY.isoformat() + "&channel=village_batch",
    "/enrollments/batch/?unit=school:{school}&year=" + str(Y) + "&paid_on="
    + TODAY.isoformat() + "&channel=school_batch",
    "/admin/enrollment/person/?q={id_number}",
    "/admin/enrollment/enrollment/",
    "/admin/enrollment/household/",
    "/admin/outreach/ledgerentry/",
    "/admin/outreach/task/",
    "/admin/outreach/campaign/",
]


@pytest.mark.parametrize("url", NEIGHBOUR_LISTS)
def test_neighbour_lists_never_show_our_people(as_user, neighbour_clerk, world, url):
    w = {**world, "id_number": world["person"].id_number}
    response = as_user(neighbour_clerk).get(_url(url, w))
    assert response.status_code == 200
    body = response.content.decode("utf-8-sig", errors="ignore")
    for secret in ("王小明", "东山村集中宣传", world["household"].number):
        assert secret not in body, secret


ADMIN_OBJECTS = ["enrollment/person/{person}", "enrollment/household/{household}",
                 "enrollment/enrollment/{enrollment}", "enrollment/school/{school}",
                 "outreach/ledgerentry/{entry}", "outreach/task/{task}",
                 "outreach/campaign/{campaign}", "outreach/batch/{batch}"]


@pytest.mark.parametrize("obj", ADMIN_OBJECTS)
@pytest.mark.parametrize("view", ["change", "history"])
def test_neighbour_cannot_open_our_objects_in_the_admin(as_user, neighbour_clerk, world, obj,
                                                        view):
    url = _url(f"/admin/{obj}/{view}/", world)
    response = as_user(neighbour_clerk).get(url)
    # The admin sends a missing object to its index with a message; never the object.
    assert response.status_code in (302, 404), response.status_code
    if response.status_code == 302:
        assert response["Location"] == "/admin/"


# Forms that post ids of the neighbour's village: refused with a message, nothing written.


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


def test_neighbour_cannot_register_a_newborn_in_our_village(as_user, neighbour_clerk, world):
    response = as_user(neighbour_clerk).post("/benefits/newborn/", {
        "p-name": "新生", "p-sex": "M", "p-birth_date": TODAY.isoformat(),
        "p-birth_cert_number": "Q430000001", "p-residence_region": GRID,
        "paid_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Person.objects.filter(name="新生").exists()


def test_neighbour_reconciliation_list_does_not_match_our_person(as_user, neighbour_clerk,
                                                                  world):
    csv = f"证件号码,姓名,死亡日期\n{world['person'].id_number},王小明,2024-01-01\n"
    upload = io.BytesIO(csv.encode("utf-8"))
    upload.name = "deaths.csv"
    response = as_user(neighbour_clerk).post("/reconcile/", {"kind": "deaths", "file": upload})
    assert response.status_code == 200
    assert world["person"].masked_id not in response.content.decode() or \
        "payload" not in response.content.decode()
    assert Person.objects.get(pk=world["person"].pk).life_status == "alive"


def test_neighbour_cannot_add_an_enrollment_for_our_person_in_the_admin(as_user,
                                                                       neighbour_clerk, world):
    response = as_user(neighbour_clerk).post("/admin/enrollment/enrollment/add/", {
        "person": world["person"].pk, "year": Y, "scheme": "resident",
        "pooling_region": NEIGHBOUR_GRID[:12], "status": "active", "repair_years": 0,
        "rule_ids": "[]", "explanation": "[]", "case_details": "{}"})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Enrollment.objects.filter(person=world["person"], year=Y).exists()


def _import(client, url, resource_prefix, csv_text):
    upload = io.BytesIO(csv_text.encode("utf-8"))
    upload.name = "rows.csv"
    return client.post(url, {"format": "0", "resource": "0", "import_file": upload})


def _resource_import(resource_class, user, csv_text):
    """What both steps of the admin import (preview, confirm) run."""
    import tablib

    dataset = tablib.Dataset().load(csv_text, format="csv")
    return resource_class(user=user).import_data(dataset, dry_run=False, raise_errors=False)


def test_neighbour_cannot_import_an_enrollment_for_our_person(neighbour_clerk, world):
    from enrollment.resources import EnrollmentResource

    csv = ("证件号码,year,scheme,统筹区代码,status,paid_on\n"
           f"{world['person'].id_number},{Y},resident,{COUNTY},active,{TODAY.isoformat()}\n")
    result = _resource_import(EnrollmentResource, neighbour_clerk, csv)
    assert result.has_validation_errors()
    assert "不在您的辖区内" in str(result.invalid_rows[0].error_dict)
    assert not Enrollment.objects.filter(person=world["person"], year=Y).exists()


def test_village_clerk_imports_an_enrollment_for_own_person(village_clerk, world):
    from enrollment.resources import EnrollmentResource

    csv = ("证件号码,year,scheme,统筹区代码,status,paid_on\n"
           f"{world['person'].id_number},{Y},resident,{COUNTY},active,{TODAY.isoformat()}\n")
    result = _resource_import(EnrollmentResource, village_clerk, csv)
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
    result = _resource_import(PersonResource, neighbour_clerk, csv)
    assert result.has_validation_errors()
    p.refresh_from_db()
    assert (p.name, p.residence_region_id) == ("王小明", GRID)


def test_city_leader_import_writes_nothing_even_without_the_page(city_leader, world):
    from enrollment import idnumbers
    from enrollment.resources import PersonResource

    number = idnumbers.make_unique_id(990001, dt.date(1990, 1, 1), "M")
    csv = ("id_type,id_number,name,sex,birth_date,户籍地代码,常住地代码\n"
           f"resident_id,{number},赵六,M,1990-01-01,{VILLAGE},{GRID}\n")
    result = _resource_import(PersonResource, city_leader, csv)
    assert "只读" in str(result.invalid_rows[0].error_dict)
    assert not Person.objects.filter(name="赵六").exists()


# --- (c) The city leader reads everything and changes nothing ------------------------------

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
    ("/reconcile/", {"kind": "deaths"}),
    ("/benefits/persons/{person}/special/", {"year": Y, "paid_on": TODAY.isoformat()}),
    ("/benefits/newborn/", {}),
    ("/benefits/recalc/", {"year": Y, "region": COUNTY}),
    ("/benefits/recalc/jobs/1/resume/", {}),
    ("/benefits/recalc/claims/", {}),
    ("/benefits/recalc/claims/confirm/", {}),
    ("/outreach/generate/", {"year": Y, "region": COUNTY}),
    ("/outreach/entries/{entry}/", {"reason": "unwilling"}),
    ("/outreach/push/", {"year": Y, "township": TOWNSHIP}),
    ("/outreach/batches/{batch}/", {"action": "report"}),
    ("/outreach/tasks/{task}/sign/", {}),
    ("/outreach/tasks/{task}/mobilise/", {}),
    ("/outreach/tasks/{task}/report/", {}),
    ("/outreach/tasks/{task}/assign/", {"worker": 1}),
    ("/outreach/tasks/{task}/cannot/", {"reason": "unwilling"}),
    ("/outreach/tasks/{task}/visit/", {"visited_on": TODAY.isoformat(), "method": "home",
                                       "outcome": "informed"}),
    ("/outreach/grids/", {"form": "assign", "grid": GRID, "worker": 1}),
    ("/outreach/targets/", {"region": VILLAGE, "year": Y, "target_count": 10}),
    ("/outreach/campaigns/", {"name": "x", "year": Y, "region": COUNTY,
                              "start_date": TODAY.isoformat(), "end_date": TODAY.isoformat()}),
    ("/outreach/campaigns/{campaign}/", {}),
    ("/dashboards/refresh/", {}),
    # the admin: add, change, import and the staff accounts
    ("/admin/enrollment/person/add/", {"name": "赵六"}),
    ("/admin/enrollment/person/{person}/change/", {"name": "改名"}),
    ("/admin/enrollment/person/import/", {"format": "0"}),
    ("/admin/enrollment/enrollment/import/", {"format": "0"}),
    ("/admin/outreach/enrollmenttarget/import/", {"format": "0"}),
    ("/admin/dashboards/officialpopulation/import/", {"format": "0"}),
    ("/admin/enrollment/household/{household}/change/", {"head_name": "改名"}),
    ("/admin/outreach/campaign/{campaign}/change/", {"name": "改名"}),
    ("/admin/benefits/yearstandard/add/", {}),
]


@pytest.mark.parametrize("url,data", CITY_LEADER_POSTS, ids=[u for u, _ in CITY_LEADER_POSTS])
def test_city_leader_cannot_post(as_user, city_leader, world, url, data):
    before = _fingerprint(world), Person.objects.count(), Campaign.objects.get().name
    response = as_user(city_leader).post(_url(url, world), data)
    assert response.status_code == 403, response.status_code
    after = _fingerprint(world), Person.objects.count(), Campaign.objects.get().name
    assert after == before


CITY_LEADER_IMPORT_PAGES = ["/admin/enrollment/person/import/",
                            "/admin/enrollment/enrollment/import/",
                            "/admin/outreach/enrollmenttarget/import/"]


@pytest.mark.parametrize("url", CITY_LEADER_IMPORT_PAGES)
def test_city_leader_has_no_import_page(as_user, city_leader, world, url):
    assert as_user(city_leader).get(url).status_code == 403


def test_city_leader_cannot_import_persons(as_user, city_leader, world):
    csv = ("id_type,id_number,name,sex,birth_date,户籍地代码,常住地代码\n"
           f"resident_id,430121199001010019,赵六,M,1990-01-01,{VILLAGE},{GRID}\n")
    response = _import(as_user(city_leader), "/admin/enrollment/person/import/", "person", csv)
    assert response.status_code == 403
    assert not Person.objects.filter(name="赵六").exists()


@pytest.mark.parametrize("url", ["/", "/persons/", "/persons/{person}/", "/outreach/",
                                 "/outreach/tasks/{task}/", "/outreach/feedback/",
                                 "/outreach/campaigns/{campaign}/", "/dashboards/",
                                 "/benefits/calculator/", "/admin/enrollment/person/"])
def test_city_leader_reads(as_user, city_leader, world, url):
    assert as_user(city_leader).get(_url(url, world)).status_code == 200


def test_city_leader_has_no_write_buttons_on_person_page(as_user, city_leader, world):
    page = as_user(city_leader).get(_url("/persons/{person}/", world)).content.decode()
    assert _url("/persons/{person}/edit/", world) not in page


# --- Staff accounts in the admin --------------------------------------------------------------


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


def test_county_admin_manages_staff_but_not_superuser_flags(as_user, county_admin,
                                                             village_clerk):
    client = as_user(county_admin)
    url = f"/admin/enrollment/user/{village_clerk.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    response = client.post(url, {
        "username": village_clerk.username, "last_name": "改名", "role": "village_clerk",
        "region": VILLAGE, "is_active": "on", "is_staff": "on", "is_superuser": "on",
        "date_joined_0": "2024-01-01", "date_joined_1": "00:00:00"})
    assert response.status_code == 302, response.content.decode()[:2000]
    village_clerk.refresh_from_db()
    assert village_clerk.last_name == "改名" and not village_clerk.is_superuser


# --- (d) ID numbers are masked on screen; revealing and exporting whole numbers is audited ---

SCREENS = [
    ("village_clerk", "/persons/"),
    ("village_clerk", "/persons/?q={id_prefix}"),
    ("village_clerk", "/persons/{person}/"),
    ("village_clerk", "/persons/export/"),
    ("village_clerk", "/households/{household}/"),
    ("village_clerk", "/outreach/?year=" + str(Y)),
    ("village_clerk", "/outreach/export/?year=" + str(Y)),
    ("village_clerk", "/outreach/entries/{entry}/"),
    ("village_clerk", "/outreach/tasks/{task}/"),
    ("village_clerk", "/outreach/tasks/"),
    ("grid_worker", "/outreach/my-tasks/"),
    ("township_officer", "/outreach/batches/{batch}/"),
    ("village_clerk", "/dashboards/people/?metric=persons"),
    ("village_clerk", "/benefits/calculator/?person={person}"),
    ("village_clerk", "/enrollments/batch/?unit=region:{VILLAGE}&year=" + str(Y) + "&paid_on="
     + TODAY.isoformat() + "&channel=village_batch"),
    ("village_clerk", "/admin/enrollment/person/"),
    ("village_clerk", "/admin/enrollment/enrollment/"),
    ("village_clerk", "/admin/outreach/ledgerentry/"),
    ("village_clerk", "/admin/outreach/task/"),
    ("village_clerk", "/admin/enrollment/auditentry/"),
]


def _xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True)
                     for c in row if c is not None)


@pytest.mark.parametrize("persona,url", SCREENS, ids=[u for _, u in SCREENS])
def test_screens_and_exports_show_masked_id_numbers(request, as_user, world, persona, url):
    user = request.getfixturevalue(persona)
    person = world["person"]
    response = as_user(user).get(_url(url, {**world, "id_prefix": person.id_number[:14]}))
    assert response.status_code == 200
    body = (_xlsx_text(response.content) if response["Content-Type"].startswith(
        "application/vnd.openxml") else response.content.decode("utf-8-sig"))
    assert person.id_number not in body
    assert "13900001111" not in body.replace('href="tel:13900001111"', "")


@pytest.mark.parametrize("url", ["/persons/", "/persons/{person}/", "/households/{household}/",
                                 "/outreach/?year=" + str(Y), "/outreach/entries/{entry}/",
                                 "/outreach/tasks/{task}/"])
def test_pages_that_show_an_id_number_show_it_masked(as_user, village_clerk, world, url):
    body = as_user(village_clerk).get(_url(url, world)).content.decode()
    assert world["person"].masked_id in body


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


# --- Bad input: a Chinese message or a 404, never a 500 ---------------------------------------

HUGE = "9" * 25
BAD_QUERIES = [
    # (persona, url)
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
    ("village_clerk", "/outreach/?q=a%00b&region=430121100001%00%00%00"),
    ("village_clerk", "/dashboards/?region=430121100001%00%00%00"),
    ("village_clerk", f"/persons/export/?region={HUGE}"),
    ("village_clerk", "/outreach/?page=abc"),
    ("village_clerk", f"/outreach/?page={HUGE}"),
    ("village_clerk", "/outreach/?year=abc"),
    ("village_clerk", f"/outreach/?year={HUGE}"),
    ("village_clerk", "/outreach/?region=abc&status=nonsense&reason=nonsense"),
    ("village_clerk", f"/outreach/export/?year={HUGE}"),
    ("village_clerk", f"/outreach/tasks/?page={HUGE}&status=nonsense"),
    ("village_clerk", f"/outreach/feedback/?year={HUGE}&level=nonsense"),
    ("village_clerk", f"/outreach/feedback/?year={HUGE}&export=1"),
    ("township_officer", f"/outreach/batches/{{batch}}/?page={HUGE}"),
    ("county_admin", "/outreach/push/?entry_ids=abc"),
    ("county_admin", f"/outreach/push/?entry_ids={HUGE}&township=abc"),
    ("county_admin", "/outreach/targets/?year=abc"),
    ("village_clerk", "/dashboards/?year=abc&region=abc"),
    ("city_leader", f"/dashboards/?year={HUGE}&region=4301{HUGE}"),
    ("village_clerk", f"/dashboards/people/?page={HUGE}&metric=persons"),
    ("village_clerk", "/dashboards/people/?page=abc&metric=nonsense"),
    ("village_clerk", f"/dashboards/export.xlsx?year={HUGE}"),
    ("village_clerk", "/benefits/calculator/?person=abc"),
    ("village_clerk", "/benefits/calculator/?person=²"),
    ("village_clerk", f"/benefits/calculator/?person={HUGE}"),
    ("village_clerk", f"/benefits/calculator/?paid_on=abc&year={HUGE}&birth_date=x"),
    ("village_clerk", "/benefits/newborn/?parent=²"),
    ("village_clerk", "/benefits/persons/{person}/special/?category=nonsense"),
    ("village_clerk", f"/enrollments/batch/?unit=region:{VILLAGE}&year={HUGE}"
                      f"&paid_on={TODAY.isoformat()}&channel=village_batch"),
    ("village_clerk", "/enrollments/batch/?unit=nonsense&year=abc&paid_on=abc"),
    ("village_clerk", "/persons/id-check/?n=abc"),
    ("village_clerk", f"/persons/id-check/?n={HUGE}"),
    ("village_clerk", "/reconcile/template/nonsense.xlsx"),
    ("village_clerk", f"/persons/{HUGE}/"),
    ("village_clerk", f"/outreach/tasks/{HUGE}/"),
    ("county_admin", f"/benefits/recalc/jobs/{HUGE}/"),
    ("village_clerk", f"/admin/enrollment/person/?p={HUGE}"),
    ("village_clerk", "/admin/enrollment/person/?p=abc"),
]


@pytest.mark.parametrize("persona,url", BAD_QUERIES, ids=[u for _, u in BAD_QUERIES])
def test_bad_query_parameters_never_give_a_500(request, as_user, world, persona, url):
    user = request.getfixturevalue(persona)
    client = as_user(user)
    client.raise_request_exception = False
    response = client.get(_url(url, world))
    assert response.status_code in (200, 302, 400, 404), response.status_code


BAD_POSTS = [
    # (persona, url, data, field message expected on the page)
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
    ("village_clerk", "/benefits/persons/{person}/special/?category=repair",
     {"year": HUGE, "paid_on": TODAY.isoformat(), "repair_years": 1, "amount_paid": "-1"},
     "待遇年度"),
    ("village_clerk", "/benefits/newborn/",
     {"p-name": "新生", "p-sex": "M", "p-birth_date": (TODAY + dt.timedelta(days=1)).isoformat(),
      "p-birth_cert_number": "Q430000001", "p-residence_region": GRID,
      "paid_on": TODAY.isoformat()}, "出生日期不能晚于今天"),
    ("village_clerk", "/persons/new/",
     {"id_type": "resident_id", "id_number": "12345", "name": "赵六",
      "hukou_region": VILLAGE, "residence_region": GRID}, "证件号码"),
    ("grid_worker", "/outreach/tasks/{task}/visit/",
     {"visited_on": (TODAY + dt.timedelta(days=2)).isoformat(), "method": "home",
      "outcome": "informed"}, "走访日期不能晚于今天"),
    ("township_officer", "/outreach/targets/",
     {"region": VILLAGE, "year": Y, "target_count": HUGE}, "目标参保人数"),
    ("township_officer", "/outreach/targets/",
     {"region": VILLAGE, "year": Y, "target_rate": "-5"}, "目标参保率"),
    ("township_officer", "/outreach/campaigns/",
     {"name": "x", "year": Y, "region": TOWNSHIP, "start_date": TODAY.isoformat(),
      "end_date": TODAY.isoformat(), "targets": "430121100001999 50"}, "430121100001999"),
    ("township_officer", "/outreach/campaigns/",
     {"name": "x", "year": Y, "region": TOWNSHIP, "start_date": TODAY.isoformat(),
      "end_date": TODAY.isoformat(), "targets": f"430121100001 {HUGE}"}, "目标"),
]


@pytest.mark.parametrize("entry_ids", [["abc"], ["²"], [HUGE], ["1", "-1"]])
def test_made_up_entry_ids_on_the_push_screen_are_a_404_and_push_nothing(as_user, county_admin,
                                                                        world, entry_ids):
    client = as_user(county_admin)
    client.raise_request_exception = False
    tasks = Task.objects.count()
    response = client.post("/outreach/push/", {"year": Y, "township": TOWNSHIP,
                                               "entry_ids": entry_ids})
    assert response.status_code == 404
    assert Task.objects.count() == tasks


@pytest.mark.parametrize("persona,url,data,message", BAD_POSTS,
                         ids=[f"{u}:{m}" for _, u, _, m in BAD_POSTS])
def test_bad_form_input_gives_a_chinese_message_and_writes_nothing(request, as_user, world,
                                                                   persona, url, data,
                                                                   message):
    user = request.getfixturevalue(persona)
    client = as_user(user)
    client.raise_request_exception = False
    before = (_fingerprint(world), Person.objects.count(), Campaign.objects.count(),
              Enrollment.objects.count(), AuditEntry.objects.exclude(
                  action=AuditEntry.Action.VIEW_ID).count())
    response = client.post(_url(url, world), data)
    assert response.status_code in (200, 400), response.status_code
    assert message in response.content.decode()
    after = (_fingerprint(world), Person.objects.count(), Campaign.objects.count(),
             Enrollment.objects.count(), AuditEntry.objects.exclude(
                 action=AuditEntry.Action.VIEW_ID).count())
    assert after == before
