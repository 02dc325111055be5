"""The rollup refresh for the regions touched: after a day's registrations only the villages whose
persons changed (the change marker, `enrollment.changes`) and their ancestors are recomputed, one
village per transaction, so no transaction spans the registry.

For a touched village, its own row and its grids' rows are recomputed from its persons with the
same SQL as the full refresh (`rollups`); each ancestor (township, county, city, province) is then
the sum of its children's rows plus the persons who live directly at the ancestor's code. The
nightly full refresh (`rollups.refresh`) stays as the safety net: it also catches what this path
cannot see (a person who moved out of a village leaves that village's row as it was until then,
the daily collection curves and the outreach funnel).
"""
from __future__ import annotations

import datetime as dt
import uuid

from django.db import connection, transaction
from django.utils import timezone

from enrollment import changes, regions
from enrollment.models import Person

from .models import RefreshRun
from .rollups import (LEAF, METRICS, PERSONS, _leaf_sql, _persons_sql, _upsert_sql, open_years,
                      year_params)
from .sql import DEPTHS, Dialect, parent_at

_VILLAGE = regions.LEVEL_LENGTH[regions.VILLAGE]


def touched_villages(since: dt.datetime) -> list[str]:
    """Villages (12-digit codes) where a person marked changed since `since` lives."""
    codes = (Person.objects.filter(pk__in=changes.changed_since(since)).order_by()
             .values_list("residence_region_id", flat=True).distinct())
    return sorted({regions.ancestor_code(code, regions.VILLAGE) if len(code) > _VILLAGE
                   else code for code in codes})


def _ancestor_sql(depth: int) -> str:
    cols = ", ".join(METRICS)
    sums = ", ".join(f"COALESCE(SUM({m}), 0) AS {m}" for m in METRICS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in
                        (*METRICS, "rate", "refresh_stamp", "refreshed_at"))
    return f"""
    INSERT INTO dashboards_coveragerollup
      (year, region_id, parent_code, depth, {cols}, rate, refresh_stamp, refreshed_at)
    SELECT %(year)s, %(code)s, {parent_at(depth, "%(code)s")}, {depth}, {cols},
           CASE WHEN persons > 0 THEN covered * 100.0 / persons END, %(stamp)s, %(now)s
    FROM (
      SELECT {sums}
      FROM (
        SELECT {cols} FROM dashboards_coveragerollup
        WHERE year = %(year)s AND parent_code = %(code)s
        UNION ALL
        SELECT {cols} FROM {LEAF} WHERE code = %(code)s
      ) parts
    ) g
    WHERE EXISTS (SELECT 1 FROM enrollment_region WHERE code = %(code)s)
    ON CONFLICT (year, region_id) DO UPDATE SET {updates}
    """


def refresh_village(village: str, years: list[int], *, today: dt.date) -> None:
    """One village and its ancestors, every given year, in one short transaction."""
    d = Dialect(connection.vendor)
    stamp = uuid.uuid4().hex
    ancestors = [regions.ancestor_code(village, level) for level in regions.LEVEL_ORDER
                 if regions.LEVEL_LENGTH[level] < _VILLAGE]
    with transaction.atomic(), connection.cursor() as cursor:
        d.lock(cursor, years)
        for table in (PERSONS, LEAF):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")
        marks = ", ".join(["%s"] * len(ancestors))
        cursor.execute(_persons_sql() + f" WHERE p.residence_region_id LIKE %s "
                       f"OR p.residence_region_id IN ({marks})", [village + "%", *ancestors])
        d.analyze_temp(cursor, PERSONS)
        for year in years:
            params = year_params(year, today, stamp)
            cursor.execute(f"DROP TABLE IF EXISTS {LEAF}")
            cursor.execute(_leaf_sql(d, only_listed=True), params)
            for depth in (d_ for d_ in DEPTHS if d_ >= _VILLAGE):
                # The leaves of the ancestors themselves are shorter: not counted at these depths.
                cursor.execute(_upsert_sql(depth), params)
            # The village and its grids where nobody lives any more: its own row and its
            # children's, each by an index (a LIKE on region_id read every row of the year).
            cursor.execute("DELETE FROM dashboards_coveragerollup WHERE year = %(year)s "
                           "AND (region_id = %(code)s OR parent_code = %(code)s) "
                           "AND refresh_stamp <> %(stamp)s", {**params, "code": village})
            for code in reversed(ancestors):  # township first, province last
                depth = len(regions.prefix_of(code))
                cursor.execute(_ancestor_sql(depth), {**params, "code": code})
        for table in (PERSONS, LEAF):
            cursor.execute(f"DROP TABLE IF EXISTS {table}")


def refresh_touched(*, since: dt.datetime | None = None, years: list[int] | None = None,
                    today: dt.date | None = None, reason: str = "touched") -> RefreshRun:
    """Refresh the villages touched since `since` (default: the start of the last refresh that
    finished) and their ancestors, one village per transaction."""
    today = today or timezone.localdate()
    years = sorted(set(years or open_years(today)))
    if since is None:
        last = (RefreshRun.objects.filter(finished_at__isnull=False, error="")
                .order_by("-started_at").values_list("started_at", flat=True).first())
        if last is None:  # nothing to continue from: the whole refresh
            from .rollups import refresh

            return refresh(years=years, reason=reason, today=today)
        since = last
    run = RefreshRun.objects.create(reason=reason[:50], years=",".join(map(str, years)))
    started = timezone.now()
    villages = touched_villages(since)
    for village in villages:
        refresh_village(village, years, today=today)
    run.seconds = (timezone.now() - started).total_seconds()
    run.finished_at = timezone.now()
    run.save(update_fields=["seconds", "finished_at"])
    return run
