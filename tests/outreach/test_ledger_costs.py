"""What keeps a ledger part's cost to its own rows: the year's live enrollments read from a
partial index (no heap), and closings that leave out the entries the part has just written."""
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from enrollment.models import Enrollment, Region
from outreach.models import LedgerEntry
from outreach.services import ledger as ledger_services
from tests.factories import CITY, GRID, OTHER_GRID

Y = 2027
LIVE_INDEX = "enrollment_live_year_person"


def _plan(sql: str, params, *, bitmaps: bool = True) -> str:
    """The plan PostgreSQL would choose with sequential reads (and bitmaps) switched off, so
    that the tiny test tables do not hide which index the statement could read."""
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        if not bitmaps:
            cursor.execute("SET LOCAL enable_bitmapscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        return "\n".join(row[0] for row in cursor.fetchall())


def _generate(user, full=False):
    return ledger_services.ledger_generate(actor=user, year=Y, full=full,
                                           region=Region.objects.get(code=CITY))


def test_live_enrollments_are_indexed_by_year_and_person():
    index = next((i for i in Enrollment._meta.indexes if i.name == LIVE_INDEX), None)
    assert index is not None and index.fields == ["year", "person"]
    # the same statuses as the ledger's NOT EXISTS and the closings' Exists(live)
    assert index.condition.children == [("status__in", ["awaiting", "active"])]


@pytest.mark.skipif("connection.vendor != 'postgresql'")
@pytest.mark.parametrize("which", ["anti_join", "closing"])
def test_the_ledger_reads_live_enrollments_through_the_partial_index(which, superuser):
    """The index's predicate must be implied by the queries' status lists, or PostgreSQL cannot
    use it (sequential and bitmap reads are switched off so the tiny test tables do not hide
    which index the plan could read)."""
    from outreach.services.ledger_parts import Part

    if which == "anti_join":
        params = {"year": Y, "side": "residence", "now": None, "since": None}
        sql = ledger_services._INSERT_SQL.format(
            col="residence_region_id", extra="",
            part=Part((CITY[:4],)).sql("p.residence_region_id", params))
    else:
        from django.db.models import Exists

        query = LedgerEntry.objects.filter(Exists(ledger_services._live(Y))).query
        sql, params = query.sql_with_params()
    plan = _plan(sql, params, bitmaps=False)
    assert LIVE_INDEX in plan, plan


def test_closings_leave_out_the_entries_the_part_just_wrote(superuser, make_person):
    make_person(GRID, name="甲")
    make_person(OTHER_GRID, name="丙")
    with CaptureQueriesContext(connection) as queries:
        parts = _generate(superuser, full=True)["parts"]
    closings = [q["sql"] for q in queries.captured_queries
                if q["sql"].startswith('UPDATE "outreach_ledgerentry"')]
    # per part: enrolled, dead, moved (residence side), moved (hukou side)
    assert parts >= 1 and len(closings) == 4 * parts
    for sql in closings:
        assert '"outreach_ledgerentry"."updated_at" =' in sql.split(" WHERE ", 1)[1], sql


def test_an_entry_of_an_earlier_run_still_closes_in_a_full_run(superuser, make_person):
    from enrollment.models import EnrollmentStatus
    from outreach.models import EntryStatus

    person = make_person(GRID)
    _generate(superuser)
    Enrollment.objects.bulk_create([Enrollment(person=person, year=Y, pooling_region_id=CITY,
                                               status=EnrollmentStatus.AWAITING_PAYMENT)])
    assert _generate(superuser, full=True)["closed"] == 1
    assert LedgerEntry.objects.get(person=person).status == EntryStatus.ENROLLED


def test_entries_carry_no_database_key_to_the_person_but_django_still_protects_it(
        superuser, make_person):
    """The generation writes half a million entries at 1M persons; a database key to the
    person made each commit look up and lock every written entry's person. Deleting a person
    who has entries is still refused, by Django."""
    from django.db.models import ProtectedError

    from enrollment.models import Person

    with connection.cursor() as cursor:
        keys = connection.introspection.get_constraints(cursor, LedgerEntry._meta.db_table)
    assert not [name for name, c in keys.items()
                if c["foreign_key"] and c["columns"] == ["person_id"]]
    person = make_person(GRID)
    _generate(superuser)
    assert LedgerEntry.objects.filter(year=Y, person=person).exists()
    with pytest.raises(ProtectedError):
        Person.objects.get(pk=person.pk).delete()


@pytest.mark.skipif("connection.vendor != 'postgresql'")
def test_the_household_side_reads_the_separated_persons_index(superuser):
    """Each part's household-registration side selects those registered there who live in
    another village; without an index of them it read the whole person table every part."""
    from outreach.services.ledger_parts import Part

    params = {"year": Y, "side": "hukou", "now": None, "since": None}
    sql = ledger_services._INSERT_SQL.format(
        col="hukou_region_id", extra=ledger_services._SEPARATED,
        part=Part((CITY[:4],)).sql("p.hukou_region_id", params))
    plan = _plan(sql, params)
    assert "person_separated_hukou" in plan, plan


def test_a_regions_counts_per_status_can_read_the_list_index_alone():
    """The list's (year, region, name, id) index carries the status, so the counts of the
    ledger page (a year, a region's code range, grouped by status) and the closings need no
    (year, region, status) index of their own, written for every generated entry. (Which index
    the planner walks in the tests' tiny tables is a coin toss, so the index is checked.)"""
    indexes = {i.name: i for i in LedgerEntry._meta.indexes}
    assert "ledger_year_region_status" not in indexes
    listed = indexes["ledger_year_region_name"]
    assert listed.fields[:2] == ["year", "region"] and tuple(listed.include) == ("status",)
