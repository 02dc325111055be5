"""Runs of the monthly comparison: re-running, closing what is gone, the command, a region at a
time, a worker killed in a part, the schedule, and the ledger told through the change marker."""
import datetime as dt
import io

import pytest
from django.core.management import call_command

from enrollment.exchange import comparison
from enrollment.models import ComparisonRun, Enrollment, Finding, PersonGroup, Region, School
from tests import factories


@pytest.fixture(autouse=True)
def one_worker(settings):
    """Parts counted as for one worker; for two, below (and tests/enrollment/test_regions.py)."""
    settings.JOB_WORKERS = 1

pytestmark = pytest.mark.django_db

DAY = dt.date(2026, 12, 1)


def run(region=None, day=DAY):
    return comparison.run_inline(region=region, day=day)


@pytest.fixture
def school(region_tree):
    return School.objects.create(code="S1", name="东山小学", kind="primary",
                                 region_id=factories.VILLAGE)


def pupils(make_person, school, n=2, region=factories.GRID, **kw):
    return [make_person(region, name=f"学生{i}", birth_date=dt.date(2015, 3, 1), school=school,
                        **kw) for i in range(n)]


def test_a_rerun_updates_in_place_and_counts_nothing_new(make_person, school):
    pupils(make_person, school)
    first = run()
    assert (first.findings, first.new) == (2, 2)
    again = run()
    assert (again.findings, again.new, again.cleared) == (2, 0, 0)
    assert Finding.objects.count() == 2
    assert set(Finding.objects.values_list("last_seen_run", flat=True)) == {again.pk}


def test_what_is_no_longer_true_is_closed_as_cleared(make_person, school):
    one, two = pupils(make_person, school)
    run()
    Enrollment.objects.create(person=one, year=2027, pooling_region_id=factories.COUNTY,
                              status="active")
    second = run()
    assert (second.findings, second.new, second.cleared) == (1, 0, 1)
    closed = Finding.objects.get(person=one)
    assert (closed.status, closed.resolution) == ("resolved", "cleared")
    assert closed.get_resolution_display().startswith("已消除")
    Enrollment.objects.filter(person=one).update(status="stopped", stopped_on=DAY)
    third = run()  # true again: re-opened, counted as new
    assert (third.findings, third.new) == (2, 1)
    assert Finding.objects.get(person=one).status == "open"


def test_a_dismissed_finding_stays_dismissed(make_person, school):
    one, _ = pupils(make_person, school)
    run()
    Finding.objects.filter(person=one).update(status="dismissed", resolution="dismissed",
                                              resolution_reason="在外省就读，已在学校参保")
    second = run()
    assert (second.findings, second.new) == (1, 0)
    assert Finding.objects.get(person=one).status == "dismissed"


def test_the_command_prints_findings_and_new(make_person, school):
    pupils(make_person, school)
    out = io.StringIO()
    call_command("compare_monthly", stdout=out)
    assert out.getvalue().strip() == "findings=2 new=2"
    out = io.StringIO()
    call_command("compare_monthly", "--region", factories.VILLAGE, stdout=out)
    assert out.getvalue().strip() == "findings=2 new=0"


def test_the_command_names_a_wrong_region(region_tree):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="区划代码（--region）"):
        call_command("compare_monthly", "--region", "999999999999")


