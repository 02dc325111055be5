"""Reads for the dashboard pages. Every function takes the acting user or a region already
checked against the user's scope (`region_for`); numbers come from the rollup tables only.
The drill lists (`people`) and `live_counts` are the person-level truth behind each number."""
from __future__ import annotations

import datetime as dt
import functools
import operator

from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from core.calendar import coverage_year_for, valid_year
from enrollment import coverage, regions, scope
from enrollment.coverage import COVERAGE_TARGET_PERCENT
from enrollment.models import (
    Enrollment,
    LifeStatus,
    LIVE_STATUSES,
    Person,
    PersonGroup,
    Region,
    Scheme,
)

from . import funnel, newborns, renewals, targets
from .models import CoverageRollup, DailyCollection, FunnelRollup, RefreshRun
from .models import OfficialPopulation
from .rollups import collection_period

DEPTH_OF_LEVEL = regions.LEVEL_LENGTH


def default_year() -> int:
    return coverage_year_for()


def parse_year(value) -> int:
    try:
        year = int(value)
    except (TypeError, ValueError):
        return default_year()
    return year if valid_year(year) else default_year()


def region_for(user, code: str | None) -> Region:
    """The region the dashboard shows: the one asked for if it lies in the user's scope (else
    404, so a neighbour's code cannot be probed), else the user's own region."""
    prefix = scope.region_prefix(user)
    if prefix is None:
        raise Http404("无可查看的区划")
    if not code:
        code = user.region_id or (Region.objects.filter(parent__isnull=True)
                                  .values_list("code", flat=True).first())
        if not code:
            raise Http404("尚未建立区划")
    if not scope.region_in_scope(user, code):
        raise Http404("不在您的管辖范围内")
    if code == user.region_id:
        return user.region  # the request's user comes with it (accounts/backends.py)
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise Http404("区划不存在") from None


# --- Metrics -------------------------------------------------------------------------------

METRICS = {
    # metric: label (each number on the page links to its drill list)
    "persons": "在册人口",
    "covered": "已参保",
    "uncovered": "未参保",
    "resident": "居民医保参保",
    "employee": "职工医保参保",
    "elsewhere": "外地参保",
    "paid": "已缴费",
    "hardship": "困难群体",
    "hardship_uncovered": "困难群体未参保",
    "newborns": "当年新生儿",
    "newborns_late": "新生儿未在参保期限内参保",
    "students": "在校学生",
    "students_uncovered": "在校学生未参保",
    "waiting": "等待期内",
    "credit_owed": "信用参保欠费",
    "credit_overdue": "信用参保逾期",
}


def _as_of(year: int, today: dt.date) -> dt.date:
    end = dt.date(year, 12, 31)
    return min(today, end) if year >= today.year else end


def people(region: Region, year: int, metric: str, *, today: dt.date | None = None):
    """The persons behind one number of the dashboard (same definitions as the rollup SQL):
    alive residents (常住地) under the region."""
    if metric not in METRICS:
        raise Http404("未知指标")
    today = today or timezone.localdate()
    qs = Person.objects.filter(scope.region_q_prefix(region.path, "residence_region_id"),
                               life_status=LifeStatus.ALIVE)
    live = Enrollment.objects.filter(person=OuterRef("pk"), year=year, status__in=LIVE_STATUSES)
    as_of = _as_of(year, today)
    hardship = PersonGroup.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=as_of), person=OuterRef("pk"),
        start_date__lte=as_of)
    owed = live.filter(paid_on__isnull=True, credit_outstanding__gt=0)  # R-CREDIT
    born = Q(birth_date__gte=dt.date(year, 1, 1), birth_date__lte=dt.date(year, 12, 31))
    filters = {
        "persons": Q(),
        "covered": Exists(live),
        "uncovered": ~Exists(live),
        "resident": Exists(live.filter(scheme=Scheme.RESIDENT, elsewhere=False)),
        "employee": Exists(live.filter(scheme=Scheme.EMPLOYEE, elsewhere=False)),
        "elsewhere": Exists(live.filter(elsewhere=True)),
        "paid": Exists(live.filter(status="active")),
        "hardship": Exists(hardship),
        "hardship_uncovered": Exists(hardship) & ~Exists(live),
        "newborns": born,
        "newborns_late": born & _late_newborns(live),
        "students": Q(school__isnull=False),
        "students_uncovered": Q(school__isnull=False) & ~Exists(live),
        "waiting": Exists(live.filter(benefit_start__gt=today)),
        "credit_owed": Exists(owed),
        "credit_overdue": Exists(owed.filter(credit_due_on__lt=today)),
    }
    return qs.filter(filters[metric]).select_related("residence_region")


