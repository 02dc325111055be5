"""Jobs and chunks of the January recalculation: the only writers of RecalcJob, RecalcChunk and
(through `write`) PersonYearStatus.

A job for year Y over a region is planned into chunks, one or more per pooling region (persons of
the region split by id range, at most `CHUNK_PERSONS` each). Each chunk runs in one transaction
that writes its rows and marks it done together, so a worker killed mid-chunk leaves the chunk
"running" with nothing of it applied; the redelivered task (acks_late, reject_on_worker_lost) or a
resumed job redoes it. Rows are keyed by (person, year) and written with an upsert, so running a
job twice gives the same rows.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
import os
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Max, Min, Q, Sum
from django.utils import timezone

from core import queue
from enrollment import changes, regions, scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry, Enrollment, Region, Scheme

from ..models import JobStatus, PersonYearStatus, RecalcChunk, RecalcJob
from . import compute, fetch, write

logger = logging.getLogger(__name__)

# Persons per chunk (one transaction each); RECALC_CHUNK_PERSONS overrides it.
CHUNK_PERSONS = int(os.environ.get("RECALC_CHUNK_PERSONS")
                    or getattr(settings, "RECALC_CHUNK_PERSONS", 50_000))
OPEN = (JobStatus.PENDING, JobStatus.RUNNING)


# --- Policy of a pooling region ----------------------------------------------------------------


def policy_for(region_code: str) -> compute.Policy:
    from .. import inputs

    profile = inputs.profile_for_region(region_code)
    if profile is None:
        return compute.Policy(None, {})
    return compute.Policy(profile.to_rules(), inputs.stored_standards(profile.code))


# --- One chunk's rows --------------------------------------------------------------------------


@dataclass(frozen=True)
class ChunkResult:
    persons: int
    changed: int


def recalc_range(*, year: int, region: str, id_from: int, id_to: int,
                 job_id: int | None = None, since=None) -> ChunkResult:
    """Recompute and write the statuses of one pooling region's persons in [id_from, id_to]:
    all of them, or with `since` only those whose inputs changed since then (the others' rows
    already say what their unchanged inputs give). The caller holds the transaction."""
    only = None
    if since is not None:
        only = list(changes.changed_since(since).filter(pk__gte=id_from, pk__lte=id_to)
                    .order_by("pk").values_list("pk", flat=True))
        if not only:
            return ChunkResult(0, 0)
    policy = policy_for(region)
    calc = compute.calculator(policy, year)
    people = fetch.chunk_inputs(year=year, region=region, id_from=id_from, id_to=id_to,
                                standards=policy.standards, count_start=calc.count_start,
                                only=only)
    rows = [(p.person_id, year, region, p.enrollment_id) + calc.row(p) for p in people]
    changed = write.write_chunk(year=year, region=region, id_from=id_from, id_to=id_to,
                                job_id=job_id, rows=rows, only=only)
    return ChunkResult(len(rows), changed)


def previous_watermark(job: RecalcJob):
    """Where an incremental job starts: the watermark of the latest finished job of the same
    year over this job's region or a wider one; None (a full run) when there is none."""
    done = (RecalcJob.objects.filter(year=job.year, status=JobStatus.DONE,
                                     watermark__isnull=False).exclude(pk=job.pk)
            .order_by("-watermark").values_list("region_id", "watermark")[:50])
    for region_id, watermark in done:
        if region_id is None or (job.region_id and job.region_id.startswith(
                regions.prefix_of(region_id))):
            return watermark
    return None


# --- Jobs --------------------------------------------------------------------------------------


