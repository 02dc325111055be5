"""The only code that writes outreach data.

Keyword-only arguments, one transaction, the actor's scope checked, an audit entry naming the
actor. Task status changes are guarded updates (`filter(pk=…, status=old).update(…)`): when two
staff change one task at once, one wins and the other is told in Chinese.

The ledger is generated set-based (INSERT … SELECT … ON CONFLICT) one township at a time, so a
city of ~5 million persons is a few hundred statements, not millions of saves.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from enrollment import regions, scope
from enrollment.audit import audit_record
from enrollment.models import (
    AuditEntry,
    Enrollment,
    LifeStatus,
    LIVE_STATUSES,
    Person,
    Region,
    Role,
    User,
)

from ..models import (
    Batch,
    Campaign,
    CampaignDay,
    CampaignTarget,
    EntryStatus,
    EnrollmentTarget,
    EXCLUDING_REASONS,
    GridAssignment,
    LedgerEntry,
    LedgerRun,
    OPEN_TASK_STATUSES,
    Reason,
    Side,
    Task,
    TaskStatus,
    Visit,
    WORKING_STATUSES,
    WorkerSubstitution,
)

PUSH_ROLES = {Role.COUNTY_ADMIN}
SIGN_ROLES = {Role.TOWNSHIP_OFFICER, Role.COUNTY_ADMIN}
STALE = "该任务刚被其他人更新（当前状态：{status}），请刷新页面后再试。"


def _status_label(task_id) -> str:
    status = Task.objects.filter(pk=task_id).values_list("status", flat=True).first()
    return TaskStatus(status).label if status else "已删除"


def _guarded(task: Task, old, new: str | None = None, **fields) -> None:
    """Change a task only if its status is still `old` (a status or a list of them);
    otherwise somebody else changed it first: tell the user, write nothing."""
    olds = old if isinstance(old, (list, tuple, set, frozenset)) else [old]
    if new:
        fields["status"] = new
    fields["updated_at"] = timezone.now()
    updated = Task.objects.filter(pk=task.pk, status__in=olds).update(**fields)
    if not updated:
        raise ValidationError(STALE.format(status=_status_label(task.pk)))
    for k, v in fields.items():
        setattr(task, k, v)


def _can_push(actor) -> bool:
    return actor.is_superuser or (actor.role in PUSH_ROLES and scope.can_write(actor))


def _is_staff_over(actor, region_code: str) -> bool:
    return scope.can_write(actor) and scope.region_in_scope(actor, region_code)


# --- Grids and grid workers -------------------------------------------------------------


@transaction.atomic
def grid_assign(*, actor, grid: Region, worker: User, start_date: dt.date | None = None,
                request=None) -> GridAssignment:
    """Put a grid worker on a grid (a worker may hold several grids)."""
    scope.require_write(actor)
    if grid.level != regions.GRID:
        raise ValidationError({"grid": "请选择网格（村社区代码后加3位）。"})
    if not scope.region_in_scope(actor, grid.code) or actor.role == Role.GRID_WORKER:
        raise ValidationError({"grid": "只能分配本辖区内的网格。"})
    if worker.role != Role.GRID_WORKER:
        raise ValidationError({"worker": f"{worker.display_name}不是网格员账号。"})
    if GridAssignment.objects.filter(grid=grid, worker=worker, active=True).exists():
        raise ValidationError({"worker": f"{worker.display_name}已负责{grid.name}，无需重复分配。"})
    assignment = GridAssignment.objects.create(
        grid=grid, worker=worker, start_date=start_date or timezone.localdate(),
        assigned_by=actor)
    audit_record(user=actor, action=AuditEntry.Action.CREATE, obj=assignment, request=request,
                 detail=f"分配网格员{worker.display_name}负责{grid.name}")
    return assignment


def worker_grid_codes(worker) -> list[str]:
    return list(GridAssignment.objects.filter(worker=worker, active=True)
                .values_list("grid_id", flat=True))


@transaction.atomic
def worker_substitute(*, actor, leaving: User, substitute: User, on: dt.date, reason: str = "",
                      request=None) -> WorkerSubstitution:
    """A grid worker leaves: their grids and open tasks (in the actor's region) move to the
    substitute, and the hand-over is recorded."""
    scope.require_write(actor)
    if actor.role == Role.GRID_WORKER:
        raise PermissionDenied("网格员不能办理替换。")
    if substitute.role != Role.GRID_WORKER:
        raise ValidationError({"substitute": f"{substitute.display_name}不是网格员账号。"})
    if substitute.pk == leaving.pk:
        raise ValidationError({"substitute": "接替人不能是离岗网格员本人。"})
    assignments = list(GridAssignment.objects.filter(worker=leaving, active=True).filter(
        scope.region_q(actor, "grid_id")))
    if not assignments:
        raise ValidationError({"leaving": f"{leaving.display_name}在本辖区没有在岗网格。"})
    GridAssignment.objects.filter(pk__in=[a.pk for a in assignments]).update(
        active=False, end_date=on)
    held = set(GridAssignment.objects.filter(worker=substitute, active=True)
               .values_list("grid_id", flat=True))
    GridAssignment.objects.bulk_create([
        GridAssignment(grid_id=a.grid_id, worker=substitute, start_date=on, assigned_by=actor)
        for a in assignments if a.grid_id not in held])
    tasks_moved = Task.objects.filter(worker=leaving, status__in=OPEN_TASK_STATUSES).filter(
        scope.region_q(actor, "region_id")).update(worker=substitute, updated_at=timezone.now())
    region_code = assignments[0].grid_id[:12]
    record = WorkerSubstitution.objects.create(
        leaving=leaving, substitute=substitute, region_id=region_code, on=on, reason=reason,
        grids_moved=len(assignments), tasks_moved=tasks_moved, created_by=actor)
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=record, request=request,
                 detail=f"{leaving.display_name}离岗，{len(assignments)}个网格、{tasks_moved}项"
                        f"未办结任务移交{substitute.display_name}")
    return record


# --- The ledger ---------------------------------------------------------------------------

# One statement per side and region part. The residence side lists everyone living under the
# prefix; the household-registration side lists those registered under it who live in another
# village (人户分离). An entry that had been closed (enrolled, gone) re-opens when the person is
# un-enrolled again (an enrollment stopped); a marked one stays marked.
_INSERT_SQL = """
INSERT INTO outreach_ledgerentry
    (year, person_id, side, region_id, grid_id, separated, name, id_number, phone, reason,
     reason_note, status, enrollment_id, created_at, updated_at, closed_at)
SELECT %(year)s, p.id, %(side)s, substr(p.{col}, 1, 12),
       CASE WHEN length(p.{col}) = 15 THEN p.{col} ELSE NULL END,
       substr(p.hukou_region_id, 1, 12) <> substr(p.residence_region_id, 1, 12),
       p.name, coalesce(p.id_number, p.birth_cert_number, ''), p.phone, '', '', 'open', NULL,
       %(now)s, %(now)s, NULL
FROM enrollment_person p
WHERE p.life_status = 'alive'
  AND p.{col} LIKE %(like)s
  {extra}
  AND NOT EXISTS (
      SELECT 1 FROM enrollment_enrollment e
      WHERE e.person_id = p.id AND e.year = %(year)s AND e.status IN ('awaiting', 'active'))
ON CONFLICT (year, person_id, side) DO UPDATE
    SET status = 'open', enrollment_id = NULL, closed_at = NULL, updated_at = excluded.updated_at
    WHERE outreach_ledgerentry.status IN ('enrolled', 'gone')
"""


def _insert_part(year: int, prefix: str, now) -> int:
    added = 0
    with connection.cursor() as cursor:
        for side, col, extra in [
            (Side.RESIDENCE, "residence_region_id", ""),
            (Side.HUKOU, "hukou_region_id",
             "AND substr(p.hukou_region_id, 1, 12) <> substr(p.residence_region_id, 1, 12)"),
        ]:
            cursor.execute(_INSERT_SQL.format(col=col, extra=extra),
                           {"year": year, "side": str(side), "like": prefix + "%", "now": now})
            added += max(cursor.rowcount, 0)
    return added


def _live(year: int):
    return Enrollment.objects.filter(person_id=OuterRef("person_id"), year=year,
                                     status__in=LIVE_STATUSES)


def _close_part(year: int, prefix: str, now) -> int:
    """Close entries whose person is now enrolled (any scheme, here or elsewhere) or no
    longer alive/here; complete their open tasks. Set-based."""
    entries = LedgerEntry.objects.filter(scope.region_q_prefix(prefix, "region_id"), year=year)
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
    Task.objects.filter(scope.region_q_prefix(prefix, "region_id"), entry__year=year,
                        status__in=OPEN_TASK_STATUSES,
                        entry__status=EntryStatus.ENROLLED).update(
        status=TaskStatus.ENROLLED, outcome=TaskStatus.ENROLLED, finished_at=now,
        updated_at=now,
        enrollment_id=Subquery(LedgerEntry.objects.filter(pk=OuterRef("entry_id"))
                               .values("enrollment_id")[:1]))
    return closed + gone


def _parts(region: Region) -> list[str]:
    """The prefixes one run works through: townships under a county or city, or the region
    itself when it is a township or below."""
    if region.level in (regions.TOWNSHIP, regions.VILLAGE, regions.GRID):
        return [regions.prefix_of(region.code)]
    codes = Region.objects.filter(path__startswith=region.path, level=regions.TOWNSHIP) \
        .values_list("code", flat=True).order_by("code")
    return [regions.prefix_of(c) for c in codes] or [regions.prefix_of(region.code)]


def _check_ledger_actor(actor, region: Region) -> None:
    scope.require_write(actor)
    if actor.role in (Role.GRID_WORKER, Role.VILLAGE_CLERK) and not actor.is_superuser:
        raise PermissionDenied("台账由县、乡两级生成，请联系乡镇（街道）经办人员。")
    if not scope.region_in_scope(actor, region.code):
        raise ValidationError({"region": "只能生成本辖区的台账。"})


@transaction.atomic
def ledger_run_start(*, actor, year: int, region: Region, request=None) -> LedgerRun:
    """Queue a ledger generation (the Celery task runs it after commit)."""
    _check_ledger_actor(actor, region)
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": "年度不正确。"})
    run = LedgerRun.objects.create(year=year, region=region, created_by=actor,
                                   parts_total=len(_parts(region)))
    audit_record(user=actor, action=AuditEntry.Action.OTHER, obj=run, request=request,
                 detail=f"生成{year}年未参保台账：{region.name}")
    from ..tasks import generate_ledger

    transaction.on_commit(lambda: generate_ledger.delay(run.pk))
    return run


def ledger_run_execute(*, run_id: int) -> LedgerRun:
    """Run a generation job part by part; each part commits on its own, so a city-wide run
    shows progress and a rerun (idempotent) picks up where it failed."""
    run = LedgerRun.objects.select_related("region").get(pk=run_id)
    if run.status == LedgerRun.Status.DONE:
        return run
    LedgerRun.objects.filter(pk=run.pk).update(status=LedgerRun.Status.RUNNING, parts_done=0)
    added = closed = 0
    parts = _parts(run.region)
    try:
        for index, prefix in enumerate(parts, start=1):
            with transaction.atomic():
                now = timezone.now()
                added += _insert_part(run.year, prefix, now)
                closed += _close_part(run.year, prefix, now)
            LedgerRun.objects.filter(pk=run.pk).update(parts_done=index, parts_total=len(parts),
                                                       added=added, closed=closed)
    except Exception as exc:  # recorded for the page; the job can be run again
        LedgerRun.objects.filter(pk=run.pk).update(status=LedgerRun.Status.FAILED,
                                                   error=str(exc)[:2000])
        raise
    LedgerRun.objects.filter(pk=run.pk).update(status=LedgerRun.Status.DONE,
                                               finished_at=timezone.now())
    run.refresh_from_db()
    return run


def ledger_generate(*, actor, year: int, region: Region) -> dict:
    """Generate (or refresh) the ledger for a year and region now, in this process."""
    _check_ledger_actor(actor, region)
    run = LedgerRun.objects.create(year=year, region=region, created_by=actor)
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


# --- The six steps: push, sign, assign, visit, mobilise, finish, report --------------------


@transaction.atomic
def batch_push(*, actor, year: int, township: Region, entry_ids: list[int] | None = None,
               village: Region | None = None, reason: str = "", limit: int | None = None,
               due_date: dt.date | None = None, note: str = "", request=None) -> Batch:
    """数据下发: a county (or city) pushes open ledger entries of one township down.

    With `entry_ids` exactly those entries are pushed, and one already pushed refuses the whole
    batch; without, every open entry not yet pushed that matches the filters is."""
    if not _can_push(actor):
        raise PermissionDenied("只有县级（或市级）管理员可以下发任务。")
    if township.level != regions.TOWNSHIP:
        raise ValidationError({"township": "请选择接收任务的乡镇（街道）。"})
    if not scope.region_in_scope(actor, township.code) or (
            not actor.is_superuser and township.code == actor.region_id):
        raise ValidationError({"township": "只能向本辖区下级乡镇（街道）下发任务。"})
    if due_date and due_date < timezone.localdate():
        raise ValidationError({"due_date": "反馈时限不能早于今天。"})
    prefix = regions.prefix_of(township.code)
    entries = LedgerEntry.objects.filter(scope.region_q_prefix(prefix, "region_id"), year=year)
    if entry_ids is not None:
        wanted = set(int(i) for i in entry_ids)
        if not wanted:
            raise ValidationError({"entry_ids": "请至少选择一条台账。"})
        found = list(entries.filter(pk__in=wanted).values("pk", "name", "status"))
        if len(found) != len(wanted):
            raise ValidationError({"entry_ids": f"所选台账中有{len(wanted) - len(found)}条不属于"
                                                f"{township.name}或{year}年度，请重新选择。"})
        taken = list(Task.objects.filter(entry_id__in=wanted)
                     .values_list("entry__name", flat=True)[:5])
        if taken:
            raise ValidationError({"entry_ids": "以下人员已下发，不能重复下发："
                                                + "、".join(taken)})
        closed = [f["name"] for f in found if f["status"] != EntryStatus.OPEN]
        if closed:
            raise ValidationError({"entry_ids": "以下人员已参保、已标记或已移出，无需下发："
                                                + "、".join(closed[:5])})
        rows = list(entries.filter(pk__in=wanted).values("pk", "region_id", "grid_id"))
    else:
        qs = entries.filter(status=EntryStatus.OPEN, task__isnull=True)
        if village is not None:
            if not village.code.startswith(prefix):
                raise ValidationError({"village": "所选村（社区）不属于该乡镇（街道）。"})
            qs = qs.filter(region=village)
        if reason:
            qs = qs.filter(reason=reason)
        qs = qs.order_by("region_id", "pk").values("pk", "region_id", "grid_id")
        rows = list(qs[:limit] if limit else qs)
        if not rows:
            raise ValidationError({"township": f"{township.name}{year}年没有可下发的未参保人员"
                                               "（可能已全部下发）。"})
    batch = Batch.objects.create(year=year, township=township, due_date=due_date, note=note,
                                 pushed_by_region_id=actor.region_id or township.code[:6] + "000000",
                                 size=len(rows), created_by=actor)
    try:
        with transaction.atomic():
            Task.objects.bulk_create(
                [Task(entry_id=r["pk"], batch=batch, region_id=r["region_id"],
                      grid_id=r["grid_id"], follow_up_date=due_date) for r in rows],
                batch_size=2000)
    except IntegrityError:
        raise ValidationError({"entry_ids": "部分人员刚被其他人下发，请刷新页面后重试。"}) from None
    audit_record(user=actor, action=AuditEntry.Action.CREATE, obj=batch, request=request,
                 detail=f"向{township.name}下发{year}年未参保人员{len(rows)}人")
    return batch


def _check_sign(actor, township_code: str, township_name: str) -> None:
    scope.require_write(actor)
    if not actor.is_superuser and (actor.role not in SIGN_ROLES
                                   or not scope.region_in_scope(actor, township_code)):
        raise ValidationError(f"该任务属于{township_name}，只能由该乡镇（街道）签领。")


@transaction.atomic
def task_sign(*, actor, task: Task, request=None) -> Task:
    """签领 one task (the township that owns it)."""
    township = Region.objects.get(code=task.region_id[:9] + "000")
    _check_sign(actor, township.code, township.name)
    if task.status != TaskStatus.PUSHED:
        raise ValidationError(f"该任务已{task.get_status_display()}，无需再签领。")
    _guarded(task, TaskStatus.PUSHED, TaskStatus.SIGNED, signed_by=actor,
             signed_at=timezone.now())
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=task, request=request,
                 detail="签领摸排任务")
    _auto_assign(Task.objects.filter(pk=task.pk))
    task.refresh_from_db()
    return task


@transaction.atomic
def batch_sign(*, actor, batch: Batch, request=None) -> int:
    """签领 every pushed task of a batch at once, and give each to its grid's worker."""
    _check_sign(actor, batch.township_id, batch.township.name)
    now = timezone.now()
    signed = Task.objects.filter(batch=batch, status=TaskStatus.PUSHED).update(
        status=TaskStatus.SIGNED, signed_by=actor, signed_at=now, updated_at=now)
    if not signed:
        raise ValidationError("该批次任务已全部签领。")
    assigned = _auto_assign(Task.objects.filter(batch=batch))
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=batch, request=request,
                 detail=f"签领{signed}项任务，按网格分配{assigned}项")
    return signed