def _late_newborns(live) -> Q:
    """Not enrolled within the newborn window of the profile the person's region follows."""
    late = [where & ~Exists(live.filter(
                paid_on__lte=OuterRef("birth_date") + dt.timedelta(days=days)))
            for days, where in newborns.by_days("residence_region__code").items()]
    return functools.reduce(operator.or_, late)


def live_counts(region: Region, year: int, *, today: dt.date | None = None) -> dict[str, int]:
    """The dashboard's numbers counted directly over persons (the slow way: tests compare the
    rollups with it, the benchmark times it). Never called by a page."""
    return {m: people(region, year, m, today=today).count() for m in METRICS
            if m not in AMOUNT_ONLY}


# Drill lists behind an amount, not a count: the rollup holds the money owed, not the persons.
AMOUNT_ONLY = {"credit_owed"}


# --- The page ------------------------------------------------------------------------------

def _rate(covered, denominator):
    return coverage.rate(covered, denominator)


def populations(codes: list[str], year: int) -> dict[str, int]:
    """Official resident population per code: the year's figure, else the latest before it."""
    result: dict[str, int] = {}
    for row in (OfficialPopulation.objects.filter(region_id__in=codes, year__lte=year)
                .order_by("year").values("region_id", "population")):
        result[row["region_id"]] = row["population"]
    return result


def _figures(row: CoverageRollup | None, last: CoverageRollup | None, official: int | None,
             recorded, live: dict | None = None) -> dict:
    """The figures of one region; `live` (a desk-sized region's `coverage_counts`) replaces the
    rollup's population and coverage, so the page shows what the region's home page shows."""
    persons = row.persons if row else 0
    covered = row.covered if row else 0
    if live is not None:
        persons, covered = live["population"], live["covered"]
    target, source = targets.target_for(recorded=recorded, official=official, persons=persons)
    rate = _rate(covered, persons)
    last_rate = _rate(last.covered, last.persons) if last else None
    return {
        "row": row,
        "persons": persons,
        "covered": covered,
        "uncovered": max(persons - covered, 0),
        "official": official,
        "rate": rate,
        "rate_official": _rate(covered, official),
        "target": target,
        "target_source": source,
        "gap": max(target - covered, 0) if target is not None else None,
        "hardship": row.hardship if row else 0,
        "hardship_uncovered": row.hardship_uncovered if row else 0,
        "newborns_late": max(row.newborns - row.newborns_90, 0) if row else 0,
        "students_uncovered": max(row.students - row.students_covered, 0) if row else 0,
        "trend": rate - last_rate if rate is not None and last_rate is not None else None,
        "meets_target": rate is not None and rate >= COVERAGE_TARGET_PERCENT,
        **{name: getattr(row, name) if row else 0 for name in MONEY},
    }


def coverage_table(region: Region, year: int) -> dict:
    """The coverage figures of a region and of each region right below it for a year, as the
    dashboard shows them: from the rollups, the region's own total counted live where it is
    desk-sized. The data-sharing API's coverage answer reads the same figures."""
    rows = {(r.region_id, r.year): r for r in CoverageRollup.objects.filter(
        Q(region_id=region.code) | Q(parent_code=region.code), year__in=[year, year - 1])}
    child_codes = sorted({code for code, y in rows if code != region.code})
    names = dict(Region.objects.filter(code__in=child_codes).values_list("code", "name"))
    codes = [region.code] + child_codes
    official = populations(codes, year)
    recorded = targets.recorded_targets(codes, year)
    live = coverage.coverage_counts(region, year) if coverage.counts_live(region.code) else None
    summary = _figures(rows.get((region.code, year)), rows.get((region.code, year - 1)),
                       official.get(region.code), recorded.get(region.code), live)
    children = []
    for code in child_codes:
        fig = _figures(rows.get((code, year)), rows.get((code, year - 1)), official.get(code),
                       recorded.get(code))
        if fig["row"] is None:
            continue
        children.append({"code": code, "name": names.get(code, code), **fig})
    return {"summary": summary, "children": children, "child_codes": child_codes,
            "live": live is not None, "refreshed_at": data_as_of(summary["row"], year)}