def job_start(*, actor, year: int, region: Region | None = None,
              trigger: str = RecalcJob.Trigger.MANUAL, request=None, enqueue: bool = True,
              full: bool = False) -> RecalcJob:
    """Record a recalculation job and enqueue it after commit. `actor` None: the schedule or the
    command line. A county administrator may start it for a region in their scope (None: their
    own region). Incremental unless `full` (or no earlier job to continue from)."""
    if not 2000 <= int(year) <= 2200:
        raise ValidationError({"year": "请输入四位年份，如2026。"})
    if actor is not None:
        if not scope.is_admin(actor) or not scope.can_write(actor):
            raise PermissionDenied("只有县级管理员可以发起待遇重算。")
        if region is None and not actor.is_superuser:
            region = actor.region
        if region is not None and not scope.region_in_scope(actor, region.code):
            raise PermissionDenied("所选区划不在您的管辖范围内。")
    with transaction.atomic():
        job = RecalcJob.objects.create(year=year, region=region, trigger=trigger,
                                       requested_by=actor, full=full)
        if actor is not None:
            audit_record(user=actor, action=AuditEntry.Action.OTHER, obj=job,
                         detail=f"发起{year}年待遇重算（{region.name if region else '全部统筹区'}"
                                f"{'，全量' if full else ''}）",
                         request=request)
        if enqueue:
            transaction.on_commit(lambda: job_enqueue(job_id=job.pk))
    return job


def job_enqueue(*, job_id: int) -> None:
    """Hand the job to Celery (inline on the embedded defaults). Callers outside a request
    (the command, the schedule) call this after job_start(enqueue=False) has committed."""
    from ..tasks import recalc_job

    if not queue.publish(recalc_job, args=(job_id,)):
        # Nothing will ever pick the job up: say so on its page, where 继续 tries again.
        RecalcJob.objects.filter(pk=job_id, status__in=OPEN).update(
            status=JobStatus.FAILED, error=queue.QUEUE_DOWN, finished_at=timezone.now())


def job_plan(*, job_id: int) -> list[int]:
    """Create the job's chunks (once) and return the ids of those not done yet."""
    with transaction.atomic():
        job = RecalcJob.objects.select_for_update().get(pk=job_id)
        if job.status == JobStatus.PENDING or not job.chunks_total:
            if job.watermark is None:  # set once: a resumed job keeps what it started from
                job.since = None if job.full else previous_watermark(job)
                job.watermark = changes.watermark_now()
            if not job.chunks.exists():
                _create_chunks(job)
            job.chunks_total = job.chunks.count()
            job.status = JobStatus.RUNNING
            job.started_at = job.started_at or timezone.now()
            job.finished_at = None
            job.save(update_fields=["chunks_total", "status", "started_at", "finished_at",
                                    "since", "watermark"])
        return list(job.chunks.exclude(status=JobStatus.DONE).values_list("pk", flat=True))


def _create_chunks(job: RecalcJob) -> None:
    prefix = regions.prefix_of(job.region_id) if job.region_id else ""
    spans: dict[str, list[int]] = {}
    current = (Enrollment.objects
               .filter(year=job.year, scheme=Scheme.RESIDENT, status__in=fetch.LIVE,
                       paid_on__isnull=False, pooling_region__pk__startswith=prefix)
               .values("pooling_region_id")
               .annotate(n=Count("pk"), lo=Min("person_id"), hi=Max("person_id")))
    # Regions that had statuses for Y are visited too, so rows whose enrollment is gone are
    # removed (idempotence: the table always says what the registry says).
    stale = (PersonYearStatus.objects
             .filter(year=job.year, pooling_region__pk__startswith=prefix)
             .values("pooling_region_id")
             .annotate(n=Count("pk"), lo=Min("person_id"), hi=Max("person_id")))
    if job.since is not None:
        # An incremental job plans chunks over the changed persons only: with nothing changed
        # it has no chunk at all, and a day's changes make a few small ones.
        changed = changes.changed_since(job.since)
        current = current.filter(person_id__in=changed)
        stale = stale.filter(person_id__in=changed)
    for row in list(current) + list(stale):
        span = spans.setdefault(row["pooling_region_id"], [row["n"], row["lo"], row["hi"]])
        span[0], span[1], span[2] = max(span[0], row["n"]), min(span[1], row["lo"]), \
            max(span[2], row["hi"])
    chunks = []
    for code, (n, lo, hi) in sorted(spans.items()):
        parts = max(1, math.ceil(n / CHUNK_PERSONS))
        width = (hi - lo + 1) / parts
        bounds = [lo + round(i * width) for i in range(parts)] + [hi + 1]
        for a, b in zip(bounds, bounds[1:]):
            if b > a:
                chunks.append(RecalcChunk(job=job, pooling_region_id=code, id_from=a, id_to=b - 1))
    RecalcChunk.objects.bulk_create(chunks, ignore_conflicts=True)


