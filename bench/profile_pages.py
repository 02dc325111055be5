"""Where one request of each page of the load mix spends its time, in-process.

    DATABASE_URL=postgres://…/canbao_bench_… .venv/bin/python bench/profile_pages.py [--repeat 20]

Runs with the production settings (DJANGO_DEBUG=false) through the Django test client, logged
in as the load test's three kinds of staff (bench/load.py's `load_*` users, made here if
missing). For each page and role: the median server time and the median CPU time of this process (Django alone, not
PostgreSQL) of --repeat requests after one warm-up,
the number of queries (an execute wrapper) and their SQL, and with --profile the cProfile
functions that took the most cumulative time, so that a change can be aimed at middleware,
context processors, templates or the view's queries. Prints the load average.
"""
from __future__ import annotations

import argparse
import contextlib
import cProfile
import io
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def setup() -> None:
    os.environ.update({"DJANGO_DEBUG": "false", "DJANGO_SECURE_SSL_REDIRECT": "false",
                       "DJANGO_ALLOWED_HOSTS": "testserver"})
    os.environ.setdefault("DJANGO_SECRET_KEY", os.urandom(32).hex())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from core import crypto

    os.environ.setdefault("CANBAO_DATA_KEYS", crypto.DEV_DATA_KEYS)
    os.environ.setdefault("CANBAO_DATA_KEY_ID", crypto.DEV_DATA_KEY_ID)
    os.environ.setdefault("CANBAO_INDEX_KEY", crypto.DEV_INDEX_KEY)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("collectstatic", "--noinput", verbosity=0)  # the manifest the pages link to


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="cProfile one request each")
    parser.add_argument("--sql", action="store_true", help="print every query of one request")
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats order (tottime: own CPU)")
    parser.add_argument("--only", help="profile only this path")
    parser.add_argument("--baseline", action="store_true",
                        help="also each page the stock way (Django's ModelBackend, the session "
                             "row written on every request), interleaved with the current one")
    args = parser.parse_args()
    if not (os.environ.get("DATABASE_URL") or "").startswith(("postgres://", "postgresql://")):
        print("needs DATABASE_URL=postgres://… (a bench database)", file=sys.stderr)
        return 2
    setup()
    from django.db import connection
    from django.test import Client

    from bench.load import MIX, ROLES, make_users
    from enrollment.models import User

    if User.objects.filter(username__startswith="load_").count() < len(ROLES):
        make_users(len(ROLES))
    from django.conf import settings
    from django.test.utils import override_settings

    stock = override_settings(
        AUTHENTICATION_BACKENDS=[b for b in settings.AUTHENTICATION_BACKENDS
                                 if b != "accounts.backends.StaffBackend"]
        + ["django.contrib.auth.backends.ModelBackend"],
        SESSION_SAVE_EVERY_REQUEST=True,
        MIDDLEWARE=[m for m in settings.MIDDLEWARE
                    if m != "accounts.middleware.SessionRefreshMiddleware"])
    current = contextlib.nullcontext()

    def timed(client, path, way, queries=None):
        with way:
            recording = (connection.execute_wrapper(lambda execute, sql, params, many, ctx: (
                queries.append(sql), execute(sql, params, many, ctx))[1])
                if queries is not None else contextlib.nullcontext())
            with recording:
                started, cpu_started = time.perf_counter(), time.process_time()
                status = client.get(path, secure=True).status_code
                return (status, (time.perf_counter() - started) * 1000,
                        (time.process_time() - cpu_started) * 1000)

    kinds = [("now", current)] + ([("stock", stock)] if args.baseline else [])
    print(f"{'page':<22}{'role':<10}{'way':<7}{'status':>7}{'median ms':>11}{'cpu ms':>9}"
          f"{'queries':>9}")
    for i, role in enumerate(ROLES):
        user = User.objects.get(username=f"load_{i}")
        clients = {}
        for kind, way in kinds:
            with way:  # the stock way's session names the stock backend
                clients[kind] = Client()
                clients[kind].force_login(user)
        for path, _ in MIX:
            results = {}
            for kind, way in kinds:
                timed(clients[kind], path, way)  # warm-up: caches, loader, connection
                # Django empties connection.queries at each request's start (so
                # CaptureQueriesContext around a client call sees nothing): a wrapper counts.
                queries = []
                status = timed(clients[kind], path, way, queries)[0]
                results[kind] = (status, queries, [], [])
            for _ in range(args.repeat):  # interleaved: both ways see the same load
                for kind, way in kinds:
                    _, ms, cpu_ms = timed(clients[kind], path, way)
                    results[kind][2].append(ms)
                    results[kind][3].append(cpu_ms)
            for kind, (status, queries, times, cpu) in results.items():
                print(f"{path:<22}{role:<10}{kind:<7}{status:>7}"
                      f"{statistics.median(times):>11.1f}{statistics.median(cpu):>9.1f}"
                      f"{len(queries):>9}", flush=True)
            client, queries = clients["now"], results["now"][1]
            if args.sql:
                for sql in queries:
                    print(f"      {sql[:300]}")
            if args.profile and (args.only or path) == path:
                profile = cProfile.Profile()
                profile.enable()
                client.get(path, secure=True)
                profile.disable()
                out = io.StringIO()
                pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
                print("\n".join("      " + line for line in out.getvalue().splitlines()[6:]))
    print("load average %.2f %.2f %.2f" % os.getloadavg())
    return 0


if __name__ == "__main__":
    sys.exit(main())
