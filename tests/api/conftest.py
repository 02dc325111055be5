"""The data-sharing API's world: a few persons in the village and one in another county, their
enrollments, open ledger entries, the rollups, and tokens issued the way the admin issues them
(api.services.token_issue)."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from api import services
from api.models import DepartmentToken
from dashboards import rollups
from enrollment.models import Enrollment, PersonGroup
from outreach.models import EntryStatus, LedgerEntry
from tests import factories as f

YEAR = 2026
TODAY = dt.date(2026, 11, 23)


@pytest.fixture(autouse=True)
def fresh_throttle():
    """The per-token counts live in the cache, which outlives a test's database."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def issue(superuser):
    """issue(region=..., fields=[...], active=True, expires_at=...) -> (token, key)."""

    def make(region=f.COUNTY, fields=(), department="县卫生健康局", **extra):
        token = DepartmentToken(department=department, region_id=region, fields=list(fields),
                                **extra)
        key = services.token_issue(token=token, issued_by=superuser)
        return token, key

    return make


@pytest.fixture
def call(client):
    """call(url, key, **params): a GET with the token header (key None: no header)."""

    def get(url, key=None, method="get", **params):
        headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
        return getattr(client, method)(url, params, **headers)

    return get


def _enroll(person, *, year=YEAR, scheme="resident", status="active", **extra):
    return Enrollment.objects.create(
        person=person, year=year, scheme=scheme, pooling_region_id=f.COUNTY, status=status,
        paid_on=dt.date(2025, 10, 8) if status == "active" else None,
        amount_paid=Decimal("400") if status == "active" else None, **extra)


def _open_entry(person, *, year=YEAR):
    return LedgerEntry.objects.create(
        year=year, person=person, region_id=person.residence_region_id[:12],
        grid_id=person.residence_region_id if len(person.residence_region_id) == 15 else None,
        name=person.name, id_number=person.id_number, phone=person.phone,
        status=EntryStatus.OPEN)


@pytest.fixture
def world(make_person):
    p = {
        "enrolled": make_person(f.GRID, name="甲", phone="13800001111"),
        "employee": make_person(f.GRID, name="乙"),
        "open1": make_person(f.GRID, name="丙", phone="13900002222"),
        "open2": make_person(f.GRID_2, name="丁"),
        "hardship": make_person(f.NEIGHBOUR_GRID, name="戊"),
        "outside": make_person(f.OTHER_GRID, name="外"),
    }
    _enroll(p["enrolled"], benefit_start=dt.date(2026, 1, 1), benefit_end=dt.date(2026, 12, 31))
    _enroll(p["employee"], scheme="employee", status="active",
            cover_start=dt.date(2026, 3, 1), cover_end=dt.date(2026, 9, 30))
    _enroll(p["outside"])
    PersonGroup.objects.create(person=p["hardship"], group="low_income",
                               start_date=dt.date(2024, 1, 1))
    for key in ("open1", "open2", "hardship"):
        _open_entry(p[key])
    _open_entry(p["outside"])
    rollups.refresh(years=[YEAR - 1, YEAR], today=TODAY)
    return p


def expired():
    return timezone.now() - dt.timedelta(days=1)
