"""Outreach test data on top of the shared personas (tests/factories.py)."""
from __future__ import annotations

import datetime as dt

from enrollment.models import Enrollment, EnrollmentStatus, Scheme
from outreach.models import GridAssignment
from tests.factories import COUNTY


def enroll(person, year, *, scheme=Scheme.RESIDENT, status=EnrollmentStatus.ACTIVE,
           elsewhere=False, paid_on=None):
    return Enrollment.objects.create(
        person=person, year=year, scheme=scheme, status=status, elsewhere=elsewhere,
        pooling_region_id=COUNTY, paid_on=paid_on or dt.date(year - 1, 10, 1))


def assign(worker, grid_code):
    return GridAssignment.objects.create(grid_id=grid_code, worker=worker)
