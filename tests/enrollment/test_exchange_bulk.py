"""The set-based person import on PostgreSQL (COPY into a staging table, INSERT … ON CONFLICT,
UPDATE … FROM) leaves the database as the batched ORM path does, for the same files; the
streamed file in two worker processes finds problems across its parts."""
import datetime as dt

import pytest
from django.db import connection, transaction

from enrollment.exchange import bulk, index_rebuild, person_write
from enrollment.exchange.base import Context, feed
from enrollment.exchange.bulk import import_person_csv
from enrollment.exchange.kinds import persons as persons_kind
from enrollment.models import AuditEntry, Household, Person
from tests import factories
from tests.enrollment.test_exchange_persons import cells, write_csv

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY and set-based SQL"),
]
TODAY = dt.date(2026, 12, 1)


def first_file():
    return [cells(1, "王五"), cells(2, "李四", sex="F", relation="配偶", phone=""),
            cells(3, "张三", household="H002", relation="子女", address=""),
            cells(4, "赵六", household="H002", relation="户主", residence="")]


def second_file():
    """Changes: a name, a phone, a household move; unchanged rows; blanks keep; new rows."""
    return [cells(1, "王伍"), cells(2, "李四", sex="F", relation="配偶", phone="13900000000"),
            cells(3, "张三", household="H003", relation="子女", address=""),
            cells(4, "赵六", household="H002", relation="户主", residence="", address=""),
            cells(5, "钱七", household="H003", relation="户主"),
            cells(6, "孙八", sex="F", household="", relation="")]


def snapshot():
    persons = sorted(
        (p.id_number, p.id_type, p.name, p.name_initials, p.sex, p.birth_date, p.hukou_region_id,
         p.residence_region_id, p.household.number if p.household_id else None,
         p.relation_to_head, p.address, p.phone, p.phone_bidx, p.id_number_bidx, p.life_status,
         p.inputs_changed_at is not None, p.created_at is not None)
        for p in Person.objects.select_related("household"))
    households = sorted(Household.objects.values_list("number", "head_name", "region_id",
                                                      "address"))
    history = sorted(Person.history.values_list("id_number_bidx", "name", "history_type",
                                                "history_user_id", "history_change_reason"))
    household_history = sorted(Household.history.values_list("number", "history_type",
                                                             "history_user_id"))
    return persons, households, history, household_history


def via_orm(actor, rows):
    ctx = Context(actor=actor, today=TODAY, source="公安户籍")
    checked, problems = feed("persons").check_rows(list(enumerate(rows, start=2)), ctx)
    assert problems == []
    return person_write.apply_orm(checked, ctx)


def via_kind_bulk(actor, rows, monkeypatch):
    monkeypatch.setattr(persons_kind, "BULK_ROWS", 1)
    ctx = Context(actor=actor, today=TODAY, source="公安户籍")
    checked, problems = feed("persons").check_rows(list(enumerate(rows, start=2)), ctx)
    assert problems == []
    return feed("persons").apply(checked, ctx)


def via_file(actor, rows, tmp_path):
    result = import_person_csv(write_csv(tmp_path, rows),
                               Context(actor=actor, today=TODAY, source="公安户籍"))
    assert result.written and result.problems == []
    return result.outcome


def two_imports(apply):
    outcomes = [apply(first_file()), apply(second_file())]
    return [(o.created, o.updated, o.unchanged, sorted(o.changes)) for o in outcomes], snapshot()