def _auto_assign(tasks) -> int:
    """Signed tasks without a worker go to the (longest-serving) active worker of their grid."""
    worker = GridAssignment.objects.filter(grid_id=OuterRef("grid_id"), active=True) \
        .order_by("start_date", "pk").values("worker_id")[:1]
    return tasks.filter(worker__isnull=True, grid__isnull=False, status__in=WORKING_STATUSES) \
        .filter(Exists(GridAssignment.objects.filter(grid_id=OuterRef("grid_id"), active=True))) \
        .update(worker_id=Subquery(worker), updated_at=timezone.now())


@transaction.atomic
def task_assign(*, actor, task: Task, worker: User, request=None) -> Task:
    """Give a task to a grid worker who works the person's grid."""
    scope.require_write(actor)
    if not actor.is_superuser and (actor.role == Role.GRID_WORKER
                                   or not scope.region_in_scope(actor, task.region_id)):
        raise PermissionDenied("只能分配本辖区的任务。")
    if task.status not in WORKING_STATUSES:
        raise ValidationError({"worker": "请先签领任务再分配网格员。" if task.status ==
                               TaskStatus.PUSHED else f"该任务已{task.get_status_display()}，不能再分配。"})
    if worker.role != Role.GRID_WORKER:
        raise ValidationError({"worker": f"{worker.display_name}不是网格员账号。"})
    grids = GridAssignment.objects.filter(worker=worker, active=True)
    ok = (grids.filter(grid_id=task.grid_id).exists() if task.grid_id
          else grids.filter(grid__code__startswith=task.region_id).exists())
    if not ok:
        where = task.grid.name if task.grid_id else task.region.name
        raise ValidationError({"worker": f"{worker.display_name}不负责{where}，"
                                         "只能分配给负责该网格的网格员。"})
    _guarded(task, task.status, worker=worker)
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=task, request=request,
                 detail=f"分配给网格员{worker.display_name}")
    return task


