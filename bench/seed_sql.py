"""Seed a registry of N persons with SQL alone (generate_series), for the page measures at sizes
the Python seeders take too long for (10,000,000).

    .venv/bin/python bench/seed_sql.py --persons 10000000
    .venv/bin/python bench/plans.py --keep-ledger       # then the page measures on it

Uses DATABASE_URL (PostgreSQL; default postgres://postgres@127.0.0.1:5432/canbao_bench_10m,
created if missing), migrates, loads bench/dashboard.py's city (regions and its bench users),
then inserts the persons in one INSERT … SELECT with the person table's secondary indexes
dropped and rebuilt afterwards (names with their pinyin initials, spread over the 6,750
grids: see `NAME_SQL`), and ledger entries of 2027 for one person in four (the
un-enrolled of a campaign under way). With `--enrollments`, also 2024–2027 enrollments drawn as
bench/dashboard.py draws them (a coverage propensity per township, one person in seven in the
employee scheme, the 2027 campaign two-thirds done), so that the rollup refresh and the ledger
generation are measured at this size too (`bench/dashboard.py --skip-load`, `bench/plans.py
--ledger-only` on the same database). ID and phone numbers: every person carries the
same valid ciphertext (the pages decrypt what they show) and a unique blind index of its own;
person k's ID number blind index is the real one of 43 + k (16 digits), so a search by number
finds them as on bench/dashboard.py's data. Prints each step's time with the load average.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

from common import loadavg, migrated_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/canbao_bench_10m"
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰",
         "娟", "涛", "明", "超", "秀兰", "霞", "平", "刚", "桂英", "四", "三", "建国", "建华",
         "小红", "志强", "海燕", "玉兰", "春梅", "国庆", "文", "斌", "宇", "浩", "欣怡", "子涵",
         "梓萱"]
# A pool of given-name characters: 40 % of persons carry one of GIVEN (a few very common), the
# others two characters of the pool, so most three-character names have a handful of holders.
POOL = ("志明华国建文军平东海晓雪玲玉芬丽英红梅霞燕敏静娟婷雅琳佳欣宇浩然博涛磊鹏飞俊杰"
        "超辉刚勇毅诚德福禄寿喜春秋冬夏云天龙凤")
LEDGER_YEAR = 2027
# Skewed like a real registry: rank r of the surnames (and of GIVEN) is drawn with u², so 王
# and 李 are common and 贾 rare; hashint8 of the serial gives a fixed pseudo-random draw.
NAME_SQL = """
    CREATE TEMP TABLE seed_pick AS SELECT g,
      floor(%(ns)s * power((abs(hashint8(g)) %% 1000000) / 1e6, 2))::int AS s,
      CASE WHEN abs(hashint8(g + 7)) %% 100 < 40
           THEN floor(%(ng)s * power((abs(hashint8(g + 13)) %% 1000000) / 1e6, 2))::int
           ELSE %(ng)s + (abs(hashint8(g + 29)) %% %(npairs)s)::int END AS gv
    FROM generate_series(1::bigint, %(persons)s) AS g"""


# bench/dashboard.py's enrollments in SQL: hashint8 of the person and year are the draws.
# Propensity p per township (0.86–0.99); never enrolled: p + 3 % misses; a year missed: p + 2 %;
# 35 % of 2027 not yet paid (the campaign under way, today 23 November 2026); 15 % employee
# scheme, 2 % insured elsewhere; 2 % of resident enrollments awaiting payment.
ENROLLMENT_DRAWS = """
    SELECT p.id AS person_id, y AS year,
      substr(p.residence_region_id, 1, 6) || '000000' AS pooling,
      abs(hashint8(p.id * 3)) %% 100 < 15 AS employee,
      abs(hashint8(p.id * 5)) %% 100 < 2 AS elsewhere,
      abs(hashint8(p.id * 11 + y)) %% 100 < 2 AS awaiting,
      make_date(y - 1, 9, 1) + (abs(hashint8(p.id * 19 + y)) %% 122)::int AS paid
    FROM enrollment_person p CROSS JOIN generate_series(2024, 2027) AS y
    JOIN (SELECT DISTINCT substr(code, 1, 9) AS township,
            86 + abs(hashtext(substr(code, 1, 9))) %% 14 AS propensity
          FROM enrollment_region) t ON t.township = substr(p.residence_region_id, 1, 9)
    WHERE p.life_status = 'alive' AND extract(year FROM p.birth_date) <= y
      AND abs(hashint8(p.id)) %% 100 < t.propensity + 3
      AND abs(hashint8(p.id * 7 + y)) %% 100 < t.propensity + 2
      AND NOT (y = 2027 AND abs(hashint8(p.id * 17)) %% 100 < 35)"""
ENROLLMENT_VALUES = {
    "person_id": "d.person_id", "year": "d.year", "pooling_region_id": "d.pooling",
    "scheme": "CASE WHEN d.employee THEN 'employee' ELSE 'resident' END",
    "elsewhere": "d.elsewhere",
    "status": "CASE WHEN NOT d.employee AND d.awaiting THEN 'awaiting' ELSE 'active' END",
    "paid_on": "CASE WHEN d.employee OR d.awaiting THEN NULL ELSE d.paid END",
    "amount_paid": "CASE WHEN d.employee OR d.awaiting THEN NULL ELSE 400 END",
    "channel": "CASE WHEN d.employee THEN 'employer' ELSE 'individual' END",
    "in_concentrated_period": "NOT d.employee",
    "cover_start": "CASE WHEN d.employee THEN make_date(d.year, 1, 1) END",
    "benefit_start": "CASE WHEN d.employee THEN NULL ELSE make_date(d.year, 1, 1) END",
    "benefit_end": "CASE WHEN d.employee THEN NULL ELSE make_date(d.year, 12, 31) END",
}


def insert_enrollments(cur) -> int:
    """The enrollments of ENROLLMENT_DRAWS, every other column its field's default (as
    bench/dashboard.py's COPY gives them); the paid day of a year still being collected is
    never after bench/dashboard.py's today."""
    from dashboard import Copier
    from enrollment.models import Enrollment

    from django.db import connection

    copier = Copier(Enrollment, tuple(ENROLLMENT_VALUES))
    types = {f.column: f.db_type(connection) for f in Enrollment._meta.concrete_fields}
    columns, values, params = [], [], []
    for column in copier.columns:
        columns.append(f'"{column}"')
        if column in ENROLLMENT_VALUES:
            values.append(ENROLLMENT_VALUES[column])
        elif copier.defaults[column] == r"\N":
            values.append("NULL")
        else:  # COPY's text form of the default, cast as COPY would read it
            values.append(f"CAST(%s AS {types[column]})")
            params.append(copier.defaults[column])
    cur.execute(f"""
        INSERT INTO enrollment_enrollment ({", ".join(columns)})
        SELECT {", ".join(values)} FROM ({ENROLLMENT_DRAWS}) d
        WHERE d.paid <= DATE '2026-11-23' OR d.employee OR d.awaiting""", params)
    return cur.rowcount


