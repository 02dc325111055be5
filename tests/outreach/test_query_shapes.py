"""Query shapes of the grid worker's pages: a fixed number of queries whatever the task count,
and the worker's ledger as a union of two indexed selects rather than an OR across a join."""
import pytest

from enrollment.models import Household, Region
from outreach import selectors
from outreach.services import ledger as ledger_services
from outreach.services import tasks as task_services
from tests.factories import COUNTY, GRID, TOWNSHIP, VILLAGE

Y = 2027


def _tasks_for_worker(county_admin, township_officer, make_person, n):
    for i in range(n):
        household = Household.objects.create(number=f"H{n}-{i}", head_name=f"户主{i}",
                                             region_id=VILLAGE)
        make_person(GRID, name=f"任务{i}", phone="13900001111", household=household)
        make_person(GRID, name=f"家人{i}", household=household, relation_to_head="spouse")
    ledger_services.ledger_generate(actor=county_admin, year=Y,
                                    region=Region.objects.get(code=COUNTY))
    batch = task_services.batch_push(actor=county_admin, year=Y,
                                     township=Region.objects.get(code=TOWNSHIP), limit=2 * n)
    task_services.batch_sign(actor=township_officer, batch=batch)


@pytest.mark.parametrize("n", [5, 50])
def test_my_tasks_page_is_a_fixed_number_of_queries(
        n, as_user, worker, county_admin, township_officer, make_person,
        django_assert_max_num_queries):
    _tasks_for_worker(county_admin, township_officer, make_person, n)
    client = as_user(worker)
    with django_assert_max_num_queries(10):
        page = client.get("/outreach/my-tasks/").content.decode()
    assert page.count("家庭成员：") == 2 * n  # every task shows its household, fetched at once
    assert "家人0（" in page


def test_worker_ledger_is_a_union_of_two_selects_without_or(worker):
    sql = str(selectors.entries_for(worker).filter(year=Y).query)
    assert " UNION " in sql
    assert " OR " not in sql and "JOIN \"outreach_task\"" not in sql


def test_worker_ledger_still_holds_own_grid_and_own_tasks_only(
        worker, neighbour_worker, county_admin, township_officer, make_person):
    _tasks_for_worker(county_admin, township_officer, make_person, 2)
    make_person("430121100002001", name="邻居")
    ledger_services.ledger_generate(actor=county_admin, year=Y,
                                    region=Region.objects.get(code=COUNTY))
    names = set(selectors.entries_for(worker).values_list("name", flat=True))
    assert names == {"任务0", "任务1", "家人0", "家人1"}
    assert set(selectors.entries_for(neighbour_worker).values_list("name", flat=True)) == {"邻居"}


def test_staff_ledger_and_tasks_bound_the_region_as_a_code_range(township_officer):
    # A range leads the (year, region, …) index; LIKE only filtered the year's whole ledger.
    for qs in (selectors.entries_for(township_officer).filter(year=Y),
               selectors.tasks_for(township_officer)):
        sql = str(qs.query)
        assert "LIKE" not in sql
        assert '"region_id" >= 430121100' in sql and '"region_id" < 430121101' in sql


def test_a_range_finds_the_same_entries_as_the_prefix(superuser, township_officer,
                                                      make_person):
    from enrollment import scope

    for code in (GRID, "430121100002001", "430181100001001"):
        make_person(code)
    ledger_services.ledger_generate(actor=superuser, year=Y,
                                    region=Region.objects.get(code="430100000000"))
    from outreach.models import LedgerEntry

    for prefix in ("4301", "430121", "430121100", VILLAGE, "430121100002", GRID):
        by_range = LedgerEntry.objects.filter(scope.region_q_range(prefix, "region_id"))
        by_prefix = LedgerEntry.objects.filter(scope.region_q_prefix(prefix, "region_id"))
        assert set(by_range.values_list("pk", flat=True)) == set(
            by_prefix.values_list("pk", flat=True))
    assert set(selectors.entries_for(township_officer).values_list("region_id", flat=True)) \
        == {VILLAGE, "430121100002"}


def test_my_tasks_join_the_entry_on_its_year_too(worker):
    # The join on id alone probes every ledger partition; with the year it reads one.
    sql = str(selectors.my_open_tasks(worker).query)
    assert '"outreach_ledgerentry"."year" = ("outreach_task"."entry_year")' in sql