def _check_task_worker(actor, task: Task) -> None:
    scope.require_write(actor)
    if actor.role == Role.GRID_WORKER and not actor.is_superuser:
        if task.worker_id != actor.pk:
            raise PermissionDenied("这不是您的任务。")
    elif not scope.region_in_scope(actor, task.region_id):
        raise PermissionDenied("只能办理本辖区的任务。")


@transaction.atomic
def visit_record(*, actor, task: Task, visited_on: dt.date, method: str, outcome: str,
                 note: str = "", next_follow_up: dt.date | None = None, request=None) -> Visit:
    """精准摸排 / 动员参保: record a contact. The first one starts the investigation; "agreed"
    marks the person mobilised."""
    _check_task_worker(actor, task)
    if task.status == TaskStatus.PUSHED:
        raise ValidationError("该任务尚未签领，请乡镇（街道）签领后再走访。")
    if task.status not in WORKING_STATUSES:
        raise ValidationError(f"该任务已{task.get_status_display()}，无需再走访。")
    visit = Visit(task=task, visited_on=visited_on, method=method, outcome=outcome,
                  note=note.strip(), next_follow_up=next_follow_up,
                  worker=actor if actor.role == Role.GRID_WORKER else task.worker or actor)
    visit.full_clean(exclude=["task", "worker"])
    now = timezone.now()
    fields = {"follow_up_date": next_follow_up, "visited_at": task.visited_at or now}
    new = TaskStatus.INVESTIGATING if task.status == TaskStatus.SIGNED else None
    if outcome == Visit.Outcome.AGREED:
        new, fields["mobilised_at"] = TaskStatus.MOBILISED, task.mobilised_at or now
    _guarded(task, task.status, new, **fields)
    visit.save()
    audit_record(user=actor, action=AuditEntry.Action.CREATE, obj=task, request=request,
                 person=task.entry.person,
                 detail=f"{visit.get_method_display()}（{visited_on}）：{visit.get_outcome_display()}")
    return visit


