"""The recalculation on a real Celery worker with Redis (runs when REDIS_URL is set and the tests
run on PostgreSQL): the job goes through the broker, and a worker killed mid-chunk leaves nothing
half-applied; a resumed job on a fresh worker completes with the same rows."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection

from benefits.models import JobStatus, PersonYearStatus, RecalcChunk, RecalcJob
from benefits.recalc import services
from tests.benefits.test_recalc import (
    HUNAN_COUNTY,
    SHANXI_COUNTY,
    YEAR,
    ensure_policies,
    expected_values,
    make_history,
    snapshot,
    stored_values,
)

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [
    pytest.mark.worker,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(not os.environ.get("REDIS_URL"), reason="needs REDIS_URL (a real broker)"),
]


def _database_url() -> str:
    s = connection.settings_dict  # during the test: pytest-django's test_<name> database
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.fixture
def worker(region_tree, tmp_path):
    """Start Celery workers on a queue of their own, against the test database."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs the test database on PostgreSQL (DATABASE_URL)")
    from config.celery import app

    queue = f"{os.environ.get('CELERY_QUEUE', 'canbao')}-recalc-{uuid.uuid4().hex[:8]}"
    previous = app.conf.task_default_queue, app.conf.task_always_eager
    app.conf.task_default_queue, app.conf.task_always_eager = queue, False
    started: list[subprocess.Popen] = []

    def start(*extra_args, **extra_env):
        log = open(tmp_path / f"worker{len(started)}.log", "w")
        env = {**os.environ, "DATABASE_URL": _database_url(), "CELERY_QUEUE": queue,
               "DB_CONN_MAX_AGE": "0", **{k: str(v) for k, v in extra_env.items()}}
        proc = subprocess.Popen(
            [str(Path(sys.executable).parent / "celery"), "-A", "config", "worker", "-Q", queue,
             "--pool=solo", "--loglevel=info", "-n", f"{queue}-{len(started)}@%h",
             "--without-gossip", "--without-mingle", "--without-heartbeat", *extra_args],
            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        started.append(proc)
        return proc

    yield start
    for proc in started:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
    app.conf.task_default_queue, app.conf.task_always_eager = previous


def _people(make_person, n=6):
    people = []
    for i in range(n):
        county = HUNAN_COUNTY if i % 2 else SHANXI_COUNTY
        statuses = {2025: "resident", 2026: "gap" if i % 3 else "resident",
                    2027: "employee:6", 2028: "resident_late" if i % 2 else "resident"}
        people.append((make_history(make_person, county, statuses), county, statuses))
    return people


def _assert_pure(people):
    for person, county, statuses in people:
        code = "hunan" if county == HUNAN_COUNTY else "shanxi"
        from datetime import date

        expected = expected_values(code, YEAR, person, statuses, {}, date(YEAR - 1, 11, 1))
        row = PersonYearStatus.objects.get(person=person, year=YEAR)
        assert stored_values(row, expected) == expected


def test_job_runs_through_a_real_worker(worker, make_person, capsys):
    ensure_policies()
    people = _people(make_person)
    worker()
    call_command("recalculate_benefits", year=YEAR, timeout=120)
    assert capsys.readouterr().out.strip().endswith("persons=6 changed=6")
    _assert_pure(people)
    call_command("recalculate_benefits", year=YEAR, timeout=120)
    assert capsys.readouterr().out.strip().endswith("persons=6 changed=0")


def test_worker_killed_mid_chunk_leaves_nothing_half_applied(worker, make_person, capsys):
    ensure_policies()
    people = _people(make_person)
    doomed = worker(RECALC_TEST_STALL_SECONDS=120, RECALC_CHUNK_PERSONS=2)
    job = services.job_start(actor=None, year=YEAR, enqueue=False)
    services.job_enqueue(job_id=job.pk)

    deadline = time.monotonic() + 60
    while not RecalcChunk.objects.filter(job=job, status=JobStatus.RUNNING).exists():
        assert time.monotonic() < deadline, "the worker never started a chunk"
        time.sleep(0.2)
    time.sleep(2)  # the chunk's rows are written, its transaction is open
    doomed.kill()
    doomed.wait(timeout=10)
    time.sleep(1)

    running = RecalcChunk.objects.get(job=job, status=JobStatus.RUNNING)
    assert RecalcJob.objects.get(pk=job.pk).status == JobStatus.RUNNING
    assert not PersonYearStatus.objects.exists()  # nothing of the killed chunk was committed
    assert job.chunks.count() >= 3

    worker()  # a fresh worker, no stall
    call_command("recalculate_benefits", resume=job.pk, timeout=120)
    out = capsys.readouterr().out.strip()
    assert out.endswith("persons=6 changed=6"), out
    running.refresh_from_db()
    assert running.status == JobStatus.DONE
    _assert_pure(people)
    reference = snapshot(YEAR)
    call_command("recalculate_benefits", year=YEAR, timeout=120)
    assert capsys.readouterr().out.strip().endswith("persons=6 changed=0")
    assert snapshot(YEAR) == reference


def test_a_worker_killed_mid_chunk_is_replaced_without_a_resume(worker, make_person):
    """The killed worker's message stays unacknowledged until the broker's one-hour visibility
    timeout; the beat sweep re-enqueues the chunk once its lease has run out."""
    ensure_policies()
    people = _people(make_person)
    doomed = worker(RECALC_TEST_STALL_SECONDS=120, RECALC_CHUNK_PERSONS=2)
    job = services.job_start(actor=None, year=YEAR, enqueue=False)
    services.job_enqueue(job_id=job.pk)
    deadline = time.monotonic() + 60
    while not RecalcChunk.objects.filter(job=job, status=JobStatus.RUNNING).exists():
        assert time.monotonic() < deadline, "the worker never started a chunk"
        time.sleep(0.2)
    time.sleep(2)
    doomed.kill()
    doomed.wait(timeout=10)

    worker("--beat", RECALC_CHUNK_LEASE_SECONDS=3, RECALC_SWEEP_SECONDS=2)  # no 继续 pressed
    job = services.job_wait(job, timeout=120)
    assert job.status == JobStatus.DONE, (job.status, job.error)
    assert job.persons == 6
    _assert_pure(people)
