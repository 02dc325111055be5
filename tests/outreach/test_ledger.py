"""The un-enrolled ledger: generated set-based from the registry, updated by enrollments."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from enrollment.models import EnrollmentStatus, LifeStatus, Region, Scheme
from outreach.services import ledger as ledger_services
from outreach.models import EntryStatus, LedgerEntry, Reason, Side
from tests.factories import (
    COUNTY, GRID, GRID_2, NEIGHBOUR_GRID, NEIGHBOUR_VILLAGE, OTHER_GRID, TOWNSHIP, VILLAGE,
)

from .factories import enroll

Y = 2027


def generate(user, code=COUNTY, year=Y):
    return ledger_services.ledger_generate(actor=user, year=year, region=Region.objects.get(code=code))


def test_unenrolled_alive_resident_is_listed_with_the_ledger_fields(county_admin, make_person):
    p = make_person(GRID, name="李四", phone="13812345678")
    generate(county_admin)
    entry = LedgerEntry.objects.get(person=p)
    assert (entry.year, entry.side, entry.region_id, entry.grid_id) == (Y, Side.RESIDENCE,
                                                                        VILLAGE, GRID)
    assert (entry.name, entry.id_number, entry.phone) == ("李四", p.id_number, "13812345678")
    assert entry.status == EntryStatus.OPEN and not entry.separated


@pytest.mark.parametrize("scheme,status,elsewhere", [
    (Scheme.RESIDENT, EnrollmentStatus.ACTIVE, False),
    (Scheme.RESIDENT, EnrollmentStatus.AWAITING_PAYMENT, False),
    (Scheme.EMPLOYEE, EnrollmentStatus.ACTIVE, False),
    (Scheme.RESIDENT, EnrollmentStatus.ACTIVE, True),
])
def test_anyone_with_a_live_enrollment_in_either_scheme_anywhere_is_not_listed(
        county_admin, make_person, scheme, status, elsewhere):
    p = make_person(GRID)
    enroll(p, Y, scheme=scheme, status=status, elsewhere=elsewhere)
    generate(county_admin)
    assert not LedgerEntry.objects.filter(person=p).exists()


def test_stopped_enrollment_other_year_dead_and_moved_out_people(county_admin, make_person):
    stopped = make_person(GRID, name="停保")
    enroll(stopped, Y, status=EnrollmentStatus.STOPPED)
    last_year = make_person(GRID, name="去年")
    enroll(last_year, Y - 1)
    make_person(GRID, name="死亡", life_status=LifeStatus.DECEASED)
    make_person(GRID, name="迁出", life_status=LifeStatus.MOVED_OUT)
    generate(county_admin)
    assert set(LedgerEntry.objects.values_list("name", flat=True)) == {"停保", "去年"}


def test_separated_person_appears_in_both_places_marked(county_admin, make_person):
    from enrollment.models import User

    p = make_person(OTHER_GRID, hukou_code=VILLAGE)   # registered here, lives in 浏阳
    generate(User.objects.create_superuser("root", password="x"), code="430100000000")
    entries = {e.side: e for e in LedgerEntry.objects.filter(person=p)}
    assert entries[Side.RESIDENCE].region_id == "430181100001"
    assert entries[Side.HUKOU].region_id == VILLAGE and entries[Side.HUKOU].grid_id is None
    assert all(e.separated for e in entries.values())


def test_other_grid_of_the_same_village_is_not_separated(county_admin, make_person):
    p = make_person(GRID_2, hukou_code=GRID)
    generate(county_admin)
    assert LedgerEntry.objects.filter(person=p).count() == 1


def test_generation_is_idempotent_and_by_region(township_officer, make_person):
    make_person(GRID)
    make_person(NEIGHBOUR_GRID)
    outside = make_person(OTHER_GRID)
    first = generate(township_officer, code=TOWNSHIP)
    second = generate(township_officer, code=TOWNSHIP)
    assert first["added"] == 2 and second["added"] == 0
    assert LedgerEntry.objects.count() == 2
    assert not LedgerEntry.objects.filter(person=outside).exists()


def test_enrollment_recorded_closes_the_entry(county_admin, make_person):
    p = make_person(GRID)
    generate(county_admin)
    e = enroll(p, Y)
    entry = LedgerEntry.objects.get(person=p)
    assert entry.status == EntryStatus.ENROLLED and entry.enrollment == e


def test_refresh_closes_entries_of_bulk_loaded_enrollments_and_reopens_stopped(
        county_admin, make_person):
    from enrollment.models import Enrollment

    p = make_person(GRID)
    generate(county_admin)
    Enrollment.objects.bulk_create([Enrollment(person=p, year=Y, pooling_region_id=COUNTY,
                                               status=EnrollmentStatus.ACTIVE)])  # no signal
    assert LedgerEntry.objects.get(person=p).status == EntryStatus.OPEN
    assert generate(county_admin)["closed"] == 1
    assert LedgerEntry.objects.get(person=p).status == EntryStatus.ENROLLED
    Enrollment.objects.filter(person=p).update(status=EnrollmentStatus.STOPPED)
    generate(county_admin)
    assert LedgerEntry.objects.get(person=p).status == EntryStatus.OPEN


def test_death_recorded_later_takes_the_entry_out(county_admin, make_person):
    p = make_person(GRID)
    generate(county_admin)
    p.life_status = LifeStatus.DECEASED
    p.save()
    generate(county_admin)
    assert LedgerEntry.objects.get(person=p).status == EntryStatus.GONE


def test_marked_enrolled_elsewhere_leaves_the_count_but_stays_visible(
        village_clerk, county_admin, make_person):
    from outreach import selectors

    p = make_person(GRID)
    generate(county_admin)
    entry = LedgerEntry.objects.get(person=p)
    ledger_services.ledger_set_reason(actor=village_clerk, entry=entry, reason=Reason.ELSEWHERE,
                                      note="广东东莞参保")
    entry.refresh_from_db()
    assert entry.status == EntryStatus.MARKED
    assert selectors.ledger_counts(village_clerk, Y)[EntryStatus.OPEN] == 0
    assert selectors.ledger_search(village_clerk, year=Y).filter(pk=entry.pk).exists()
    generate(county_admin)   # a refresh keeps the marking
    entry.refresh_from_db()
    assert entry.status == EntryStatus.MARKED


def test_reason_other_needs_text_and_neighbour_cannot_set_reason(
        village_clerk, neighbour_clerk, county_admin, make_person):
    from django.core.exceptions import PermissionDenied

    make_person(GRID)
    generate(county_admin)
    entry = LedgerEntry.objects.get()
    with pytest.raises(ValidationError):
        ledger_services.ledger_set_reason(actor=village_clerk, entry=entry, reason=Reason.OTHER)
    with pytest.raises(PermissionDenied):
        ledger_services.ledger_set_reason(actor=neighbour_clerk, entry=entry, reason=Reason.UNWILLING)
    entry.refresh_from_db()
    assert entry.reason == ""


def test_village_clerk_cannot_generate(village_clerk):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        generate(village_clerk, code=VILLAGE)


def test_neighbour_village_entries_are_not_in_scope(village_clerk, county_admin, make_person):
    from outreach import selectors

    make_person(NEIGHBOUR_GRID, hukou_code=NEIGHBOUR_VILLAGE)
    generate(county_admin)
    assert not selectors.entries_for(village_clerk).exists()
    assert selectors.entries_for(county_admin).count() == 1


def test_ledger_run_job_records_progress(county_admin, make_person, django_capture_on_commit_callbacks):
    from outreach.models import LedgerRun

    make_person(GRID)
    with django_capture_on_commit_callbacks(execute=True):
        run = ledger_services.ledger_run_start(actor=county_admin, year=Y,
                                               region=Region.objects.get(code=COUNTY))
    run = LedgerRun.objects.get(pk=run.pk)
    assert run.status == LedgerRun.Status.DONE and run.added == 1
    assert run.parts_done == run.parts_total == 1


def test_visit_date_in_future_is_refused(county_admin):
    from outreach.models import Visit

    with pytest.raises(ValidationError) as exc:
        Visit(visited_on=dt.date.today() + dt.timedelta(days=1), method="home",
              outcome="informed").full_clean(exclude=["task", "worker"])
    assert "走访日期不能晚于今天" in str(exc.value)


def test_ledger_copies_numbers_encrypted_and_finds_them_whole(county_admin, make_person):
    """The SQL generation copies ciphertext and blind indexes; nothing plain reaches the table,
    and the ledger search finds a whole ID or phone number (not a part)."""
    from django.db import connection

    from outreach import selectors

    person = make_person(phone="13912345678")
    from enrollment.models import Person

    newborn = Person.objects.create(id_type="birth_cert", birth_cert_number="R430000777",
                                    name="小宝", sex="F", birth_date=dt.date(2026, 1, 2),
                                    hukou_region_id=VILLAGE, residence_region_id=GRID)
    generate(county_admin)
    with connection.cursor() as cursor:
        cursor.execute("SELECT id_number, phone FROM outreach_ledgerentry")
        stored = " ".join(v for row in cursor.fetchall() for v in row)
    assert person.id_number not in stored and "13912345678" not in stored
    assert "R430000777" not in stored
    entry = LedgerEntry.objects.get(person=person)
    assert (entry.id_number, entry.phone) == (person.id_number, "13912345678")
    assert LedgerEntry.objects.get(person=newborn).id_number == "R430000777"
    found = selectors.ledger_search(county_admin, year=Y, query=person.id_number)
    assert [e.person_id for e in found] == [person.pk]
    assert [e.person_id for e in selectors.ledger_search(county_admin, year=Y,
                                                          query="13912345678")] == [person.pk]
    assert not selectors.ledger_search(county_admin, year=Y, query=person.id_number[:12])
    # The search goes through the person's indexes: a name finds the same entries as the
    # copy on the ledger would.
    assert [e.person_id for e in selectors.ledger_search(county_admin, year=Y,
                                                          query="小宝")] == [newborn.pk]
