"""One query per chunk: the inputs of every person with a paid resident enrollment for year Y in a
pooling region, with person ids in [id_from, id_to].

The year statuses follow `benefits.inputs.history_for` (the one definition of a person's history):
for each year before Y, a paid resident enrollment (any status but "awaiting") makes it
`resident` when on time, else `resident_late` ("on time": the engine's stored answer when the
enrollment was determined, otherwise the profile's concentrated period for that year, otherwise the
stored flag); without one, the longest employee cover gives `employee:N` (months in the year,
open covers counted up to `as_of`); otherwise `gap`.

On PostgreSQL the classification runs in SQL (GROUP BY person and year over the enrollment
history, string_agg per person); on SQLite the same rules run in Python over plain rows.
"""
from __future__ import annotations

import datetime as dt
import json
from collections import defaultdict
from typing import Iterator, Mapping

from django.db import connection
from django.db.models import Q

from enrollment.models import Enrollment, EnrollmentStatus, PersonGroup, Scheme

from ..rules.types import YearStandard
from .compute import PersonInput

LIVE = (EnrollmentStatus.AWAITING_PAYMENT, EnrollmentStatus.ACTIVE)


def as_of_date(year: int) -> dt.date:
    """The recalculation for Y looks at the registry as on 1 January of Y: every year before Y has
    ended, so open employee covers count to 31 December (the answer does not depend on the day the
    job happens to run)."""
    return dt.date(year, 1, 1)


def chunk_inputs(*, year: int, region: str, id_from: int, id_to: int,
                 standards: Mapping[int, YearStandard], count_start: int,
                 only: list[int] | None = None) -> list[PersonInput]:
    """`only`: just these persons of the range (an incremental run), else all of them."""
    if connection.vendor == "postgresql":
        return list(_postgres(year, region, id_from, id_to, standards, count_start, only))
    return list(_python(year, region, id_from, id_to, standards, count_start, only))


_PG_SQL = """
WITH cur AS (
  SELECT DISTINCT ON (e.person_id) e.person_id, e.id AS enrollment_id, e.paid_on,
         e.repair_years, e.case_details, e.tier_code
  FROM enrollment_enrollment e
  WHERE e.year = %(year)s AND e.scheme = 'resident' AND e.status IN ('awaiting', 'active')
    AND e.paid_on IS NOT NULL AND e.pooling_region_id = %(region)s
    AND e.person_id BETWEEN %(lo)s AND %(hi)s
    AND (%(only)s::bigint[] IS NULL OR e.person_id = ANY(%(only)s::bigint[]))
  ORDER BY e.person_id, e.id
),
past AS (
  SELECT e.person_id, e.year,
    bool_or(e.scheme = 'resident' AND e.paid_on IS NOT NULL) AS has_res,
    bool_or(e.scheme = 'resident' AND e.paid_on IS NOT NULL AND
            CASE WHEN e.rule_ids NOT IN ('[]'::jsonb, 'null'::jsonb) THEN e.in_concentrated_period
                 WHEN s.cs IS NOT NULL THEN e.paid_on BETWEEN s.cs AND s.ce
                 ELSE e.in_concentrated_period END) AS on_time,
    max(CASE WHEN e.scheme = 'employee' AND m.en >= m.st THEN
          LEAST(12, (EXTRACT(YEAR FROM m.en) - EXTRACT(YEAR FROM m.st)) * 12
                    + EXTRACT(MONTH FROM m.en) - EXTRACT(MONTH FROM m.st) + 1)
        ELSE 0 END)::int AS months
  FROM enrollment_enrollment e
  JOIN cur ON cur.person_id = e.person_id
  -- The year's concentrated period by subscript (NULL: no standard for that year); a join
  -- with the standards as a set re-read them for every enrollment row (a third of the query).
  CROSS JOIN LATERAL (
    SELECT (%(std_cs)s::date[])[e.year - %(std_base)s] AS cs,
           (%(std_ce)s::date[])[e.year - %(std_base)s] AS ce
  ) s
  CROSS JOIN LATERAL (
    SELECT GREATEST(COALESCE(e.cover_start, make_date(e.year, 1, 1)), make_date(e.year, 1, 1)) AS st,
           LEAST(COALESCE(e.cover_end, LEAST(%(as_of)s::date, make_date(e.year, 12, 31))),
                 make_date(e.year, 12, 31)) AS en
  ) m
  WHERE e.person_id BETWEEN %(lo)s AND %(hi)s AND e.year < %(year)s AND e.status <> 'awaiting'
    AND (%(only)s::bigint[] IS NULL OR e.person_id = ANY(%(only)s::bigint[]))
  GROUP BY e.person_id, e.year
),
hist AS (
  SELECT person_id, string_agg(year::text || '=' ||
           CASE WHEN has_res AND on_time THEN 'resident'
                WHEN has_res THEN 'resident_late'
                WHEN months > 0 THEN 'employee:' || months::text
                ELSE 'gap' END, ',' ORDER BY year) AS hist
  FROM past GROUP BY person_id
)
SELECT cur.person_id, cur.enrollment_id,
       -- a scalar subquery: one index lookup per person, never a scan of every person
       (SELECT p.birth_date FROM enrollment_person p WHERE p.id = cur.person_id),
       cur.paid_on, cur.repair_years,
       cur.case_details::text, COALESCE(hist.hist, ''), COALESCE(clm.claims, ''),
       COALESCE(grp.groups, ''), cur.tier_code
FROM cur
LEFT JOIN hist ON hist.person_id = cur.person_id
LEFT JOIN LATERAL (
  -- a claims row with nothing paid and no incentive used means the same as no row
  SELECT string_agg(c.year::text || '=' ||
           CASE WHEN c.fund_paid > 0 THEN '1' ELSE '0' END ||
           CASE WHEN c.used_incentive THEN '1' ELSE '0' END, ',' ORDER BY c.year) AS claims
  FROM benefits_claimsummary c
  WHERE c.person_id = cur.person_id AND c.year < %(year)s AND c.year >= %(count_start)s
    AND (c.fund_paid > 0 OR c.used_incentive)
) clm ON true
LEFT JOIN LATERAL (
  SELECT string_agg(DISTINCT g."group", ',') AS groups
  FROM enrollment_persongroup g
  WHERE g.person_id = cur.person_id AND g.start_date <= cur.paid_on
    AND (g.end_date IS NULL OR g.end_date >= cur.paid_on)
) grp ON true
ORDER BY cur.person_id
"""


