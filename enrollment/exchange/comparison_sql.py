"""The comparison's kinds as SQL, one statement per kind and region part (set-based: no loop over
persons in Python). Each kind is a SELECT giving the columns of a finding; `comparison.py` wraps
it in one INSERT … ON CONFLICT (key) per kind. Written for PostgreSQL and the embedded SQLite
default alike: the few things the two spell differently go through `Dialect`.

Cover of an enrollment (R-ONE-ENROLLMENT compares cover in time): from `cover_start` (else
1 January of its year) to `cover_end` (else 31 December; an employee enrollment without an end
runs on), and a stopped one ends the day before it was stopped.
"""
from __future__ import annotations

from dataclasses import dataclass

LIVE = "('awaiting', 'active')"
COVERING = "('awaiting', 'active', 'stopped')"
# Life statuses that end a person here: dead, emigrated, and whatever deregistration a feed
# records (失踪, 注销); moving out is its own kind; a merged file has no enrollments left.
NOT_GONE = "('alive', 'moved_out', 'merged')"
# Hardship groups whose members must be enrolled (应保尽保, seed 001 §2 / 004 §1).
HARDSHIP_GROUPS = "('special_hardship', 'orphan', 'low_income', 'monitored', 'disability')"


@dataclass(frozen=True)
class Dialect:
    """How the SQL is spelled: PostgreSQL or SQLite, and how many code prefixes the part has
    (the persons of a part are those registered under any of them: `like0`, `like1`, …)."""

    pg: bool
    prefixes: int = 1

    def registered_under(self, alias: str = "p", param: str = "like") -> str:
        return "(" + " OR ".join(f"{alias}.hukou_region_id LIKE %({param}{i})s"
                                 for i in range(self.prefixes)) + ")"

    def person_here(self) -> str:
        return f"{self.registered_under()} AND p.merged_into_id IS NULL"

    def year(self, expr: str) -> str:
        return (f"CAST(EXTRACT(YEAR FROM {expr}) AS integer)" if self.pg
                else f"CAST(strftime('%%Y', {expr}) AS integer)")

    def day_of_year(self, year: str, month_day: str) -> str:
        if self.pg:
            month, day = month_day.split("-")
            return f"make_date({year}, {int(month)}, {int(day)})"
        return f"printf('%%04d-{month_day}', {year})"

    def minus_day(self, expr: str) -> str:
        return f"({expr} - 1)" if self.pg else f"date({expr}, '-1 day')"

    def plus_months(self, expr: str, months: int) -> str:
        return (f"CAST({expr} + interval '{months} months' AS date)" if self.pg
                else f"date({expr}, '+{months} months')")

    def least(self, a: str, b: str) -> str:
        return f"LEAST({a}, {b})" if self.pg else f"MIN({a}, {b})"

    def greatest(self, a: str, b: str) -> str:
        return f"GREATEST({a}, {b})" if self.pg else f"MAX({a}, {b})"

    def json(self, **pairs: str) -> str:
        args = ", ".join(f"'{k}', {v}" for k, v in pairs.items())
        return f"jsonb_build_object({args})" if self.pg else f"json_object({args})"

    def text(self, expr: str) -> str:
        return f"CAST({expr} AS text)" if self.pg else f"CAST({expr} AS TEXT)"

    def key(self, kind: str, *parts: str) -> str:
        return " || ':' || ".join([f"'{kind}'", *[self.text(p) for p in parts]])

    # --- cover of an enrollment --------------------------------------------------------------

    def cover_start(self, e: str) -> str:
        return f"COALESCE({e}.cover_start, {self.day_of_year(f'{e}.year', '01-01')})"

    def cover_end(self, e: str, open_ended: bool = False) -> str:
        default = "DATE '9999-12-31'" if self.pg else "'9999-12-31'"
        end = f"COALESCE({e}.cover_end, " + (
            default if open_ended else self.day_of_year(f"{e}.year", "12-31")) + ")"
        return (f"(CASE WHEN {e}.status = 'stopped' AND {e}.stopped_on IS NOT NULL "
                f"THEN {self.least(end, self.minus_day(f'{e}.stopped_on'))} ELSE {end} END)")


