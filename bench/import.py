"""Benchmark of the 公安 person import, end to end, against django-import-export.

    .venv/bin/python bench/import.py [--rows 1000000] [--baseline 20000] [--workers 2]

Generates an N-row person CSV (valid ID numbers from enrollment.idnumbers.make_unique_id, every
column of the persons feed, households of three, one in ten living in another village, six in
ten with a phone) over a seeded region tree of 2,000 villages, into PostgreSQL (DATABASE_URL,
default postgres://postgres@127.0.0.1:5432/canbao_bench_import, created if missing; the persons
are emptied first). Then, timed:

- bulk: `enrollment.exchange.bulk.import_person_csv` on the file: read streamed, check (ID check
  digits, birth date and sex against the ID, regions exist and are in scope), encrypt, COPY into
  staging on `--workers` processes, duplicates and scope in SQL, upsert set-based with history
  rows, one audit entry. Prints rows/s, the phases, and the peak memory (ru_maxrss of this
  process and of its workers): the file is never held whole.
- bulk again: the same file; must report created=0 updated=0.
- baseline: django-import-export's default import (a plain ModelResource over the same columns,
  `clean_model_instances` on so that it checks the same ID rules through Person.clean) of
  `--baseline` rows of a file of the same shape, on as many processes, each importing its share.
It checks its answers (persons in the database = rows in the file; the second run created
nothing; the baseline's rows arrived), prints every figure with the load average (the machine is
shared: figures vary with load, the ratio measured in the same run is what holds), and the ratio.
Target: >= 100,000 rows/s at 1,000,000 rows, peak memory < 500 MB.
"""
from __future__ import annotations

import argparse
import datetime as dt
import multiprocessing
import os
import resource
import sys
import time
from pathlib import Path

from common import loadavg, migrated_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/canbao_bench_import"
CITY = "430100000000"
COUNTIES, TOWNSHIPS, VILLAGES = 10, 10, 20
HEADERS = ["证件号码", "姓名", "性别", "出生日期", "户籍地区划代码", "常住地区划代码", "户号",
           "与户主关系", "住址", "联系电话"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚桂英华建国红梅玉兰志文斌浩宇欣怡子轩雨萱"
BASELINE_SERIAL = 4_000_000  # the baseline's ID numbers never meet the bulk file's


def peak_mb() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) / 1024


def village_codes() -> list[str]:
    return [f"4301{c + 1:02d}{t + 1:03d}{v + 1:03d}" for c in range(COUNTIES)
            for t in range(TOWNSHIPS) for v in range(VILLAGES)]


def seed_regions() -> None:
    from enrollment import regions
    from enrollment.models import Region

    tree = [("430000000000", "湖南省"), (CITY, "长沙市")]
    for c in range(COUNTIES):
        county = f"4301{c + 1:02d}000000"
        tree.append((county, f"测试县{c + 1}"))
        for t in range(TOWNSHIPS):
            tree.append((f"{county[:6]}{t + 1:03d}000", f"测试镇{c + 1}-{t + 1}"))
    tree += [(code, f"测试村{code[-6:]}") for code in village_codes()]
    have = set(Region.objects.values_list("code", flat=True))
    Region.objects.bulk_create([
        Region(code=code, name=name, parent_id=regions.parent_code(code),
               level=regions.level_of(code), path=regions.prefix_of(code))
        for code, name in tree if code not in have])


def importer():
    from enrollment.models import Role, User

    user, _ = User.objects.get_or_create(username="bench_importer", defaults={
        "role": Role.COUNTY_ADMIN, "region_id": CITY, "is_staff": True,
        "last_name": "导入基准"})
    return user


