"""The monthly comparison's kinds, one by one: each finds what it names and not its near miss.
Run on SQLite by default and on PostgreSQL with DATABASE_URL (the SQL is written for both)."""
import datetime as dt

import pytest

from enrollment.exchange import comparison
from enrollment.models import Enrollment, Finding, Household, Person, PersonGroup, School
from tests import factories

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)  # collection for 2027 under way
NEXT = 2027


def run(day=DAY, region=None):
    return comparison.run_inline(region=region, day=day)


def found(kind, **filters):
    return list(Finding.objects.filter(kind=kind, status="open", **filters))


def enroll(person, year=NEXT, region=factories.COUNTY, **fields):
    fields.setdefault("status", "active")
    return Enrollment.objects.create(person=person, year=year, pooling_region_id=region,
                                     **fields)


def test_dead_or_emigrated_but_enrolled_for_a_later_year(make_person):
    dead = make_person(name="王老汉", life_status="deceased",
                       life_status_date=dt.date(2026, 3, 2))
    later = enroll(dead)
    enroll(dead, year=2026)  # the year of death stays paid: not a finding
    abroad = make_person(name="李侨", life_status="emigrated",
                         life_status_date=dt.date(2026, 8, 1))
    enroll(abroad)
    alive = make_person(name="张活")
    enroll(alive)
    run()
    rows = found("gone_enrolled")
    assert {(f.person_id, f.year) for f in rows} == {(dead.pk, NEXT), (abroad.pk, NEXT)}
    one = next(f for f in rows if f.person_id == dead.pk)
    assert one.details["enrollment"] == later.pk and one.details["life_status"] == "deceased"
    assert one.region_id == factories.VILLAGE


def test_moved_out_but_still_enrolled_here(make_person):
    gone = make_person(life_status="moved_out", life_status_date=dt.date(2026, 5, 1))
    enroll(gone)
    run()
    assert [f.person_id for f in found("moved_out")] == [gone.pk]
    assert not found("gone_enrolled")


def test_moved_in_but_pooled_where_they_lived_before(make_person):
    moved = make_person(factories.OTHER_GRID, hukou_code=factories.OTHER_VILLAGE)
    enroll(moved, region=factories.COUNTY)  # 长沙县, lives in 浏阳市 now
    stayed = make_person(factories.OTHER_GRID, hukou_code=factories.OTHER_VILLAGE)
    enroll(stayed, region=factories.OTHER_COUNTY)
    this_year = make_person(factories.OTHER_GRID, hukou_code=factories.OTHER_VILLAGE)
    enroll(this_year, year=2026, region=factories.COUNTY)  # a year under way keeps its cover
    run()
    assert [f.person_id for f in found("moved_in")] == [moved.pk]


def test_enrolled_elsewhere_and_here_for_overlapping_months(make_person):
    both = make_person(name="重复")
    local = enroll(both)
    enroll(both, region=factories.OTHER_COUNTY, elsewhere=True, status="stopped",
           stopped_on=dt.date(NEXT, 6, 1))
    before = make_person(name="先外地")
    enroll(before)
    enroll(before, region=factories.OTHER_COUNTY, elsewhere=True, status="stopped",
           stopped_on=dt.date(NEXT, 1, 1))  # ended before the local cover began
    run()
    rows = found("elsewhere_too")
    assert [f.person_id for f in rows] == [both.pk]
    assert rows[0].details["enrollment"] == local.pk


def test_resident_and_employee_cover_of_three_months(make_person):
    three = make_person(name="三个月")
    enroll(three)
    enroll(three, scheme="employee", cover_start=dt.date(NEXT, 1, 1),
           cover_end=dt.date(NEXT, 3, 31))
    short = make_person(name="差一天")
    enroll(short)
    enroll(short, scheme="employee", cover_start=dt.date(NEXT, 1, 1),
           cover_end=dt.date(NEXT, 3, 30))
    open_ended = make_person(name="在职")
    enroll(open_ended)
    enroll(open_ended, year=2025, scheme="employee", cover_start=dt.date(2025, 7, 1))
    run()
    assert {f.person_id for f in found("employee_overlap")} == {three.pk, open_ended.pk}


def test_resident_in_two_pooling_regions_the_same_year(make_person):
    person = make_person()
    enroll(person, region=factories.COUNTY)
    enroll(person, region=factories.OTHER_COUNTY, status="stopped",
           stopped_on=dt.date(NEXT, 4, 1))
    run()
    assert [f.person_id for f in found("two_regions")] == [person.pk]


def _birth_cert_file(person):
    Person.objects.filter(pk=person.pk).update(id_number=None, id_type="birth_cert")
    person.refresh_from_db()
    return person


def test_the_same_child_in_an_id_file_and_a_birth_certificate_file(make_person):
    birth = dt.date(2026, 2, 3)
    household = Household.objects.create(number="H9", head_name="周大",
                                         region_id=factories.VILLAGE)
    id_file = make_person(name="周小宝", birth_date=birth, household=household)
    cert = _birth_cert_file(make_person(factories.GRID_2, name="周小宝", birth_date=birth,
                                        birth_cert_number="R4300091"))
    twin = make_person(name="周小宝", birth_date=birth)  # two ID files, no household: not it
    other_day = _birth_cert_file(make_person(name="周小宝", birth_date=dt.date(2026, 2, 4),
                                             birth_cert_number="R4300092"))
    run()
    pairs = {frozenset((f.person_id, f.other_person_id)) for f in found("duplicate_person")}
    assert pairs == {frozenset((id_file.pk, cert.pk)), frozenset((twin.pk, cert.pk))}
    assert not any(other_day.pk in pair for pair in pairs)


