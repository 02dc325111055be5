"""The rollup refresh: set-based, one GROUP BY over persons and enrollments at the leaf level
(the grid or village where a person lives), then rolled up to every ancestor by code prefix.

The same SQL runs on PostgreSQL and on the embedded SQLite default; the two differ only in date
arithmetic (`Dialect`). A refresh runs in one transaction (on PostgreSQL the years are shared
out over two connections, each group in a transaction of its own); for each year it computes every
level's rows into a temp table, upserts only the rows whose numbers changed (INSERT … SELECT …
ON CONFLICT DO UPDATE … WHERE … IS DISTINCT FROM …), then deletes the rows missing from the new
set (regions that no longer have anyone); in the larger daily table only the rows that differ
are deleted and inserted (`daily`), and the curves of collection periods that closed before this
calendar year are kept unless `full`. Readers see a year's old numbers until its transaction commits.
"""
from __future__ import annotations

import datetime as dt
import logging
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.db import connection, connections, transaction
from django.utils import timezone

from . import daily, funnel, newborns
from core.calendar import collection_period as concentrated_period
from core.calendar import COLLECTION_OPENS_MONTH

from .models import RefreshRun
from .years import default_years, open_years  # noqa: F401 (callers ask rollups)
from .sql import DAILY_DEPTHS, DEPTHS, Dialect, code_at, parent_at

log = logging.getLogger(__name__)

LIVE = ("awaiting", "active")
# The money columns (docs/payments.md, "Money on the dashboards"), after the coverage ones.
MONEY = ("subsidies", "sponsorship_in", "wallet_paid", "payer_paid", "credit_outstanding",
         "credit_overdue", "credit_overdue_amount")
METRICS = ("persons", "covered", "resident", "employee", "elsewhere", "paid", "hardship",
           "hardship_covered", "newborns", "newborns_90", "students", "students_covered",
           "waiting", "renew_base", "renewed_on_time", "renewed_late", "collected",
           *MONEY)
PERSONS = "dashboards_tmp_persons"
LEAF = "dashboards_tmp_leaf"
COVERAGE_NEW = "dashboards_tmp_coverage"


def _persons_sql() -> str:
    # Once per refresh: the few person columns the years need, with the leaf region's path.
    # Every year then joins this narrow table instead of the wide person table. The daily
    # curves' code and path (a grid's person counts for the village) are worked out here once
    # per person, not once per enrollment of every year (the string work was most of the daily
    # leaf query at 1M).
    village_depth = DAILY_DEPTHS[0]
    at_village = "length(r.path) >= %d" % village_depth
    village = code_at(village_depth, "p.residence_region_id")
    return f"""
    CREATE TEMP TABLE {PERSONS} AS
    SELECT p.id AS id, p.residence_region_id AS code, r.path AS path, p.birth_date AS birth_date,
      CASE WHEN p.school_id IS NOT NULL THEN 1 ELSE 0 END AS student,
      CASE WHEN p.life_status = 'alive' THEN 1 ELSE 0 END AS alive,
      CASE WHEN {at_village} THEN {village} ELSE p.residence_region_id END AS daily_code,
      CASE WHEN {at_village} THEN {village} ELSE r.path END AS daily_path
    FROM enrollment_person p
    JOIN enrollment_region r ON r.code = p.residence_region_id
    """