def test_a_region_run_touches_only_its_region(make_person, school):
    pupils(make_person, school, n=1)
    pupils(make_person, school, n=1, region=factories.OTHER_GRID,
           hukou_code=factories.OTHER_VILLAGE)
    village = run(region=Region.objects.get(code=factories.VILLAGE))
    assert (village.findings, village.parts_total) == (1, 1)
    assert Finding.objects.count() == 1
    everything = run()  # two persons: the whole deployment is one part
    assert everything.parts_total == 1 and everything.findings == 2
    # The village run did not close the other county's finding it never looked at.
    run(region=Region.objects.get(code=factories.VILLAGE))
    assert Finding.objects.filter(status="open").count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_killed_in_the_second_part_leaves_the_first_whole(make_person, school,
                                                                   monkeypatch, settings):
    settings.COMPARISON_PART_PERSONS = 2  # each county (two and two persons) a part of its own
    pupils(make_person, school, n=2)
    hardship = make_person(factories.OTHER_GRID, hukou_code=factories.OTHER_VILLAGE)
    PersonGroup.objects.create(person=hardship, group="low_income",
                               start_date=dt.date(2026, 1, 1))
    pupils(make_person, school, n=1, region=factories.OTHER_GRID,
           hukou_code=factories.OTHER_VILLAGE)
    from enrollment.models import Person

    parts = []

    class Dying:
        """The worker dies in the second part (浏阳) after every kind of it has been written,
        before its transaction commits: nothing catches a killed process."""

        class objects:
            @staticmethod
            def filter(**kwargs):
                parts.append(1)
                if len(parts) == 2:
                    raise SystemExit("worker killed")
                return Person.objects.filter(**kwargs)

    monkeypatch.setattr(comparison, "Person", Dying)
    assert comparison.parts_of(None) == ["430121", "430181"]
    with pytest.raises(SystemExit):
        run()
    assert set(Finding.objects.values_list("region_id", flat=True)) == {factories.VILLAGE}
    assert Finding.objects.count() == 2  # the first part whole, the second untouched
    failed = ComparisonRun.objects.get()
    assert failed.parts_done == 1 and failed.findings == 2 and failed.status != "done"
    monkeypatch.undo()
    whole = run()
    assert (whole.findings, whole.new) == (4, 2)


def test_the_monthly_schedule_ships_with_the_migrations(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="enrollment.compare_monthly")
    assert task.enabled and task.crontab.day_of_month == "1"


def test_the_monthly_task_runs_every_part(make_person, school,
                                          django_capture_on_commit_callbacks):
    from enrollment.tasks import compare_monthly

    pupils(make_person, school)
    with django_capture_on_commit_callbacks(execute=True):
        run_id = compare_monthly.delay().get()
    done = ComparisonRun.objects.get(pk=run_id)
    assert (done.status, done.findings, done.region_id) == ("done", 2, None)


def test_a_finding_tells_the_ledger_through_the_change_marker(county_admin, make_person,
                                                             settings):
    """A write that skipped the marker (a bulk load) is caught by the comparison: the next
    incremental ledger generation closes the dead person's entry and lists the hardship
    person whose enrollment a bulk path stopped."""
    from outreach.models import LedgerEntry
    from outreach.services.ledger import ledger_generate

    county = Region.objects.get(code=factories.COUNTY)
    dead = make_person(name="王老汉")
    Enrollment.objects.create(person=dead, year=2028, pooling_region_id=factories.COUNTY,
                              status="active")
    poor = make_person(name="低保户")
    PersonGroup.objects.create(person=poor, group="low_income", start_date=dt.date(2026, 1, 1))
    paid = Enrollment.objects.create(person=poor, year=2027, pooling_region_id=factories.COUNTY,
                                     status="active")
    from django.utils import timezone

    from enrollment.models import Person

    settings.INPUTS_CHANGED_MARGIN_SECONDS = 0
    Person.objects.update(inputs_changed_at=timezone.now() - dt.timedelta(hours=1))
    ledger_generate(actor=county_admin, year=2027, region=county, full=True)
    assert LedgerEntry.objects.get(person=dead, year=2027).status == "open"
    assert not LedgerEntry.objects.filter(person=poor).exists()
    # Bulk paths that forgot the marker:
    Person.objects.filter(pk=dead.pk).update(life_status="deceased",
                                             life_status_date=dt.date(2026, 11, 20))
    Enrollment.objects.filter(pk=paid.pk).update(status="stopped", stopped_on=DAY)
    ledger_generate(actor=county_admin, year=2027, region=county)
    assert LedgerEntry.objects.get(person=dead, year=2027).status == "open"  # missed
    run()
    assert Finding.objects.filter(person=dead, kind="gone_enrolled").exists()
    ledger_generate(actor=county_admin, year=2027, region=county)
    assert LedgerEntry.objects.get(person=dead, year=2027).status == "gone"
    assert LedgerEntry.objects.get(person=poor, year=2027).status == "open"


