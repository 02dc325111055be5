"""Dashboard benchmark: rollup refresh time and page server time at city scale.

    .venv/bin/python bench/dashboard.py --persons 1000000

Uses DATABASE_URL (PostgreSQL only; default postgres://postgres@127.0.0.1:5432/
canbao_bench_dashboard, created if missing), migrates, replaces the registry with a generated
city (1 city, 10 counties, townships, villages, grids) loaded with COPY, refreshes the rollups
(the nightly refresh: every coverage year), then times the dashboard page at city, county and
township level with the Django test client, and the same table computed live with ONE GROUP BY
over persons and enrollments (the best simple alternative, checked to give the rollups' rows), and
the touched refresh of one village. Every figure is printed with the load average.
Targets: refresh < 60 s, page p95 < 150 ms.
"""
from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import random
import statistics
import sys
import time

from common import loadavg, migrated_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/canbao_bench_dashboard"

COUNTIES, TOWNSHIPS, VILLAGES, GRIDS = 10, 15, 15, 3
TODAY = dt.date(2026, 11, 23)  # fixed: inside the 2027 collection period
YEARS = (2024, 2025, 2026, 2027)
REFRESH_TARGET_S, P95_TARGET_MS = 60.0, 150.0


# --- Data generation -----------------------------------------------------------------------

def _text(value) -> str:
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, (dict, list)):
        value = json.dumps(value, ensure_ascii=False)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


class Copier:
    """COPY rows of a model: every concrete column, given values or the field's default."""

    def __init__(self, model, values: tuple[str, ...]):
        from django.db.models import NOT_PROVIDED

        self.model = model
        self.columns = [f.column for f in model._meta.concrete_fields
                        if not (f.primary_key and f.column not in values)]
        self.given = [c in values for c in self.columns]
        fields = {f.column: f for f in model._meta.concrete_fields}
        self.defaults = {}
        for column in self.columns:
            if column in values:
                continue
            field = fields[column]
            if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
                self.defaults[column] = _text(dt.datetime.now(dt.timezone.utc))
            elif field.default is not NOT_PROVIDED:
                default = field.default() if callable(field.default) else field.default
                self.defaults[column] = _text(default)
            elif field.null:
                self.defaults[column] = r"\N"
            else:
                self.defaults[column] = ""  # blank CharField
        self.order = values

    def run(self, rows, batch: int = 200_000) -> int:
        from django.db import connection

        connection.ensure_connection()
        index = {c: i for i, c in enumerate(self.order)}
        sql = (f"COPY {self.model._meta.db_table} ({', '.join(chr(34) + c + chr(34) for c in self.columns)}) FROM STDIN")
        count = 0
        with connection.connection.cursor() as cur, cur.copy(sql) as copy:
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(
                    _text(row[index[c]]) if c in index else self.defaults[c]
                    for c in self.columns))
                buffer.write("\n")
                count += 1
                if count % batch == 0:
                    copy.write(buffer.getvalue())
                    buffer = io.StringIO()
            copy.write(buffer.getvalue())
        return count


def region_tree():
    """Codes and names: province, city, counties, townships, villages, grids."""
    rows = [("430000000000", "湖南省", None), ("430100000000", "示范市", "430000000000")]
    for c in range(1, COUNTIES + 1):
        county = f"4301{c:02d}000000"
        rows.append((county, f"第{c}县", "430100000000"))
        for t in range(1, TOWNSHIPS + 1):
            township = f"{county[:6]}{100 + t:03d}000"
            rows.append((township, f"{c}县{t}镇", county))
            for v in range(1, VILLAGES + 1):
                village = f"{township[:9]}{v:03d}"
                rows.append((village, f"{c}-{t}-{v}村", township))
                for g in range(1, GRIDS + 1):
                    rows.append((f"{village}{g:03d}", f"{c}-{t}-{v}村{g}网格", village))
    return rows


