"""The ledger of the un-enrolled (未参保台账): generation, closing, and the reasons recorded.

The ledger is generated set-based (INSERT … SELECT … ON CONFLICT) one part at a time (townships
grouped up to ~150,000 persons, `ledger_parts`), so a city of ~5 million persons is a few dozen
statements, not millions of saves. An enrollment
that arrives closes the person's entries and completes their open tasks
(`ledger_close_for_enrollment`, called from the enrollment signal).
"""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Subquery
from django.utils import timezone

from core import partitions, queue
from enrollment import changes, regions, scope
from enrollment.audit import audit_record
from enrollment.models import (
    AuditEntry,
    Enrollment,
    LifeStatus,
    LIVE_STATUSES,
    Person,
    Region,
)

from . import ledger_parts
from .ledger_parts import Part
from ..models import (
    EntryStatus,
    EXCLUDING_REASONS,
    LedgerEntry,
    LedgerRun,
    OPEN_TASK_STATUSES,
    Reason,
    Side,
    Task,
    TaskStatus,
)


# One statement per side and region part. The residence side lists everyone living under the
# prefix; the household-registration side lists those registered under it who live in another
# village (人户分离). An entry that had been closed (enrolled, gone) re-opens when the person is
# un-enrolled again (an enrollment stopped); a marked one stays marked. ID and phone numbers
# are copied as ciphertext with their blind indexes: both tables use the same keys.
_INSERT_SQL = """
INSERT INTO outreach_ledgerentry
    (year, person_id, side, region_id, grid_id, separated, name, id_number, id_number_bidx,
     phone, phone_bidx, reason, reason_note, status, enrollment_id, created_at, updated_at,
     closed_at)
SELECT %(year)s, p.id, %(side)s, substr(p.{col}, 1, 12),
       CASE WHEN length(p.{col}) = 15 THEN p.{col} ELSE NULL END,
       substr(p.hukou_region_id, 1, 12) <> substr(p.residence_region_id, 1, 12),
       p.name, coalesce(p.id_number, p.birth_cert_number, ''),
       coalesce(p.id_number_bidx, p.birth_cert_bidx), p.phone, p.phone_bidx,
       '', '', 'open', NULL, %(now)s, %(now)s, NULL
FROM enrollment_person p
WHERE p.life_status = 'alive'
  AND {part}
  {extra}
  AND NOT EXISTS (
      SELECT 1 FROM enrollment_enrollment e
      WHERE e.person_id = p.id AND e.year = %(year)s AND e.status IN ('awaiting', 'active'))
ON CONFLICT (year, person_id, side) DO UPDATE
    SET status = 'open', enrollment_id = NULL, closed_at = NULL, updated_at = excluded.updated_at
    WHERE outreach_ledgerentry.status IN ('enrolled', 'gone')
"""


# Registered here, living in another village: spelled as the predicate of the index that holds
# only them (enrollment's person_separated_hukou), or PostgreSQL cannot use that index.
_SEPARATED = ("AND NOT (SUBSTRING(p.hukou_region_id, 1, 12) = "
              "SUBSTRING(p.residence_region_id, 1, 12)) ")


def _insert_part(year: int, part: Part, now, since=None) -> int:
    added = 0
    # An incremental run looks only at persons marked changed since the last run: everyone
    # else's entry (or absence of one) already says what their unchanged file gives.
    changed = "AND p.inputs_changed_at >= %(since)s" if since is not None else ""
    with connection.cursor() as cursor:
        for side, col, extra in [
            (Side.RESIDENCE, "residence_region_id", changed),
            (Side.HUKOU, "hukou_region_id", _SEPARATED + changed),
        ]:
            params = {"year": year, "side": str(side), "now": now,
                      "since": since and since - changes.margin()}
            sql = _INSERT_SQL.format(col=col, extra=extra, part=part.sql(f"p.{col}", params))
            cursor.execute(sql, params)
            added += max(cursor.rowcount, 0)
    return added


def _live(year: int):
    return Enrollment.objects.filter(person_id=OuterRef("person_id"), year=year,
                                     status__in=LIVE_STATUSES)