def data_as_of(row: CoverageRollup | None, year: int):
    """数据截至 of a region's figures: the start of the last refresh of the year that finished
    (its snapshot of the registry). A row's own `refreshed_at` says when its numbers last
    changed (the full refresh leaves unchanged rows alone), so it only counts when it is newer
    (written by a refresh not recorded as a finished run)."""
    if row is None:
        return None
    runs = (RefreshRun.objects.filter(finished_at__isnull=False, error="")
            .order_by("-started_at").values_list("started_at", "years")[:20])
    last = next((started for started, years in runs if str(year) in years.split(",")), None)
    return max(last, row.refreshed_at) if last else row.refreshed_at


def dashboard(region: Region, year: int) -> dict:
    """Everything the dashboard page shows for a region and year, from the rollups."""
    depth = DEPTH_OF_LEVEL[region.level]
    table = coverage_table(region, year)
    summary, children, child_codes = table["summary"], table["children"], table["child_codes"]
    # The region's rows of every year: the yearly rates and the year menu from one query.
    own_rows = list(CoverageRollup.objects.filter(region_id=region.code).order_by("year"))
    return {
        "region": region,
        "year": year,
        "target_percent": COVERAGE_TARGET_PERCENT,
        "summary": summary,
        "children": children,
        "remainder": remainder(summary, children, live=table["live"]),
        "child_level": regions.LEVEL_LABELS[regions.level_of(child_codes[0])]
        if child_codes else "",
        "by_year": by_year(region, year, own_rows),
        "daily": daily_curves(region, year),
        "funnel": funnel_stages(region, year, summary["row"]),
        "townships": township_ranking(region, year)
        if depth <= DEPTH_OF_LEVEL[regions.COUNTY] else [],
        "villages": village_ranking(region, year)
        if depth < DEPTH_OF_LEVEL[regions.VILLAGE] else [],
        "grid_workers": grid_worker_ranking(region, year)
        if depth <= DEPTH_OF_LEVEL[regions.VILLAGE] else [],
        "refreshed_at": table["refreshed_at"],
        "years": [r.year for r in reversed(own_rows)],
    }


# The money figures of the 资金 table (docs/payments.md), straight from the rollup row.
MONEY = ("collected", "subsidies", "sponsorship_in", "wallet_paid", "payer_paid",
         "credit_outstanding", "credit_overdue", "credit_overdue_amount")
ADDITIVE = ("persons", "covered", "uncovered", "hardship", "hardship_uncovered", *MONEY)


def remainder(summary: dict, children: list[dict], *, live: bool) -> dict | None:
    """What the 合计 row holds beyond the sum of the child rows, so that the rows add up: persons
    registered at this level and not under any child (a village's residents not yet put in a
    grid), and, where the total is counted live, registrations since the last refresh. None
    when the child rows already add up to the total."""
    if not children:
        return None
    rest = {k: (summary[k] or 0) - sum(c[k] or 0 for c in children) for k in ADDITIVE}
    if not any(rest.values()):
        return None
    rest["rate"] = _rate(rest["covered"], rest["persons"]) if rest["persons"] > 0 else None
    rest["reason"] = ("直接登记在本级、尚未划入下级区划的人员" +
                      ("；合计为实时数，下级为上次汇总数，差额含汇总后的新登记" if live else ""))
    return rest


def by_year(region: Region, up_to: int, rows: list[CoverageRollup] | None = None) -> list[dict]:
    """The region's rate per year up to `up_to`; `rows`: the region's rollup rows of every
    year in year order when the caller has them already."""
    if rows is None:
        rows = CoverageRollup.objects.filter(region_id=region.code, year__lte=up_to) \
            .order_by("year")
    return [{"year": r.year, "rate": _rate(r.covered, r.persons), "covered": r.covered,
             "persons": r.persons, "renewal": {"year": r.year, **renewals.figures(r)}}
            for r in rows if r.year <= up_to]


