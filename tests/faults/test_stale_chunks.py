"""A recalculation chunk whose worker died is picked up again by the beat sweep once its
lease has run out, without anybody pressing 继续; a chunk that is still being worked on is left
alone."""
from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, transaction
from django.utils import timezone

from benefits.models import JobStatus, RecalcChunk, RecalcJob
from benefits.recalc import services
from benefits.tasks import sweep_stale_chunks
from tests.benefits.test_recalc import YEAR, _people, policies  # noqa: F401  (fixture)

pytestmark = pytest.mark.django_db


def _job_with_a_dead_chunk(make_person, started_ago: dt.timedelta):
    _people(make_person)
    job = services.job_start(actor=None, year=YEAR, enqueue=False)
    ids = services.job_plan(job_id=job.pk)
    # A worker claimed the first chunk and was killed: running, nothing written, no message
    # left that any worker will receive before the broker's one-hour visibility timeout.
    RecalcChunk.objects.filter(pk=ids[0]).update(status=JobStatus.RUNNING, attempts=0,
                                                 started_at=timezone.now() - started_ago)
    for chunk_id in ids[1:]:
        services.chunk_run(chunk_id=chunk_id)
    assert RecalcJob.objects.get(pk=job.pk).status == JobStatus.RUNNING
    return job, ids[0]


def test_the_sweep_redoes_a_chunk_whose_lease_ran_out(policies, make_person, settings):
    settings.RECALC_CHUNK_LEASE_SECONDS = 120
    job, dead = _job_with_a_dead_chunk(make_person, dt.timedelta(minutes=5))
    assert sweep_stale_chunks.delay().get() == 1
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.persons == 6
    assert RecalcChunk.objects.get(pk=dead).status == JobStatus.DONE
    assert sweep_stale_chunks.delay().get() == 0  # nothing left to do


def test_a_chunk_within_its_lease_is_left_alone(policies, make_person, settings):
    settings.RECALC_CHUNK_LEASE_SECONDS = 120
    job, dead = _job_with_a_dead_chunk(make_person, dt.timedelta(seconds=30))
    assert services.chunks_sweep_stale() == []
    assert RecalcChunk.objects.get(pk=dead).status == JobStatus.RUNNING
    assert RecalcJob.objects.get(pk=job.pk).status == JobStatus.RUNNING


def test_a_job_whose_last_chunk_finished_without_a_recount_is_closed(policies, make_person):
    _people(make_person)
    job = services.job_start(actor=None, year=YEAR, enqueue=False)
    ids = services.job_plan(job_id=job.pk)
    for chunk_id in ids:
        services.chunk_run(chunk_id=chunk_id)
    # The worker died after the last chunk's commit and before the job's recount.
    RecalcJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, finished_at=None)
    services.chunks_sweep_stale()
    assert RecalcJob.objects.get(pk=job.pk).status == JobStatus.DONE


def test_the_sweep_is_on_the_beat_schedule_every_minute_or_two():
    from config.celery import app

    entries = [e for e in app.conf.beat_schedule.values()
               if e["task"] == "benefits.sweep_stale_chunks"]
    assert entries and float(entries[0]["schedule"]) <= 120


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_live_worker_holding_its_chunk_is_not_swept_however_long_it_takes(
        policies, make_person, settings):
    if connection.vendor != "postgresql":
        pytest.skip("row locks tell a live worker from a dead one on PostgreSQL only")
    settings.RECALC_CHUNK_LEASE_SECONDS = 1
    job, slow = _job_with_a_dead_chunk(make_person, dt.timedelta(minutes=10))
    holding, release = threading.Event(), threading.Event()

    def live_worker():
        from django.db import connection as own

        try:
            with transaction.atomic():
                RecalcChunk.objects.select_for_update().get(pk=slow)
                holding.set()
                release.wait(30)
        finally:
            own.close()

    thread = threading.Thread(target=live_worker)
    thread.start()
    try:
        assert holding.wait(30)
        assert services.chunks_sweep_stale() == []
    finally:
        release.set()
        thread.join(30)
    assert services.chunks_sweep_stale() == [slow]  # the worker is gone now
    assert RecalcJob.objects.get(pk=job.pk).status == JobStatus.DONE