def write_csv(path: Path, rows: int, first_serial: int) -> None:
    """The file, written as it is generated (never held in memory)."""
    from enrollment import idnumbers

    villages = village_codes()
    relations = ["户主", "配偶", "子女"]
    with open(path, "w", encoding="utf-8", newline="") as fh:
        fh.write(",".join(HEADERS) + "\n")
        for i in range(rows):
            serial = first_serial + i
            sex = "MF"[i % 2]
            birth = dt.date(1940, 1, 1) + dt.timedelta(days=(serial * 7919) % 29000)
            household, member = divmod(i, 3)
            village = villages[household % len(villages)]
            residence = villages[(household + 7) % len(villages)] if household % 10 == 0 else ""
            name = (SURNAMES[household % len(SURNAMES)] + GIVEN[serial % len(GIVEN)]
                    + GIVEN[(serial // 7) % len(GIVEN)] * (serial % 2))
            phone = f"13{serial % 1_000_000_000:09d}" if i % 10 < 6 else ""
            fh.write(f"{idnumbers.make_unique_id(serial, birth, sex)},{name},"
                     f"{'男' if sex == 'M' else '女'},{birth.isoformat()},{village},{residence},"
                     f"{first_serial // 1000}{household:07d},{relations[member]},"
                     f"{village[-6:]}村{member + 1}组,{phone}\n")


def empty_registry() -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE enrollment_person, enrollment_historicalperson, "
                       "enrollment_household, enrollment_historicalhousehold CASCADE")


def run_bulk(path: Path, workers: int):
    from enrollment.exchange.base import Context
    from enrollment.exchange.bulk import import_person_csv

    ctx = Context(actor=importer(), today=dt.date.today(), source="公安户籍（基准测试）")
    started = time.perf_counter()
    result = import_person_csv(path, ctx, workers=workers)
    return result, time.perf_counter() - started


def compare_rebuild(path: Path, args) -> bool:
    """The first import again, into the emptied registry (TRUNCATE … CASCADE empties the
    audit too), writing through every index (the path of a file small against the registry):
    the same rows must arrive."""
    from enrollment.exchange import index_rebuild
    from enrollment.models import Person

    empty_registry()
    worth_it = index_rebuild.worth_it
    index_rebuild.worth_it = lambda *args, **kwargs: False
    try:
        result, seconds = run_bulk(path, args.workers)
    finally:
        index_rebuild.worth_it = worth_it
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
    ok = result.written and result.outcome.created == args.rows == Person.objects.count()
    print(f"bulk, indexes written through (no rebuild): {args.rows:,} rows in {seconds:.1f}s = "
          f"{args.rows / seconds:,.0f} rows/s ({phases}) created={result.outcome.created}; "
          f"indexes built after the rows: {'yes' if result.indexes_rebuilt else 'no'}; "
          f"{loadavg()}", flush=True)
    return ok and not result.indexes_rebuilt


# --- The baseline: django-import-export's default import ------------------------------------

def plain_resource():
    from import_export import fields, resources, widgets

    from enrollment.models import Person, Region

    class SexWidget(widgets.Widget):
        def clean(self, value, row=None, **kwargs):
            return {"男": "M", "女": "F"}.get(value, value)

    class PlainPersonResource(resources.ModelResource):
        id_number = fields.Field("id_number", "证件号码")
        name = fields.Field("name", "姓名")
        sex = fields.Field("sex", "性别", widget=SexWidget())
        birth_date = fields.Field("birth_date", "出生日期", widget=widgets.DateWidget("%Y-%m-%d"))
        hukou_region = fields.Field("hukou_region", "户籍地区划代码",
                                    widget=widgets.ForeignKeyWidget(Region, "code"))
        residence_region = fields.Field("residence_region", "户籍地区划代码",
                                        widget=widgets.ForeignKeyWidget(Region, "code"))
        address = fields.Field("address", "住址")
        phone = fields.Field("phone", "联系电话")

        class Meta:
            model = Person
            import_id_fields = ["id_number"]
            fields = ["id_number", "name", "sex", "birth_date", "hukou_region",
                      "residence_region", "address", "phone"]
            clean_model_instances = True

        def after_import(self, dataset, result, **kwargs):
            # The default resets the id sequence to the max(id) its own transaction sees; with
            # two processes importing at once that moves the sequence back under the other
            # process's uncommitted rows (a duplicate primary key). One statement per import:
            # leaving it out changes nothing measured.
            pass

    return PlainPersonResource()


def _baseline_part(text: str) -> int:
    import tablib

    dataset = tablib.Dataset().load(text, format="csv")
    result = plain_resource().import_data(dataset, dry_run=False, raise_errors=True)
    return result.totals["new"]


def _child_init() -> None:
    from django.db import connections

    connections.close_all()


def run_baseline(path: Path, workers: int) -> tuple[int, float]:
    from django.db import connections

    lines = path.read_text(encoding="utf-8").splitlines()
    header, body = lines[0], lines[1:]
    size = -(-len(body) // workers)
    parts = ["\n".join([header] + body[i:i + size]) for i in range(0, len(body), size)]
    started = time.perf_counter()
    if workers > 1:
        connections.close_all()
        with multiprocessing.get_context("fork").Pool(workers, _child_init) as pool:
            created = pool.map(_baseline_part, parts, chunksize=1)
    else:
        created = [_baseline_part(p) for p in parts]
    return sum(created), time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--baseline", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--compare-rebuild", action="store_true",
                        help="import the file once more into the emptied registry with the "
                             "indexes kept (written through), for the same run's comparison")
    args = parser.parse_args()

    url = os.environ.get("BENCH_DATABASE_URL") or os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith("postgres"):
        print("bench/import.py needs PostgreSQL (DATABASE_URL=postgres://…)")
        return 1
    migrated_database(url)
    from enrollment.models import AuditEntry, Person

    seed_regions()
    importer()
    path = Path(f"/tmp/canbao_bench_import_{args.rows}_{os.getpid()}.csv")
    t0 = time.perf_counter()
    write_csv(path, args.rows, 1)
    print(f"generated {args.rows:,} rows ({path.stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - t0:.1f}s; machine: {os.cpu_count()} cores, {loadavg()}",
          flush=True)
    empty_registry()
    audits = AuditEntry.objects.filter(action="import").count()

    result, seconds = run_bulk(path, args.workers)
    rate = args.rows / seconds
    phases = ", ".join(f"{k} {v:.1f}s" for k, v in result.seconds.items())
    o = result.outcome
    print(f"bulk: {args.rows:,} rows in {seconds:.1f}s = {rate:,.0f} rows/s ({args.workers} "
          f"processes; {phases}) created={o.created} updated={o.updated} "
          f"unchanged={o.unchanged} rejected={result.rejected}; indexes built after the rows: "
          f"{'yes' if result.indexes_rebuilt else 'no'}; peak memory {peak_mb():.0f} MB; "
          f"{loadavg()}", flush=True)
    in_db = Person.objects.count()
    again, seconds2 = run_bulk(path, args.workers)
    a = again.outcome
    print(f"bulk again: {seconds2:.1f}s = {args.rows / seconds2:,.0f} rows/s created={a.created} "
          f"updated={a.updated} unchanged={a.unchanged}; indexes built after the rows: "
          f"{'yes' if again.indexes_rebuilt else 'no'}; peak memory {peak_mb():.0f} MB; "
          f"{loadavg()}", flush=True)
    peak = peak_mb()
    audits_ok = AuditEntry.objects.filter(action="import").count() == audits + 2
    plain_ok = True
    if args.compare_rebuild:
        plain_ok = compare_rebuild(path, args)

    base_path = Path(f"/tmp/canbao_bench_import_baseline_{args.baseline}_{os.getpid()}.csv")
    write_csv(base_path, args.baseline, BASELINE_SERIAL)
    created, base_seconds = run_baseline(base_path, args.workers)
    base_rate = created / base_seconds
    base_ok = created == args.baseline and Person.objects.count() == in_db + args.baseline
    print(f"baseline: django-import-export default import, {created:,} rows in "
          f"{base_seconds:.1f}s = {base_rate:,.0f} rows/s ({args.workers} processes, plain "
          f"ModelResource, clean_model_instances); all rows arrived: "
          f"{'yes' if base_ok else 'NO'}; {loadavg()}", flush=True)
    ratio = rate / base_rate
    print(f"ratio: bulk is {ratio:.0f}x faster per row than django-import-export's default "
          f"import (both on {args.workers} processes, same machine, same run; {loadavg()})")
    ok = (result.written and again.written and in_db == args.rows == o.created
          and a.created == 0 and a.updated == 0 and a.unchanged == args.rows and base_ok
          and plain_ok and audits_ok)
    print(f"answers checked (persons in the database = rows in the file, second run created=0 "
          f"updated=0, baseline rows arrived, one audit entry per import): "
          f"{'yes' if ok else 'NO'}")
    if args.rows >= 1_000_000:
        met = ok and rate >= 100_000 and peak < 500
        print(f"targets (1M >= 100,000 rows/s, peak < 500 MB): {'met' if met else 'NOT met'}")
    path.unlink(missing_ok=True)
    base_path.unlink(missing_ok=True)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