# Columns every kind selects, in this order.
COLUMNS = "key, kind, person_id, other_person_id, year, region_id, residence_region_id, details"
REGIONS = "substr(p.hukou_region_id, 1, 12), substr(p.residence_region_id, 1, 12)"


def _local_live_resident(alias: str) -> str:
    return (f"{alias}.scheme = 'resident' AND {alias}.elsewhere = false "
            f"AND {alias}.status IN {LIVE}")


def gone_enrolled(d: Dialect, kind: str, status_test: str) -> str:
    """Dead, emigrated or deregistered (or moved out), still enrolled here for a later year."""
    return f"""
SELECT {d.key(kind, 'e.year', 'p.id')}, '{kind}', p.id, CAST(NULL AS integer), e.year, {REGIONS},
       {d.json(enrollment='e.id', life_status='p.life_status', on='p.life_status_date')}
FROM enrollment_person p JOIN enrollment_enrollment e ON e.person_id = p.id
WHERE {d.person_here()} AND {status_test} AND {_local_live_resident('e')}
  AND e.year > {d.year('COALESCE(p.life_status_date, %(today)s)')}
"""


def moved_in(d: Dialect, kind: str) -> str:
    """Living in another county than the one a not-yet-begun year's enrollment is pooled in."""
    return f"""
SELECT {d.key(kind, 'e.year', 'p.id')}, '{kind}', p.id, CAST(NULL AS integer), e.year, {REGIONS},
       {d.json(enrollment='e.id', pooling_region='e.pooling_region_id')}
FROM enrollment_person p JOIN enrollment_enrollment e ON e.person_id = p.id
WHERE {d.person_here()} AND p.life_status = 'alive' AND {_local_live_resident('e')}
  AND e.year > %(this_year)s
  AND substr(e.pooling_region_id, 1, 6) <> substr(p.residence_region_id, 1, 6)
"""


def _pair_of_enrollments(d: Dialect, kind: str, other_test: str, months: int = 0) -> str:
    """A live local resident enrollment `l` and another enrollment `o` of the same person whose
    cover overlaps it (by `months` months or more when given)."""
    l_start, l_end = d.cover_start("l"), d.cover_end("l")
    o_start, o_end = d.cover_start("o"), d.cover_end("o", open_ended=True)
    overlap = f"{l_start} <= {o_end} AND {o_start} <= {l_end}"
    if months:
        start, end = d.greatest(l_start, o_start), d.least(l_end, o_end)
        overlap += f" AND {end} >= {d.minus_day(d.plus_months(start, months))}"
    return f"""
SELECT {d.key(kind, 'l.year', 'p.id')}, '{kind}', p.id, CAST(NULL AS integer), l.year, {REGIONS},
       {d.json(enrollment='l.id', other_enrollment='MIN(o.id)')}
FROM enrollment_person p
JOIN enrollment_enrollment l ON l.person_id = p.id
JOIN enrollment_enrollment o ON o.person_id = p.id AND o.id <> l.id
WHERE {d.person_here()} AND {_local_live_resident('l')} AND o.status IN {COVERING}
  AND {other_test} AND {overlap}
GROUP BY p.id, l.id, l.year, p.hukou_region_id, p.residence_region_id
"""


# A second resident enrollment of the same person and year beside a live one can only be a
# stopped one: the database allows one live resident enrollment per person and year
# (`one_resident_enrollment_per_person_year`). Saying so narrows `o` to the few stopped rows;
# without it PostgreSQL hashed every resident enrollment of the table for each part (the
# largest whole-table cost of a part: 0.37 s of a 15,000-person part at 100k, growing with
# the table, not the part).
OTHER_RESIDENT = "o.scheme = 'resident' AND o.status = 'stopped' AND o.year = l.year"


def elsewhere_too(d: Dialect, kind: str) -> str:
    """Enrolled as a resident elsewhere (another pooling region, in or out of the province) and
    here, for months that overlap: 重复参保."""
    return _pair_of_enrollments(d, kind, f"{OTHER_RESIDENT} AND o.elsewhere = true")


def two_regions(d: Dialect, kind: str) -> str:
    """Resident in two of this deployment's pooling regions in the same year, overlapping."""
    return _pair_of_enrollments(d, kind, f"{OTHER_RESIDENT} AND o.elsewhere = false "
                                         "AND o.pooling_region_id <> l.pooling_region_id")