@transaction.atomic
def task_mobilise(*, actor, task: Task, request=None) -> Task:
    """动员参保: the person has agreed to enroll."""
    _check_task_worker(actor, task)
    if task.status not in (TaskStatus.SIGNED, TaskStatus.INVESTIGATING):
        raise ValidationError(STALE.format(status=task.get_status_display())
                              if task.status in OPEN_TASK_STATUSES
                              else f"该任务已{task.get_status_display()}。")
    _guarded(task, task.status, TaskStatus.MOBILISED, mobilised_at=timezone.now())
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=task, request=request,
                 detail="已动员参保")
    return task


@transaction.atomic
def task_cannot_enrol(*, actor, task: Task, reason: str, note: str = "", request=None) -> Task:
    """The person cannot be enrolled here; the reason goes to the ledger too (and a reason that
    says they are covered elsewhere takes them out of the count)."""
    _check_task_worker(actor, task)
    if reason not in Reason.values:
        raise ValidationError({"reason": "请选择无法参保的原因。"})
    if reason == Reason.OTHER and not note.strip():
        raise ValidationError({"note": "选择“其他”时请填写原因说明。"})
    if task.status not in WORKING_STATUSES:
        raise ValidationError("该任务尚未签领。" if task.status == TaskStatus.PUSHED
                              else f"该任务已{task.get_status_display()}。")
    _guarded(task, task.status, TaskStatus.CANNOT_ENROL, outcome=TaskStatus.CANNOT_ENROL,
             cannot_reason=reason, cannot_note=note.strip(), finished_at=timezone.now())
    entry = task.entry
    if entry.status in (EntryStatus.OPEN, EntryStatus.MARKED):
        LedgerEntry.objects.filter(pk=entry.pk).update(
            reason=reason, reason_note=note.strip(), updated_at=timezone.now(),
            status=EntryStatus.MARKED if reason in EXCLUDING_REASONS else EntryStatus.OPEN)
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=task, request=request,
                 person=entry.person, detail=f"无法参保：{Reason(reason).label} {note}".strip())
    return task


