"""The deadline radar: windows from the profiles, stakes from the stored recalculation, scope."""
import datetime as dt
from decimal import Decimal
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from benefits.models import PersonYearStatus, PolicyProfile, PoolingRegionProfile
from dashboards import radar
from enrollment.models import Enrollment, PersonGroup, Scheme
from tests import factories as f
from tests.outreach.factories import enroll

BEIJING = dt.timezone(dt.timedelta(hours=8))
SUMMER = dt.datetime(2026, 6, 30, 10, 0, tzinfo=BEIJING)  # outside the collection period
AUTUMN = dt.datetime(2026, 11, 20, 10, 0, tzinfo=BEIJING)  # inside it (for 2027)


def names(lines):
    return [line.person.name for line in lines]


@pytest.fixture
def summer(time_machine):
    time_machine.move_to(SUMMER, tick=False)
    return SUMMER.date()


@pytest.fixture
def autumn(time_machine):
    time_machine.move_to(AUTUMN, tick=False)
    return AUTUMN.date()


def test_newborns_are_flagged_at_60_80_and_90_days(summer, village_clerk, make_person):
    for age, name in [(50, "五十天"), (65, "六十五天"), (85, "八十五天"), (90, "九十天"),
                      (95, "九十五天")]:
        make_person(name=name, birth_date=summer - dt.timedelta(days=age))
    enroll(make_person(name="已参保", birth_date=summer - dt.timedelta(days=85)), 2026)
    lines = {line.person.name: line for line in radar.lines(village_clerk)}
    assert set(lines) == {"六十五天", "八十五天", "九十天"}
    assert [lines[n].flag for n in ("六十五天", "八十五天", "九十天")] == [
        "已满60天", "已满80天", "已满90天"]
    assert lines["九十天"].days_left == 0 and lines["八十五天"].deadline == summer + dt.timedelta(5)
    assert names(radar.lines(village_clerk))[0] == "九十天"  # the nearest deadline first


def test_the_newborn_window_is_the_profiles_not_a_written_90(summer, village_clerk, make_person):
    PolicyProfile.objects.filter(code="hunan").update(newborn_days=120)
    make_person(name="一百天", birth_date=summer - dt.timedelta(days=100))
    make_person(name="八十五天", birth_date=summer - dt.timedelta(days=85))
    lines = {line.person.name: line for line in radar.lines(village_clerk)}
    assert set(lines) == {"一百天"}  # 20 days left of 120; 85 days has 35 left
    assert lines["一百天"].flag == "已满90天"  # flags at 90, 110 and 120 days


def test_employees_whose_cover_ended_near_three_months(summer, village_clerk, make_person):
    def employee(name, ended):
        person = make_person(name=name)
        Enrollment.objects.create(person=person, year=2026, scheme=Scheme.EMPLOYEE,
                                  pooling_region_id=f.COUNTY, status="active",
                                  cover_start=dt.date(2026, 1, 1), cover_end=ended)
        return person

    employee("快到期", summer - dt.timedelta(days=75))
    employee("刚停保", summer - dt.timedelta(days=10))
    lines = {line.person.name: line for line in radar.lines(village_clerk)}
    assert set(lines) == {"快到期"}
    first_uncovered = summer - dt.timedelta(days=74)
    assert lines["快到期"].deadline == dt.date(2026, 7, 17)  # 3 months after 2026-04-17
    assert first_uncovered == dt.date(2026, 4, 17) and lines["快到期"].kind == "employee"


def test_leavers_count_only_where_the_profile_has_the_exit_rule(summer, village_clerk,
                                                                county_admin, make_person):
    person = make_person(name="退役军人")
    PersonGroup.objects.create(person=person, group="exit_veteran",
                               start_date=summer - dt.timedelta(days=70))
    assert radar.lines(village_clerk) == []  # hunan has no R-EXIT-3M
    PoolingRegionProfile.objects.update_or_create(
        region_id=f.COUNTY, defaults={"profile": PolicyProfile.objects.get(code="shanxi")})
    assert names(radar.lines(village_clerk)) == ["退役军人"]


def test_hardship_people_not_enrolled_for_the_coming_year(autumn, village_clerk, make_person):
    for name, enrolled in [("低保未参保", False), ("低保已参保", True)]:
        person = make_person(name=name)
        PersonGroup.objects.create(person=person, group="low_income", start_date=dt.date(2020, 1, 1))
        if enrolled:
            enroll(person, 2027)
    lines = {line.person.name: line for line in radar.lines(village_clerk, kind="hardship")}
    assert set(lines) == {"低保未参保"}
    assert lines["低保未参保"].deadline == dt.date(2026, 12, 31)  # the 2027 standard's period


def test_renewals_in_the_period_ranked_by_what_they_stand_to_lose(autumn, village_clerk,
                                                                  make_person):
    small, large, paid = (make_person(name=n) for n in ("甲", "乙", "丙"))
    for person in (small, large, paid):
        enroll(person, 2026)
    enroll(paid, 2027)
    for person, bonus in [(small, 0), (large, 10000)]:
        PersonYearStatus.objects.create(person=person, year=2026, pooling_region_id=f.COUNTY,
                                        continuity_bonus=Decimal(bonus),
                                        zero_claim_credit=Decimal(5000),
                                        updated_at=timezone.now())
    lines = radar.lines(village_clerk, kind="renewal")
    assert names(lines) == ["乙", "甲"]
    assert lines[0].stake == Decimal(15000) and "连续参保激励10000元" in lines[0].stake_text


def test_no_renewals_outside_the_collection_period(summer, village_clerk, make_person):
    enroll(make_person(name="去年参保"), 2026)
    assert radar.lines(village_clerk, kind="renewal") == []


def test_page_is_scoped_exports_and_refuses_grid_workers(autumn, as_user, village_clerk,
                                                        neighbour_clerk, grid_worker,
                                                        make_person):
    person = make_person(name="低保户", phone="13900002222")
    PersonGroup.objects.create(person=person, group="low_income", start_date=dt.date(2020, 1, 1))
    page = as_user(village_clerk).get("/outreach/radar/").content.decode()
    assert "低保户" in page and f"/persons/{person.pk}/enroll/?year=2027" in page
    assert "13900002222" in page  # the clerk's own villager: the whole number, to call
    assert "低保户" not in as_user(neighbour_clerk).get("/outreach/radar/").content.decode()
    response = as_user(village_clerk).get("/outreach/radar/export.xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    assert any("低保户" in [c.value for c in row] for row in sheet.iter_rows())
    assert as_user(grid_worker).get("/outreach/radar/").status_code == 403
