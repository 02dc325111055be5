"""Ledger parts: townships grouped by persons into one transaction each, selected by code
ranges that mean exactly "starts with the township's prefix"."""
from collections import Counter

import pytest

from enrollment.models import Region
from outreach.models import LedgerEntry, LedgerRun
from outreach.services import ledger as ledger_services
from outreach.services import ledger_parts
from outreach.services.ledger_parts import Part
from tests.factories import CITY, GRID, NEIGHBOUR_GRID, OTHER_GRID, OTHER_VILLAGE

Y = 2027


@pytest.fixture(autouse=True)
def one_clock(settings):
    settings.INPUTS_CHANGED_MARGIN_SECONDS = 0
    # Parts counted as for one worker; the even split for several is tested below and in
    # tests/enrollment/test_regions.py.
    settings.JOB_WORKERS = 1


def generate(user, full=False):
    return ledger_services.ledger_generate(actor=user, year=Y, full=full,
                                           region=Region.objects.get(code=CITY))


def _entries():
    return set(LedgerEntry.objects.values_list("person_id", "side", "region_id", "grid_id",
                                               "status"))


def test_neighbouring_townships_are_one_range_and_others_their_own():
    part = Part(("430121100", "430121101", "430121103", "430121109"))
    assert part.ranges() == [("430121100", "430121102"), ("430121103", "430121104"),
                             ("430121109", "430121110")]
    assert Part(("999",)).ranges() == [("999", None)]


def test_a_range_holds_exactly_the_codes_under_its_prefixes():
    part = Part(("430121100", "430121101"))
    (lo, hi), = part.ranges()
    for code in ("430121100000", "430121100001", "430121101999001", "430121101999999"):
        assert lo <= code < hi
    for code in ("430121000000", "430121099999", "430121102000", "430122100001"):
        assert not lo <= code < hi


def test_townships_are_grouped_in_order_up_to_the_person_limit():
    towns = ["430121100", "430121101", "430121102", "430121103"]
    weights = Counter({"430121100": 60, "430121101": 50, "430121102": 200, "430121103": 10})
    parts = ledger_parts.group(towns, weights, limit=120)
    # A township over the limit is a part of its own; order is kept.
    assert [p.prefixes for p in parts] == [("430121100", "430121101"), ("430121102",),
                                           ("430121103",)]
    assert [p.prefixes for p in ledger_parts.group(towns, weights, limit=10_000)] == [
        tuple(towns)]


def test_small_parts_give_the_same_ledger_as_one_part(superuser, make_person, monkeypatch):
    for code, name in [(GRID, "甲"), (NEIGHBOUR_GRID, "乙"), (OTHER_GRID, "丙")]:
        make_person(code, name=name)
    make_person(OTHER_GRID, name="分离", hukou_code=OTHER_VILLAGE[:9] + "000")
    assert generate(superuser, full=True)["parts"] == 1  # the whole city in one transaction
    one_part = _entries()
    LedgerEntry.objects.all().delete()
    monkeypatch.setattr(ledger_parts, "PART_PERSONS", 1)
    result = generate(superuser, full=True)
    assert result["parts"] == 2  # the two townships with persons, one part each
    assert _entries() == one_part and len(one_part) == 5


def test_two_workers_share_the_city_in_two_parts_with_the_same_ledger(
        superuser, make_person, settings):
    for code, name in [(GRID, "甲"), (NEIGHBOUR_GRID, "乙"), (OTHER_GRID, "丙")]:
        make_person(code, name=name)
    assert generate(superuser, full=True)["parts"] == 1
    one_part = _entries()
    LedgerEntry.objects.all().delete()
    settings.JOB_WORKERS = 2
    assert generate(superuser, full=True)["parts"] == 2  # one per worker, not one for both
    assert _entries() == one_part


def test_incremental_run_visits_only_the_part_of_the_changed_person(
        superuser, make_person, monkeypatch):
    monkeypatch.setattr(ledger_parts, "PART_PERSONS", 1)
    make_person(GRID, name="甲")
    make_person(OTHER_GRID, name="丙")
    generate(superuser)
    newcomer = make_person(NEIGHBOUR_GRID, name="新来")
    result = generate(superuser)
    assert result == {"added": 1, "closed": 0, "parts": 1}
    assert LedgerEntry.objects.filter(person=newcomer).exists()
    assert LedgerRun.objects.order_by("-pk").first().parts_done == 1