@transaction.atomic
def task_report(*, actor, task: Task, request=None) -> Task:
    """汇总反馈: the township reports a finished task up."""
    township = Region.objects.get(code=task.region_id[:9] + "000")
    _check_sign(actor, township.code, township.name)
    if task.status not in (TaskStatus.ENROLLED, TaskStatus.CANNOT_ENROL):
        raise ValidationError("任务办结（已参保或无法参保）后才能反馈。"
                              if task.status != TaskStatus.REPORTED else "该任务已反馈。")
    _guarded(task, task.status, TaskStatus.REPORTED, reported_at=timezone.now())
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=task, request=request,
                 detail=f"汇总反馈：{task.get_outcome_display()}")
    return task


@transaction.atomic
def batch_report(*, actor, batch: Batch, request=None) -> int:
    _check_sign(actor, batch.township_id, batch.township.name)
    now = timezone.now()
    n = Task.objects.filter(batch=batch, status__in=[TaskStatus.ENROLLED,
                                                     TaskStatus.CANNOT_ENROL]).update(
        status=TaskStatus.REPORTED, reported_at=now, updated_at=now)
    if not n:
        raise ValidationError("该批次暂无已办结待反馈的任务。")
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=batch, request=request,
                 detail=f"汇总反馈{n}项任务")
    return n