def _townships(*codes):
    for code in codes:
        Region.objects.get_or_create(code=code, defaults={"name": f"镇{code[6:9]}",
                                                          "parent_id": code[:6] + "000000"})
        Region.objects.get_or_create(code=code[:9] + "001", defaults={"name": f"村{code[6:9]}",
                                                                      "parent_id": code})


def test_parts_are_consecutive_townships_up_to_the_size_and_a_whole_county_is_one_prefix(
        make_person, settings):
    """长沙县 has three townships of 2, 1 and 2 persons, 浏阳 one of 1: with parts of up to 3
    persons the first two townships are one part, the third its own, and 浏阳 (all of its
    townships in the part) is written as the county's prefix."""
    _townships("430121101000", "430121102000")
    for village, n in [(factories.VILLAGE, 2), ("430121101001", 1), ("430121102001", 2),
                       (factories.OTHER_VILLAGE, 1)]:
        for i in range(n):
            make_person(village, hukou_code=village, name=f"居民{village[-4:]}{i}")
    settings.COMPARISON_PART_PERSONS = 3
    assert comparison.parts_of(None) == ["430121100,430121101", "430121102,430181"]
    county = Region.objects.get(code=factories.COUNTY)
    assert comparison.parts_of(county) == ["430121100,430121101", "430121102"]
    settings.COMPARISON_PART_PERSONS = 100
    assert comparison.parts_of(None) == ["43"]  # the province is one prefix
    assert comparison.parts_of(county) == ["430121"]  # never wider than the run's region
    # A township, a village and a grid are one part whatever their size.
    settings.COMPARISON_PART_PERSONS = 1
    assert comparison.parts_of(Region.objects.get(code=factories.TOWNSHIP)) == ["430121100"]
    assert comparison.parts_of(Region.objects.get(code=factories.VILLAGE)) == ["430121100001"]
    assert comparison.parts_of(county) == ["430121100", "430121101", "430121102"]
    # Parts of up to 5: alone, 长沙县 (5 persons) and 浏阳 (1); for two workers two even
    # parts of 3 instead.
    settings.COMPARISON_PART_PERSONS, settings.JOB_WORKERS = 5, 2
    assert comparison.parts_of(None) == ["430121100,430121101", "430121102,430181"]
    settings.JOB_WORKERS = 1
    assert comparison.parts_of(None) == ["430121", "430181"]


def test_a_part_of_several_townships_finds_and_clears_in_each_of_them(make_person, school,
                                                                     settings):
    """Findings stay owned by their village whatever the part; a re-run of the same parts
    finds nothing new, and one that is cleared is cleared in its own township."""
    _townships("430121101000")
    settings.COMPARISON_PART_PERSONS = 10
    here = pupils(make_person, school, n=1)[0]
    there = pupils(make_person, school, n=1, region="430121101001",
                   hukou_code="430121101001")[0]
    other = pupils(make_person, school, n=1, region=factories.OTHER_GRID,
                   hukou_code=factories.OTHER_VILLAGE)[0]
    assert comparison.parts_of(Region.objects.get(code=factories.COUNTY)) == ["430121"]
    first = run()
    assert (first.parts_total, first.findings, first.new) == (1, 3, 3)
    assert dict(Finding.objects.values_list("person_id", "region_id")) == {
        here.pk: factories.VILLAGE, there.pk: "430121101001", other.pk: factories.OTHER_VILLAGE}
    settings.COMPARISON_PART_PERSONS = 1  # the same persons in three parts now
    Enrollment.objects.create(person=there, year=2027, pooling_region_id=factories.COUNTY,
                              status="active")
    again = run()
    assert (again.parts_total, again.findings, again.new, again.cleared) == (3, 2, 0, 1)
    assert Finding.objects.get(person=there).resolution == "cleared"
    township = run(region=Region.objects.get(code="430121101000"))
    assert (township.parts_total, township.findings, township.new) == (1, 0, 0)
    assert Finding.objects.filter(status="open").count() == 2
