"""Rollups refreshed for the regions touched: one village and its ancestors, the same numbers
as a full refresh, nothing else rewritten."""
import datetime as dt

import pytest
from django.utils import timezone

from dashboards import regional, rollups
from dashboards.models import CoverageRollup
from enrollment.models import Person
from tests import factories as f
from tests.dashboards.test_dashboards import TODAY, YEAR, enroll, registry  # noqa: F401

ANCESTORS = {f.VILLAGE, f.TOWNSHIP, f.COUNTY, f.CITY, "430000000000"}


@pytest.fixture
def one_clock(settings):
    settings.INPUTS_CHANGED_MARGIN_SECONDS = 0


def _rows():
    return {(r.region_id, r.year): r for r in CoverageRollup.objects.all()}


def _numbers(rows):
    return {k: (r.persons, r.covered, r.resident, r.employee, r.hardship, r.newborns,
                r.students, r.waiting, r.rate) for k, r in rows.items()}


def test_touching_one_village_refreshes_only_it_and_its_ancestors(registry, one_clock):  # noqa: F811
    rollups.refresh(years=[YEAR], today=TODAY)
    before = _rows()
    since = timezone.now()
    Person.objects.filter(pk__in=[p.pk for p in registry.values()]).update(
        inputs_changed_at=since - dt.timedelta(days=1))  # the registry was loaded long ago
    enroll(registry["e"])  # the special-hardship person of grid 1 enrolls (the door marks her)
    regional.refresh_touched(since=since, years=[YEAR], today=TODAY)
    after = _rows()
    rewritten = {k[0] for k in after if after[k].refresh_stamp != before[k].refresh_stamp}
    assert rewritten == ANCESTORS | {f.GRID, f.GRID_2}
    assert after[(f.GRID, YEAR)].covered == before[(f.GRID, YEAR)].covered + 1
    assert after[(f.VILLAGE, YEAR)].hardship_covered == 2
    # The same numbers a full refresh gives.
    rollups.refresh(years=[YEAR], today=TODAY)
    assert _numbers(after) == _numbers(_rows())


def test_nothing_touched_rewrites_nothing(registry, one_clock):  # noqa: F811
    rollups.refresh(years=[YEAR], today=TODAY)
    before = {k: r.refresh_stamp for k, r in _rows().items()}
    Person.objects.update(inputs_changed_at=None)
    regional.refresh_touched(years=[YEAR], today=TODAY)
    assert {k: r.refresh_stamp for k, r in _rows().items()} == before


def test_registrations_ask_for_the_touched_refresh(registry, monkeypatch,  # noqa: F811
                                                   django_capture_on_commit_callbacks, make_person):
    from django.core.cache import cache

    from dashboards import tasks

    cache.delete(tasks.PENDING_KEY)
    calls = []
    monkeypatch.setattr(tasks.refresh_rollups, "apply_async", lambda **kw: calls.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        enroll(make_person(f.GRID, name="新"))
    assert calls and calls[0]["kwargs"]["touched"] is True
    cache.delete(tasks.PENDING_KEY)


def test_touched_refresh_counts_renewals_from_the_villages_persons_only(registry, one_clock):  # noqa: F811
    # Last year's enrollments are read for the touched persons only (not the whole year's):
    # the renewal figures must still equal the full refresh's, for the village and above.
    enroll(registry["n1"], year=YEAR - 1, paid_on=dt.date(2024, 10, 8))  # neighbour renews too
    rollups.refresh(years=[YEAR], today=TODAY)
    full = {k: (r.renew_base, r.renewed_on_time, r.renewed_late, r.paid)
            for k, r in _rows().items()}
    since = timezone.now()
    Person.objects.update(inputs_changed_at=since - dt.timedelta(days=1))
    Person.objects.filter(pk=registry["a"].pk).update(inputs_changed_at=since)
    regional.refresh_touched(since=since, years=[YEAR], today=TODAY)
    after = _rows()
    assert after[(f.GRID, YEAR)].renew_base == 1
    assert {k: (r.renew_base, r.renewed_on_time, r.renewed_late, r.paid)
            for k, r in after.items()} == full


def test_touched_refresh_drops_a_grid_nobody_lives_in(registry, one_clock):  # noqa: F811
    rollups.refresh(years=[YEAR], today=TODAY)
    assert (f.GRID_2, YEAR) in _rows()
    since = timezone.now()
    Person.objects.update(inputs_changed_at=since - dt.timedelta(days=1))
    Person.objects.filter(residence_region_id=f.GRID_2).update(
        residence_region_id=f.GRID, inputs_changed_at=since)
    regional.refresh_touched(since=since, years=[YEAR], today=TODAY)
    rows = _rows()
    assert (f.GRID_2, YEAR) not in rows and (f.VILLAGE, YEAR) in rows
