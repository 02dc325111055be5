"""Incremental ledger generation: a rerun looks only at persons changed since the last run's
watermark; a full run is the safety net."""
import datetime as dt

import pytest

from enrollment.models import Enrollment, EnrollmentStatus, Person, Region
from enrollment.services import enrollment_stop
from outreach.models import EntryStatus, LedgerEntry, LedgerRun
from outreach.services import ledger as ledger_services
from tests.factories import COUNTY, GRID

from .factories import enroll

Y = 2027


@pytest.fixture(autouse=True)
def one_clock(settings):
    settings.INPUTS_CHANGED_MARGIN_SECONDS = 0


def generate(user, full=False):
    return ledger_services.ledger_generate(actor=user, year=Y, full=full,
                                           region=Region.objects.get(code=COUNTY))


def _stamps():
    return dict(LedgerEntry.objects.values_list("person_id", "updated_at"))


def test_rerun_with_nothing_changed_touches_nothing(county_admin, make_person):
    for i in range(5):
        make_person(GRID, name=f"人{i}")
    assert generate(county_admin)["added"] == 5
    stamps = _stamps()
    assert generate(county_admin) == {"added": 0, "closed": 0, "parts": 0}  # nothing to visit
    assert _stamps() == stamps
    first, second = LedgerRun.objects.order_by("pk")
    assert first.since is None and second.since == first.watermark


def test_changes_since_the_last_run_are_picked_up_and_nobody_else(county_admin, make_person):
    people = [make_person(GRID, name=f"人{i}") for i in range(4)]
    enrolled = enroll(people[0], Y)  # listed later only if stopped
    generate(county_admin)
    stamps = _stamps()
    newcomer = make_person(GRID, name="新来")
    enrollment_stop(actor=county_admin, enrollment=enrolled, on=dt.date(Y, 3, 1), reason="重复")
    result = generate(county_admin)
    assert result["added"] == 2
    assert set(LedgerEntry.objects.filter(status=EntryStatus.OPEN)
               .values_list("person_id", flat=True)) == {p.pk for p in people} | {newcomer.pk}
    after = _stamps()
    assert {pk: after[pk] for pk in stamps} == stamps  # the others' entries were not rewritten


def test_a_bulk_write_without_marker_waits_for_the_full_run(county_admin, make_person):
    p = make_person(GRID)
    generate(county_admin)
    Enrollment.objects.bulk_create([Enrollment(person=p, year=Y, pooling_region_id=COUNTY,
                                               status=EnrollmentStatus.ACTIVE)])
    Person.objects.filter(pk=p.pk).update(inputs_changed_at=None)
    assert generate(county_admin)["closed"] == 0
    assert generate(county_admin, full=True)["closed"] == 1
    assert LedgerEntry.objects.get(person=p).status == EntryStatus.ENROLLED
