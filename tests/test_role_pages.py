"""Each role's day: where `/` leads, the grid worker's cards, the task page's follow-up date, and
the leader's two clicks from the dashboard to a village's un-enrolled people (Excel, print)."""
import datetime as dt
import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from dashboards import rollups
from enrollment.models import Region
from outreach.models import Task
from outreach.services import ledger as ledger_services
from outreach.services import tasks as task_services
from tests import factories as f
from tests.outreach.factories import assign, enroll

TODAY = dt.date.today()


@pytest.mark.parametrize("persona, landing", [
    ("grid_worker", "/outreach/my-tasks/"), ("city_leader", "/dashboards/"),
    ("county_admin", "/dashboards/"), ("village_clerk", "/outreach/today/"),
    ("township_officer", "/outreach/today/")])
def test_home_leads_each_role_to_its_landing_page(persona, landing, request, as_user):
    response = as_user(request.getfixturevalue(persona)).get("/")
    assert response.status_code == 302 and response["Location"] == landing


def test_the_superuser_still_has_the_overview(as_user, region_tree):
    admin = f.make_user("root", "", f.CITY, is_superuser=True)
    assert as_user(admin).get("/").status_code == 200


@pytest.fixture
def two_years(county_admin, township_officer, grid_worker, make_person):
    """王小明 is pushed for this coverage year and the one before; 刘小红 for one year."""
    assign(grid_worker, f.GRID)
    make_person(f.GRID, name="王小明", phone="13900001111")
    make_person(f.GRID, name="刘小红", phone="13900003333")
    county = Region.objects.get(code=f.COUNTY)
    township = Region.objects.get(code=f.TOWNSHIP)
    year = dt.date.today().year + 1
    for y in (year - 1, year):
        ledger_services.ledger_generate(actor=county_admin, year=y, region=county)
        entries = ledger_services.LedgerEntry.objects.filter(year=y)
        if y == year - 1:
            entries = entries.filter(name="王小明")
        batch = task_services.batch_push(actor=county_admin, year=y, township=township,
                                         entry_ids=[str(e.pk) for e in entries])
        task_services.batch_sign(actor=township_officer, batch=batch)
    return year


def test_grid_worker_lands_on_cards_with_phone_and_visit_form(as_user, grid_worker, two_years):
    page = as_user(grid_worker).get("/", follow=True).content.decode()
    assert 'href="tel:13900001111"' in page and 'name="outcome"' in page
    assert ">13900001111<" in page  # the whole number is shown, not only dialled
    assert page.count('class="card task-card') == 2  # 王小明 once, though pushed twice
    assert f"另有{two_years - 1}年度任务" in page and f"{two_years}年度" in page
    person = Task.objects.filter(entry__name="王小明").first().entry.person
    assert f"/benefits/calculator/?person={person.pk}" in page
    assert f"/persons/{person.pk}/enroll/?year={two_years}" in page
    assert f"/persons/{person.pk}/notice/" in page


def test_outcome_alone_records_a_visit_from_a_card(as_user, grid_worker, two_years):
    """Open the card, choose the outcome, save: everything else on the card has a value."""
    client = as_user(grid_worker)
    page = client.get("/outreach/my-tasks/").content.decode()
    form = re.search(r'<form method="post" action="(/outreach/tasks/\d+/visit/)".*?</form>', page,
                     re.S)
    data = dict(re.findall(r'<input[^>]*name="(\w+)"[^>]*value="([^"]*)"', form.group(0)))
    data.pop("outcome", None)
    data["method"] = re.search(r'<option value="(\w+)"', form.group(0)).group(1)
    data["outcome"] = "informed"
    response = client.post(form.group(1), data)
    assert response.status_code == 302 and response["Location"] == "/outreach/my-tasks/"


def test_an_overdue_follow_up_is_not_offered_again(as_user, grid_worker, two_years):
    """The task page used to prefill yesterday's follow-up date, which the form refuses."""
    task = Task.objects.filter(entry__name="刘小红").get()
    Task.objects.filter(pk=task.pk).update(follow_up_date=TODAY - dt.timedelta(days=3))
    client = as_user(grid_worker)
    form = client.get(f"/outreach/tasks/{task.pk}/").context["visit_form"]
    offered = form.initial.get("next_follow_up")
    assert offered is None or offered >= TODAY
    response = client.post(f"/outreach/tasks/{task.pk}/visit/", {
        "visited_on": TODAY.isoformat(), "method": "home", "outcome": "informed",
        "next_follow_up": offered.isoformat() if offered else ""})
    assert response.status_code == 302


def test_a_village_in_the_ranking_opens_its_un_enrolled_list(as_user, city_leader,
                                                              make_person):
    year = dt.date.today().year
    enroll(make_person(f.GRID, name="已参保"), year)
    make_person(f.GRID, name="未参保甲", phone="13700001234", address="东山村1组")
    make_person(f.NEIGHBOUR_GRID, name="邻村未参保")
    rollups.refresh(years=[year])
    client = as_user(city_leader)
    dashboard = client.get(f"/dashboards/?year={year}").content.decode()
    link = f"/dashboards/people/?region={f.VILLAGE}&year={year}&metric=uncovered"
    assert link in dashboard  # one click from the landing page
    people = client.get(link).content.decode()
    assert "未参保甲" in people and "邻村未参保" not in people
    assert "13700001234" not in people  # masked for the leader
    export = client.get(f"/dashboards/people/export.xlsx?region={f.VILLAGE}&year={year}"
                        "&metric=uncovered")
    rows = [[c.value for c in row] for row in load_workbook(BytesIO(export.content)).active.iter_rows()]
    assert any("未参保甲" in row for row in rows)
    printed = client.get(f"/dashboards/people/print/?region={f.VILLAGE}&year={year}"
                         "&metric=uncovered").content.decode()
    assert "未参保甲" in printed and "经办人" in printed and "审核人" in printed
    assert "counter(page)" in open("static/css/print.css", encoding="utf-8").read()