@pytest.mark.django_db
def test_set_based_paths_leave_the_database_as_the_batched_path(village_clerk, tmp_path,
                                                                 monkeypatch):
    results = []
    for apply in (lambda rows: via_orm(village_clerk, rows),
                  lambda rows: via_kind_bulk(village_clerk, rows, monkeypatch),
                  lambda rows: via_file(village_clerk, rows, tmp_path)):
        with transaction.atomic():
            results.append(two_imports(apply))
            transaction.set_rollback(True)
    orm, kind_bulk, file = results
    assert orm[0] == [(4, 0, 0, []), (2, 3, 1, sorted([
        "王伍：姓名 王五→王伍", "李四：联系电话 已更新", "张三：户号 改为H003"]))]
    assert kind_bulk == orm
    assert file == orm
    persons, households, history, _ = orm[1]
    assert len(persons) == 6 and len(history) == 6 + 3
    assert ("H002", "赵六", factories.VILLAGE, "东山村1组") in households


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_stage_one_file_and_a_second_run_creates_nothing(village_clerk, tmp_path):
    rows = [cells(100 + i, "测试", household=f"H{i // 3:05d}",
                  relation="户主" if i % 3 == 0 else "子女") for i in range(3000)]
    ctx = Context(actor=village_clerk, today=TODAY, source="公安户籍")
    bad = rows + [cells(100, "重复"), cells(99, hukou=factories.NEIGHBOUR_VILLAGE)]
    result = import_person_csv(write_csv(tmp_path, bad), ctx, workers=2)
    assert not result.written and result.rows == 3002 and result.rejected == 2
    assert [(p.row, p.column) for p in result.problems] == [(3002, "证件号码"),
                                                            (3003, "户籍地区划代码")]
    assert Person.objects.count() == 0
    path = write_csv(tmp_path, rows)
    first = import_person_csv(path, ctx, workers=2)
    assert first.written and (first.rows, first.outcome.created) == (3000, 3000)
    assert Person.objects.count() == 3000 and Household.objects.count() == 1000
    again = import_person_csv(path, ctx, workers=2)
    assert (again.outcome.created, again.outcome.updated, again.outcome.unchanged) == (0, 0, 3000)
    assert Person.history.count() == 3000
    assert AuditEntry.objects.filter(action="import").count() == 2
    assert not _stage_tables_left()


def _stage_tables_left():
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE tablename LIKE 'exchange_stage_%%'")
        return cursor.fetchall()


@pytest.mark.django_db
def test_a_file_small_against_the_registry_writes_through_the_indexes_with_the_same_result(
        village_clerk, tmp_path, monkeypatch):
    # The file path above rebuilt the indexes (each file is large against a registry of a few
    # persons); written through them, the same two files leave the same database.
    results = []
    for through in (False, True):
        if through:
            monkeypatch.setattr(index_rebuild, "worth_it", lambda *args, **kwargs: False)
        with transaction.atomic():
            results.append(two_imports(lambda rows: via_file(village_clerk, rows, tmp_path)))
            transaction.set_rollback(True)
    assert results[0] == results[1]


@pytest.mark.django_db
def test_the_indexes_come_back_as_they_were_and_only_large_new_files_rebuild(
        village_clerk, tmp_path):
    with connection.cursor() as cursor:
        before = index_rebuild.secondary_indexes(cursor)
    assert "person_name_bigrams" in dict(before)
    ctx = Context(actor=village_clerk, today=TODAY, source="公安户籍")
    path = write_csv(tmp_path, first_file())
    first = import_person_csv(path, ctx)
    assert first.indexes_rebuilt  # four new persons into an empty registry
    again = import_person_csv(path, ctx)
    assert not again.indexes_rebuilt  # nothing new
    with connection.cursor() as cursor:
        assert index_rebuild.secondary_indexes(cursor) == before
    # New persons under a fifth of the registry: written through the indexes.
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMP TABLE stage_probe (bidx varchar(64))")
        cursor.execute("INSERT INTO stage_probe SELECT id_number_bidx FROM enrollment_person")
        assert not index_rebuild.worth_it(cursor, "stage_probe")  # 4 staged, none new
        cursor.execute("INSERT INTO stage_probe VALUES ('new-1')")
        assert index_rebuild.worth_it(cursor, "stage_probe")  # 1 new of 4 registered
        assert not index_rebuild.worth_it(cursor, "stage_probe", share=0.3)


@pytest.mark.django_db
def test_a_failed_write_brings_the_indexes_back_with_the_rollback(village_clerk, tmp_path,
                                                                   monkeypatch):
    with connection.cursor() as cursor:
        before = index_rebuild.secondary_indexes(cursor)

    def broken(cursor, table, ctx):
        raise RuntimeError("写入中断")

    monkeypatch.setattr(bulk, "upsert_stage", broken)
    with pytest.raises(RuntimeError):
        import_person_csv(write_csv(tmp_path, first_file()),
                          Context(actor=village_clerk, today=TODAY, source="公安户籍"))
    with connection.cursor() as cursor:
        assert index_rebuild.secondary_indexes(cursor) == before
    assert Person.objects.count() == 0
