"""Bounded load test: logged-in staff on a page mix, against this machine only.

    .venv/bin/python bench/load.py --users 50 --seconds 60 [--url http://127.0.0.1:PORT]

Without `--url` it starts the production serving recipe itself (gunicorn with
deploy/gunicorn.conf.py, DJANGO_DEBUG=false) on a free port of 127.0.0.1, against DATABASE_URL
(PostgreSQL; e.g. a bench database with `bench/dashboard.py`'s city in it). With `--url` the server
must be on 127.0.0.1 and use the same database. Bounded on purpose: at most 50 users and 60 s,
and only 127.0.0.1 (never a server of someone else's).

The users are staff accounts the script creates (`load_*`, a village clerk, a township officer, a
city leader; none needs a second factor), each logging in once through the login page and then
requesting the mix below one request after another. Prints the page mix, then one line:
`req/s=… p50=…ms p95=…ms p99=…ms errors=…` with the load average, each page's p50/p95, and
(unless --ceiling-seconds 0 or --url) the ceiling: the same users for --ceiling-seconds on a
constant signed-in page of the same server (bench/hello_wsgi.py), and the mix's ratio to it.
"""
from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
MAX_USERS, MAX_SECONDS = 50, 60
PASSWORD = "Load-bench-2026!"
# (path, weight): what desks open most: the person list and search, the ledger, the dashboard.
MIX = [("/", 2), ("/persons/", 3), ("/persons/?q=zs", 2), ("/persons/?q=张三", 1),
       ("/outreach/", 2), ("/dashboards/", 2)]
ROLES = ("village", "township", "city")
# The ceiling's page (bench/hello_wsgi.py adds it to the server this script starts).
HELLO_PATH = "/bench/hello/"


def load() -> str:
    return "load average %.2f %.2f %.2f" % os.getloadavg()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_users(count: int) -> list[str]:
    """`count` staff accounts spread over the roles, under the first villages of the database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from django.contrib.auth.hashers import make_password

    from enrollment import regions
    from enrollment.models import Region, Role, User

    village = Region.objects.filter(level=regions.VILLAGE).order_by("code").first()
    if village is None:
        raise SystemExit("the database has no villages: load bench/dashboard.py's city first")
    where = {"village": (Role.VILLAGE_CLERK, village.code),
             "township": (Role.TOWNSHIP_OFFICER, regions.ancestor_code(village.code,
                                                                        regions.TOWNSHIP)),
             "city": (Role.CITY_LEADER, regions.ancestor_code(village.code, regions.CITY))}
    User.objects.filter(username__startswith="load_").delete()
    password = make_password(PASSWORD)
    names = []
    for i in range(count):
        role, region = where[ROLES[i % len(ROLES)]]
        user = User.objects.create(username=f"load_{i}", role=role, region_id=region,
                                   is_staff=True, password=password, last_name=f"压测{i}")
        names.append(user.username)
    from django.db import connections

    connections.close_all()
    return names


class Session:
    """One logged-in user: a keep-alive connection and the session cookies, sent by hand (the
    production cookies are Secure; the recipe sits behind nginx, here we say so by header)."""

    def __init__(self, host: str, port: int):
        self.host, self.port = host, port
        self.cookies: dict[str, str] = {}
        self.reconnects = 0
        self.conn = http.client.HTTPConnection(host, port, timeout=60)

    def request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1",
                   "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        if body is not None:
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            headers["Referer"] = f"https://127.0.0.1{path}"
        url = urllib.parse.quote(path, safe="/?=&")
        try:
            self.conn.request(method, url, body, headers)
            response = self.conn.getresponse()
        except (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError):
            # The server closed an idle keep-alive connection as we reused it (gunicorn's
            # keepalive is 5 s): a browser, or nginx, sends an idempotent GET again on a new
            # connection; so do we, once, and count it.
            if method != "GET":
                raise
            self.reconnects += 1
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.conn.request(method, url, body, headers)
            response = self.conn.getresponse()
        for value in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, response.read().decode("utf-8", "replace")

    def login(self, username: str) -> None:
        status, page = self.request("GET", "/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"login page answered {status}")
        body = urllib.parse.urlencode({"csrfmiddlewaretoken": token.group(1),
                                       "username": username, "password": PASSWORD})
        status, _ = self.request("POST", "/accounts/login/", body)
        if status != 302:
            raise RuntimeError(f"login of {username} answered {status}")


def run_user(session: Session, deadline: float, pages: list[str], times: list, errors: list,
             lock: threading.Lock, seed: int) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        path = rng.choice(pages)
        started = time.perf_counter()
        try:
            status, _ = session.request("GET", path)
        except Exception as exc:  # a refused or dropped connection is an error, like a 500
            status = type(exc).__name__
        elapsed = (time.perf_counter() - started) * 1000
        with lock:
            # "/" leads each role to its landing page with a redirect (the roles work): that
            # answer is the page's, not an error.
            if status == 200 or (status == 302 and path == "/"):
                times.append((path, elapsed))
            else:
                errors.append(f"{path} {status}")


def run_phase(sessions: list[Session], pages: list[str], seconds: float) -> dict:
    """Every session requests `pages` (at random) one after another for `seconds`."""
    times, errors, lock = [], [], threading.Lock()
    for s in sessions:
        s.reconnects = 0
    deadline = time.monotonic() + seconds
    started = time.monotonic()
    cpu_started = _cpu_seconds()
    threads = [threading.Thread(target=run_user, args=(s, deadline, pages, times, errors,
                                                      lock, i))
               for i, s in enumerate(sessions)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    # The generator shares the machine's cores with the server and the database: its own CPU
    # is what the server could not use.
    generator_cores = (_cpu_seconds() - cpu_started) / elapsed
    return {"times": times, "errors": errors, "elapsed": elapsed, "generator": generator_cores,
            "rate": (len(times) + len(errors)) / elapsed,
            "reconnects": sum(s.reconnects for s in sessions), "load": load()}


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def summary(phase: dict) -> str:
    ms = [t for _, t in phase["times"]] or [0.0]
    return (f"req/s={phase['rate']:.1f} p50={statistics.median(ms):.0f}ms "
            f"p95={percentile(ms, 95):.0f}ms p99={percentile(ms, 99):.0f}ms "
            f"errors={len(phase['errors'])}")


def per_page(phase: dict) -> list[str]:
    """Each page's share: where the time goes (the server time a user waited)."""
    lines = []
    for path, _ in MIX:
        ms = [t for p, t in phase["times"] if p == path]
        if ms:
            lines.append(f"  {path:<20} n={len(ms):<6} p50={statistics.median(ms):.0f}ms "
                         f"p95={percentile(ms, 95):.0f}ms")
    return lines


