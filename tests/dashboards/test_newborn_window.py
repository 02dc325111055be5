"""The dashboards count "enrolled within the newborn window" against the profile the region
follows (its nearest mapped ancestor), not a fixed 90 days; the rollup and the live lists agree."""
import datetime as dt
from decimal import Decimal

import pytest

from benefits.models import PolicyProfile, PoolingRegionProfile
from dashboards import rollups, selectors
from dashboards.models import CoverageRollup
from enrollment.models import Enrollment, Region
from tests import factories as f

YEAR = 2026
TODAY = dt.date(2026, 11, 23)


@pytest.fixture
def newborns(make_person):
    """Two newborns in grid 2 of the county, one in the other county, each paid 75 days after
    birth (inside a 90-day window, outside a 60-day one), and one paid after 30 days."""
    people = {
        "late": make_person(f.GRID_2, name="庚", birth_date=dt.date(2026, 4, 1)),
        "early": make_person(f.GRID_2, name="辛", birth_date=dt.date(2026, 4, 1)),
        "other": make_person(f.OTHER_GRID, name="壬", birth_date=dt.date(2026, 4, 1)),
    }
    for key, days in (("late", 75), ("early", 30), ("other", 75)):
        paid = dt.date(2026, 4, 1) + dt.timedelta(days=days)
        Enrollment.objects.create(person=people[key], year=YEAR, scheme="resident",
                                  pooling_region_id=f.COUNTY, status="active", paid_on=paid,
                                  amount_paid=Decimal("400"))
    return people


def county_follows_a_60_day_profile():
    profile = PolicyProfile.objects.exclude(
        pk__in=PoolingRegionProfile.objects.values("profile")).first()
    profile.newborn_days = 60
    profile.save()
    PoolingRegionProfile.objects.create(region_id=f.COUNTY, profile=profile)


def counts(code):
    rollups.refresh(years=[YEAR], today=TODAY)
    row = CoverageRollup.objects.get(region_id=code, year=YEAR)
    live = selectors.live_counts(Region.objects.get(code=code), YEAR, today=TODAY)
    assert live["newborns_late"] == row.newborns - row.newborns_90  # rollup and live agree
    return row.newborns, row.newborns_90


def test_the_shipped_90_day_window_counts_payment_at_75_days(newborns):
    assert counts(f.GRID_2) == (2, 2)
    assert counts(f.OTHER_COUNTY) == (1, 1)


def test_a_60_day_profile_makes_payment_at_75_days_late(newborns):
    county_follows_a_60_day_profile()
    assert counts(f.GRID_2) == (2, 1)
    assert counts(f.COUNTY) == (2, 1)
    # The other county still follows the city's profile.
    assert counts(f.OTHER_COUNTY) == (1, 1)
    assert counts(f.CITY) == (3, 2)
    late = selectors.people(Region.objects.get(code=f.CITY), YEAR, "newborns_late", today=TODAY)
    assert [p.name for p in late] == ["庚"]
