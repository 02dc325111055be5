"""The scope and input audit over the ledger, tasks, batches, grids, targets and campaigns (see
__init__.py)."""
from __future__ import annotations

import datetime as dt

import pytest

from outreach.models import Task
from tests.factories import COUNTY, GRID, TOWNSHIP, VILLAGE

from . import checks
from .common import HUGE, TODAY, Y

pytestmark = pytest.mark.django_db


# The URL table: (url pattern name, url with {placeholders} filled from `world`).
PAGES = [
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
    ("outreach_radar", "/outreach/radar/"),
    ("outreach_radar_export", "/outreach/radar/export.xlsx"),
    ("outreach_radar_task", "/outreach/radar/task/"),
    ("outreach_worklist", "/outreach/today/"),
]


# (b) The neighbour's clerk gets a 404 by URL: (method, url, post data).
NEIGHBOUR_404 = [
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
]


@pytest.mark.parametrize("method,url,data", NEIGHBOUR_404,
                         ids=[f"{m}:{u}" for m, u, _ in NEIGHBOUR_404])
def test_neighbour_clerk_gets_404(as_user, neighbour_clerk, world, method, url, data):
    checks.neighbour_gets_404(as_user(neighbour_clerk), world, method, url, data)


# Lists and exports that take ?region=, ?q=: the neighbour's request never shows our people.
NEIGHBOUR_LISTS = [
    "/outreach/?region={VILLAGE}&year=" + str(Y),
    "/outreach/?q=wxm&year=" + str(Y),
    "/outreach/export/?region={VILLAGE}&year=" + str(Y),
    "/outreach/tasks/",
    "/outreach/feedback/?year=" + str(Y),
    "/outreach/campaigns/",
]


@pytest.mark.parametrize("url", NEIGHBOUR_LISTS)
def test_neighbour_lists_never_show_our_people(as_user, neighbour_clerk, world, url):
    checks.list_never_shows_our_people(as_user(neighbour_clerk), world, url)


# (c) The city leader reads everything and changes nothing: (url, post data).
CITY_LEADER_POSTS = [
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
]


@pytest.mark.parametrize("url,data", CITY_LEADER_POSTS,
                         ids=[u for u, _ in CITY_LEADER_POSTS])
def test_city_leader_cannot_post(as_user, city_leader, world, url, data):
    checks.city_leader_cannot_post(as_user(city_leader), world, url, data)


READS = [
    "/outreach/",
    "/outreach/tasks/{task}/",
    "/outreach/feedback/",
    "/outreach/campaigns/{campaign}/",
]


@pytest.mark.parametrize("url", READS)
def test_city_leader_reads(as_user, city_leader, world, url):
    checks.city_leader_reads(as_user(city_leader), world, url)


# (d) ID numbers are masked on screen: (persona, url).
SCREENS = [
    ("village_clerk", "/outreach/?year=" + str(Y)),
    ("village_clerk", "/outreach/export/?year=" + str(Y)),
    ("village_clerk", "/outreach/entries/{entry}/"),
    ("village_clerk", "/outreach/tasks/{task}/"),
    ("village_clerk", "/outreach/tasks/"),
    ("township_officer", "/outreach/batches/{batch}/"),
    ("township_officer", "/outreach/radar/"),
    ("township_officer", "/outreach/radar/export.xlsx"),
]


@pytest.mark.parametrize("persona,url", SCREENS, ids=[u for _, u in SCREENS])
def test_screens_and_exports_show_masked_id_numbers(request, as_user, world, persona, url):
    checks.screen_shows_masked_id_numbers(as_user(request.getfixturevalue(persona)), world, url)


def test_grid_worker_sees_whole_phones_and_masked_ids_on_own_tasks(as_user, grid_worker, world):
    """The grid worker calls the people of their own tasks: the whole number is on the card;
    the ID number stays masked."""
    body = as_user(grid_worker).get("/outreach/my-tasks/").content.decode()
    assert world["person"].id_number not in body
    assert ">13900001111<" in body


MASKED_PAGES = [
    "/outreach/?year=" + str(Y),
    "/outreach/entries/{entry}/",
    "/outreach/tasks/{task}/",
]


@pytest.mark.parametrize("url", MASKED_PAGES)
def test_pages_that_show_an_id_number_show_it_masked(as_user, village_clerk, world, url):
    checks.page_shows_the_masked_id(as_user(village_clerk), world, url)


# Bad input: a Chinese message or a 404, never a 500: (persona, url).
BAD_QUERIES = [
    ("village_clerk", "/outreach/?q=a%00b&region=430121100001%00%00%00"),
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
    ("village_clerk", f"/outreach/tasks/{HUGE}/"),
]


@pytest.mark.parametrize("persona,url", BAD_QUERIES, ids=[u for _, u in BAD_QUERIES])
def test_bad_query_parameters_never_give_a_500(request, as_user, world, persona, url):
    checks.bad_query_never_gives_a_500(as_user(request.getfixturevalue(persona)), world, url)


# (persona, url, data, field message expected on the page)
BAD_POSTS = [
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


@pytest.mark.parametrize("persona,url,data,message", BAD_POSTS,
                         ids=[f"{u}:{m}" for _, u, _, m in BAD_POSTS])
def test_bad_form_input_gives_a_chinese_message_and_writes_nothing(request, as_user, world,
                                                                   persona, url, data,
                                                                   message):
    checks.bad_form_input_gives_a_message_and_writes_nothing(
        as_user(request.getfixturevalue(persona)), world, url, data, message)


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