def test_a_birth_certificate_file_older_than_the_id_file_and_two_certificate_files(make_person):
    """The village half is one select per side without an ID number: the certificate file may
    be the older of the pair (`p`) or the newer (`b`), and a pair of two certificate files,
    which both selects find, is one finding."""
    birth = dt.date(2026, 3, 4)
    cert = _birth_cert_file(make_person(name="郑小宝", birth_date=birth,
                                        birth_cert_number="R4300094"))
    cert_2 = _birth_cert_file(make_person(factories.GRID_2, name="郑小宝", birth_date=birth,
                                          birth_cert_number="R4300095"))
    id_file = make_person(name="郑小宝", birth_date=birth)
    run()
    pairs = sorted((f.person_id, f.other_person_id) for f in found("duplicate_person"))
    assert pairs == [(cert.pk, cert_2.pk), (cert.pk, id_file.pk), (cert_2.pk, id_file.pk)]


def test_duplicate_files_are_found_from_a_grid_run_and_across_parts(make_person, settings):
    """The household half reaches a file registered in another county (another part); the
    village half reaches a birth-certificate file in another grid of the village even when the
    run is of one grid; a pair meeting both halves is one finding."""
    from enrollment.models import Region

    settings.COMPARISON_PART_PERSONS = 1  # each county a part of its own
    birth = dt.date(2020, 5, 6)
    household = Household.objects.create(number="H10", head_name="吴大",
                                         region_id=factories.VILLAGE)
    here = make_person(hukou_code=factories.GRID, name="吴二", birth_date=birth,
                       household=household)  # registered in the grid itself
    away = make_person(factories.OTHER_GRID, hukou_code=factories.OTHER_VILLAGE, name="吴二",
                       birth_date=birth, household=household)
    cert = _birth_cert_file(make_person(factories.GRID_2, name="吴二", birth_date=birth,
                                        household=household, birth_cert_number="R4300093"))
    run(region=Region.objects.get(code=factories.GRID))
    pairs = sorted((f.person_id, f.other_person_id) for f in found("duplicate_person"))
    assert pairs == [(here.pk, away.pk), (here.pk, cert.pk)]
    run()
    pairs = sorted((f.person_id, f.other_person_id) for f in found("duplicate_person"))
    assert pairs == [(here.pk, away.pk), (here.pk, cert.pk), (away.pk, cert.pk)]


def test_hardship_person_not_enrolled_for_the_coming_year(make_person):
    poor = make_person(name="低保户")
    PersonGroup.objects.create(person=poor, group="low_income", start_date=dt.date(2026, 1, 1))
    paid = make_person(name="已缴")
    PersonGroup.objects.create(person=paid, group="special_hardship",
                               start_date=dt.date(2026, 1, 1))
    enroll(paid, status="awaiting")
    left = make_person(name="已退出")
    PersonGroup.objects.create(person=left, group="monitored", start_date=dt.date(2025, 1, 1),
                               end_date=dt.date(2026, 6, 30))
    run()
    rows = found("hardship_unenrolled")
    assert [(f.person_id, f.year, f.details["group"]) for f in rows] == [
        (poor.pk, NEXT, "low_income")]


def test_newborn_past_sixty_days_without_an_enrollment(make_person):
    late = make_person(name="满月久", birth_date=DAY - dt.timedelta(days=61))
    make_person(name="刚出生", birth_date=DAY - dt.timedelta(days=59))
    paid = make_person(name="已参保", birth_date=DAY - dt.timedelta(days=61))
    enroll(paid, year=2026)
    october = make_person(name="十月生", birth_date=dt.date(2026, 10, 1))
    enroll(october, year=2027)  # R-NB-OCT: paid for the next year
    run()
    assert [(f.person_id, f.year) for f in found("newborn_unenrolled")] == [(late.pk, 2026)]


def test_student_on_a_roster_without_an_enrollment(make_person):
    school = School.objects.create(code="S1", name="东山小学", kind="primary",
                                   region_id=factories.VILLAGE)
    pupil = make_person(name="小学生", birth_date=dt.date(2015, 3, 1), school=school)
    enrolled = make_person(name="已参保生", birth_date=dt.date(2015, 3, 1), school=school)
    enroll(enrolled)
    make_person(name="非学生", birth_date=dt.date(2015, 3, 1))
    run()
    assert [(f.person_id, f.details["school"]) for f in found("student_unenrolled")] == [
        (pupil.pk, school.pk)]


def test_a_separated_person_is_one_row_for_both_villages(make_person):
    person = make_person(factories.NEIGHBOUR_GRID, hukou_code=factories.VILLAGE,
                         school=School.objects.create(code="S2", name="西湖小学",
                                                      kind="primary",
                                                      region_id=factories.NEIGHBOUR_VILLAGE))
    run()
    row = Finding.objects.get(person=person)
    assert (row.region_id, row.residence_region_id) == (factories.VILLAGE,
                                                         factories.NEIGHBOUR_VILLAGE)
    assert row.separated
