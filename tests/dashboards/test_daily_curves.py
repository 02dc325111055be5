"""The daily collection curves (dashboards/daily.py): only the rows that differ are rewritten,
the result equals a curve written from nothing, and on PostgreSQL the comparison with the stored
curve has no plan that loops over it (the first refresh after the tables were emptied and
analysed ran for minutes at 100,000 persons)."""
import datetime as dt
import json

import pytest
from django.db import connection

from dashboards import rollups
from dashboards.models import DailyCollection
from enrollment.models import Enrollment
from tests import factories as f
from tests.dashboards.test_dashboards import (TODAY, YEAR, refreshed,  # noqa: F401
                                              registry)

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="PostgreSQL plans and settings")


def _curve():
    return {(r.region_id, r.day): r.enrolled for r in DailyCollection.objects.filter(year=YEAR)}


def test_a_changed_day_and_a_vanished_day_are_rewritten(refreshed):
    before = _curve()
    # 壬 (village level) paid on 30 December; now on 8 October, the day 甲 and others paid.
    Enrollment.objects.filter(person=refreshed["i"], year=YEAR).update(
        paid_on=dt.date(2025, 10, 8))
    rollups.refresh(years=[YEAR], today=TODAY)
    after = _curve()
    assert (f.VILLAGE, dt.date(2025, 12, 30)) in before
    assert (f.VILLAGE, dt.date(2025, 12, 30)) not in after
    assert after[(f.VILLAGE, dt.date(2025, 10, 8))] == before[(f.VILLAGE, dt.date(2025, 10, 8))] + 1
    assert DailyCollection.objects.filter(year=YEAR).count() == len(after)  # one row a day
    DailyCollection.objects.filter(year=YEAR).delete()
    rollups.refresh(years=[YEAR], today=TODAY)
    assert _curve() == after


def _loops_over(plan: dict, table: str) -> bool:
    """A nested loop with a sequential scan of `table` under it (cost: rows × stored rows)."""
    if plan["Node Type"] == "Nested Loop" and any(
            child["Node Type"] == "Seq Scan" and child.get("Relation Name") == table
            for child in plan.get("Plans", [])):
        return True
    return any(_loops_over(child, table) for child in plan.get("Plans", []))


@postgres_only
def test_the_curve_diff_never_loops_over_the_stored_curve(refreshed):
    # As bench/dashboard.py's load leaves it: the table emptied and analysed while empty. The
    # plans below are made for an empty table; on PostgreSQL the full refresh's other connection
    # fills it (other years) while they run.
    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE dashboards_dailycollection")
        cursor.execute("ANALYZE dashboards_dailycollection")
    plans = []

    def explain(execute, sql, params, many, context):
        if "dashboards_dailycollection" in sql and sql.split()[0] in ("CREATE", "INSERT",
                                                                       "DELETE"):
            execute("EXPLAIN (FORMAT JSON) " + sql, params, many, context)
            plan = context["cursor"].fetchone()[0]
            plans.append(json.loads(plan) if isinstance(plan, str) else plan)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(explain):
        rollups.refresh(years=[YEAR], today=TODAY, full=True)
    assert plans
    bad = [p for p in plans if _loops_over(p[0]["Plan"], "dashboards_dailycollection")]
    assert not bad
    assert _curve()


@postgres_only
def test_the_refresh_runs_without_jit(refreshed):
    # Compiling the leaf query cost 0.1-1.0 s a year and the compiled query ran no faster.
    sqls = []
    with connection.execute_wrapper(lambda execute, sql, params, many, ctx: (
            sqls.append(sql), execute(sql, params, many, ctx))[1]):
        rollups.refresh(years=[YEAR], today=TODAY)
    assert "SET LOCAL jit = off" in sqls