def test_parts_run_in_any_order_give_the_same_ledger_and_the_last_finishes_the_run(
        superuser, make_person, monkeypatch):
    """The Celery job runs the parts side by side on several workers: whatever order they end
    in, the ledger is the one of a single part, and only the part that completes the run
    marks it done (with the summed counts)."""
    for code, name in [(GRID, "甲"), (NEIGHBOUR_GRID, "乙"), (OTHER_GRID, "丙")]:
        make_person(code, name=name)
    make_person(OTHER_GRID, name="分离", hukou_code=OTHER_VILLAGE[:9] + "000")
    generate(superuser, full=True)
    one_part = _entries()
    LedgerEntry.objects.all().delete()
    monkeypatch.setattr(ledger_parts, "PART_PERSONS", 1)
    run = LedgerRun.objects.create(year=Y, region=Region.objects.get(code=CITY),
                                   created_by=superuser, full=True)
    parts = ledger_services.ledger_run_plan(run_id=run.pk)
    assert len(parts) == 2
    finished = [ledger_services.ledger_part_execute(run_id=run.pk, prefixes=list(p.prefixes))
                for p in reversed(parts)]
    assert finished == [False, True]
    run.refresh_from_db()
    assert run.status == LedgerRun.Status.DONE and run.parts_done == run.parts_total == 2
    assert run.added == len(one_part) and _entries() == one_part


def test_a_part_delivered_twice_is_counted_once_and_the_run_waits_for_the_others(
        superuser, make_person, monkeypatch):
    """A worker that dies after a part commits but before it acknowledges gets the part
    redelivered: the rows are idempotent, and the count must be too, or the run would be
    marked done while the other part is still working."""
    for code, name in [(GRID, "甲"), (OTHER_GRID, "丙")]:
        make_person(code, name=name)
    monkeypatch.setattr(ledger_parts, "PART_PERSONS", 1)
    run = LedgerRun.objects.create(year=Y, region=Region.objects.get(code=CITY),
                                   created_by=superuser, full=True)
    first, second = ledger_services.ledger_run_plan(run_id=run.pk)
    assert ledger_services.ledger_part_execute(run_id=run.pk, prefixes=list(first.prefixes)) \
        is False
    assert ledger_services.ledger_part_execute(run_id=run.pk, prefixes=list(first.prefixes)) \
        is False
    run.refresh_from_db()
    assert (run.status, run.parts_done, run.added) == (LedgerRun.Status.RUNNING, 1, 1)
    assert ledger_services.ledger_part_execute(run_id=run.pk, prefixes=list(second.prefixes))
    run.refresh_from_db()
    assert (run.status, run.parts_done, run.added) == (LedgerRun.Status.DONE, 2, 2)


def test_the_celery_job_enqueues_one_task_per_part(superuser, make_person, monkeypatch):
    from outreach import tasks

    make_person(GRID, name="甲")
    make_person(OTHER_GRID, name="丙")
    monkeypatch.setattr(ledger_parts, "PART_PERSONS", 1)
    sent = []
    monkeypatch.setattr(tasks.generate_ledger_part, "delay", lambda *a: sent.append(a))
    run = LedgerRun.objects.create(year=Y, region=Region.objects.get(code=CITY),
                                   created_by=superuser, full=True)
    assert tasks.generate_ledger(run.pk) == 2
    assert len(sent) == 2 and all(run_id == run.pk for run_id, _ in sent)
    assert LedgerRun.objects.get(pk=run.pk).status == LedgerRun.Status.RUNNING
    for args in sent:
        tasks.generate_ledger_part(*args)
    run.refresh_from_db()
    assert run.status == LedgerRun.Status.DONE and run.added == 2


def test_a_failed_part_leaves_the_run_failed(superuser, make_person, monkeypatch):
    make_person(GRID, name="甲")
    make_person(OTHER_GRID, name="丙")
    monkeypatch.setattr(ledger_parts, "PART_PERSONS", 1)
    run = LedgerRun.objects.create(year=Y, region=Region.objects.get(code=CITY),
                                   created_by=superuser, full=True)
    first, second = ledger_services.ledger_run_plan(run_id=run.pk)

    def broken(*args, **kwargs):
        raise RuntimeError("数据库连接中断")

    with monkeypatch.context() as m:
        m.setattr(ledger_services, "_insert_part", broken)
        with pytest.raises(RuntimeError):
            ledger_services.ledger_part_execute(run_id=run.pk, prefixes=list(first.prefixes))
    assert ledger_services.ledger_part_execute(run_id=run.pk, prefixes=list(second.prefixes)) \
        is False
    run.refresh_from_db()
    assert run.status == LedgerRun.Status.FAILED and "中断" in run.error


def test_a_large_part_refreshes_the_year_statistics_before_its_closings(
        superuser, make_person, monkeypatch):
    """On PostgreSQL a part that wrote many rows analyzes the year's ledger partition (its
    closings are then planned by region, not by walking the year); the ledger is the same."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    make_person(GRID, name="甲")
    make_person(OTHER_GRID, name="丙")
    monkeypatch.setattr(ledger_services, "ANALYZE_AFTER_ROWS", 1)
    with CaptureQueriesContext(connection) as queries:
        result = generate(superuser, full=True)
    assert result["added"] == 2
    analyzed = [q["sql"] for q in queries.captured_queries if q["sql"].startswith("ANALYZE")]
    if connection.vendor == "postgresql":
        # the part's own (year 2027's partition or the table) and the run's final one
        assert len(analyzed) == 2 and "outreach_ledgerentry" in analyzed[0]
    else:
        assert analyzed == []