def load(persons: int, seed: int) -> dict:
    from django.db import connection

    from core import crypto
    from enrollment import regions
    from enrollment.models import Enrollment, Person, PersonGroup, Region, School

    rng = random.Random(seed)
    with connection.cursor() as cur:
        cur.execute("TRUNCATE enrollment_region, enrollment_person, enrollment_enrollment, "
                    "enrollment_persongroup, enrollment_school, dashboards_coveragerollup, "
                    "dashboards_dailycollection, dashboards_funnelrollup, "
                    "enrollment_officialpopulation RESTART IDENTITY CASCADE")
    tree = region_tree()
    Copier(Region, ("code", "name", "level", "parent_id", "path")).run(
        (code, name, regions.level_of(code), parent, regions.prefix_of(code))
        for code, name, parent in tree)
    villages = [code for code, _, _ in tree if len(code) == 12 and regions.level_of(code) ==
                regions.VILLAGE]
    schools = Copier(School, ("code", "name", "kind", "region_id")).run(
        (f"S{i:05d}", f"第{i}中学", "primary", villages[i * 37 % len(villages)])
        for i in range(1, 201))
    # Each township has its own coverage propensity, so the rankings have something to rank.
    propensity = {v[:9]: rng.uniform(0.86, 0.99) for v in villages}
    people = []  # (pk, residence code, birth date, alive, student)
    day0 = dt.date(1935, 1, 1)

    def persons_rows():
        for pk in range(1, persons + 1):
            village = villages[rng.randrange(len(villages))]
            code = village if rng.random() < 0.05 else f"{village}{rng.randint(1, GRIDS):03d}"
            if rng.random() < 0.012:
                birth = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randint(0, 320))
            else:
                birth = day0 + dt.timedelta(days=rng.randint(0, 33000))
            alive = rng.random() > 0.01
            student = 6 <= 2026 - birth.year <= 22 and rng.random() < 0.6
            sex = "M" if pk % 2 else "F"
            people.append((pk, code, birth, alive, student))
            number = f"43{pk:016d}"  # stored encrypted with its blind index, as the app does
            yield (crypto.encrypt(number), crypto.blind_index(number), "resident_id", "张三",
                   "zs", sex, birth, "", village, code,
                   "", "" , (pk % schools) + 1 if student else None,
                   "alive" if alive else "deceased", "")

    started = time.monotonic()
    n = Copier(Person, ("id_number", "id_number_bidx", "id_type", "name", "name_initials", "sex", "birth_date",
                        "phone", "hukou_region_id", "residence_region_id", "address",
                        "relation_to_head", "school_id", "life_status",
                        "life_status_source")).run(persons_rows())
    print(f"  persons: {n:,} in {time.monotonic() - started:.1f} s")

    def enrollment_rows():
        for pk, code, birth, alive, student in people:
            p = propensity[code[:9]] + (0.02 if student else 0)
            never = rng.random() > p + 0.03
            employee = rng.random() < 0.15
            elsewhere = rng.random() < 0.02
            for year in YEARS:
                if birth.year > year or never or rng.random() > p + 0.02:
                    continue
                if year == 2027 and rng.random() < 0.35:  # the 2027 campaign is under way
                    continue
                pooling = f"{code[:6]}000000"
                if employee:
                    yield (pk, year, "employee", pooling, elsewhere, "active", None, None,
                           "employer", False, dt.date(year, 1, 1), None, None)
                    continue
                if birth.year == year:
                    paid = birth + dt.timedelta(days=rng.randint(3, 120))
                else:
                    paid = dt.date(year - 1, 9, 1) + dt.timedelta(days=rng.randint(0, 121))
                late = rng.random() < 0.05
                if late:
                    paid = dt.date(year, rng.randint(1, 6), rng.randint(1, 28))
                if paid > TODAY:
                    continue
                status = "awaiting" if rng.random() < 0.02 else "active"
                start = (dt.date(year, paid.month, 1) + dt.timedelta(days=95)).replace(day=1) \
                    if late else dt.date(year, 1, 1)
                yield (pk, year, "resident", pooling, elsewhere, status,
                       paid if status == "active" else None, 400 if status == "active" else None,
                       "individual", not late, None, start, dt.date(year, 12, 31))

    started = time.monotonic()
    e = Copier(Enrollment, ("person_id", "year", "scheme", "pooling_region_id", "elsewhere",
                            "status", "paid_on", "amount_paid", "channel",
                            "in_concentrated_period", "cover_start", "benefit_start",
                            "benefit_end")).run(enrollment_rows())
    print(f"  enrollments: {e:,} in {time.monotonic() - started:.1f} s")
    g = Copier(PersonGroup, ("person_id", "group", "start_date", "source")).run(
        (pk, rng.choice(["special_hardship", "low_income", "monitored", "orphan"]),
         dt.date(2024, 1, 1), "民政局")
        for pk, *_ in people if rng.random() < 0.05)
    with connection.cursor() as cur:
        # A live registry's autovacuum has set the visibility map long before a ledger run or a
        # page reads the tables (this machine's PostgreSQL runs with autovacuum off, in its
        # conf.d): vacuum what was loaded, as bench/seed_sql.py does, so that index-only reads
        # are measured as they run in production (1M, the ledger's anti-join: 371 ms of heap
        # reads a part without the map, 125 ms with it).
        cur.execute("VACUUM (ANALYZE)")
    return {"persons": n, "enrollments": e, "groups": g, "regions": len(tree)}