def _standard_arrays(standards: Mapping[int, YearStandard]) -> dict:
    """The concentrated periods as two arrays indexed by year - std_base (1-based, NULL where
    a year has no standard), so the query reads them by subscript."""
    first, last = (min(standards), max(standards)) if standards else (0, -1)
    years = range(first, last + 1)
    return {
        "std_base": first - 1,
        "std_cs": [standards[y].concentrated_start if y in standards else None for y in years],
        "std_ce": [standards[y].concentrated_end if y in standards else None for y in years],
    }


def _postgres(year, region, lo, hi, standards, count_start, only) -> Iterator[PersonInput]:
    params = {
        "year": year, "region": region, "lo": lo, "hi": hi, "as_of": as_of_date(year),
        "only": only,
        "count_start": count_start,
        **_standard_arrays(standards),
    }
    with connection.cursor() as cursor:
        # The plan is index lookups per person; compiling it (JIT, on by default for plans this
        # "expensive") costs more than running it.
        cursor.execute("SET LOCAL jit = off")
        cursor.execute(_PG_SQL, params)
        for row in cursor.fetchall():
            yield PersonInput(*row)


# --- SQLite: the same rules over plain rows ---------------------------------------------------


def employee_months(year: int, start: dt.date | None, end: dt.date | None, as_of: dt.date) -> int:
    """Months of employee cover in `year` (as benefits.inputs counts them)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    s = max(start or first, first)
    e = min(end or min(as_of, last), last)
    if e < s:
        return 0
    return min(12, (e.year - s.year) * 12 + e.month - s.month + 1)


def _python(year, region, lo, hi, standards, count_start, only) -> Iterator[PersonInput]:
    current = list(
        Enrollment.objects.filter(
            year=year, scheme=Scheme.RESIDENT, status__in=LIVE, paid_on__isnull=False,
            pooling_region_id=region, person_id__gte=lo, person_id__lte=hi)
        .order_by("person_id", "id")
        .values_list("person_id", "id", "person__birth_date", "paid_on", "repair_years",
                     "case_details", "tier_code"))
    by_person = {}
    wanted = set(only) if only is not None else None
    for row in current:
        if wanted is None or row[0] in wanted:
            by_person.setdefault(row[0], row)
    if not by_person:
        return
    as_of = as_of_date(year)
    past: dict[int, dict[int, list]] = defaultdict(lambda: defaultdict(list))
    rows = (Enrollment.objects.filter(person_id__gte=lo, person_id__lte=hi, year__lt=year)
            .exclude(status=EnrollmentStatus.AWAITING_PAYMENT)
            .values_list("person_id", "year", "scheme", "paid_on", "rule_ids",
                         "in_concentrated_period", "cover_start", "cover_end"))
    for row in rows:
        if row[0] in by_person:
            past[row[0]][row[1]].append(row)
    from ..models import ClaimSummary

    claims: dict[int, list[str]] = defaultdict(list)
    for pid, y, paid, used in (ClaimSummary.objects
                               .filter(person_id__gte=lo, person_id__lte=hi, year__lt=year,
                                       year__gte=count_start)
                               .filter(Q(fund_paid__gt=0) | Q(used_incentive=True))
                               .order_by("person_id", "year")
                               .values_list("person_id", "year", "fund_paid", "used_incentive")):
        claims[pid].append(f"{y}={int(paid > 0)}{int(bool(used))}")
    groups: dict[int, set] = defaultdict(set)
    for pid, group, start, end in (PersonGroup.objects
                                   .filter(person_id__gte=lo, person_id__lte=hi)
                                   .values_list("person_id", "group", "start_date", "end_date")):
        cur = by_person.get(pid)
        if cur and start <= cur[3] and (end is None or end >= cur[3]):
            groups[pid].add(group)

    for pid, (_, enrollment_id, birth, paid_on, repair, details, tier) in sorted(
            by_person.items()):
        hist = []
        for y, items in sorted(past[pid].items()):
            hist.append(f"{y}={_year_status(y, items, standards, as_of)}")
        yield PersonInput(
            person_id=pid, enrollment_id=enrollment_id, birth_date=birth, paid_on=paid_on,
            repair_years=repair, case_details=json.dumps(details or {}, sort_keys=True),
            history=",".join(hist), claims=",".join(claims.get(pid, ())),
            groups=",".join(sorted(groups.get(pid, ()))), tier=tier or "")


def _year_status(year, items, standards, as_of) -> str:
    residents = [r for r in items if r[2] == Scheme.RESIDENT and r[3]]
    if residents:
        def on_time(r):
            if r[4]:
                return r[5]
            std = standards.get(year)
            return std.in_concentrated_period(r[3]) if std else r[5]
        return "resident" if any(on_time(r) for r in residents) else "resident_late"
    months = max((employee_months(year, r[6], r[7], as_of) for r in items
                  if r[2] == Scheme.EMPLOYEE), default=0)
    return f"employee:{months}" if months else "gap"
