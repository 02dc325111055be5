"""Merging two files of one person: a county administrator's decision, previewed, audited on
both files; everything moves to the surviving file, the other is kept and marked, never
deleted; a year both files have paid for is refused, naming the year."""
import datetime as dt

import pytest

from benefits.models import ClaimSummary
from enrollment import services
from enrollment.models import AuditEntry, Enrollment, Household, PersonGroup, Person
from outreach.models import LedgerEntry
from tests import factories
from tests.factories import COUNTY, GRID

pytestmark = pytest.mark.django_db

BIRTH = dt.date(2025, 3, 1)


@pytest.fixture
def two_files(make_person):
    """A newborn registered twice: by birth certificate, then by ID number."""
    household = Household.objects.create(number="H9", head_name="钱大", region_id="430121100001")
    by_cert = make_person(GRID, name="钱小宝", birth_date=BIRTH, household=household,
                          id_type="birth_cert", birth_cert_number="R777")
    by_id = make_person(GRID, name="钱小宝", birth_date=BIRTH, household=household)
    return by_id, by_cert


def enroll(person, year, **kw):
    return Enrollment.objects.create(person=person, year=year, pooling_region_id=COUNTY,
                                     status="active", paid_on=dt.date(year - 1, 11, 1), **kw)


def test_merge_moves_everything_and_keeps_the_merged_file(county_admin, two_files):
    survivor, merged = two_files
    enroll(merged, 2026)
    enroll(survivor, 2025)
    PersonGroup.objects.create(person=merged, group="low_income", start_date=BIRTH)
    LedgerEntry.objects.create(person=merged, year=2027, region_id="430121100001",
                               name=merged.name)
    ClaimSummary.objects.create(person=merged, year=2025, fund_paid=100)
    services.person_merge(actor=county_admin, survivor=survivor, merged=merged)
    merged.refresh_from_db()
    assert merged.merged_into == survivor and merged.merged_at is not None
    assert merged.life_status == "merged" and Person.objects.filter(pk=merged.pk).exists()
    assert sorted(survivor.enrollments.values_list("year", flat=True)) == [2025, 2026]
    assert not merged.enrollments.exists() and not merged.groups.exists()
    assert LedgerEntry.objects.get(year=2027).person == survivor
    assert ClaimSummary.objects.get(year=2025).person == survivor
    for person in (survivor, merged):
        entry = AuditEntry.objects.get(person=person, detail__startswith="合并档案")
        assert entry.user == county_admin and "参保登记1条" in entry.detail


def test_merged_file_leaves_lists_and_duplicate_warnings(as_user, county_admin, two_files):
    survivor, merged = two_files
    services.person_merge(actor=county_admin, survivor=survivor, merged=merged)
    page = as_user(county_admin).get("/persons/?q=钱小宝").content.decode()
    assert f"/persons/{survivor.pk}/" in page and f"/persons/{merged.pk}/" not in page
    found = services.person_likely_duplicates(data={
        "name": "钱小宝", "birth_date": BIRTH, "household": survivor.household})
    assert found == [survivor]


def test_merged_file_is_viewable_with_a_banner_and_both_pages_show_the_merge(
        as_user, county_admin, two_files):
    survivor, merged = two_files
    services.person_merge(actor=county_admin, survivor=survivor, merged=merged)
    client = as_user(county_admin)
    page = client.get(f"/persons/{merged.pk}/").content.decode()
    assert "已合并至" in page and f"/persons/{survivor.pk}/" in page
    assert f"/persons/{merged.pk}/enroll/" not in page  # read only
    page = client.get(f"/persons/{survivor.pk}/").content.decode()
    assert "已并入本档案的重复档案" in page and f"/persons/{merged.pk}/" in page
    page = client.get(f"/households/{survivor.household_id}/").content.decode()
    assert f"/persons/{merged.pk}/" not in page  # one person, listed once


def test_both_files_enrolled_for_one_year_is_refused_naming_the_year(county_admin, two_files):
    survivor, merged = two_files
    enroll(survivor, 2026)
    enroll(merged, 2026)
    with pytest.raises(Exception) as exc:
        services.person_merge(actor=county_admin, survivor=survivor, merged=merged)
    assert "2026年" in str(exc.value)
    merged.refresh_from_db()
    assert merged.merged_into is None and merged.enrollments.count() == 1


@pytest.mark.parametrize("persona", ["village_clerk", "township_officer", "city_leader",
                                     "grid_worker"])
def test_only_county_administrators_merge(request, as_user, two_files, persona):
    survivor, merged = two_files
    client = as_user(request.getfixturevalue(persona))
    assert client.get(f"/persons/{survivor.pk}/merge/").status_code == 403
    response = client.post(f"/persons/{survivor.pk}/merge/{merged.pk}/", {"confirm": "on"})
    assert response.status_code == 403
    merged.refresh_from_db()
    assert merged.merged_into is None