def start_server(port: int) -> subprocess.Popen:
    env = {**os.environ, "DJANGO_DEBUG": "false", "DJANGO_SECURE_SSL_REDIRECT": "false",
           "DJANGO_SECRET_KEY": os.environ.get("DJANGO_SECRET_KEY") or os.urandom(32).hex(),
           "DJANGO_ALLOWED_HOSTS": "127.0.0.1", "GUNICORN_BIND": f"127.0.0.1:{port}",
           "GUNICORN_ACCESS_LOG": "/dev/null", "GUNICORN_LOG_LEVEL": "warning"}
    # The bench databases were encrypted with the development keys, which the settings give
    # only with DEBUG on: hand them over unless real ones are set (never in production).
    from core import crypto

    for name, value in (("CANBAO_DATA_KEYS", crypto.DEV_DATA_KEYS),
                        ("CANBAO_DATA_KEY_ID", crypto.DEV_DATA_KEY_ID),
                        ("CANBAO_INDEX_KEY", crypto.DEV_INDEX_KEY)):
        env.setdefault(name, value)
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v", "0"],
                   cwd=ROOT, env=env, check=True)
    # The site plus the hello page of the ceiling (bench/hello_wsgi.py), same recipe.
    server = subprocess.Popen([str(Path(sys.executable).parent / "gunicorn"), "-c",
                               "deploy/gunicorn.conf.py", "bench.hello_wsgi:application"],
                              cwd=ROOT, env=env, start_new_session=True)
    for _ in range(120):
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.5)
    server.kill()
    raise SystemExit("gunicorn did not start")


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--url", help="a server on 127.0.0.1 (default: start gunicorn here)")
    parser.add_argument("--ceiling-seconds", type=float, default=10,
                        help="then the same users on the hello page (0: skip; needs the "
                             "server this script starts)")
    args = parser.parse_args()
    if not 1 <= args.users <= MAX_USERS or not 1 <= args.seconds <= MAX_SECONDS:
        print(f"--users must be 1–{MAX_USERS} and --seconds 1–{MAX_SECONDS}", file=sys.stderr)
        return 2
    if not (os.environ.get("DATABASE_URL") or "").startswith(("postgres://", "postgresql://")):
        print("bench/load.py needs DATABASE_URL=postgres://… (the server's database)",
              file=sys.stderr)
        return 2
    server = None
    if args.url:
        url = urllib.parse.urlparse(args.url)
        if url.hostname != "127.0.0.1" or url.scheme != "http":
            print("--url must be http://127.0.0.1:PORT (this machine only)", file=sys.stderr)
            return 2
        port = url.port or 80
    else:
        port = free_port()
    names = make_users(args.users)
    if not args.url:
        server = start_server(port)
    try:
        sessions = []
        for name in names:
            session = Session("127.0.0.1", port)
            session.login(name)
            sessions.append(session)
        pages = [path for path, weight in MIX for _ in range(weight)]
        print("page mix: " + ", ".join(f"{p} x{w}" for p, w in MIX) +
              f"; {args.users} users ({', '.join(ROLES)}), one request after another each")
        mix = run_phase(sessions, pages, args.seconds)
        ceiling = None
        if args.ceiling_seconds > 0 and server is not None:
            ceiling = run_phase(sessions, [HELLO_PATH], args.ceiling_seconds)
    finally:
        if server is not None:
            os.killpg(server.pid, signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:  # requests still in flight on a loaded machine
                os.killpg(server.pid, signal.SIGKILL)
                server.wait()
    if not mix["times"]:
        print(f"req/s=0 p50=0ms p95=0ms p99=0ms errors={len(mix['errors'])}; {load()}")
        return 1
    errors = mix["errors"]
    kinds = {k: errors.count(k) for k in sorted(set(errors))}
    print(f"{summary(mix)} (requests={len(mix['times']) + len(errors)}, users={args.users}, "
          f"seconds={mix['elapsed']:.0f}, {os.cpu_count()} cores, "
          f"reconnects={mix['reconnects']}, generator {mix['generator']:.2f} cores, {mix['load']})"
          + (f"; errors by page: {kinds}" if kinds else ""))
    print("\n".join(per_page(mix)))
    if ceiling is not None:
        print(f"ceiling, a constant signed-in page through the same server and middleware "
              f"({HELLO_PATH}, same users, {ceiling['elapsed']:.0f} s): {summary(ceiling)} "
              f"(reconnects={ceiling['reconnects']}, generator {ceiling['generator']:.2f} cores, "
              f"{ceiling['load']})")
        if ceiling["rate"]:
            print(f"ratio: the page mix reaches {mix['rate'] / ceiling['rate']:.2f}x the "
                  f"ceiling's req/s (same server, same {args.users} users)")
    return 0 if not errors else 1


if __name__ == "__main__":
    sys.exit(main())