# --- Targets and campaigns ------------------------------------------------------------------


def region_population(region: Region, year: int) -> dict:
    """Resident and registered population and the open ledger (potential) of a region."""
    prefix = regions.prefix_of(region.code)
    alive = Person.objects.filter(life_status=LifeStatus.ALIVE)
    return {
        "resident_population": alive.filter(
            scope.region_q_prefix(prefix, "residence_region_id")).count(),
        "registered_population": alive.filter(
            scope.region_q_prefix(prefix, "hukou_region_id")).count(),
        "potential": LedgerEntry.objects.filter(
            scope.region_q_prefix(prefix, "region_id"), year=year, side=Side.RESIDENCE,
            status=EntryStatus.OPEN).count(),
    }


@transaction.atomic
def target_set(*, actor, region: Region, year: int, target_count: int | None = None,
               target_rate: Decimal | None = None, note: str = "",
               request=None) -> EnrollmentTarget:
    """下达目标: the level above sets a region's yearly enrollment target (seed 004 §14)."""
    scope.require_write(actor)
    if actor.role not in (Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICER) and not actor.is_superuser:
        raise PermissionDenied("参保目标由上级（县、乡）下达。")
    if not scope.region_in_scope(actor, region.code) or (
            not actor.is_superuser and region.code == actor.region_id):
        raise ValidationError({"region": "只能为本辖区的下级区划下达目标，本级目标由上级下达。"})
    target = EnrollmentTarget.objects.filter(region=region, year=year).first() or \
        EnrollmentTarget(region=region, year=year)
    target.target_count, target.target_rate, target.note = target_count, target_rate, note
    target.set_by = actor
    for k, v in region_population(region, year).items():
        setattr(target, k, v)
    target.full_clean(exclude=["region", "set_by"])
    target.save()
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=target, request=request,
                 detail=f"下达{year}年参保目标：{target_count or ''}人 {target_rate or ''}%")
    return target