def test_a_file_outside_the_region_cannot_be_merged(as_user, county_admin, two_files,
                                                    make_person):
    survivor, _ = two_files
    outside = make_person(factories.OTHER_GRID, name="钱小宝", birth_date=BIRTH)
    response = as_user(county_admin).post(f"/persons/{survivor.pk}/merge/{outside.pk}/",
                                          {"confirm": "on"})
    assert response.status_code == 404
    outside.refresh_from_db()
    assert outside.merged_into is None


def test_merge_pages_preview_then_confirm(as_user, county_admin, two_files):
    survivor, merged = two_files
    enroll(merged, 2026)
    client = as_user(county_admin)
    page = client.get(f"/persons/{survivor.pk}/merge/").content.decode()
    assert f"/persons/{survivor.pk}/merge/{merged.pk}/" in page  # suggested: same household
    url = f"/persons/{survivor.pk}/merge/{merged.pk}/"
    page = client.get(url).content.decode()
    assert "将转移到保留档案的记录" in page and "参保登记" in page
    assert client.post(url, {}).status_code == 200  # not confirmed: nothing happens
    merged.refresh_from_db()
    assert merged.merged_into is None
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    merged.refresh_from_db()
    assert merged.merged_into == survivor


def test_conflict_is_shown_on_the_preview(as_user, county_admin, two_files):
    survivor, merged = two_files
    enroll(survivor, 2026)
    enroll(merged, 2026)
    page = as_user(county_admin).get(
        f"/persons/{survivor.pk}/merge/{merged.pk}/").content.decode()
    assert "2026年都有有效的居民医保参保登记" in page and "确认合并" not in page


def test_one_door_refuses_an_enrollment_on_a_merged_file(county_admin, two_files):
    survivor, merged = two_files
    services.person_merge(actor=county_admin, survivor=survivor, merged=merged)
    merged.refresh_from_db()
    with pytest.raises(Exception) as exc:
        services.enrollment_record(actor=county_admin, person=merged, year=2026,
                                   paid_on=dt.date(2025, 11, 1))
    assert "已合并" in str(exc.value)
    assert not merged.enrollments.exists()


def test_neighbour_cannot_open_the_merge_page(as_user, neighbour_clerk, two_files):
    survivor, merged = two_files
    assert as_user(neighbour_clerk).get(
        f"/persons/{survivor.pk}/merge/{merged.pk}/").status_code in (403, 404)


def test_ledger_entry_the_survivor_already_has_is_closed_not_moved(county_admin, two_files):
    survivor, merged = two_files
    LedgerEntry.objects.create(person=survivor, year=2027, region_id="430121100001",
                               name=survivor.name)
    theirs = LedgerEntry.objects.create(person=merged, year=2027, region_id="430121100001",
                                        name=merged.name)
    services.person_merge(actor=county_admin, survivor=survivor, merged=merged)
    theirs.refresh_from_db()
    assert theirs.person == merged and theirs.status == "gone"
    assert LedgerEntry.objects.filter(person=survivor, year=2027).count() == 1


def test_a_merged_file_is_not_edited(as_user, county_admin, two_files):
    survivor, merged = two_files
    services.person_merge(actor=county_admin, survivor=survivor, merged=merged)
    merged.refresh_from_db()
    with pytest.raises(Exception) as exc:
        services.person_update(actor=county_admin, person=merged, data={"name": "改名"})
    assert "已合并" in str(exc.value)
    merged.refresh_from_db()
    assert merged.name == "钱小宝"


def test_a_task_left_open_on_the_entry_the_merge_closes_is_finished(county_admin, two_files,
                                                                    grid_worker):
    from outreach.models import Batch, Task

    survivor, merged = two_files
    LedgerEntry.objects.create(person=survivor, year=2027, region_id="430121100001",
                               name=survivor.name)
    theirs = LedgerEntry.objects.create(person=merged, year=2027, region_id="430121100001",
                                        name=merged.name)
    batch = Batch.objects.create(year=2027, township_id="430121100000",
                                 pushed_by_region_id=COUNTY)
    task = Task.objects.create(entry=theirs, batch=batch, region_id="430121100001",
                               worker=grid_worker, status="investigating")
    preview = services.person_merge_preview(actor=county_admin, survivor=survivor, merged=merged)
    assert ("重复台账上的未办结任务（办结）", 1) in preview
    services.person_merge(actor=county_admin, survivor=survivor, merged=merged)
    task.refresh_from_db()
    assert task.status == "cannot" and task.cannot_reason == "duplicate"
    assert f"已并入档案{survivor.pk}" in task.cannot_note and task.finished_at is not None
    assert not Task.objects.filter(worker=grid_worker, status__in=[
        "pushed", "signed", "investigating", "mobilised"]).exists()
    audit = AuditEntry.objects.get(person=merged, detail__contains="摸排任务自动办结")
    assert audit.user == county_admin