def employee_overlap(d: Dialect, kind: str) -> str:
    """Resident cover and employee cover overlapping by 3 months or more in one year."""
    return _pair_of_enrollments(d, kind, "o.scheme = 'employee' AND o.year <= l.year",
                                months=3)


def duplicate_person(d: Dialect, kind: str) -> str:
    """Two live files with the same name and birth date in the same household, or one of them a
    birth-certificate file (no ID number) registered in the same village: the rule of
    `selectors.person_likely_duplicates`, for every pair at once.

    The two halves of the rule are selects joined by UNION (a pair meeting both gives the same
    row once), so that `b` is reached from the part, never from the whole table: through the
    household index, or among the persons registered in the villages of the part (`vlike`: the
    part's prefixes cut to a village's 12 digits, so a grid's run still sees its village).
    As one OR, PostgreSQL hashed every live person of the table for each part. The village half
    is itself two selects, one per side without an ID number, so that each is driven from the
    few birth-certificate files: as one OR it probed the name index for every person of the
    part (0.6 s of a 150,000-person part at 1M, the largest statement of a part)."""
    columns = f"""{d.key(kind, 'p.id', 'b.id')}, '{kind}', p.id, b.id, %(year)s, {REGIONS},
       {d.json(other_region='b.residence_region_id')}"""
    pair = f"""FROM enrollment_person p
JOIN enrollment_person b ON b.name = p.name AND b.birth_date = p.birth_date AND b.id > p.id"""
    both_live = f"""{d.person_here()} AND p.life_status = 'alive'
  AND b.merged_into_id IS NULL AND b.life_status = 'alive'"""
    village = f"""SELECT {columns}
{pair} AND substr(b.hukou_region_id, 1, 12) = substr(p.hukou_region_id, 1, 12)
WHERE {both_live} AND {d.registered_under('b', 'vlike')}"""
    return f"""
SELECT {columns}
{pair} AND b.household_id = p.household_id
WHERE {both_live}
UNION
{village} AND p.id_number IS NULL
UNION
{village} AND b.id_number IS NULL
"""


def _no_live_enrollment(year_expr: str) -> str:
    return (f"NOT EXISTS (SELECT 1 FROM enrollment_enrollment e WHERE e.person_id = p.id "
            f"AND e.year IN ({year_expr}) AND e.status IN {LIVE})")


def hardship_unenrolled(d: Dialect, kind: str) -> str:
    """A member of a hardship group today, not enrolled for the coming year (应保尽保)."""
    return f"""
SELECT {d.key(kind, '%(year)s', 'p.id')}, '{kind}', p.id, CAST(NULL AS integer), %(year)s, {REGIONS},
       {d.json(group='MIN(g."group")')}
FROM enrollment_person p JOIN enrollment_persongroup g ON g.person_id = p.id
WHERE {d.person_here()} AND p.life_status = 'alive' AND g."group" IN {HARDSHIP_GROUPS}
  AND g.start_date <= %(today)s AND (g.end_date IS NULL OR g.end_date >= %(today)s)
  AND {_no_live_enrollment('%(year)s')}
GROUP BY p.id, p.hukou_region_id, p.residence_region_id
"""


def newborn_unenrolled(d: Dialect, kind: str) -> str:
    """Born 60 days ago or more (and less than a year), enrolled neither for the birth year nor
    for the next (R-NB-OCT): 30 days are left of the 90-day window (R-NB-90)."""
    birth_year = d.year("p.birth_date")
    return f"""
SELECT {d.key(kind, birth_year, 'p.id')}, '{kind}', p.id, CAST(NULL AS integer), {birth_year}, {REGIONS},
       {d.json(birth_date='p.birth_date')}
FROM enrollment_person p
WHERE {d.person_here()} AND p.life_status = 'alive'
  AND p.birth_date <= %(newborn_until)s AND p.birth_date > %(newborn_from)s
  AND {_no_live_enrollment(f'{birth_year}, {birth_year} + 1')}
"""


def student_unenrolled(d: Dialect, kind: str) -> str:
    """On a school's roster (一校一档) and not enrolled for the coming year."""
    return f"""
SELECT {d.key(kind, '%(year)s', 'p.id')}, '{kind}', p.id, CAST(NULL AS integer), %(year)s, {REGIONS},
       {d.json(school='p.school_id')}
FROM enrollment_person p
WHERE {d.person_here()} AND p.life_status = 'alive' AND p.school_id IS NOT NULL
  AND {_no_live_enrollment('%(year)s')}
"""