def _close_part(year: int, part: Part, now, since=None) -> int:
    """Close entries whose person is now enrolled (any scheme, here or elsewhere) or no
    longer alive/here; complete their open tasks. Set-based; with `since`, only the entries of
    persons marked changed since then."""
    # The part's code ranges lead the (year, region, …) index: only this part's entries are read.
    entries = LedgerEntry.objects.filter(part.q("region_id"), year=year)
    # The entries this part's insert has just written or re-opened (stamped `now`) were chosen
    # alive, living (registered) under their region and without a live enrollment: none can
    # close. Leaving them out spares each closing its probes or joins per entry (in a first run,
    # every entry: a scan of the part's persons for the moves and deaths, of the year's live
    # enrollments for the enrolled). What changes meanwhile marks the person (inputs_changed_at)
    # or closes the entry itself (the enrollment signal); the next incremental run sees it.
    entries = entries.exclude(updated_at=now)
    if since is not None:
        entries = entries.filter(person_id__in=changes.changed_since(since))
    live = _live(year)
    closed = entries.filter(status__in=[EntryStatus.OPEN, EntryStatus.MARKED]).filter(
        Exists(live)).update(status=EntryStatus.ENROLLED, closed_at=now, updated_at=now,
                             enrollment_id=Subquery(live.order_by("pk").values("pk")[:1]))
    moved_res = Person.objects.filter(pk=OuterRef("person_id")).exclude(
        residence_region__pk__startswith=OuterRef("region_id"))
    moved_hukou = Person.objects.filter(pk=OuterRef("person_id")).exclude(
        hukou_region__pk__startswith=OuterRef("region_id"))
    dead = Person.objects.filter(pk=OuterRef("person_id")).exclude(
        life_status=LifeStatus.ALIVE)
    open_entries = entries.filter(status__in=[EntryStatus.OPEN, EntryStatus.MARKED])
    gone = open_entries.filter(Exists(dead)).update(status=EntryStatus.GONE, closed_at=now,
                                                    updated_at=now)
    gone += open_entries.filter(side=Side.RESIDENCE).filter(Exists(moved_res)).update(
        status=EntryStatus.GONE, closed_at=now, updated_at=now)
    gone += open_entries.filter(side=Side.HUKOU).filter(Exists(moved_hukou)).update(
        status=EntryStatus.GONE, closed_at=now, updated_at=now)
    # entry_year beside entry_id, so that the join and the subquery read one ledger partition.
    tasks = Task.objects.filter(part.q("region_id"), entry_year=year, entry__year=year,
                                status__in=OPEN_TASK_STATUSES, entry__status=EntryStatus.ENROLLED)
    if since is not None:
        tasks = tasks.filter(entry__person_id__in=changes.changed_since(since))
    tasks.update(
        status=TaskStatus.ENROLLED, outcome=TaskStatus.ENROLLED, finished_at=now,
        updated_at=now,
        enrollment_id=Subquery(LedgerEntry.objects.filter(pk=OuterRef("entry_id"), year=year)
                               .order_by().values("enrollment_id")[:1]))
    return closed + gone


def _check_ledger_actor(actor, region: Region) -> None:
    scope.require_write(actor)
    if not scope.can_manage_outreach(actor):
        raise PermissionDenied("台账由县、乡两级生成，请联系乡镇（街道）经办人员。")
    if not scope.region_in_scope(actor, region.code):
        raise ValidationError({"region": "只能生成本辖区的台账。"})


def previous_watermark(run: LedgerRun):
    """Where an incremental run starts: the watermark of the latest finished run of the same
    year over this run's region or a wider one; None (a full run) when there is none."""
    done = (LedgerRun.objects.filter(year=run.year, status=LedgerRun.Status.DONE,
                                     watermark__isnull=False).exclude(pk=run.pk)
            .order_by("-watermark").values_list("region_id", "watermark")[:50])
    for region_id, watermark in done:
        if run.region_id.startswith(regions.prefix_of(region_id)):
            return watermark
    return None


@transaction.atomic
def ledger_run_start(*, actor, year: int, region: Region, request=None,
                     full: bool = False) -> LedgerRun:
    """Queue a ledger generation (the Celery task runs it after commit): incremental unless
    `full` or there is no earlier run to continue from."""
    _check_ledger_actor(actor, region)
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": "年度不正确。"})
    # parts_total stays 0 until the job plans its parts (that counts the region's persons,
    # which is the job's work, not the request's).
    run = LedgerRun.objects.create(year=year, region=region, created_by=actor, full=full)
    audit_record(user=actor, action=AuditEntry.Action.OTHER, obj=run, request=request,
                 detail=f"生成{year}年未参保台账：{region.name}{'（全量）' if full else ''}")
    transaction.on_commit(lambda: ledger_run_enqueue(run_id=run.pk))
    return run


