"""The full refresh writes only the coverage rows whose numbers changed, drops the regions where
nobody lives any more, and gives the same rows as a refresh from empty tables; the pages'
数据截至 is the last finished refresh, not a row's own time."""
import datetime as dt

import pytest
from django.db import connection
from django.urls import reverse

from dashboards import rollups, selectors
from dashboards.models import CoverageRollup, DailyCollection, RefreshRun
from enrollment.models import Region
from tests import factories as f
from tests.dashboards.test_dashboards import (TODAY, YEAR, enroll, refreshed,  # noqa: F401
                                              registry)

FIELDS = ("region_id", "year", "parent_code", "depth", *rollups.METRICS, "rate")


def _rows():
    return {(r.region_id, r.year): r for r in CoverageRollup.objects.all()}


def _numbers(years=None):
    rows = CoverageRollup.objects.all()
    if years:  # a Celery worker (CI) refreshes the open years after registrations meanwhile
        rows = rows.filter(year__in=years)
    return sorted(rows.values_list(*FIELDS))


def test_unchanged_rows_are_not_rewritten(refreshed):
    before = _rows()
    enroll(refreshed["e"], paid_on=dt.date(2025, 11, 2))  # 戊 in grid 1 enrols for 2026
    rollups.refresh(years=[2025, YEAR], today=TODAY)
    after = _rows()
    rewritten = {k for k in after if after[k].refresh_stamp != before[k].refresh_stamp}
    assert rewritten == {(code, YEAR) for code in (f.GRID, f.VILLAGE, f.TOWNSHIP, f.COUNTY,
                                                   f.CITY, "430000000000")}
    assert after[(f.GRID, YEAR)].covered == before[(f.GRID, YEAR)].covered + 1
    # the same numbers as a refresh into empty tables
    numbers = _numbers()
    CoverageRollup.objects.all().delete()
    rollups.refresh(years=[2025, YEAR], today=TODAY)
    assert _numbers() == numbers


def test_a_region_nobody_lives_in_is_dropped_though_its_ancestors_did_not_change(refreshed):
    refreshed["o1"].delete()  # the other county's only person
    rollups.refresh(years=[2025, YEAR], today=TODAY)
    assert not CoverageRollup.objects.filter(region_id=f.OTHER_GRID).exists()
    assert not CoverageRollup.objects.filter(region_id=f.OTHER_COUNTY).exists()
    assert CoverageRollup.objects.get(region_id=f.CITY, year=YEAR).persons == 11


def test_as_of_is_the_last_finished_refresh_of_the_year(refreshed):
    city = Region.objects.get(code=f.CITY)
    old = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    CoverageRollup.objects.update(refreshed_at=old)  # rows unchanged since then
    last = RefreshRun.objects.filter(finished_at__isnull=False).latest("started_at")
    row = CoverageRollup.objects.get(region_id=f.CITY, year=YEAR)
    assert selectors.data_as_of(row, YEAR) == last.started_at
    # a run that failed, or one of other years only, does not count
    RefreshRun.objects.create(reason="x", years="2024", finished_at=last.started_at)
    RefreshRun.objects.create(reason="y", years=str(YEAR), error="boom")
    assert selectors.dashboard(city, YEAR)["refreshed_at"] == last.started_at
    # no finished run at all: the row's own time
    RefreshRun.objects.all().delete()
    assert selectors.data_as_of(row, YEAR) == old


def test_page_shows_the_last_refresh_time(refreshed, as_user, city_leader):
    half_past = dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.timezone.utc)  # 00:30 in Beijing
    RefreshRun.objects.update(started_at=half_past)
    CoverageRollup.objects.update(refreshed_at=half_past - dt.timedelta(days=3))
    body = as_user(city_leader).get(reverse("dashboards:dashboard"),
                                    {"year": YEAR}).content.decode()
    assert "数据截至 2026-11-24 00:30" in body


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="side by side on PostgreSQL only")
def test_years_refreshed_side_by_side_give_the_rows_of_one_transaction(registry, monkeypatch):
    """On PostgreSQL the full refresh shares the years out over two connections (each group a
    transaction of its own, each year locked on its own): the same rows as every year in one
    transaction."""
    years = [2024, 2025, YEAR]
    monkeypatch.setattr(rollups, "REFRESH_CONNECTIONS", 1)
    rollups.refresh(years=years, today=TODAY)
    one_transaction = _numbers(years)
    daily = sorted(DailyCollection.objects.filter(year__in=years).values_list(
        "region_id", "year", "day", "enrolled"))
    CoverageRollup.objects.all().delete()
    DailyCollection.objects.all().delete()
    monkeypatch.setattr(rollups, "REFRESH_CONNECTIONS", 2)
    assert rollups._side_by_side(years) == [[2024, YEAR], [2025]]
    groups = []
    real = rollups._refresh_groups
    monkeypatch.setattr(rollups, "_refresh_groups",
                        lambda g, **kw: (groups.append(g), real(g, **kw)))
    run = rollups.refresh(years=years, today=TODAY)
    assert groups == [[[2024, YEAR], [2025]]] and run.finished_at and not run.error
    assert _numbers(years) == one_transaction
    assert sorted(DailyCollection.objects.filter(year__in=years).values_list(
        "region_id", "year", "day", "enrolled")) == daily


def test_inside_a_transaction_the_years_stay_in_one(registry):
    # The caller's uncommitted rows (a test's, an import's) are invisible to other connections.
    assert rollups._side_by_side([2024, 2025, YEAR]) == [[2024, 2025, YEAR]]
