"""Query plans and server times of the pages, on the city that bench/dashboard.py loads.

    .venv/bin/python bench/dashboard.py --persons 100000      # loads the city (once)
    .venv/bin/python bench/plans.py                           # then this, on the same database

Uses DATABASE_URL (PostgreSQL; default postgres://postgres@127.0.0.1:5432/canbao_bench_dashboard).
Generates the un-enrolled ledger of the city (a full run, then an incremental rerun, each timed and
checked against one anti-join), pushes a batch of tasks to grid workers, then opens each page as
its user with the Django test client: prints the median and p95 server time and writes the
EXPLAIN (ANALYZE, BUFFERS) of every query the page ran on the registry tables to
bench/plans/<page>.txt (refreshed by every run; the size and load average are in each file;
`--out bench/plans/2m` for a registry of another size). The name and initials searches are
checked against the simple way (every holder in scope ordered as the list, pages 1 and 2) and
the result printed.
"""
from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

from common import ROOT, loadavg, setup_django

PLANS = ROOT / "bench" / "plans"
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/canbao_bench_dashboard"
YEAR = 2027
BIG_TABLES = ("enrollment_person", "outreach_ledgerentry", "outreach_task",
              "dashboards_coveragerollup", "enrollment_enrollment")


def _part_worker(args) -> tuple:
    """One process of the bench's pool: its own Django and connection, one part per call."""
    url, run_id, prefixes = args
    setup_django(url)
    from django.db import connection

    from outreach.services import ledger as ledger_services

    finished = ledger_services.ledger_part_execute(run_id=run_id, prefixes=prefixes)
    connection.close()
    return finished


def _generate(city, actor, *, full: bool, processes: int, url: str) -> dict:
    """The full or incremental run, its parts on `processes` processes (as the Celery job
    spreads them over the workers); one process runs them in this one, in order."""
    from outreach.models import LedgerRun
    from outreach.services import ledger as ledger_services

    if processes <= 1:
        return ledger_services.ledger_generate(actor=actor, year=YEAR, region=city, full=full)
    import multiprocessing

    from django.db import connection

    run = LedgerRun.objects.create(year=YEAR, region=city, created_by=actor, full=full)
    parts = ledger_services.ledger_run_plan(run_id=run.pk) or []
    connection.close()  # the forked processes open their own
    with multiprocessing.get_context("fork").Pool(processes) as pool:
        pool.map(_part_worker, [(url, run.pk, list(p.prefixes)) for p in parts], chunksize=1)
    run.refresh_from_db()
    assert run.status == LedgerRun.Status.DONE, run.status
    return {"added": run.added, "closed": run.closed, "parts": run.parts_total}


def ledger(city, county_user, *, processes: int = 1, url: str = "") -> None:
    from django.db import connection

    from outreach.models import LedgerEntry
    from outreach.services import ledger_parts

    with connection.cursor() as cur:  # the bench database's own outreach data, from scratch
        cur.execute("TRUNCATE outreach_ledgerentry, outreach_ledgerrun, outreach_task, "
                    "outreach_batch, outreach_gridassignment CASCADE")
    took = {}
    for label, full in (("full", True), ("rerun (incremental, nothing changed)", False)):
        started = time.monotonic()
        result = _generate(city, county_user, full=full, processes=processes, url=url)
        took[full] = time.monotonic() - started
        print(f"ledger generation {label}: {took[full]:.1f} s, "
              f"added={result['added']} closed={result['closed']} parts={result['parts']} "
              f"(parts of up to {ledger_parts.PART_PERSONS:,} persons) on {processes} "
              f"process(es); {loadavg()}", flush=True)
    # The simple way: one anti-join, on as many processes (parallel workers) as the run had.
    with connection.cursor() as cur:
        cur.execute("SET max_parallel_workers_per_gather = %s", [max(processes - 1, 0)])
        started = time.monotonic()
        cur.execute("""SELECT count(*) FROM enrollment_person p WHERE p.life_status = 'alive'
                       AND NOT EXISTS (SELECT 1 FROM enrollment_enrollment e WHERE
                       e.person_id = p.id AND e.year = %s AND e.status IN ('awaiting','active'))""",
                    [YEAR])
        expected = cur.fetchone()[0]
        anti = time.monotonic() - started
        cur.execute("RESET max_parallel_workers_per_gather")
    got = LedgerEntry.objects.filter(year=YEAR, side="residence", status="open").count()
    print(f"ledger check: {got:,} open entries, the bare anti-join counts {expected:,} in "
          f"{anti:.1f} s on {processes} process(es): "
          f"{'same' if got == expected else 'NOT THE SAME'}; the full run is "
          f"{took[True] / max(anti, 0.001):.0f}x the anti-join (which writes nothing); "
          f"{loadavg()}", flush=True)