def chunk_run(*, chunk_id: int) -> None:
    """Run one chunk (safe to call twice, and after a crash)."""
    now = timezone.now()
    claimed = (RecalcChunk.objects.filter(pk=chunk_id).exclude(status=JobStatus.DONE)
               .update(status=JobStatus.RUNNING, started_at=now, error=""))
    chunk = RecalcChunk.objects.filter(pk=chunk_id).values("job_id").first()
    if not claimed or chunk is None:
        return
    job_id = chunk["job_id"]
    RecalcJob.objects.filter(pk=job_id, status=JobStatus.PENDING).update(
        status=JobStatus.RUNNING, started_at=now)
    try:
        with transaction.atomic():
            # Lock the chunk row only ("self"): locking the joined job row too would make every
            # chunk of the job wait for the one before it.
            chunk = (RecalcChunk.objects.select_for_update(of=("self",))
                     .select_related("job").get(pk=chunk_id))
            if chunk.status == JobStatus.DONE:  # a duplicate delivery finished it meanwhile
                return
            result = recalc_range(year=chunk.job.year, region=chunk.pooling_region_id,
                                  id_from=chunk.id_from, id_to=chunk.id_to, job_id=job_id,
                                  since=chunk.job.since)
            _fault_point(chunk)
            RecalcChunk.objects.filter(pk=chunk_id).update(
                status=JobStatus.DONE, persons=result.persons, changed=result.changed,
                attempts=chunk.attempts + 1, finished_at=timezone.now())
    except Exception as exc:  # the chunk stays to be redone; the job shows it failed
        logger.exception("recalc chunk %s failed", chunk_id)
        RecalcChunk.objects.filter(pk=chunk_id).exclude(status=JobStatus.DONE).update(
            status=JobStatus.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000],
            attempts=chunk.attempts + 1 if isinstance(chunk, RecalcChunk) else 1,
            finished_at=timezone.now())
    job_refresh(job_id=job_id)


def _fault_point(chunk: RecalcChunk) -> None:
    """Tests make a chunk fail here, after its rows were written and before it commits. The
    worker test sets RECALC_TEST_STALL_SECONDS to hold the chunk open while it kills the worker."""
    stall = os.environ.get("RECALC_TEST_STALL_SECONDS")
    if stall:
        time.sleep(float(stall))


def job_refresh(*, job_id: int) -> RecalcJob:
    """Recount the job from its chunks; finish it when no chunk is open."""
    with transaction.atomic():
        job = RecalcJob.objects.select_for_update().get(pk=job_id)
        agg = job.chunks.aggregate(
            total=Count("pk"),
            done=Count("pk", filter=Q(status=JobStatus.DONE)),
            failed=Count("pk", filter=Q(status=JobStatus.FAILED)),
            persons=Sum("persons", filter=Q(status=JobStatus.DONE)),
            changed=Sum("changed", filter=Q(status=JobStatus.DONE)),
        )
        job.chunks_total = agg["total"]
        job.chunks_done = agg["done"]
        job.chunks_failed = agg["failed"]
        job.persons = agg["persons"] or 0
        job.changed = agg["changed"] or 0
        fields = ["chunks_total", "chunks_done", "chunks_failed", "persons", "changed"]
        planned = job.status != JobStatus.PENDING
        if planned and agg["done"] + agg["failed"] == agg["total"] and job.status in OPEN:
            job.status = JobStatus.FAILED if agg["failed"] else JobStatus.DONE
            job.finished_at = timezone.now()
            job.error = (f"{agg['failed']}个分片失败，可点击“继续”重做失败的分片。"
                         if agg["failed"] else "")
            fields += ["status", "finished_at", "error"]
        job.save(update_fields=fields)
    return job