def make_users() -> dict:
    from enrollment.models import Role, User

    User.objects.filter(username__startswith="bench_").delete()
    template = User(username="x")
    template.set_password("bench-pass")
    users = {
        "city": User(username="bench_city", role=Role.CITY_LEADER, region_id="430100000000"),
        "county": User(username="bench_county", role=Role.COUNTY_ADMIN,
                       region_id="430101000000"),
        "township": User(username="bench_township", role=Role.TOWNSHIP_OFFICER,
                         region_id="430101101000"),
    }
    workers = [User(username=f"bench_grid_{i}", role=Role.GRID_WORKER,
                    region_id=f"4301{c:02d}{100 + t:03d}{v:03d}{g:03d}")
               for i, (c, t, v, g) in enumerate(
                   (c, t, v, g) for c in range(1, COUNTIES + 1) for t in range(1, TOWNSHIPS + 1)
                   for v in range(1, VILLAGES + 1) for g in range(1, GRIDS + 1))]
    for u in [*users.values(), *workers]:
        u.password = template.password
        u.is_staff = True
    User.objects.bulk_create([*users.values(), *workers], batch_size=2000)
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("ANALYZE enrollment_user")
    print(f"  users: 3 leaders/officers and {len(workers):,} grid workers")
    return {k: User.objects.get(username=u.username) for k, u in users.items()}


# --- Timing --------------------------------------------------------------------------------