def _leaf_sql(d: Dialect, *, only_listed: bool = False) -> str:
    """`only_listed`: the persons table holds a few villages (the touched refresh), so the
    enrollments (this year's and last year's), groups and money are read for those persons
    only, not for the whole registry."""
    listed = f"AND person_id IN (SELECT id FROM {PERSONS})" if only_listed else ""
    days = d.days_between("e.first_paid", "p.birth_date")
    owed = "paid_on IS NULL AND credit_outstanding > 0"  # R-CREDIT: enrolled, not yet paid
    # Last year's enrollments (the renewal base) are read in the same pass as this year's:
    # one aggregate per person instead of a second scan and a second join of the registry.
    this = "year = %(year)s"
    window = newborns.sql_days("p.code")

    def money(column: str) -> str:  # the per-person sums are cents (`Dialect.cents`)
        return d.from_cents(f"SUM(COALESCE({column}, 0))")
    return f"""
    CREATE TEMP TABLE {LEAF} AS
    SELECT p.code AS code, p.path AS path,
      COUNT(*) AS persons,
      SUM(COALESCE(e.enrolled, 0)) AS covered,
      SUM(COALESCE(e.resident, 0)) AS resident,
      SUM(COALESCE(e.employee, 0)) AS employee,
      SUM(COALESCE(e.elsewhere, 0)) AS elsewhere,
      SUM(COALESCE(e.paid, 0)) AS paid,
      SUM(CASE WHEN h.person_id IS NOT NULL THEN 1 ELSE 0 END) AS hardship,
      SUM(CASE WHEN h.person_id IS NOT NULL AND e.enrolled = 1 THEN 1 ELSE 0 END)
        AS hardship_covered,
      SUM(CASE WHEN p.birth_date BETWEEN %(y_start)s AND %(y_end)s THEN 1 ELSE 0 END)
        AS newborns,
      SUM(CASE WHEN p.birth_date BETWEEN %(y_start)s AND %(y_end)s
               AND e.first_paid IS NOT NULL AND {days} <= {window} THEN 1 ELSE 0 END)
        AS newborns_90,
      SUM(p.student) AS students,
      SUM(CASE WHEN p.student = 1 AND e.enrolled = 1 THEN 1 ELSE 0 END)
        AS students_covered,
      SUM(COALESCE(e.waiting, 0)) AS waiting,
      SUM(COALESCE(e.renew, 0)) AS renew_base,
      SUM(CASE WHEN e.renew = 1 AND e.paid = 1
               AND (e.first_paid IS NULL OR e.first_paid <= %(renew_by)s) THEN 1 ELSE 0 END)
        AS renewed_on_time,
      SUM(CASE WHEN e.renew = 1 AND e.paid = 1 AND e.first_paid > %(renew_by)s
               THEN 1 ELSE 0 END) AS renewed_late,
      {money('e.collected')} AS collected,
      {money('e.subsidies')} AS subsidies,
      {money('w.sponsorship_in')} AS sponsorship_in,
      {money('t.wallet_paid')} AS wallet_paid,
      {money('t.payer_paid')} AS payer_paid,
      {money('e.credit_outstanding')} AS credit_outstanding,
      SUM(COALESCE(e.credit_overdue, 0)) AS credit_overdue,
      {money('e.credit_overdue_amount')} AS credit_overdue_amount
    FROM {PERSONS} p
    LEFT JOIN (
      SELECT person_id,
        MAX(CASE WHEN {this} THEN 1 ELSE 0 END) AS enrolled,
        MAX(CASE WHEN year = %(last_year)s THEN 1 ELSE 0 END) AS renew,
        MAX(CASE WHEN {this} AND scheme = 'resident' AND NOT elsewhere THEN 1 ELSE 0 END)
          AS resident,
        MAX(CASE WHEN {this} AND scheme = 'employee' AND NOT elsewhere THEN 1 ELSE 0 END)
          AS employee,
        MAX(CASE WHEN {this} AND elsewhere THEN 1 ELSE 0 END) AS elsewhere,
        MAX(CASE WHEN {this} AND status = 'active' THEN 1 ELSE 0 END) AS paid,
        MAX(CASE WHEN {this} AND benefit_start > %(today)s THEN 1 ELSE 0 END) AS waiting,
        MIN(CASE WHEN {this} THEN paid_on END) AS first_paid,
        SUM(CASE WHEN {this} AND scheme = 'resident'
                 THEN {d.cents('COALESCE(amount_paid, 0)')} ELSE 0 END) AS collected,
        SUM(CASE WHEN {this} AND scheme = 'resident' AND NOT elsewhere AND status = 'active'
                 THEN {d.cents('COALESCE(subsidy, 0)')} ELSE 0 END) AS subsidies,
        SUM(CASE WHEN {this} AND {owed} THEN {d.cents('credit_outstanding')} ELSE 0 END)
          AS credit_outstanding,
        MAX(CASE WHEN {this} AND {owed} AND credit_due_on < %(today)s THEN 1 ELSE 0 END)
          AS credit_overdue,
        SUM(CASE WHEN {this} AND {owed} AND credit_due_on < %(today)s
                 THEN {d.cents('credit_outstanding')} ELSE 0 END) AS credit_overdue_amount
      FROM enrollment_enrollment
      WHERE year IN (%(last_year)s, %(year)s) AND status IN ('awaiting', 'active') {listed}
      GROUP BY person_id
    ) e ON e.person_id = p.id
    {_ledger_joins(d, only_listed)}
    LEFT JOIN (
      SELECT DISTINCT person_id FROM enrollment_persongroup
      WHERE start_date <= %(as_of)s AND (end_date IS NULL OR end_date >= %(as_of)s) {listed}
    ) h ON h.person_id = p.id
    WHERE p.alive = 1
    GROUP BY p.code, p.path
    """