def chunks_sweep_stale(*, now=None) -> list[int]:
    """Re-enqueue the chunks whose worker died (the beat task, every minute): a chunk still
    `running` after its lease whose row nobody holds. A live worker keeps its chunk's row
    locked for the whole run (PostgreSQL), so SKIP LOCKED leaves it alone however long it
    takes; on SQLite, with no row locks, the lease alone decides. Re-running a chunk gives the
    same rows, so a late redelivery of the dead worker's message costs nothing."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(seconds=lease_seconds())
    requeued = []
    with transaction.atomic():
        stale = list(RecalcChunk.objects.select_for_update(skip_locked=True)
                     .filter(status=JobStatus.RUNNING, started_at__lt=cutoff)
                     .values_list("pk", "started_at"))
        for pk, started_at in stale:
            # Renew the lease, so that the next sweep waits for this delivery.
            if RecalcChunk.objects.filter(pk=pk, status=JobStatus.RUNNING,
                                          started_at=started_at).update(started_at=now):
                requeued.append(pk)
    from ..tasks import recalc_chunk

    for pk in requeued:
        logger.warning("recalc chunk %s: lease expired, re-enqueued", pk)
        queue.publish(recalc_chunk, args=(pk,))
    # A worker killed between its chunk's commit and the recount leaves the job open.
    open_jobs = (RecalcJob.objects.filter(status=JobStatus.RUNNING, chunks__isnull=False)
                 .exclude(chunks__status__in=OPEN).values_list("pk", flat=True).distinct())
    for job_id in list(open_jobs):
        job_refresh(job_id=job_id)
    return requeued


def lease_seconds() -> float:
    return float(getattr(settings, "RECALC_CHUNK_LEASE_SECONDS", 120))


def job_resume(*, actor, job: RecalcJob, request=None, enqueue: bool = True) -> RecalcJob:
    """Redo a job's chunks that are not done (failed, or left running by a killed worker)."""
    if actor is not None and not (scope.is_admin(actor) and scope.can_write(actor)):
        raise PermissionDenied("只有县级管理员可以发起待遇重算。")
    with transaction.atomic():
        job.chunks.filter(status=JobStatus.FAILED).update(status=JobStatus.PENDING)
        RecalcJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, finished_at=None,
                                                   error="")
        if actor is not None:
            audit_record(user=actor, action=AuditEntry.Action.OTHER, obj=job,
                         detail="继续未完成的待遇重算分片", request=request)
        if enqueue:
            transaction.on_commit(lambda: job_enqueue(job_id=job.pk))
    job.refresh_from_db()
    return job


def job_wait(job: RecalcJob, *, timeout: float = 3600, poll: float = 0.5) -> RecalcJob:
    deadline = time.monotonic() + timeout
    while True:
        job.refresh_from_db()
        if job.finished or time.monotonic() > deadline:
            return job
        time.sleep(poll)


# --- Reads -------------------------------------------------------------------------------------


def jobs_for(user):
    """Jobs the user may see: those over a region in their scope; the all-region jobs (the
    1 January run) also to county administrators and city leaders, who follow them."""
    qs = RecalcJob.objects.select_related("region", "requested_by")
    prefix = scope.region_prefix(user)
    if prefix is None:
        return qs.none()
    if prefix == "":
        return qs
    in_scope = Q(region__pk__startswith=prefix)
    if scope.follows_all_region_jobs(user):
        in_scope |= Q(region__isnull=True)
    return qs.filter(in_scope)


def chunks_for(user, job: RecalcJob):
    """The job's chunks over pooling regions in the user's scope."""
    return job.chunks.filter(scope.region_q(user, "pooling_region_id")).select_related(
        "pooling_region").order_by("pooling_region_id", "id_from")
