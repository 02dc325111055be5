"""Benchmark of the monthly comparison (按月动态交叉比对).

    .venv/bin/python bench/compare.py [--persons 1000000] [--naive 20000] [--fresh]

Generates N persons in PostgreSQL with COPY (DATABASE_URL, default
postgres://postgres@127.0.0.1:5432/canbao_bench_compare, created if missing; reused when it
already holds N persons): 20 counties of 5 townships, most people enrolled for 2030 and 2031,
and in small shares every case the comparison looks for (dead or emigrated and enrolled for
2031, moved out, moved in, enrolled elsewhere too, employee cover overlapping, two pooling
regions, a birth-certificate file beside the ID file, hardship, newborns and students not
enrolled). Then it runs the comparison for 1 December 2030 (parts sized by persons, each one
transaction; with --per-township first the former way, one part per township, for the ratio),
runs it again (everything seen again: new=0), and runs the simple way (a Python loop per
person, a few ORM queries each) on the first `--naive` persons of the first township, checks it
finds the same findings as the SQL there, and prints the ratio. Every figure is printed with
the load average (figures vary with load; ratios are what hold). Goal: the million under 60 s.

ID numbers are not the app's ciphertext here (the comparison never reads them): one shared
encrypted value and a unique blind index per person, so that generating a million stays quick.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import os
import random
import sys
import time

from common import loadavg, migrated_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/canbao_bench_compare"
DAY = dt.date(2030, 12, 1)
NEXT, THIS = 2031, 2030
COUNTIES, TOWNSHIPS = 20, 5


def county(i: int) -> str:
    return f"4301{i + 1:02d}000000"


def village(c: int, t: int, v: int) -> str:
    return county(c)[:6] + f"{t + 1:03d}{v + 1:03d}"


def setup_regions() -> None:
    from enrollment import regions
    from enrollment.models import Region, School

    tree = [("430000000000", "湖南省"), ("430100000000", "长沙市"),
            ("440000000000", "广东省"), ("440300000000", "深圳市")]
    for c in range(COUNTIES):
        tree.append((county(c), f"测试县{c + 1}"))
        for t in range(TOWNSHIPS):
            tree.append((county(c)[:6] + f"{t + 1:03d}000", f"测试镇{c + 1}-{t + 1}"))
            tree += [(village(c, t, v), f"测试村{c + 1}-{t + 1}-{v + 1}") for v in range(2)]
    for code, name in tree:
        Region.objects.get_or_create(code=code, defaults={
            "name": name, "parent_id": regions.parent_code(code)})
    for c in range(COUNTIES):
        School.objects.get_or_create(code=f"BS{c}", defaults={
            "name": f"测试学校{c}", "kind": "primary", "region_id": village(c, 0, 0)})


def generate(persons: int, seed: int = 13, persons_too: bool = True) -> None:
    """COPY persons, enrollments and groups (streamed, never row by row). Without
    `persons_too`, only the enrollments and groups of the persons already there (an earlier
    generation whose enrollment COPY broke after the persons' COPY had committed): the same seed
    gives the same rows, checked by the persons' life statuses before anything is written."""
    from django.db import connection

    from core import crypto
    from enrollment.models import School

    rng = random.Random(seed)
    rand = rng.random
    schools = dict(School.objects.values_list("code", "pk"))
    cipher = crypto.encrypt("B00000000000000000")
    now = "2030-12-01 00:00:00+08"
    t0 = time.perf_counter()
    people, enrol, groups = io.StringIO(), io.StringIO(), io.StringIO()
    statuses: dict[str, int] = {}

    def e(pid, year, region, status="active", scheme="resident", elsewhere="f", start="\\N",
          end="\\N", stopped="\\N"):
        enrol.write(f"{pid}\t{year}\t{scheme}\t{region}\t{elsewhere}\t{status}\t\\N\t\t\tf\t"
                    f"{start}\t{end}\t{stopped}\t\t0\t[]\t[]\t{{}}\t{{}}\t{now}\t\t0\t\t\n")

    def person(pid, name, birth, hukou, residence, life="alive", life_date="\\N",
               school="\\N", cert=False):
        statuses[life] = statuses.get(life, 0) + 1
        number = ("\\N\t\\N\t" + f"{cipher}\tbc{pid:062x}" if cert
                  else f"{cipher}\tid{pid:062x}\t\\N\t\\N")
        people.write(f"{pid}\t{'birth_cert' if cert else 'resident_id'}\t{number}\t{name}\t"
                     f"CS\t{'MF'[pid % 2]}\t{birth}\t\t{hukou}\t{residence}\t\t\t{life}\t"
                     f"{life_date}\t\t{school}\t{now}\t{now}\n")

    pid = 0
    per_village = persons // (COUNTIES * TOWNSHIPS * 2)
    for c in range(COUNTIES):
        for t in range(TOWNSHIPS):
            for v in range(2):
                here, pool = village(c, t, v), county(c)
                other_pool = county((c + 1) % COUNTIES)
                for _ in range(per_village):
                    pid += 1
                    if pid > persons:
                        break
                    birth = dt.date(1940, 1, 1) + dt.timedelta(days=rng.randrange(30000))
                    name = f"测{rng.randrange(3000)}"
                    r = rand()
                    life, life_date, residence, school = "alive", "\\N", here, "\\N"
                    enrolled = rand() < 0.9
                    if r < 0.01:
                        life, life_date = rng.choice(["deceased", "emigrated"]), "2030-05-01"
                    elif r < 0.015:
                        life, life_date = "moved_out", "2030-06-01"
                    elif r < 0.02:
                        residence = village((c + 1) % COUNTIES, 0, 0)  # moved in elsewhere
                    elif r < 0.03:
                        birth = DAY - dt.timedelta(days=rng.randrange(30, 200))
                        enrolled = rand() < 0.6
                    elif r < 0.13:
                        school = schools[f"BS{c}"]
                        birth = dt.date(2015, 1, 1) + dt.timedelta(days=rng.randrange(3000))
                        enrolled = rand() < 0.95
                    person(pid, name, birth, here, residence, life, life_date, school)
                    e(pid, THIS, pool)
                    if enrolled:
                        e(pid, NEXT, pool)
                        k = rand()
                        if k < 0.005:
                            e(pid, NEXT, "440300000000", "stopped", elsewhere="t",
                              stopped=f"{NEXT}-06-01")
                        elif k < 0.01:
                            e(pid, NEXT, pool, scheme="employee", start=f"{NEXT}-01-01",
                              end=f"{NEXT}-06-30")
                        elif k < 0.013:
                            e(pid, NEXT, other_pool, "stopped", stopped=f"{NEXT}-04-01")
                    if rand() < 0.01:
                        groups.write(f"{pid}\tlow_income\t2029-01-01\t\\N\t民政\n")
                    if rand() < 0.004 and pid < persons:  # a birth-certificate file beside
                        pid += 1
                        person(pid, name, birth, here, here, cert=True)
    copies = [
        ("COPY enrollment_person (id, id_type, id_number, id_number_bidx, birth_cert_number, "
         "birth_cert_bidx, name, name_initials, sex, birth_date, phone, hukou_region_id, "
         "residence_region_id, address, relation_to_head, life_status, life_status_date, "
         "life_status_source, school_id, created_at, updated_at) FROM STDIN", people),
        ("COPY enrollment_enrollment (person_id, year, scheme, pooling_region_id, elsewhere, "
         "status, paid_on, channel, payer_relation, in_concentrated_period, cover_start, "
         "cover_end, stopped_on, stop_reason, repair_years, rule_ids, explanation, "
         "case_details, determination, created_at, tier_code, credit_outstanding, elsewhere_code, "
         "elsewhere_name) FROM STDIN", enrol),
        ("COPY enrollment_persongroup (person_id, \"group\", start_date, end_date, source) "
         "FROM STDIN", groups)]
    with connection.cursor() as cursor:
        if persons_too:
            cursor.execute("TRUNCATE enrollment_finding, enrollment_findingnote, "
                           "enrollment_comparisonrun, enrollment_persongroup, "
                           "enrollment_enrollment, enrollment_person CASCADE")
        else:
            cursor.execute("SELECT life_status, count(*) FROM enrollment_person GROUP BY 1")
            there = dict(cursor.fetchall())
            if there != statuses:
                raise SystemExit(f"the persons there are not this seed's: {there} != {statuses}"
                                 "; regenerate with --fresh")
            copies = copies[1:]
        raw = cursor.cursor
        for sql, buf in copies:
            with raw.copy(sql) as copy:
                copy.write(buf.getvalue())
        cursor.execute("SELECT setval(pg_get_serial_sequence('enrollment_person', 'id'), %s)",
                       [pid])
        for table in ("person", "enrollment", "persongroup"):
            cursor.execute(f"ANALYZE enrollment_{table}")
    print(f"  generated {pid:,} persons in {time.perf_counter() - t0:.1f}s", flush=True)


def naive(prefix: str, limit: int) -> tuple[set, int]:
    """The simple way: for each person, a few ORM queries and the rules in Python."""
    from enrollment.models import Enrollment, Person, PersonGroup

    keys, count = set(), 0
    hardship = {"special_hardship", "orphan", "low_income", "monitored", "disability"}
    persons = Person.objects.filter(hukou_region__pk__startswith=prefix,
                                    merged_into__isnull=True).order_by("pk")[:limit]
    for p in persons:
        count += 1
        es = list(Enrollment.objects.filter(person=p))
        live = [x for x in es if x.status in ("awaiting", "active")]
        local = [x for x in live if x.scheme == "resident" and not x.elsewhere]
        gone_year = (p.life_status_date or DAY).year
        for x in local:
            if p.life_status not in ("alive", "moved_out", "merged") and x.year > gone_year:
                keys.add(("gone_enrolled", p.pk, None, x.year))
            if p.life_status == "moved_out" and x.year > gone_year:
                keys.add(("moved_out", p.pk, None, x.year))
            if (p.life_status == "alive" and x.year > DAY.year
                    and x.pooling_region_id[:6] != p.residence_region_id[:6]):
                keys.add(("moved_in", p.pk, None, x.year))
            for o in es:
                if o.pk == x.pk or o.status not in ("awaiting", "active", "stopped"):
                    continue
                s1, e1 = cover(x)
                s2, e2 = cover(o, open_ended=True)
                if not (s1 <= e2 and s2 <= e1):
                    continue
                if o.scheme == "resident" and o.year == x.year and o.elsewhere:
                    keys.add(("elsewhere_too", p.pk, None, x.year))
                if (o.scheme == "resident" and o.year == x.year and not o.elsewhere
                        and o.pooling_region_id != x.pooling_region_id):
                    keys.add(("two_regions", p.pk, None, x.year))
                if o.scheme == "employee" and o.year <= x.year and months3(max(s1, s2),
                                                                            min(e1, e2)):
                    keys.add(("employee_overlap", p.pk, None, x.year))
        if p.life_status != "alive":
            continue
        years = {x.year for x in live}
        for b in Person.objects.filter(name=p.name, birth_date=p.birth_date, pk__gt=p.pk,
                                       merged_into__isnull=True, life_status="alive"):
            if ((p.household_id and b.household_id == p.household_id)
                    or ((not p.id_number or not b.id_number)
                        and b.hukou_region_id[:12] == p.hukou_region_id[:12])):
                keys.add(("duplicate_person", p.pk, b.pk, NEXT))
        if NEXT not in years and any(
                g.group in hardship and g.start_date <= DAY and (g.end_date or DAY) >= DAY
                for g in PersonGroup.objects.filter(person=p)):
            keys.add(("hardship_unenrolled", p.pk, None, NEXT))
        if (DAY - dt.timedelta(days=365) < p.birth_date <= DAY - dt.timedelta(days=60)
                and not years & {p.birth_date.year, p.birth_date.year + 1}):
            keys.add(("newborn_unenrolled", p.pk, None, p.birth_date.year))
        if p.school_id and NEXT not in years:
            keys.add(("student_unenrolled", p.pk, None, NEXT))
    return keys, count


def cover(x, open_ended=False):
    end = x.cover_end or (dt.date.max if open_ended else dt.date(x.year, 12, 31))
    if x.status == "stopped" and x.stopped_on:
        end = min(end, x.stopped_on - dt.timedelta(days=1))
    return x.cover_start or dt.date(x.year, 1, 1), end


def months3(start, end) -> bool:
    month = start.month + 3
    year, month = start.year + (month - 1) // 12, (month - 1) % 12 + 1
    import calendar

    day = min(start.day, calendar.monthrange(year, month)[1])
    return end >= dt.date(year, month, day) - dt.timedelta(days=1)


def settings_part_persons() -> int:
    from enrollment.exchange import comparison_parts

    return comparison_parts.part_persons()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--naive", type=int, default=20_000)
    parser.add_argument("--fresh", action="store_true", help="regenerate the data")
    parser.add_argument("--per-township", action="store_true",
                        help="also time the former way, one part per township, first")
    args = parser.parse_args()
    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        print("bench/compare.py needs PostgreSQL (DATABASE_URL=postgres://…)")
        return 1
    migrated_database(url)
    from enrollment.exchange import comparison
    from enrollment.models import Enrollment, Finding, Person

    setup_regions()
    have = Person.objects.count()
    if args.fresh or not (0.99 * args.persons <= have <= 1.01 * args.persons):
        print(f"generating {args.persons:,} persons (COPY)…", flush=True)
        generate(args.persons)
    elif not Enrollment.objects.exists():
        print(f"{have:,} persons there but no enrollments (an earlier generation broke after the "
              "persons' COPY): generating the enrollments and groups of the same seed…", flush=True)
        generate(args.persons, persons_too=False)
    else:
        print(f"reusing {have:,} persons already in the bench database")
    Finding.objects.all().delete()
    persons = Person.objects.count()
    print(f"machine: {os.cpu_count()} cores, {loadavg()}", flush=True)
    township_ok = True
    if args.per_township:
        from django.conf import settings

        sized = settings.COMPARISON_PART_PERSONS
        settings.COMPARISON_PART_PERSONS = 1  # every township a part of its own, as before
        t0 = time.perf_counter()
        old = comparison.run_inline(region=None, day=DAY)
        old_seconds = time.perf_counter() - t0
        settings.COMPARISON_PART_PERSONS = sized
        print(f"per township (the former parts): {old_seconds:.1f}s ({old.parts_total} parts) "
              f"findings={old.findings} new={old.new}; {loadavg()}", flush=True)
        Finding.objects.all().delete()
    t0 = time.perf_counter()
    first = comparison.run_inline(region=None, day=DAY)
    seconds = time.perf_counter() - t0
    print(f"comparison: {persons:,} persons in {seconds:.1f}s ({first.parts_total} parts of up "
          f"to {settings_part_persons():,} persons, one transaction each) "
          f"findings={first.findings} new={first.new}; {loadavg()}", flush=True)
    if args.per_township:
        township_ok = old.findings == first.findings and old.new == first.new
        print(f"sized parts against one part per township: {old_seconds / seconds:.1f}x, "
              f"same findings: {'yes' if township_ok else 'NO'}")
    t0 = time.perf_counter()
    again = comparison.run_inline(region=None, day=DAY)
    seconds2 = time.perf_counter() - t0
    print(f"again: {seconds2:.1f}s findings={again.findings} new={again.new} "
          f"cleared={again.cleared}; {loadavg()}", flush=True)
    prefix = village(0, 0, 0)[:9]
    t0 = time.perf_counter()
    keys, counted = naive(prefix, args.naive)
    naive_seconds = time.perf_counter() - t0
    ids = Person.objects.filter(hukou_region__pk__startswith=prefix, merged_into__isnull=True
                                ).order_by("pk").values_list("pk", flat=True)[:args.naive]
    last = list(ids)[-1]
    sql_keys = {(f.kind, f.person_id, f.other_person_id, f.year) for f in Finding.objects.filter(
        region__pk__startswith=prefix, person_id__lte=last, status="open")}
    same = sql_keys == keys
    rate, naive_rate = persons / seconds, counted / naive_seconds
    print(f"naive: {counted:,} persons in {naive_seconds:.1f}s = {naive_rate:,.0f} persons/s "
          f"(per-person ORM and Python rules); same findings as the SQL there "
          f"({len(keys)}): {'yes' if same else 'NO'}; {loadavg()}")
    if not same:
        print(f"  only SQL: {sorted(sql_keys - keys)[:5]}  only naive: {sorted(keys - sql_keys)[:5]}")
    print(f"ratio: the SQL comparison is {rate / naive_rate:.0f}x faster per person than the "
          f"simple way ({loadavg()})")
    ok = same and township_ok and again.new == 0 and again.findings == first.findings
    if args.persons >= 1_000_000:
        ok = ok and seconds < 60
    print("OK" if ok else "NOT MET")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
