"""R-EMP-CONVERT on the pages: the employee-year credit of a shanxi transfer on the person file."""
from __future__ import annotations

import datetime as dt
import re

import pytest

from benefits.models import PolicyProfile, PoolingRegionProfile
from enrollment.models import Enrollment, Scheme
from tests import factories
from tests.benefits.test_recalc import ensure_policies

pytestmark = pytest.mark.django_db


def _shanxi_person(make_person, resident_years):
    """A person in the clerk's county, mapped to shanxi, with resident years up to 2025 and an
    employee cover that ended in May 2026."""
    ensure_policies()
    PoolingRegionProfile.objects.update_or_create(
        region_id=factories.COUNTY, defaults={"profile": PolicyProfile.objects.get(code="shanxi")})
    person = make_person(birth_date=dt.date(1975, 1, 9))
    for year in range(2026 - resident_years, 2026):
        Enrollment.objects.create(person=person, year=year, scheme=Scheme.RESIDENT,
                                  pooling_region_id=factories.COUNTY, status="active",
                                  paid_on=dt.date(year - 1, 10, 1),
                                  cover_start=dt.date(year, 1, 1),
                                  cover_end=dt.date(year, 12, 31))
    return person


def _transfer(client, person):
    return client.post(f"/benefits/persons/{person.pk}/special/?category=transfer", {
        "year": 2026, "paid_on": "2026-06-20", "employee_ended_on": "2026-05-01"}, follow=True)


def test_shanxi_transfer_shows_the_employee_year_credit(as_user, village_clerk, make_person):
    person = _shanxi_person(make_person, 5)
    response = _transfer(as_user(village_clerk), person)
    assert response.status_code == 200
    e = person.enrollments.get(year=2026)
    assert e.determination["employee_year_credit"] == 1
    html = response.content.decode()
    assert "可折算职工医保年限" in html and "1年" in html
    assert "可折算职工医保年限1年" in re.sub(r"<[^>]+>|\s", "", html)
    # The person file, opened again later, shows it too.
    page = as_user(village_clerk).get(f"/persons/{person.pk}/").content.decode()
    assert 'data-field="employee_year_credit"' in page


def test_hunan_has_no_credit_line(as_user, village_clerk, make_person):
    ensure_policies()
    person = make_person(birth_date=dt.date(1975, 1, 9))
    Enrollment.objects.create(person=person, year=2025, scheme=Scheme.EMPLOYEE,
                              pooling_region_id=factories.COUNTY, status="active",
                              cover_start=dt.date(2025, 1, 1), cover_end=dt.date(2025, 12, 31))
    response = _transfer(as_user(village_clerk), person)
    assert response.status_code == 200
    assert person.enrollments.get(scheme=Scheme.RESIDENT).determination[
        "employee_year_credit"] is None
    assert "可折算职工医保年限" not in response.content.decode()
