"""R-CREDIT's overdue debts on the village's lists: the radar lists a credit enrollment coming
due, then overdue after its due date (信用参保逾期, first on the list), the clerk's desk has a
信用参保逾期 section; the neighbour does not see it; a payment takes it off."""
from __future__ import annotations

import datetime as dt

import pytest

from dashboards import radar
from enrollment import services
from tests import factories
from tests.test_one_door import _history

pytestmark = pytest.mark.django_db

BEIJING = dt.timezone(dt.timedelta(hours=8))


def _at(time_machine, day: dt.date) -> None:
    time_machine.move_to(dt.datetime(day.year, day.month, day.day, 10, tzinfo=BEIJING), tick=False)


@pytest.fixture
def owed(village_clerk, time_machine):
    _at(time_machine, dt.date(2026, 11, 10))
    person = factories.make_person(name="欠费人")
    _history(person, 2026)
    services.enrollment_record(actor=village_clerk, person=person, year=2027,
                               paid_on=dt.date(2026, 11, 10), on_credit=True)
    return person


def _kinds(user, person, today):
    return [line.kind for line in radar.lines(user, today=today) if line.person.pk == person.pk]


def test_a_debt_is_listed_as_coming_due_then_overdue_after_its_due_date(owed, village_clerk):
    assert _kinds(village_clerk, owed, dt.date(2026, 11, 10)) == []  # 51 days to go
    assert _kinds(village_clerk, owed, dt.date(2026, 12, 10)) == ["credit_due"]
    assert _kinds(village_clerk, owed, dt.date(2026, 12, 31)) == ["credit_due"]  # the last day
    line = next(line for line in radar.lines(village_clerk, today=dt.date(2027, 1, 5))
                if line.person.pk == owed.pk)
    assert line.kind == "credit_overdue" and line.overdue_days == 5
    assert "欠缴440.00元" in line.reason and "已逾期5天" in line.reason


def test_the_desk_and_the_radar_show_the_overdue_debt_and_the_neighbour_does_not(
        owed, village_clerk, neighbour_clerk, as_user, time_machine):
    _at(time_machine, dt.date(2027, 1, 5))
    desk = as_user(village_clerk).get("/outreach/today/").content.decode()
    assert "信用参保逾期" in desk and "欠费人" in desk and "已逾期5天" in desk and "缴清欠费" in desk
    page = as_user(village_clerk).get("/outreach/radar/?kind=credit_overdue").content.decode()
    assert "欠费人" in page and "欠缴440.00元" in page
    other = as_user(neighbour_clerk).get("/outreach/radar/?kind=credit_overdue").content.decode()
    assert "欠费人" not in other
    assert "id=\"credit-overdue\"" not in as_user(neighbour_clerk).get("/outreach/today/").content.decode()


def test_paying_the_debt_takes_it_off_the_list(owed, village_clerk, time_machine):
    _at(time_machine, dt.date(2027, 1, 5))
    services.enrollment_record(actor=village_clerk, person=owed, year=2027,
                               paid_on=dt.date(2027, 1, 5), channel="individual")
    assert _kinds(village_clerk, owed, dt.date(2027, 1, 5)) == []