def percentile(values, p):
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def bench_login(client, user) -> None:
    """Log in; an account that must present a second factor (the county administrator) is
    marked as having presented it, as the test suite does."""
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from enrollment import scope

    client.force_login(user)
    if scope.requires_otp(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="bench",
                                                     defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()


def time_pages(users: dict, requests: int) -> dict:
    from django.test import Client

    results = {}
    for level, user in users.items():
        client = Client()
        bench_login(client, user)
        for _ in range(2):  # warm up: connection, templates, caches
            assert client.get("/dashboards/", {"year": 2026}).status_code == 200
        times = []
        for _ in range(requests):
            started = time.perf_counter()
            response = client.get("/dashboards/", {"year": 2026})
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        results[level] = times
    return results


_LIVE_SQL = """
SELECT substr(p.residence_region_id, 1, %(child)s) AS code,
  COUNT(*) AS persons,
  COUNT(e.person_id) AS covered,
  SUM(COALESCE(e.resident, 0)) AS resident,
  SUM(COALESCE(e.employee, 0)) AS employee,
  SUM(COALESCE(e.elsewhere, 0)) AS elsewhere,
  SUM(COALESCE(e.paid, 0)) AS paid
FROM enrollment_person p
LEFT JOIN (
  SELECT person_id,
    MAX(CASE WHEN scheme = 'resident' AND NOT elsewhere THEN 1 ELSE 0 END) AS resident,
    MAX(CASE WHEN scheme = 'employee' AND NOT elsewhere THEN 1 ELSE 0 END) AS employee,
    MAX(CASE WHEN elsewhere THEN 1 ELSE 0 END) AS elsewhere,
    MAX(CASE WHEN status = 'active' THEN 1 ELSE 0 END) AS paid
  FROM enrollment_enrollment
  WHERE year = %(year)s AND status IN ('awaiting', 'active')
  GROUP BY person_id
) e ON e.person_id = p.id
WHERE p.life_status = 'alive' AND p.residence_region_id LIKE %(like)s
GROUP BY 1 ORDER BY 1
"""
LIVE_COLUMNS = ("persons", "covered", "resident", "employee", "elsewhere", "paid")


def live_table(code: str, year: int) -> dict:
    """The dashboard table of a region (its children's main figures) computed live in ONE
    GROUP BY over persons and enrollments: the best simple alternative to the rollups."""
    from django.db import connection

    from enrollment import regions

    prefix = regions.prefix_of(code)
    child = min(n for n in regions.LEVEL_LENGTH.values() if n > len(prefix))
    with connection.cursor() as cur:
        cur.execute(_LIVE_SQL, {"child": child, "year": year, "like": prefix + "%"})
        return {row[0].ljust(regions.CODE_LENGTH, "0"): tuple(row[1:]) for row in cur.fetchall()}


def rollup_table(code: str, year: int) -> dict:
    from dashboards.models import CoverageRollup

    return {r[0]: r[1:] for r in CoverageRollup.objects.filter(year=year, parent_code=code)
            .order_by("region_id").values_list("region_id", *LIVE_COLUMNS)}


def time_live(users: dict, repeats: dict) -> tuple[dict, bool]:
    """Time the live GROUP BY for each level and check it gives the rollups' rows."""
    same = True
    results = {}
    for level, user in users.items():
        times = []
        for _ in range(repeats[level]):
            started = time.perf_counter()
            live = live_table(user.region_id, 2026)
            times.append((time.perf_counter() - started) * 1000)
        same = same and live == rollup_table(user.region_id, 2026)
        results[level] = times
    return results, same


def time_touched(village: str) -> tuple[float, int]:
    """Mark every person of one village changed and refresh the regions touched (the village
    and its ancestors, one short transaction): the path a day's registrations take."""
    from django.utils import timezone

    from dashboards import regional
    from enrollment.models import Person

    since = timezone.now()
    n = Person.objects.filter(residence_region__pk__startswith=village).update(
        inputs_changed_at=since)
    started = time.monotonic()
    regional.refresh_touched(since=since, today=TODAY, years=[2026, 2027])
    return time.monotonic() - started, n


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=30)
    parser.add_argument("--live-repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=20261123)
    parser.add_argument("--skip-load", action="store_true",
                        help="keep the data of the previous run")
    args = parser.parse_args()

    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench/dashboard.py needs PostgreSQL (DATABASE_URL=postgres://…)", file=sys.stderr)
        return 2
    migrated_database(url)
    if not args.skip_load:
        print(f"loading {args.persons:,} persons …")
        started = time.monotonic()
        print(f"  {load(args.persons, args.seed)} in {time.monotonic() - started:.1f} s")
        users = make_users()
    else:
        from enrollment.models import User

        users = {k: User.objects.get(username=f"bench_{k}")
                 for k in ("city", "county", "township")}

    from dashboards import rollups

    from dashboards.models import CoverageRollup, DailyCollection

    started = time.monotonic()
    run = rollups.refresh(reason="bench", today=TODAY, full=True)
    full_s = time.monotonic() - started
    print(f"rollup refresh (full, every curve): {full_s:.1f} s for years {run.years} "
          f"({CoverageRollup.objects.count():,} rollup rows, "
          f"{DailyCollection.objects.count():,} daily rows); {loadavg()}", flush=True)
    started = time.monotonic()
    rollups.refresh(reason="bench", today=TODAY)
    refresh_s = time.monotonic() - started
    print(f"rollup refresh (nightly: every year's numbers, open collection curves): "
          f"{refresh_s:.1f} s; {loadavg()}", flush=True)

    before = sorted(CoverageRollup.objects.filter(year=2026).values_list(
        "region_id", "persons", "covered", "resident", "paid"))
    touched_s, touched_n = time_touched("430101101001")
    after = sorted(CoverageRollup.objects.filter(year=2026).values_list(
        "region_id", "persons", "covered", "resident", "paid"))
    print(f"touched refresh (one village, {touched_n:,} persons marked, and its ancestors, "
          f"2 years): {touched_s:.2f} s; same numbers as the full refresh: "
          f"{'yes' if before == after else 'NO'}; {loadavg()}", flush=True)

    pages = time_pages(users, args.requests)
    live, same = time_live(users, {"city": args.live_repeats, "county": args.live_repeats,
                                   "township": args.live_repeats})
    print(f"live = one GROUP BY over persons and enrollments for the region's children (the "
          f"best simple alternative, 1 process like the page); same rows as the rollups: "
          f"{'yes' if same else 'NO'}")
    ok = refresh_s < REFRESH_TARGET_S and same and before == after
    print(f"\n{'level':<10}{'page median':>13}{'page p95':>11}{'live median':>14}"
          f"{'live p95':>11}{'live/page':>11}")
    for level in pages:
        med, p95 = statistics.median(pages[level]), percentile(pages[level], 95)
        lmed, lp95 = statistics.median(live[level]), percentile(live[level], 95)
        ok = ok and p95 < P95_TARGET_MS
        print(f"{level:<10}{med:>11.1f}ms{p95:>9.1f}ms{lmed:>12.1f}ms{lp95:>9.1f}ms"
              f"{lmed / med:>10.0f}x")
    print(f"\n{loadavg()}; persons {args.persons:,}; refresh {refresh_s:.1f} s (target < {REFRESH_TARGET_S:.0f} s);"
          f" page p95 target < {P95_TARGET_MS:.0f} ms; {args.requests} requests per level,"
          f" live {args.live_repeats} per level -> {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