def _ledger_joins(d: Dialect, only_listed: bool) -> str:
    """The wallet ledger's money per person (payments/): sponsorship that reached the person's
    wallet while the coverage year was collected for (net of its reversals), and the payments for the coverage year
    from a wallet or a third-party payer (a reversed payment does not count)."""
    wallet_listed = f"AND a.person_id IN (SELECT id FROM {PERSONS})" if only_listed else ""
    paid_listed = f"AND e.person_id IN (SELECT id FROM {PERSONS})" if only_listed else ""
    return f"""
    LEFT JOIN (
      SELECT a.person_id AS person_id, SUM({d.cents('en.amount')}) AS sponsorship_in
      FROM payments_entry en
      JOIN payments_account a ON a.id = en.account_id AND a.kind = 'wallet'
      JOIN payments_transfer t ON t.id = en.transfer_id
      LEFT JOIN payments_transfer o ON o.id = t.reverses_id
      WHERE (t.kind = 'sponsorship' OR (t.kind = 'reversal' AND o.kind = 'sponsorship'))
        AND t.created_at >= %(money_from)s AND t.created_at < %(money_to)s {wallet_listed}
      GROUP BY a.person_id
    ) w ON w.person_id = p.id
    LEFT JOIN (
      SELECT e.person_id AS person_id,
        SUM(CASE WHEN t.kind = 'payment' THEN {d.cents('t.amount')} ELSE 0 END) AS wallet_paid,
        SUM(CASE WHEN t.kind = 'payer_payment' THEN {d.cents('t.amount')} ELSE 0 END)
          AS payer_paid
      FROM payments_transfer t
      JOIN enrollment_enrollment e ON e.id = t.enrollment_id
      WHERE t.kind IN ('payment', 'payer_payment') AND e.year = %(year)s {paid_listed}
        AND NOT EXISTS (SELECT 1 FROM payments_transfer r WHERE r.reverses_id = t.id)
      GROUP BY e.person_id
    ) t ON t.person_id = p.id
    """


def _depth_rows_sql(depth: int) -> str:
    """The rollup rows at one depth, summed from the leaf rows under each code."""
    sums = ", ".join(f"SUM({m}) AS {m}" for m in METRICS)
    return f"""
    SELECT g.code AS code, {parent_at(depth, "g.code")} AS parent_code, {depth} AS depth,
           {", ".join("g." + m for m in METRICS)},
           CASE WHEN g.persons > 0 THEN g.covered * 100.0 / g.persons END AS rate
    FROM (
      SELECT {code_at(depth)} AS code, {sums}
      FROM {LEAF} WHERE length(path) >= {depth}
      GROUP BY {code_at(depth)}
    ) g
    JOIN enrollment_region r ON r.code = g.code
    """


def _upsert_sql(depth: int) -> str:
    """Every row at one depth written with this run's stamp (the touched villages' refresh, whose
    emptied-row delete goes by the stamp)."""
    cols = ", ".join(METRICS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in
                        (*METRICS, "rate", "parent_code", "depth", "refresh_stamp",
                         "refreshed_at"))
    return f"""
    INSERT INTO dashboards_coveragerollup
      (year, region_id, parent_code, depth, {cols}, rate, refresh_stamp, refreshed_at)
    SELECT %(year)s, n.code, n.parent_code, n.depth, {cols}, n.rate, %(stamp)s, %(now)s
    FROM ({_depth_rows_sql(depth)}) n
    WHERE true
    ON CONFLICT (year, region_id) DO UPDATE SET {updates}
    """


