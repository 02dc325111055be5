"""The scope and input audit over the leadership dashboards (see __init__.py)."""
from __future__ import annotations

import pytest

from tests.factories import GRID, VILLAGE

from . import checks
from .common import HUGE

pytestmark = pytest.mark.django_db


# The URL table: (url pattern name, url with {placeholders} filled from `world`).
PAGES = [
    ("dashboards:dashboard", "/dashboards/"),
    ("dashboards:print", "/dashboards/print/"),
    ("dashboards:export", "/dashboards/export.xlsx"),
    ("dashboards:people", "/dashboards/people/"),
    ("dashboards:refresh", "/dashboards/refresh/"),
    ("dashboards:evaluation", "/dashboards/evaluation/"),
    ("dashboards:evaluation_export", "/dashboards/evaluation/export.xlsx"),
    ("dashboards:people_export", "/dashboards/people/export.xlsx"),
    ("dashboards:people_print", "/dashboards/people/print/"),
]


# (b) The neighbour's clerk gets a 404 by URL: (method, url, post data).
NEIGHBOUR_404 = [
    ("get", "/dashboards/?region={VILLAGE}", None),
    ("get", "/dashboards/print/?region={VILLAGE}", None),
    ("get", "/dashboards/export.xlsx?region={VILLAGE}", None),
    ("get", "/dashboards/people/?region={VILLAGE}", None),
    ("get", "/dashboards/people/?region={GRID}&metric=persons", None),
    ("get", "/dashboards/evaluation/?region={VILLAGE}", None),
    ("get", "/dashboards/evaluation/export.xlsx?region={VILLAGE}", None),
    ("get", "/dashboards/people/export.xlsx?region={VILLAGE}", None),
    ("get", "/dashboards/people/print/?region={VILLAGE}", None),
]


@pytest.mark.parametrize("method,url,data", NEIGHBOUR_404,
                         ids=[f"{m}:{u}" for m, u, _ in NEIGHBOUR_404])
def test_neighbour_clerk_gets_404(as_user, neighbour_clerk, world, method, url, data):
    checks.neighbour_gets_404(as_user(neighbour_clerk), world, method, url, data)


# (c) The city leader reads everything and changes nothing: (url, post data).
CITY_LEADER_POSTS = [
    ("/dashboards/refresh/", {}),
]


@pytest.mark.parametrize("url,data", CITY_LEADER_POSTS,
                         ids=[u for u, _ in CITY_LEADER_POSTS])
def test_city_leader_cannot_post(as_user, city_leader, world, url, data):
    checks.city_leader_cannot_post(as_user(city_leader), world, url, data)


READS = [
    "/dashboards/",
    "/dashboards/evaluation/",
]


@pytest.mark.parametrize("url", READS)
def test_city_leader_reads(as_user, city_leader, world, url):
    checks.city_leader_reads(as_user(city_leader), world, url)


# (d) ID numbers are masked on screen: (persona, url).
SCREENS = [
    ("village_clerk", "/dashboards/people/?metric=persons"),
    ("village_clerk", "/dashboards/people/export.xlsx?metric=persons"),
    ("village_clerk", "/dashboards/people/print/?metric=persons"),
]


@pytest.mark.parametrize("persona,url", SCREENS, ids=[u for _, u in SCREENS])
def test_screens_and_exports_show_masked_id_numbers(request, as_user, world, persona, url):
    checks.screen_shows_masked_id_numbers(as_user(request.getfixturevalue(persona)), world, url)


# Bad input: a Chinese message or a 404, never a 500: (persona, url).
BAD_QUERIES = [
    ("village_clerk", "/dashboards/?region=430121100001%00%00%00"),
    ("village_clerk", "/dashboards/?year=abc&region=abc"),
    ("city_leader", f"/dashboards/?year={HUGE}&region=4301{HUGE}"),
    ("village_clerk", f"/dashboards/people/?page={HUGE}&metric=persons"),
    ("village_clerk", "/dashboards/people/?page=abc&metric=nonsense"),
    ("village_clerk", f"/dashboards/export.xlsx?year={HUGE}"),
    ("village_clerk", "/dashboards/evaluation/?year=abc&region=abc"),
    ("city_leader", f"/dashboards/evaluation/export.xlsx?year={HUGE}&region=4301{HUGE}"),
]


@pytest.mark.parametrize("persona,url", BAD_QUERIES, ids=[u for _, u in BAD_QUERIES])
def test_bad_query_parameters_never_give_a_500(request, as_user, world, persona, url):
    checks.bad_query_never_gives_a_500(as_user(request.getfixturevalue(persona)), world, url)