@transaction.atomic
def campaign_create(*, actor, name: str, year: int, region: Region, start_date: dt.date,
                    end_date: dt.date, targets: dict[str, int] | None = None,
                    request=None) -> Campaign:
    scope.require_write(actor)
    if actor.role not in (Role.COUNTY_ADMIN, Role.TOWNSHIP_OFFICER) and not actor.is_superuser:
        raise PermissionDenied("集中宣传活动由县、乡两级组织。")
    if not scope.region_in_scope(actor, region.code):
        raise ValidationError({"region": "只能为本辖区组织活动。"})
    campaign = Campaign(name=name, year=year, region=region, start_date=start_date,
                        end_date=end_date, created_by=actor)
    campaign.full_clean(exclude=["region", "created_by"])
    campaign.save()
    known = set(Region.objects.filter(code__in=list(targets or {})).values_list("code",
                                                                              flat=True))
    for code, count in (targets or {}).items():
        if not code.startswith(regions.prefix_of(region.code)):
            raise ValidationError({"targets": f"目标区划{code}不在{region.name}范围内。"})
        if code not in known:
            raise ValidationError({"targets": f"区划代码{code}不存在，请核对。"})
        CampaignTarget.objects.create(campaign=campaign, region_id=code,
                                      target_enrollments=count)
    audit_record(user=actor, action=AuditEntry.Action.CREATE, obj=campaign, request=request,
                 detail=f"{name}（{start_date}至{end_date}）")
    return campaign


@transaction.atomic
def campaign_refresh_progress(*, campaign_id: int) -> int:
    """Rebuild the daily rollup of a campaign: enrollments for the campaign's year paid each
    day (residents living in each target region) and visits made. Safe to run twice."""
    from django.db.models import Count

    campaign = Campaign.objects.get(pk=campaign_id)
    CampaignDay.objects.filter(campaign=campaign).delete()
    target_codes = list(campaign.targets.values_list("region_id", flat=True)) or \
        [campaign.region_id]
    rows = []
    for code in target_codes:
        prefix = regions.prefix_of(code)
        per_day = dict(Enrollment.objects.filter(
            scope.region_q_prefix(prefix, "person__residence_region_id"),
            year=campaign.year, status__in=LIVE_STATUSES,
            paid_on__range=(campaign.start_date, campaign.end_date))
            .values_list("paid_on").annotate(n=Count("pk")))
        visits = dict(Visit.objects.filter(
            scope.region_q_prefix(prefix, "task__region_id"),
            visited_on__range=(campaign.start_date, campaign.end_date))
            .values_list("visited_on").annotate(n=Count("pk")))
        for day in sorted(set(per_day) | set(visits)):
            rows.append(CampaignDay(campaign=campaign, region_id=code, day=day,
                                    enrollments=per_day.get(day, 0), visits=visits.get(day, 0)))
    CampaignDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