def tasks(users) -> None:
    from enrollment.models import Region
    from outreach.models import GridAssignment, LedgerEntry
    from outreach.services import tasks as task_services

    worker = users["grid"]
    township = Region.objects.get(code=worker.region_id[:9] + "000")
    GridAssignment.objects.get_or_create(grid_id=worker.region_id, worker=worker)
    batch = task_services.batch_push(actor=users["admin"], year=YEAR, township=township,
                                     limit=500)
    task_services.batch_sign(actor=users["township"], batch=batch)
    print(f"tasks: pushed {batch.size} entries of {township.name}; the grid worker has "
          f"{worker.outreach_tasks.count()} tasks and "
          f"{LedgerEntry.objects.filter(grid_id=worker.region_id, year=YEAR).count()} "
          f"ledger entries in the grid", flush=True)


def explain(sql: str, params) -> str:
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
        return "\n".join(row[0] for row in cur.fetchall())


def page(name: str, client, path: str, params: dict, persons: int, repeats: int = 10) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(2):
        assert client.get(path, params).status_code == 200, path
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        client.get(path, params)
        times.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        client.get(path, params)
    out = [f"# {name}: GET {path} {params}", f"# {persons:,} persons; {loadavg()}; "
           f"server time median {statistics.median(times):.1f} ms, max of {repeats} "
           f"{max(times):.1f} ms; {len(queries)} queries", ""]
    for q in queries.captured_queries:
        sql = q["sql"]
        if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in BIG_TABLES):
            continue
        out += ["-- " + sql, explain(sql, None) if "%s" not in sql else "(parameters inlined)",
                ""]
    PLANS.mkdir(parents=True, exist_ok=True)
    (PLANS / f"{name}.txt").write_text("\n".join(out), encoding="utf-8")
    print(f"{name:<28} median {statistics.median(times):7.1f} ms  max {max(times):7.1f} ms  "
          f"{len(queries):3d} queries", flush=True)


def search_check(client, user, query: str) -> None:
    """Pages 1 and 2 of a name or initials search against the simple way: the matches by a
    plain filter, ordered as the list (a sequential scan; slow, exact)."""
    from enrollment import scope
    from enrollment.models import Person
    from enrollment.views import PAGE_SIZE, PERSON_KEYS

    match = ({"name_initials__startswith": query} if query.isascii()
             else {"name__contains": query})
    simple = list(scope.filter_persons(user, Person.objects.filter(
        merged_into__isnull=True, **match)).order_by(*PERSON_KEYS)
        .values_list("pk", flat=True)[:PAGE_SIZE * 2])
    first = client.get("/persons/", {"q": query}).context["page"]
    got = [p.pk for p in first.rows]
    if first.has_next:
        second = client.get("/persons/", {"q": query, "after": first.next_cursor})
        got += [p.pk for p in second.context["page"].rows]
    print(f"  check {query}: pages 1-2 {'same as' if got == simple else 'NOT THE SAME AS'} "
          f"the simple way ({len(got)} rows)", flush=True)


