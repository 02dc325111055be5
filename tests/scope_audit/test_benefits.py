"""The scope and input audit over the policy calculator, special cases, newborns, recalculation and
claims (see __init__.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from enrollment.models import Person
from tests.factories import COUNTY, GRID

from . import checks
from .common import HUGE, TODAY, Y

pytestmark = pytest.mark.django_db


# The URL table: (url pattern name, url with {placeholders} filled from `world`).
PAGES = [
    ("policy_calculator", "/benefits/calculator/"),
    ("special_case", "/benefits/persons/{person}/special/"),
    ("newborn_enroll", "/benefits/newborn/"),
    ("recalc_start", "/benefits/recalc/"),
    ("recalc_job", "/benefits/recalc/jobs/1/"),
    ("recalc_job_json", "/benefits/recalc/jobs/1/progress.json"),
    ("recalc_job_resume", "/benefits/recalc/jobs/1/resume/"),
    ("recalc_changes", "/benefits/recalc/jobs/1/changes/"),
    ("recalc_changes_export", "/benefits/recalc/jobs/1/changes.xlsx"),
    ("claims_upload", "/benefits/recalc/claims/"),
    ("claims_confirm", "/benefits/recalc/claims/confirm/"),
    ("claims_errors", "/benefits/recalc/claims/errors.xlsx"),
    ("claims_template", "/benefits/recalc/claims/template.xlsx"),
    ("person_notice", "/persons/{person}/notice/"),
    ("household_notice", "/households/{household}/notice/"),
]


# (b) The neighbour's clerk gets a 404 by URL: (method, url, post data).
NEIGHBOUR_404 = [
    ("get", "/benefits/persons/{person}/special/", None),
    ("post", "/benefits/persons/{person}/special/?category=repair",
     {"year": Y, "paid_on": TODAY.isoformat(), "repair_years": 1}),
    ("get", "/benefits/calculator/?person={person}", None),
    ("get", "/benefits/newborn/?parent={person}", None),
    ("post", "/benefits/newborn/?parent={person}", {}),
    ("get", "/persons/{person}/notice/", None),
    ("get", "/households/{household}/notice/", None),
]


@pytest.mark.parametrize("method,url,data", NEIGHBOUR_404,
                         ids=[f"{m}:{u}" for m, u, _ in NEIGHBOUR_404])
def test_neighbour_clerk_gets_404(as_user, neighbour_clerk, world, method, url, data):
    checks.neighbour_gets_404(as_user(neighbour_clerk), world, method, url, data)


# (c) The city leader reads everything and changes nothing: (url, post data).
CITY_LEADER_POSTS = [
    ("/benefits/persons/{person}/special/", {"year": Y, "paid_on": TODAY.isoformat()}),
    ("/benefits/newborn/", {}),
    ("/benefits/recalc/", {"year": Y, "region": COUNTY}),
    ("/benefits/recalc/jobs/1/resume/", {}),
    ("/benefits/recalc/claims/", {}),
    ("/benefits/recalc/claims/confirm/", {}),
]


@pytest.mark.parametrize("url,data", CITY_LEADER_POSTS,
                         ids=[u for u, _ in CITY_LEADER_POSTS])
def test_city_leader_cannot_post(as_user, city_leader, world, url, data):
    checks.city_leader_cannot_post(as_user(city_leader), world, url, data)


READS = [
    "/benefits/calculator/",
]


@pytest.mark.parametrize("url", READS)
def test_city_leader_reads(as_user, city_leader, world, url):
    checks.city_leader_reads(as_user(city_leader), world, url)


# (d) ID numbers are masked on screen: (persona, url).
SCREENS = [
    ("village_clerk", "/benefits/calculator/?person={person}"),
]


@pytest.mark.parametrize("persona,url", SCREENS, ids=[u for _, u in SCREENS])
def test_screens_and_exports_show_masked_id_numbers(request, as_user, world, persona, url):
    checks.screen_shows_masked_id_numbers(as_user(request.getfixturevalue(persona)), world, url)


# Bad input: a Chinese message or a 404, never a 500: (persona, url).
BAD_QUERIES = [
    ("village_clerk", "/benefits/calculator/?person=abc"),
    ("village_clerk", "/benefits/calculator/?person=²"),
    ("village_clerk", f"/benefits/calculator/?person={HUGE}"),
    ("village_clerk", f"/benefits/calculator/?paid_on=abc&year={HUGE}&birth_date=x"),
    ("village_clerk", "/benefits/newborn/?parent=²"),
    ("village_clerk", "/benefits/persons/{person}/special/?category=nonsense"),
    ("county_admin", f"/benefits/recalc/jobs/{HUGE}/"),
]


@pytest.mark.parametrize("persona,url", BAD_QUERIES, ids=[u for _, u in BAD_QUERIES])
def test_bad_query_parameters_never_give_a_500(request, as_user, world, persona, url):
    checks.bad_query_never_gives_a_500(as_user(request.getfixturevalue(persona)), world, url)


# (persona, url, data, field message expected on the page)
BAD_POSTS = [
    ("village_clerk", "/benefits/persons/{person}/special/?category=repair",
     {"year": HUGE, "paid_on": TODAY.isoformat(), "repair_years": 1, "amount_paid": "-1"},
     "待遇年度"),
    ("village_clerk", "/benefits/newborn/",
     {"p-name": "新生", "p-sex": "M", "p-birth_date": (TODAY + dt.timedelta(days=1)).isoformat(),
      "p-birth_cert_number": "Q430000001", "p-residence_region": GRID,
      "paid_on": TODAY.isoformat()}, "出生日期不能晚于今天"),
]


@pytest.mark.parametrize("persona,url,data,message", BAD_POSTS,
                         ids=[f"{u}:{m}" for _, u, _, m in BAD_POSTS])
def test_bad_form_input_gives_a_chinese_message_and_writes_nothing(request, as_user, world,
                                                                   persona, url, data,
                                                                   message):
    checks.bad_form_input_gives_a_message_and_writes_nothing(
        as_user(request.getfixturevalue(persona)), world, url, data, message)


def test_neighbour_cannot_register_a_newborn_in_our_village(as_user, neighbour_clerk, world):
    response = as_user(neighbour_clerk).post("/benefits/newborn/", {
        "p-name": "新生", "p-sex": "M", "p-birth_date": TODAY.isoformat(),
        "p-birth_cert_number": "Q430000001", "p-residence_region": GRID,
        "paid_on": TODAY.isoformat()})
    assert response.status_code == 200
    assert "选择一个有效的选项" in response.content.decode()
    assert not Person.objects.filter(name="新生").exists()