def _coverage_new_sql() -> str:
    """Every level's rows of the year in one temp table, for the changed-only upsert below."""
    return (f"CREATE TEMP TABLE {COVERAGE_NEW} AS "
            + " UNION ALL ".join(_depth_rows_sql(depth) for depth in DEPTHS))


def _coverage_upsert_sql() -> str:
    """The full refresh writes only the rows whose numbers changed: most rows are the same from
    one night to the next, and rewriting all of them (four indexes each, the rate among them)
    was a third of the refresh at 100,000 persons. `refreshed_at` and `refresh_stamp` therefore
    say when a row last changed; the pages' 数据截至 is the last finished run
    (`selectors.data_as_of`)."""
    cols = ", ".join(METRICS)
    compared = (*METRICS, "rate", "parent_code", "depth")
    updates = ", ".join(f"{c} = excluded.{c}" for c in
                        (*compared, "refresh_stamp", "refreshed_at"))
    changed = " OR ".join(f"dashboards_coveragerollup.{c} IS DISTINCT FROM excluded.{c}"
                          for c in compared)
    return f"""
    INSERT INTO dashboards_coveragerollup
      (year, region_id, parent_code, depth, {cols}, rate, refresh_stamp, refreshed_at)
    SELECT %(year)s, n.code, n.parent_code, n.depth, {cols}, n.rate, %(stamp)s, %(now)s
    FROM {COVERAGE_NEW} n
    WHERE true
    ON CONFLICT (year, region_id) DO UPDATE SET {updates}
    WHERE {changed}
    """


# Regions of the year where nobody lives any more (unchanged rows keep an older stamp, so the
# rows to drop are the ones missing from the new set).
_COVERAGE_DELETE_SQL = f"""
    DELETE FROM dashboards_coveragerollup
    WHERE year = %(year)s AND NOT EXISTS (
      SELECT 1 FROM {COVERAGE_NEW} n WHERE n.code = dashboards_coveragerollup.region_id)
    """


def collection_period(year: int) -> tuple[dt.date, dt.date]:
    """From the opening of the concentrated period (1 September of the year before) to the end
    of the coverage year: payments for year Y that leadership follows day by day."""
    return concentrated_period(year)[0], dt.date(year, 12, 31)


def _daily_closed(cursor, year: int, today: dt.date) -> bool:
    """A year's collection curve is closed once its period ended before this calendar year
    began and its rows exist: payments for it no longer arrive day by day, so the nightly
    refresh keeps the curve (a full refresh recomputes it)."""
    if collection_period(year)[1] >= dt.date(today.year, 1, 1):
        return False
    cursor.execute("SELECT 1 FROM dashboards_dailycollection WHERE year = %s LIMIT 1", [year])
    return cursor.fetchone() is not None


def year_params(year: int, today: dt.date, stamp: str) -> dict:
    """The parameters of one coverage year's rollup SQL (the full refresh and the touched
    villages' refresh use the same)."""
    period_start, y_end = collection_period(year)
    d = Dialect(connection.vendor)
    return {
        # money that arrived while coverage year Y was the one collected for (from the opening
        # of its collection, 1 September of the year before, for twelve months; Beijing time,
        # created_at is stored in UTC): core.calendar.coverage_year_for of the arrival day
        "money_from": d.timestamp(_beijing_midnight(year - 1, COLLECTION_OPENS_MONTH)),
        "money_to": d.timestamp(_beijing_midnight(year, COLLECTION_OPENS_MONTH)),
        "year": year, "today": today, "y_start": dt.date(year, 1, 1), "y_end": y_end,
        "as_of": min(today, y_end) if year >= today.year else y_end,
        "period_start": period_start, "stamp": stamp, "now": timezone.now(),
        # a renewal is on time when paid by the end of the concentrated period
        "last_year": year - 1, "renew_by": concentrated_period(year)[1],
    }


def _beijing_midnight(year: int, month: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, 1))


