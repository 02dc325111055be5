"""The registry's special case reads an employee cover's end through the one door's
`employee_cover`, so a stop before the planned end ends the cover there (as the enrollment
service and the person timeline read it)."""
import datetime as dt

import pytest

from benefits.determination import case_from_registry
from enrollment.models import Enrollment, EnrollmentStatus, Scheme
from tests import factories as f

pytestmark = pytest.mark.django_db


def _employee(person, **fields):
    return Enrollment.objects.create(person=person, year=2025, scheme=Scheme.EMPLOYEE,
                                     pooling_region_id=f.COUNTY, cover_start=dt.date(2025, 1, 1),
                                     **fields)


def test_a_stop_before_the_planned_end_ends_the_cover_at_the_stop(make_person, shipped_policies):
    person = make_person()
    _employee(person, status=EnrollmentStatus.STOPPED, cover_end=dt.date(2025, 12, 31),
              stopped_on=dt.date(2025, 6, 1))
    case = case_from_registry(person=person, year=2025, paid_on=dt.date(2025, 9, 1),
                              pooling_region_code=f.COUNTY)
    assert case["category"] == "employee_transfer"
    assert case["employee_ended_on"] == "2025-06-01"


def test_a_stop_without_an_end_and_a_running_cover(make_person, shipped_policies):
    stopped = make_person()
    _employee(stopped, status=EnrollmentStatus.STOPPED, stopped_on=dt.date(2025, 3, 1))
    case = case_from_registry(person=stopped, year=2025, paid_on=dt.date(2025, 4, 1),
                              pooling_region_code=f.COUNTY)
    assert case["employee_ended_on"] == "2025-03-01"
    running = make_person()
    _employee(running, status=EnrollmentStatus.ACTIVE)
    case = case_from_registry(person=running, year=2025, paid_on=dt.date(2025, 4, 1),
                              pooling_region_code=f.COUNTY)
    assert case["category"] == "general"
