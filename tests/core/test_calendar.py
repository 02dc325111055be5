"""One coverage-year rule: from September on, every page opens on next year's coverage year."""
import datetime as dt
from types import SimpleNamespace

import pytest
import time_machine

from core import calendar


@pytest.mark.parametrize("day,year", [
    (dt.date(2026, 1, 1), 2026), (dt.date(2026, 8, 31), 2026),
    (dt.date(2026, 9, 1), 2027), (dt.date(2026, 12, 31), 2027)])
def test_coverage_year_turns_in_september(day, year):
    assert calendar.coverage_year_for(day) == year


def test_open_years_are_this_year_and_next_in_the_collection_period():
    assert calendar.open_years(dt.date(2026, 3, 1)) == [2026]
    assert calendar.open_years(dt.date(2026, 10, 1)) == [2026, 2027]


def test_collection_period_defaults_to_autumn_before_and_yields_to_the_year_standard():
    assert calendar.collection_period(2027) == (dt.date(2026, 9, 1), dt.date(2026, 12, 31))
    standard = SimpleNamespace(concentrated_start=dt.date(2026, 10, 8),
                               concentrated_end=dt.date(2027, 2, 28))
    assert calendar.collection_period(2027, standard) == (dt.date(2026, 10, 8),
                                                          dt.date(2027, 2, 28))


def test_year_choices_stay_in_the_one_range():
    choices = calendar.year_choices(1990, 2300)
    assert choices[0] == (calendar.YEAR_MAX, f"{calendar.YEAR_MAX}年")
    assert choices[-1][0] == calendar.YEAR_MIN
    field = calendar.year_field("年度")
    assert (field.min_value, field.max_value) == (calendar.YEAR_MIN, calendar.YEAR_MAX)


@time_machine.travel(dt.datetime(2026, 12, 15, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8))),
                     tick=False)
def test_pages_agree_on_the_default_year_in_december(village_clerk, make_person):
    from benefits.forms import default_year as calculator_year
    from dashboards import rollups, selectors
    from enrollment.forms import BatchEnrollmentForm, EnrollmentForm
    from outreach.forms import outreach_year
    from tests import factories

    person = make_person(factories.GRID)
    years = {
        "enrollment form": EnrollmentForm(person=person, user=village_clerk).fields["year"].initial,
        "batch collection": BatchEnrollmentForm(user=village_clerk).fields["year"].initial,
        "calculator": calculator_year(),
        "outreach": outreach_year(),
        "dashboards": selectors.parse_year(None),
    }
    assert set(years.values()) == {2027}, years
    assert 2027 in rollups.open_years()