def _refresh_year(cursor, d: Dialect, year: int, today: dt.date, stamp: str,
                  full: bool) -> None:
    """Recompute every rollup row of one coverage year, all levels."""
    params = year_params(year, today, stamp)
    temps = (LEAF, COVERAGE_NEW)
    for table in temps:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")
    cursor.execute(_leaf_sql(d), params)
    cursor.execute(_coverage_new_sql(), params)
    d.analyze_temp(cursor, COVERAGE_NEW, ("code",))
    cursor.execute(_coverage_upsert_sql(), params)
    cursor.execute(_COVERAGE_DELETE_SQL, params)
    if full or not _daily_closed(cursor, year, today):
        daily.refresh_curve(cursor, d, params, persons=PERSONS)
    funnel.refresh_outreach_stages(cursor, params)
    for table in temps:
        cursor.execute(f"DROP TABLE IF EXISTS {table}")


def refresh_years(years: list[int], *, today: dt.date | None = None,
                  full: bool = False) -> None:
    """Recompute the rollups of the given years in one transaction: readers see the old
    numbers until every year is done."""
    today = today or timezone.localdate()
    d = Dialect(connection.vendor)
    stamp = uuid.uuid4().hex
    with transaction.atomic(), connection.cursor() as cursor:
        d.lock(cursor, years)
        cursor.execute(f"DROP TABLE IF EXISTS {PERSONS}")
        cursor.execute(_persons_sql())
        d.analyze_temp(cursor, PERSONS, ("id", "alive"))
        for year in years:
            _refresh_year(cursor, d, year, today, stamp, full)
        cursor.execute(f"DROP TABLE IF EXISTS {PERSONS}")


# Connections a full refresh uses side by side on PostgreSQL, each refreshing its share of the
# years in a transaction of its own (the years are independent rows; the work is the database's,
# so threads of one process are enough). 1: one transaction for every year, as on SQLite.
REFRESH_CONNECTIONS = getattr(settings, "DASHBOARDS_REFRESH_CONNECTIONS", 2)


def _side_by_side(years: list[int]) -> list[list[int]]:
    """The years shared out over the refresh's connections (interleaved, so that the heavy
    recent years are apart). One group where the refresh cannot be split: SQLite, one year, or
    a caller already inside a transaction (its uncommitted rows would be invisible to the other
    connections, e.g. a test)."""
    n = min(REFRESH_CONNECTIONS, len(years))
    if n <= 1 or connection.vendor != "postgresql" or connection.in_atomic_block:
        return [years]
    return [years[i::n] for i in range(n)]


def _refresh_groups(groups: list[list[int]], *, today, full: bool) -> None:
    """Each group of years on a thread with its own connection and transaction; a failure in
    one is raised here (the other group's years stay refreshed: each is whole)."""
    def work(group: list[int]) -> None:
        try:
            refresh_years(group, today=today, full=full)
        finally:
            connections.close_all()  # this thread's connection, not the caller's

    with ThreadPoolExecutor(max_workers=len(groups)) as pool:
        for future in [pool.submit(work, group) for group in groups]:
            future.result()


def refresh(*, years: list[int] | None = None, reason: str = "manual",
            today: dt.date | None = None, full: bool = False) -> RefreshRun:
    """Refresh the rollups of the given years (default: `default_years`) and record the run."""
    years = sorted(set(years or default_years(today)))
    run = RefreshRun.objects.create(reason=reason[:50], years=",".join(map(str, years)))
    started = time.monotonic()
    try:
        groups = _side_by_side(years)
        if len(groups) == 1:
            refresh_years(years, today=today, full=full)
        else:
            _refresh_groups(groups, today=today, full=full)
        with connection.cursor() as cursor:
            Dialect(connection.vendor).analyze(cursor)
    except Exception as exc:
        RefreshRun.objects.filter(pk=run.pk).update(error=repr(exc)[:2000],
                                                    finished_at=timezone.now())
        raise
    run.seconds = time.monotonic() - started
    run.finished_at = timezone.now()
    run.save(update_fields=["seconds", "finished_at"])
    log.info("dashboard rollups refreshed: years %s in %.1fs", years, run.seconds)
    return run