def ledger_run_enqueue(*, run_id: int) -> bool:
    """Hand the run to Celery; with the broker down the run is marked failed (the page offers
    重试) instead of waiting in the queue forever."""
    from ..tasks import generate_ledger

    if queue.publish(generate_ledger, args=(run_id,)):
        return True
    LedgerRun.objects.filter(pk=run_id, status=LedgerRun.Status.QUEUED).update(
        status=LedgerRun.Status.FAILED, error=queue.QUEUE_DOWN, finished_at=timezone.now())
    return False


def ledger_run_plan(*, run_id: int) -> list[Part] | None:
    """Start (or restart) a run: fix its watermark, plan its parts and reset its progress.
    None when the run is already done."""
    run = LedgerRun.objects.select_related("region").get(pk=run_id)
    if run.status == LedgerRun.Status.DONE:
        return None
    if run.watermark is None:  # set once: a rerun after a failure keeps what it started from
        run.since = None if run.full else previous_watermark(run)
        run.watermark = changes.watermark_now()
    parts = ledger_parts.plan(run.region, run.year, run.since)
    LedgerRun.objects.filter(pk=run.pk).update(
        status=LedgerRun.Status.RUNNING, parts_done=0, parts_finished=[], parts_total=len(parts),
        added=0,
        closed=0, error="", since=run.since, watermark=run.watermark)
    if not parts:
        _finish(run.pk)
    return parts


def ledger_part_execute(*, run_id: int, prefixes: list[str]) -> bool:
    """Generate one part of a run in one transaction and count it on the run; the part that
    completes the run finishes it. Parts are independent (disjoint code ranges), so they may
    run at the same time on several workers; each is idempotent (ON CONFLICT, guarded
    closings), so a redelivered part is safe. Returns whether this part finished the run."""
    part = Part(tuple(prefixes))
    try:
        with transaction.atomic():
            run = LedgerRun.objects.only("year", "since").get(pk=run_id)
            now = timezone.now()
            added = _insert_part(run.year, part, now, run.since)
            if added >= ANALYZE_AFTER_ROWS:
                _analyze_year(run.year)
            closed = _close_part(run.year, part, now, run.since)
            # The run's row is locked from here until this part commits (not before: the parts
            # work side by side), so two parts finishing together see each other's counts and
            # exactly one sees the last; a part already counted (redelivered after its commit)
            # adds nothing.
            counted = LedgerRun.objects.select_for_update().only(
                "parts_finished", "parts_done", "parts_total").get(pk=run_id)
            key = ",".join(part.prefixes)
            if key not in counted.parts_finished:
                LedgerRun.objects.filter(pk=run_id).update(
                    parts_done=F("parts_done") + 1, added=F("added") + added,
                    closed=F("closed") + closed,
                    parts_finished=counted.parts_finished + [key])
                counted.parts_done += 1
            done, total = counted.parts_done, counted.parts_total
    except Exception as exc:  # recorded for the page; the job can be run again
        LedgerRun.objects.filter(pk=run_id).update(status=LedgerRun.Status.FAILED,
                                                   error=str(exc)[:2000])
        raise
    if done < total:
        return False
    _finish(run_id)
    return True


# A part that wrote this many rows refreshes the statistics of the year's partition before its
# closing statements: a partition that started the run empty (a new year, a bench's truncate)
# has none, and the planner then walked every entry of the year by (person, year) in each
# part's closing, a cost growing with the entries already written (1M, 7 parts, one
# transaction: closings 1.1 s -> 3.9 s per part, 18 s in all; with the ANALYZE, 0.15-0.2 s
# each, ~1.0 s per part, 7.8 s in all).
ANALYZE_AFTER_ROWS = 10_000


def _analyze_year(year: int) -> None:
    if connection.vendor != "postgresql":
        return
    table = LedgerEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL",
                       [partitions.partition_name(table, year)])
        # The year's own partition, or the whole table when the year is in DEFAULT.
        name = partitions.partition_name(table, year) if cursor.fetchone()[0] else table
        cursor.execute(f'ANALYZE "{name}"')


def _finish(run_id: int) -> None:
    run = LedgerRun.objects.get(pk=run_id)
    if run.added + run.closed:
        # Fresh statistics after a large run, so the pages plan with what is there (a worker's
        # ledger joins through the year's entries only when the planner thinks they are few).
        # The year's partition only: the pages ask for a year, so they read its statistics,
        # and the whole table's ANALYZE went through every year's (1M: 0.5 s against 0.14 s,
        # after the last part, when nothing else runs).
        _analyze_year(run.year)
    # A part that failed meanwhile left the run failed: it stays so until rerun.
    LedgerRun.objects.filter(pk=run_id, status=LedgerRun.Status.RUNNING).update(
        status=LedgerRun.Status.DONE, finished_at=timezone.now())