def daily_curves(region: Region, year: int) -> dict:
    """Cumulative enrollments by day of the collection period, this year against last year,
    aligned on the day of the period (1 September of the year before is day 0)."""
    start, end = collection_period(year)
    today = timezone.localdate()
    days = (min(end, max(today, start)) - start).days + 1 if year >= today.year \
        else (end - start).days + 1
    # a grid shows its village's curve (sql.DAILY_DEPTHS)
    code = regions.ancestor_code(region.code, regions.VILLAGE)
    series, days_of = {}, {year: [], year - 1: []}
    for y, day, n in DailyCollection.objects.filter(region_id=code, year__in=list(days_of)) \
            .values_list("year", "day", "enrolled"):  # both years in one query
        days_of[y].append((day, n))
    for y in (year, year - 1):
        y_start, _ = collection_period(y)
        counts = [0] * ((end - start).days + 1)
        for day, n in days_of[y]:
            index = (day - y_start).days
            if 0 <= index < len(counts):
                counts[index] += n
        running, cumulative = 0, []
        for n in counts:
            running += n
            cumulative.append(running)
        series[y] = cumulative
    labels = [(start + dt.timedelta(days=i)).strftime("%m-%d") for i in range(len(series[year]))]
    return {"labels": labels, "this": series[year][:days], "last": series[year - 1],
            "this_year": year, "last_year": year - 1, "village_curve": code != region.code}


def funnel_stages(region: Region, year: int, row: CoverageRollup | None) -> list[dict]:
    stages = [{"stage": key, "label": label, "count": getattr(row, key, 0) if row else 0}
              for key, label in funnel.REGISTRY_STAGES]
    for item in FunnelRollup.objects.filter(region_id=region.code, year=year) \
            .exclude(stage__in=funnel.NOT_IN_FUNNEL).order_by("position"):
        stages.append({"stage": item.stage,
                       "label": funnel.STAGE_LABELS.get(item.stage, item.stage),
                       "count": item.count})
    return stages


def township_ranking(region: Region, year: int, limit: int = 20) -> list[dict]:
    """Townships under the region, lowest coverage first (the ones to follow up)."""
    qs = (CoverageRollup.objects.filter(year=year, depth=DEPTH_OF_LEVEL[regions.TOWNSHIP],
                                        rate__isnull=False)
          .filter(region__pk__startswith=region.path)
          .order_by("rate", "region_id").select_related("region"))
    return [{"code": r.region_id, "name": r.region.name, "rate": r.rate, "covered": r.covered,
             "persons": r.persons} for r in qs[:limit]]


def village_ranking(region: Region, year: int, limit: int = 20) -> list[dict]:
    """Villages under the region, lowest coverage first; each links to its un-enrolled list."""
    qs = (CoverageRollup.objects.filter(year=year, depth=DEPTH_OF_LEVEL[regions.VILLAGE],
                                        rate__isnull=False, region__pk__startswith=region.path)
          .order_by("rate", "region_id").select_related("region__parent"))
    return [{"code": r.region_id, "name": r.region.name, "rate": r.rate, "covered": r.covered,
             "persons": r.persons, "uncovered": max(r.persons - r.covered, 0),
             "township": r.region.parent.name if r.region.parent_id else ""} for r in qs[:limit]]


def grid_worker_ranking(region: Region, year: int, limit: int = 20) -> list[dict]:
    """Grid workers under the region ranked by the coverage of their grid, lowest first."""
    workers = scope.grid_worker_accounts().filter(region__pk__startswith=region.path)
    # Walk the grids lowest rate first (rollup_rank_by_rate) and keep those with a worker:
    # the query stops after a page instead of joining every grid of a city.
    qs = (CoverageRollup.objects.filter(year=year, depth=DEPTH_OF_LEVEL[regions.GRID],
                                        rate__isnull=False,
                                        region__pk__startswith=region.path)
          .filter(Exists(workers.filter(region_id=OuterRef("region_id"))))
          .order_by("rate", "region_id").select_related("region"))
    rows = list(qs[:limit])
    by_grid: dict[str, list[str]] = {}
    for w in workers.filter(region_id__in=[r.region_id for r in rows]):
        by_grid.setdefault(w.region_id, []).append(w.display_name)
    return [{"code": r.region_id, "grid": r.region.name,
             "workers": "、".join(by_grid.get(r.region_id, [])), "rate": r.rate,
             "covered": r.covered, "persons": r.persons} for r in rows]
