"""Partitions by coverage year (core/partitions.py, the `partitions` command, the beat step):
on PostgreSQL rows land in their year's partition, the unique constraints still refuse
duplicates, the task's (entry_id, entry_year) foreign key holds, a coming year's partition takes
its rows out of DEFAULT, and a closed year is detached into the `archive` schema. SQLite keeps
plain tables."""
from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction

from benefits.models import PersonYearStatus
from core import partitions
from outreach.models import Batch, LedgerEntry, Task
from tests.factories import COUNTY, GRID, TOWNSHIP, VILLAGE

pg_only = pytest.mark.skipif(connection.vendor != "postgresql",
                             reason="declarative partitions are PostgreSQL's")
STATUS, LEDGER = "benefits_personyearstatus", "outreach_ledgerentry"


def status(person, year):
    return PersonYearStatus.objects.create(person=person, year=year, pooling_region_id=COUNTY,
                                           updated_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))


def entry(person, year, side="residence"):
    return LedgerEntry.objects.create(person=person, year=year, side=side, region_id=VILLAGE,
                                      grid_id=GRID, name=person.name)


def partition_of(model, pk) -> str:
    with connection.cursor() as cur:
        cur.execute(f"SELECT tableoid::regclass::text FROM {model._meta.db_table} WHERE id = %s",
                    [pk])
        return cur.fetchone()[0]


def run(*args) -> str:
    out = StringIO()
    call_command("partitions", *args, stdout=out)
    return out.getvalue()


@pg_only
def test_both_tables_are_partitioned_by_year_with_id_and_year_as_primary_key(db):
    assert partitions.partitioned_tables(connection) == [STATUS, LEDGER]
    with connection.cursor() as cur:
        for table in (STATUS, LEDGER):
            cur.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint "
                        "WHERE conrelid = %s::regclass AND contype = 'p'", [table])
            assert cur.fetchone()[0] == "PRIMARY KEY (id, year)"
            names = [p.name for p in partitions.partitions(connection, table)]
            assert names[-1] == f"{table}_default"
            assert f"{table}_y{dt.date.today().year}" in names
    assert PersonYearStatus._meta.pk.name == "id"  # Django still sees id alone


@pg_only
def test_rows_land_in_their_years_partition_or_default(make_person):
    person = make_person()
    call_command("partitions", "--ensure", "2040", stdout=StringIO())
    in_2040, in_2045 = status(person, 2040), status(person, 2045)
    assert partition_of(PersonYearStatus, in_2040.pk) == f"{STATUS}_y2040"
    assert partition_of(PersonYearStatus, in_2045.pk) == f"{STATUS}_default"
    ledger = entry(person, 2040)
    assert partition_of(LedgerEntry, ledger.pk) == f"{LEDGER}_y2040"
    assert PersonYearStatus.objects.get(pk=in_2045.pk).year == 2045  # found by id alone


@pg_only
def test_unique_constraints_still_refuse_duplicates_within_a_partition(make_person):
    person = make_person()
    year = dt.date.today().year
    status(person, year)
    with pytest.raises(IntegrityError), transaction.atomic():
        status(person, year)
    entry(person, year)
    with pytest.raises(IntegrityError), transaction.atomic():
        entry(person, year)
    entry(person, year, side="hukou")  # the other side is another entry
    status(person, year + 1)  # another year is another row


@pg_only
def test_a_task_must_name_its_entrys_year(make_person):
    ledger = entry(make_person(), dt.date.today().year)
    batch = Batch.objects.create(year=ledger.year, pushed_by_region_id=COUNTY,
                                 township_id=TOWNSHIP)
    task = Task.objects.create(entry=ledger, batch=batch, region_id=VILLAGE)
    assert task.entry_year == ledger.year  # filled from the entry
    connection.check_constraints()
    with pytest.raises(IntegrityError), transaction.atomic():
        Task.objects.filter(pk=task.pk).update(entry_year=ledger.year - 1)
        connection.check_constraints()


@pg_only
def test_ensure_moves_the_years_rows_out_of_default_and_is_safe_twice(make_person):
    person = make_person()
    row = status(person, 2046)
    assert partition_of(PersonYearStatus, row.pk) == f"{STATUS}_default"
    out = run("--ensure", "2046")
    assert f"{STATUS}: 2046年分区已建立" in out and f"{LEDGER}: 2046年分区已建立" in out
    assert partition_of(PersonYearStatus, row.pk) == f"{STATUS}_y2046"
    assert PersonYearStatus.objects.filter(year=2046).count() == 1
    assert "2046年分区已存在" in run("--ensure", "2046")
    with pytest.raises(IntegrityError), transaction.atomic():
        status(person, 2046)  # the unique index came with the new partition


@pg_only
def test_archive_detaches_a_closed_year_into_the_archive_schema(make_person):
    run("--ensure", "2001")
    row = status(make_person(), 2001)
    out = run("--archive", "2001")
    assert f"{STATUS}: 2001年分区已分离并归档为 archive.{STATUS}_y2001" in out
    assert not PersonYearStatus.objects.filter(pk=row.pk).exists()
    with connection.cursor() as cur:
        cur.execute(f"SELECT person_id FROM archive.{STATUS}_y2001")
        assert cur.fetchall() == [(row.person_id,)]


@pg_only
def test_archive_refuses_an_open_year_and_a_year_with_tasks(make_person):
    with time_machine.travel(dt.datetime(2026, 12, 3, 10, tzinfo=dt.UTC), tick=False):
        with pytest.raises(CommandError, match=r"年度（--archive）：2025年尚未结束"):
            run("--archive", "2025")
    run("--ensure", "2002")
    ledger = entry(make_person(), 2002)
    batch = Batch.objects.create(year=2002, pushed_by_region_id=COUNTY, township_id=TOWNSHIP)
    Task.objects.create(entry=ledger, batch=batch, region_id=VILLAGE)
    with pytest.raises(CommandError, match="分区操作未完成"):
        run("--archive", "2002")  # the task's foreign key still points into 2002
    assert LedgerEntry.objects.filter(pk=ledger.pk).exists()


@pg_only
def test_beat_step_makes_next_years_partitions_ahead_of_january(db):
    from core.tasks import partitions_ensure_ahead

    with time_machine.travel(dt.datetime(2050, 10, 1, 3, tzinfo=dt.UTC), tick=False):
        assert partitions_ensure_ahead() == 4  # 2050 and 2051, two tables
        assert partitions_ensure_ahead() == 0
    for table in (STATUS, LEDGER):
        years = {p.year for p in partitions.partitions(connection, table)}
        assert {2050, 2051} <= years


@pytest.mark.skipif(connection.vendor == "postgresql", reason="the SQLite default")
def test_sqlite_keeps_plain_tables(db):
    assert partitions.partitioned_tables(connection) == []
    assert "没有按年度分区的表" in run()
    assert "没有按年度分区的表" in run("--ensure", "2030")


@pg_only
def test_the_reverse_migration_and_back_keep_every_index_on_every_partition(db):
    def indexes(table):
        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM pg_index WHERE indrelid = %s::regclass", [table])
            return cur.fetchone()[0]

    before = indexes(STATUS)
    with connection.schema_editor() as editor:
        partitions.rebuild(editor, STATUS, years=None)
    assert STATUS not in partitions.partitioned_tables(connection)
    assert indexes(STATUS) == before
    with connection.schema_editor() as editor:
        partitions.rebuild(editor, STATUS, years=[2030])
    assert indexes(STATUS) == before
    for part in partitions.partitions(connection, STATUS):
        assert indexes(part.name) == before, part.name
