"""In December every page opens on the same coverage year (core.calendar.coverage_year_for):
read from the pages as rendered, not from the forms, so a view that picks its own year shows."""
import datetime as dt
import re

import pytest
import time_machine

from core import calendar
from tests import factories

pytestmark = pytest.mark.django_db

DECEMBER = dt.datetime(2026, 12, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def year_input(html: str) -> int:
    """The value of the page's year field (an input or the selected option)."""
    for tag in re.findall(r"<input[^>]*>", html):
        if re.search(r'\bname="year"', tag):
            return int(re.search(r'\bvalue="(\d{4})"', tag).group(1))
    select = re.search(r'<select[^>]*name="year"[^>]*>(.*?)</select>', html, re.S)
    return int(re.search(r'<option value="(\d{4})"[^>]*selected', select.group(1)).group(1))


@time_machine.travel(DECEMBER, tick=False)
def test_every_page_opens_on_the_same_coverage_year_in_december(as_user, village_clerk,
                                                                 make_person):
    person = make_person(factories.GRID)
    client = as_user(village_clerk)
    pages = {
        # `/` leads a clerk to the work list (今日工作): the landing page shows the year too.
        "home": client.get("/", follow=True).context["year"],
        "enrollment form": year_input(client.get(f"/persons/{person.pk}/enroll/")
                                      .content.decode()),
        "batch collection": year_input(client.get("/enrollments/batch/").content.decode()),
        "calculator": year_input(client.get("/benefits/calculator/").content.decode()),
        "outreach ledger": client.get("/outreach/").context["year"],
        "dashboards": client.get("/dashboards/").context["year"],
        "person file (若今天缴费)": client.get(f"/persons/{person.pk}/").context["today_year"],
    }
    assert set(pages.values()) == {calendar.coverage_year_for()} == {2027}, pages


@time_machine.travel(DECEMBER, tick=False)
def test_the_recalculation_opens_on_the_year_that_has_begun(as_user, county_admin):
    # Not the coverage year: the January job needs the whole previous year's claims.
    html = as_user(county_admin).get("/benefits/recalc/").content.decode()
    assert year_input(html) == calendar.recalculation_year() == 2026
