"""Data-sharing API benchmark: server time of each endpoint on a loaded city (PostgreSQL).

    .venv/bin/python bench/api.py --persons 100000 [--requests 50] [--skip-load]

Uses DATABASE_URL (default postgres://postgres@127.0.0.1:5432/canbao_bench_api). Loads the city
of bench/dashboard.py, refreshes the rollups, generates the 2027 un-enrolled ledger, gives a
sample of persons valid ID numbers, issues a city-wide token, then calls each endpoint through
the Django test client with the token (throttle lifted) and prints the median and p95 server
time with the load average: a status lookup by ID (blind index), the city's and a county's
coverage (rollups), the first page of a county's ledger and a page 20 cursors deep.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

import dashboard as city  # bench/dashboard.py: the city's loader, percentiles
from common import loadavg, migrated_database

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/canbao_bench_api"
YEAR = 2027
CITY, COUNTY = "430100000000", "430101000000"
P95_TARGET_MS = 150.0


def prepare(persons: int, seed: int, skip_load: bool) -> list[str]:
    """The loaded city with rollups and ledger; returns valid ID numbers of sampled persons."""
    from core import crypto
    from dashboards import rollups
    from enrollment import idnumbers
    from enrollment.models import Person, Region, User
    from outreach.services import ledger as ledger_services

    if not skip_load:
        print(f"loading {persons:,} persons …", flush=True)
        print(f"  {city.load(persons, seed)}", flush=True)
        rollups.refresh(reason="bench", today=city.TODAY, full=True)
        root, _ = User.objects.get_or_create(username="bench_api_root",
                                             defaults={"is_superuser": True, "is_staff": True})
        started = time.monotonic()
        ledger_services.ledger_generate(actor=root, year=YEAR,
                                        region=Region.objects.get(code=CITY), full=True)
        print(f"  rollups and ledger ready ({time.monotonic() - started:.1f} s ledger)",
              flush=True)
    rng = random.Random(seed)
    numbers = []
    for pk in rng.sample(range(1, persons + 1), 200):
        person = Person.objects.filter(pk=pk).only("birth_date", "sex").first()
        if person is None:
            continue
        number = idnumbers.make_id("430101", person.birth_date, pk, person.sex)
        Person.objects.filter(pk=pk).update(id_number=number,
                                            id_number_bidx=crypto.blind_index(number))
        numbers.append(number)
    return numbers


def timed(client, url: str, key: str, params_list: list[dict]) -> list[float]:
    times = []
    headers = {"HTTP_AUTHORIZATION": f"Token {key}"} if key else {}
    for params in params_list:
        started = time.perf_counter()
        response = client.get(url, params, **headers)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code in ((200, 404) if key else (401,)), (
            url, response.status_code, response.content[:300])
    return times


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--persons", type=int, default=100_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20261203)
    parser.add_argument("--skip-load", action="store_true")
    args = parser.parse_args()
    url = os.environ.get("DATABASE_URL") or DEFAULT_URL
    if not url.startswith(("postgres://", "postgresql://")):
        print("bench/api.py needs PostgreSQL (DATABASE_URL=postgres://…)", file=sys.stderr)
        return 2
    migrated_database(url)
    from django.conf import settings
    from django.test import Client

    from api import services
    from api.models import DepartmentToken

    numbers = prepare(args.persons, args.seed, args.skip_load)
    settings.API_RATE = "1000000/min"
    key = services.token_issue(token=DepartmentToken(department="bench", region_id=CITY),
                               issued_by=None)
    client = Client()
    n = args.requests
    status = [{"id_number": numbers[i % len(numbers)], "year": YEAR} for i in range(n)]
    first = client.get("/api/v1/unenrolled/", {"region": COUNTY, "year": YEAR},
                       HTTP_AUTHORIZATION=f"Token {key}").json()
    cursor = first["next_cursor"]
    for _ in range(19):
        cursor = client.get("/api/v1/unenrolled/", {"region": COUNTY, "year": YEAR,
                                                    "after": cursor},
                            HTTP_AUTHORIZATION=f"Token {key}").json()["next_cursor"]
    cases = {
        # The floor every call pays: the refusal of a call without a token and its audit row.
        "401 (floor)": ("/api/v1/status/", status),
        "status by ID": ("/api/v1/status/", status),
        "coverage city": ("/api/v1/coverage/", [{"region": CITY, "year": YEAR}] * n),
        "coverage county": ("/api/v1/coverage/", [{"region": COUNTY, "year": YEAR}] * n),
        "ledger page 1": ("/api/v1/unenrolled/", [{"region": COUNTY, "year": YEAR}] * n),
        "ledger page 21": ("/api/v1/unenrolled/",
                           [{"region": COUNTY, "year": YEAR, "after": cursor}] * n),
    }
    ok = True
    print(f"\n{'call':<18}{'median':>10}{'p95':>10}")
    floor = None
    for label, (path, params) in cases.items():
        times = timed(client, path, None if floor is None else key, params)
        median, p95 = statistics.median(times), city.percentile(times, 95)
        if floor is None:
            floor = median
        else:
            ok = ok and p95 < P95_TARGET_MS
        print(f"{label:<18}{median:>8.1f}ms{p95:>8.1f}ms{median / floor:>8.1f}x floor",
              flush=True)
    print(f"\n{loadavg()}; persons {args.persons:,}; {n} calls each (each also writes "
          f"its audit row); p95 target < {P95_TARGET_MS:.0f} ms -> {'MET' if ok else 'NOT MET'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