def kind_queries(d: Dialect) -> dict[str, str]:
    from ..finding import FindingKind as K

    return {
        K.GONE_ENROLLED: gone_enrolled(d, K.GONE_ENROLLED, f"p.life_status NOT IN {NOT_GONE}"),
        K.MOVED_OUT: gone_enrolled(d, K.MOVED_OUT, "p.life_status = 'moved_out'"),
        K.MOVED_IN: moved_in(d, K.MOVED_IN),
        K.ELSEWHERE_TOO: elsewhere_too(d, K.ELSEWHERE_TOO),
        K.EMPLOYEE_OVERLAP: employee_overlap(d, K.EMPLOYEE_OVERLAP),
        K.TWO_REGIONS: two_regions(d, K.TWO_REGIONS),
        K.DUPLICATE_PERSON: duplicate_person(d, K.DUPLICATE_PERSON),
        K.HARDSHIP_UNENROLLED: hardship_unenrolled(d, K.HARDSHIP_UNENROLLED),
        K.NEWBORN_UNENROLLED: newborn_unenrolled(d, K.NEWBORN_UNENROLLED),
        K.STUDENT_UNENROLLED: student_unenrolled(d, K.STUDENT_UNENROLLED),
    }


# A part's findings of every kind, gathered before they are written (one temporary table, dropped
# after the part). PostgreSQL runs no part of an INSERT … SELECT in parallel and then planned
# some kinds differently: `moved_in` hashed every enrollment of the coming year (1.8 s of a
# 150,000-person part at 1M, against 0.4 s as the SELECT's parallel probes). CREATE TABLE AS
# may run in parallel, so on PostgreSQL every kind is one CREATE TABLE AS (the kinds a UNION
# ALL); on SQLite, which has no parallel plans, an INSERT per kind into the table.
FOUND = "comparison_found"


def collect(d: Dialect) -> list[str]:
    """The statements that fill FOUND with the part's findings (the columns of COLUMNS)."""
    selects = list(kind_queries(d).values())
    if d.pg:
        union = "\nUNION ALL\n".join(f"({select})" for select in selects)
        return [f"CREATE TEMPORARY TABLE {FOUND} ({COLUMNS}) AS {union}"]
    return ([f"CREATE TEMPORARY TABLE {FOUND} ({COLUMNS})"]
            + [f"INSERT INTO {FOUND} {select}" for select in selects])


UPSERT = """
INSERT INTO enrollment_finding
    (key, kind, person_id, other_person_id, year, region_id, residence_region_id, details,
     status, resolution, resolution_reason, resolved_by_id, resolved_at, found_at,
     last_seen_run_id)
SELECT q.*, 'open', '', '', NULL, NULL, %(now)s, %(run)s FROM ({select}) q WHERE 1 = 1
ON CONFLICT (key) DO UPDATE SET
    last_seen_run_id = excluded.last_seen_run_id,
    region_id = excluded.region_id,
    residence_region_id = excluded.residence_region_id,
    details = excluded.details,
    found_at = CASE WHEN enrollment_finding.status = 'resolved' THEN excluded.found_at
                    ELSE enrollment_finding.found_at END,
    resolution = CASE WHEN enrollment_finding.status = 'resolved' THEN ''
                      ELSE enrollment_finding.resolution END,
    resolution_reason = CASE WHEN enrollment_finding.status = 'resolved' THEN ''
                             ELSE enrollment_finding.resolution_reason END,
    resolved_by_id = CASE WHEN enrollment_finding.status = 'resolved' THEN NULL
                          ELSE enrollment_finding.resolved_by_id END,
    resolved_at = CASE WHEN enrollment_finding.status = 'resolved' THEN NULL
                       ELSE enrollment_finding.resolved_at END,
    status = CASE WHEN enrollment_finding.status = 'resolved' THEN 'open'
                  ELSE enrollment_finding.status END
"""

# Writes what `collect` gathered.
UPSERT_FOUND = UPSERT.format(select=f"SELECT {COLUMNS} FROM {FOUND}")
DROP_FOUND = f"DROP TABLE IF EXISTS {FOUND}"