def step(label: str, started: float) -> None:
    print(f"  {label}: {time.monotonic() - started:.1f} s; {loadavg()}", flush=True)


def drop_secondary_indexes(cur, table: str) -> list[tuple[str, str]]:
    """Drop the table's secondary indexes (unique ones and the key stay) for a bulk insert;
    returns their names and definitions for `rebuild`."""
    cur.execute("""SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
                   JOIN pg_class i ON i.oid = x.indexrelid WHERE x.indrelid = %s::regclass
                   AND NOT x.indisprimary AND NOT x.indisunique""", [table])
    dropped = cur.fetchall()
    for name, _ in dropped:
        cur.execute(f'DROP INDEX "{name}"')
    return dropped


def rebuild(cur, dropped: list[tuple[str, str]], *, each: bool = False) -> None:
    """Create the indexes `drop_secondary_indexes` dropped again (`each`: time each one)."""
    for name, definition in dropped:
        started = time.monotonic()
        # A partitioned table's index reads "ON ONLY": built that way it would cover no
        # partition.
        cur.execute(definition.replace(" ON ONLY ", " ON ", 1))
        if each:
            step(f"index {name}", started)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=10_000_000)
    parser.add_argument("--enrollments", action="store_true",
                        help="also 2024–2027 enrollments, for the refresh and the ledger")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench/seed_sql.py needs PostgreSQL", file=sys.stderr)
        return 2
    from dashboard import Copier, make_users, region_tree

    migrated_database(url)
    from django.db import connection, transaction

    from core import crypto
    from enrollment import regions
    from enrollment.models import Region
    from enrollment.pinyin import initials

    started = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("TRUNCATE enrollment_region, enrollment_person, enrollment_enrollment, "
                    "outreach_ledgerentry, outreach_task, outreach_batch, "
                    "outreach_gridassignment RESTART IDENTITY CASCADE")
    tree = region_tree()
    Copier(Region, ("code", "name", "level", "parent_id", "path")).run(
        (code, name, regions.level_of(code), parent, regions.prefix_of(code))
        for code, name, parent in tree)
    make_users()
    grids = [code for code, _, _ in tree if len(code) > 12]
    given = GIVEN + [a + b for a in POOL for b in POOL]
    cipher_id, cipher_phone = crypto.encrypt("430101199001011234"), crypto.encrypt("13800138000")
    print(f"{args.persons:,} persons over {len(grids):,} grids, {len(SURNAMES)} surnames × "
          f"{len(given):,} given names; "
          f"{loadavg()}", flush=True)
    # One transaction: a run stopped half-way leaves the indexes it dropped in place.
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SET LOCAL maintenance_work_mem = '512MB'")
        # Foreign keys checked per statement: an index cannot be built over pending checks.
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # index builds of this session
        # Drop the person table's secondary indexes while loading; rebuilt below.
        dropped = drop_secondary_indexes(cur, "enrollment_person")
        # Grids and names as small keyed tables joined by hash (subscripting a text[] of
        # thousands of elements walks it for every row).
        cur.execute("CREATE TEMP TABLE seed_grid AS SELECT k::int - 1 AS k, code FROM "
                    "unnest(%s::text[]) WITH ORDINALITY AS t(code, k)", [grids])
        # Initials of the surname as a surname (曾 is z) and of the given name, concatenated.
        cur.execute("CREATE TEMP TABLE seed_surname AS SELECT k::int - 1 AS k, name, initials "
                    "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(name, initials, k)",
                    [list(SURNAMES), [initials(n) for n in SURNAMES]])
        cur.execute("CREATE TEMP TABLE seed_given AS SELECT k::int - 1 AS k, name, initials "
                    "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS t(name, initials, k)",
                    [given, [initials("王" + n)[1:] for n in given]])
        cur.execute(NAME_SQL, {"ns": len(SURNAMES), "ng": len(GIVEN),
                               "npairs": len(given) - len(GIVEN), "persons": args.persons})
        for table in ("seed_grid", "seed_surname", "seed_given", "seed_pick"):
            cur.execute(f"ANALYZE {table}")
        t0 = time.monotonic()
        cur.execute("""
            INSERT INTO enrollment_person (id, id_type, id_number, id_number_bidx, name,
              name_initials, sex, birth_date, phone, phone_bidx, address, relation_to_head,
              life_status, life_status_source, hukou_region_id, residence_region_id,
              created_at, updated_at)
            SELECT g, 'resident_id', %(cid)s, 'seed' || g, ss.name || sv.name,
              ss.initials || sv.initials,
              CASE WHEN g %% 2 = 1 THEN 'M' ELSE 'F' END,
              DATE '1935-01-01' + (g * 7919 %% 33000)::int, %(cph)s, 'seedp' || g, '', '',
              CASE WHEN g %% 100 = 0 THEN 'deceased' ELSE 'alive' END, '',
              substr(sg.code, 1, 12), sg.code, now(), now()
            FROM generate_series(1::bigint, %(persons)s) AS g
            JOIN seed_grid sg ON sg.k = (g * 31) %% %(ng)s
            JOIN seed_pick sp USING (g)
            JOIN seed_surname ss ON ss.k = sp.s
            JOIN seed_given sv ON sv.k = sp.gv""",
                    {"cid": cipher_id, "cph": cipher_phone, "ng": len(grids),
                     "persons": args.persons})
        step(f"persons inserted ({args.persons:,})", t0)
        # The persons the page measures look up by number get their real blind indexes.
        t0 = time.monotonic()
        for pk in {1, args.persons // 2, args.persons * 9 // 10, args.persons}:
            cur.execute("UPDATE enrollment_person SET id_number_bidx = %s WHERE id = %s",
                        [crypto.blind_index(f"43{pk:016d}"), pk])
        cur.execute("SELECT setval(pg_get_serial_sequence('enrollment_person', 'id'), %s)",
                    [args.persons])
        rebuild(cur, dropped, each=True)
        step("person indexes rebuilt", t0)
        t0 = time.monotonic()
        dropped = drop_secondary_indexes(cur, "outreach_ledgerentry")
        cur.execute("""
            INSERT INTO outreach_ledgerentry (year, side, separated, name, id_number,
              id_number_bidx, phone, phone_bidx, reason, reason_note, status, created_at,
              updated_at, person_id, region_id, grid_id)
            SELECT %s, 'residence', false, p.name, p.id_number, p.id_number_bidx, p.phone,
              p.phone_bidx, '', '', 'open', now(), now(), p.id, substr(p.residence_region_id,
              1, 12), p.residence_region_id
            FROM enrollment_person p WHERE p.id %% 4 = 1 AND p.life_status = 'alive'""",
                    [LEDGER_YEAR])
        step(f"ledger entries of {LEDGER_YEAR} (one person in four)", t0)
        t0 = time.monotonic()
        rebuild(cur, dropped)
        step("ledger indexes rebuilt", t0)
        if args.enrollments:
            t0 = time.monotonic()
            dropped = drop_secondary_indexes(cur, "enrollment_enrollment")
            n = insert_enrollments(cur)
            rebuild(cur, dropped)
            step(f"enrollments of 2024–2027 ({n:,}) with their indexes", t0)
    # After the load's transaction (VACUUM cannot run inside one), and VACUUM as well as
    # ANALYZE: the list's and the name search's walks are index-only (person_res_name_id covers
    # them) only where the visibility map says so, which a live registry's autovacuum keeps and
    # a table loaded a minute ago lacks (10M: 166,476 heap fetches, 215 ms, for a walk that
    # reads the index alone in a few ms).
    t0 = time.monotonic()
    with connection.cursor() as cur:
        cur.execute("VACUUM (ANALYZE)")
    step("VACUUM (ANALYZE)", t0)
    print(f"seeded in {time.monotonic() - started:.1f} s; {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