def main() -> int:
    global PLANS
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--keep-ledger", action="store_true",
                        help="keep the ledger in the database (bench/seed_sql.py's) instead of "
                             "generating it")
    parser.add_argument("--out", default=str(PLANS), help="directory of the plan files")
    parser.add_argument("--only", default="", help="pages whose name contains this only")
    parser.add_argument("--ledger-only", action="store_true",
                        help="generate the ledger (full run and rerun, checked) and stop")
    parser.add_argument("--processes", type=int, default=1,
                        help="processes the ledger's parts run on (the Celery job's workers)")
    args = parser.parse_args()
    PLANS = Path(args.out).resolve()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench/plans.py needs PostgreSQL", file=sys.stderr)
        return 2
    from dashboard import bench_login

    setup_django(url)
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    from core import paging
    from enrollment.models import Person, Region, User

    persons = Person.objects.count()
    users = {k: User.objects.get(username=f"bench_{k}") for k in ("city", "county", "township")}
    users["grid"] = User.objects.filter(username__startswith="bench_grid_").order_by("pk").first()
    # The ledger of the whole city is generated (and tasks pushed) by a superuser.
    users["admin"], _ = User.objects.get_or_create(username="bench_admin", defaults={
        "is_superuser": True, "is_staff": True})
    city = Region.objects.get(code=users["city"].region_id)
    print(f"{persons:,} persons; {loadavg()}", flush=True)
    if not args.keep_ledger:
        ledger(city, users["admin"], processes=args.processes, url=url)
        if args.ledger_only:
            return 0
    else:
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("TRUNCATE outreach_task, outreach_batch, outreach_gridassignment CASCADE")
    tasks(users)

    clients = {}
    for key, user in users.items():
        if key == "admin":
            continue
        clients[key] = Client()
        bench_login(clients[key], user)
    deep = Person.objects.order_by("residence_region_id", "name", "pk")[persons * 9 // 10]
    cursor = paging.encode_cursor(2000, [deep.residence_region_id, deep.name, deep.pk])
    pages = [
        ("person_list_city", "city", "/persons/", {}),
        ("person_list_deep_page", "city", "/persons/", {"after": cursor}),
        ("person_search_name", "city", "/persons/", {"q": "李四"}),
        # bench/seed_sql.py's names: 贾四 rare (~100 at 2M), 王伟 the commonest, 秀英 a given
        # name of ~34,000, 王志明 a rare three-character name, 王秀英 a common one (~4,000).
        ("person_search_name_rare", "city", "/persons/", {"q": "贾四"}),
        ("person_search_name_common", "city", "/persons/", {"q": "王伟"}),
        ("person_search_name_part_common", "city", "/persons/", {"q": "秀英"}),
        ("person_search_name_common_county", "county", "/persons/", {"q": "王伟"}),
        ("person_search_name_common_township", "township", "/persons/", {"q": "王伟"}),
        ("person_search_name_rare_township", "township", "/persons/", {"q": "贾四"}),
        ("person_search_name_three", "city", "/persons/", {"q": "王志明"}),
        ("person_search_name_three_common", "city", "/persons/", {"q": "王秀英"}),
        # Exact numbers through the blind indexes (bench/dashboard.py numbers persons 43 + pk).
        ("person_search_id", "city", "/persons/", {"q": f"43{deep.pk:016d}"}),
        ("person_search_phone", "city", "/persons/", {"q": "13800138000"}),
        ("person_search_initials", "city", "/persons/", {"q": "ls"}),
        ("person_search_initials_rare", "city", "/persons/", {"q": "jbt"}),
        ("ledger_grid_worker", "grid", "/outreach/", {"year": YEAR}),
        ("my_tasks_grid_worker", "grid", "/outreach/my-tasks/", {}),
        ("ledger_township", "township", "/outreach/", {"year": YEAR}),
        ("dashboard_city", "city", "/dashboards/", {"year": 2026}),
    ]
    for name, who, path, params in pages:
        if args.only in name:
            page(name, clients[who], path, params, persons)
            query = params.get("q", "")
            if query and not query.isdigit():
                search_check(clients[who], users[who], query)
    print(f"plans written to {PLANS.relative_to(ROOT)}/; {loadavg()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