def ledger_run_execute(*, run_id: int) -> LedgerRun:
    """Run a generation job part by part in this process; each part commits on its own, so a
    city-wide run shows progress and a rerun (idempotent) picks up where it failed. The Celery
    job spreads the same parts over the workers instead (tasks.generate_ledger)."""
    for part in ledger_run_plan(run_id=run_id) or []:
        ledger_part_execute(run_id=run_id, prefixes=list(part.prefixes))
    return LedgerRun.objects.get(pk=run_id)


def ledger_generate(*, actor, year: int, region: Region, full: bool = False) -> dict:
    """Generate (or refresh) the ledger for a year and region now, in this process."""
    _check_ledger_actor(actor, region)
    run = LedgerRun.objects.create(year=year, region=region, created_by=actor, full=full)
    run = ledger_run_execute(run_id=run.pk)
    audit_record(user=actor, action=AuditEntry.Action.OTHER, obj=run,
                 detail=f"生成{year}年未参保台账：{region.name}，新增{run.added}条，销号{run.closed}条")
    return {"added": run.added, "closed": run.closed, "parts": run.parts_total}


def ledger_close_for_enrollment(*, enrollment: Enrollment) -> int:
    """An enrollment arrived (registered by a clerk or imported): close the person's ledger
    entries for that year and complete their open tasks, linked to the enrollment."""
    if enrollment.status not in LIVE_STATUSES:
        return 0
    now = timezone.now()
    entries = LedgerEntry.objects.filter(person_id=enrollment.person_id, year=enrollment.year,
                                         status__in=[EntryStatus.OPEN, EntryStatus.MARKED])
    entry_ids = list(entries.values_list("pk", flat=True))
    if not entry_ids:
        return 0
    LedgerEntry.objects.filter(pk__in=entry_ids).update(
        status=EntryStatus.ENROLLED, enrollment=enrollment, closed_at=now, updated_at=now)
    tasks = list(Task.objects.filter(entry_id__in=entry_ids, status__in=OPEN_TASK_STATUSES))
    for task in tasks:
        updated = Task.objects.filter(pk=task.pk, status=task.status).update(
            status=TaskStatus.ENROLLED, outcome=TaskStatus.ENROLLED, enrollment=enrollment,
            finished_at=now, updated_at=now)
        if updated:
            audit_record(user=enrollment.created_by, action=AuditEntry.Action.UPDATE,
                         person=enrollment.person, obj=task,
                         detail=f"{enrollment.year}年参保登记已录入，摸排任务自动办结")
    return len(entry_ids)


@transaction.atomic
def ledger_set_reason(*, actor, entry: LedgerEntry, reason: str, note: str = "",
                      request=None) -> LedgerEntry:
    """Record why a person is not enrolled. A reason that says the person is covered or not
    really here (EXCLUDING_REASONS) marks the entry: out of the count, still on the ledger."""
    scope.require_write(actor)
    if not _entry_visible(actor, entry):
        raise PermissionDenied
    if reason not in Reason.values:
        raise ValidationError({"reason": "请选择未参保原因。"})
    if reason == Reason.OTHER and not note.strip():
        raise ValidationError({"reason_note": "选择“其他”时请填写原因说明。"})
    if entry.status not in (EntryStatus.OPEN, EntryStatus.MARKED):
        raise ValidationError({"reason": f"该条台账已{entry.get_status_display()}，无需填写原因。"})
    new_status = EntryStatus.MARKED if reason in EXCLUDING_REASONS else EntryStatus.OPEN
    updated = LedgerEntry.objects.filter(pk=entry.pk, status=entry.status).update(
        reason=reason, reason_note=note.strip(), status=new_status, updated_at=timezone.now())
    if not updated:
        raise ValidationError({"reason": "该条台账刚被其他人更新，请刷新页面后再试。"})
    entry.reason, entry.reason_note, entry.status = reason, note.strip(), new_status
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=entry.person, obj=entry,
                 request=request, detail=f"未参保原因：{Reason(reason).label}"
                                         + (f"（{note.strip()}）" if note.strip() else "")
                                         + ("，标记为不计入" if new_status == EntryStatus.MARKED
                                            else ""))
    return entry


def _entry_visible(user, entry) -> bool:
    from .. import selectors

    return selectors.entries_for(user).filter(pk=entry.pk).exists()
