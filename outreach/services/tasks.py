"""Tasks: the six steps from the ledger to the person (push, sign, assign, visit and mobilise,
finish, report), one batch or one task at a time.

Task status changes are guarded updates (`filter(pk=…, status=old).update(…)`): when two staff
change one task at once, one wins and the other is told in Chinese.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Subquery
from django.utils import timezone

from enrollment import regions, scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry, Person, Region, User

from ..models import (
    Batch,
    EntryStatus,
    EXCLUDING_REASONS,
    GridAssignment,
    LedgerEntry,
    OPEN_TASK_STATUSES,
    Reason,
    Side,
    Task,
    TaskStatus,
    Visit,
    WORKING_STATUSES,
)

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



@transaction.atomic
def batch_push(*, actor, year: int, township: Region, entry_ids: list[int] | None = None,
               village: Region | None = None, reason: str = "", limit: int | None = None,
               due_date: dt.date | None = None, note: str = "", request=None) -> Batch:
    """数据下发: a county (or city) pushes open ledger entries of one township down.

    With `entry_ids` exactly those entries are pushed, and one already pushed refuses the whole
    batch; without, every open entry not yet pushed that matches the filters is."""
    if not scope.can_push(actor):
        raise PermissionDenied("只有县级（或市级）管理员可以下发任务。")
    if township.level != regions.TOWNSHIP:
        raise ValidationError({"township": "请选择接收任务的乡镇（街道）。"})
    if not scope.region_in_scope(actor, township.code) or (
            not actor.is_superuser and township.code == actor.region_id):
        raise ValidationError({"township": "只能向本辖区下级乡镇（街道）下发任务。"})
    if due_date and due_date < timezone.localdate():
        raise ValidationError({"due_date": "反馈时限不能早于今天。"})
    prefix = regions.prefix_of(township.code)
    entries = LedgerEntry.objects.filter(scope.region_q_range(prefix, "region_id"), year=year)
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
                                 pushed_by_region_id=actor.region_id or regions.ancestor_code(
                                     township.code, regions.COUNTY),
                                 size=len(rows), created_by=actor)
    try:
        with transaction.atomic():
            Task.objects.bulk_create(
                [Task(entry_id=r["pk"], entry_year=year, batch=batch,
                      region_id=r["region_id"], grid_id=r["grid_id"], follow_up_date=due_date)
                 for r in rows],
                batch_size=2000)
    except IntegrityError:
        raise ValidationError({"entry_ids": "部分人员刚被其他人下发，请刷新页面后重试。"}) from None
    audit_record(user=actor, action=AuditEntry.Action.CREATE, obj=batch, request=request,
                 detail=f"向{township.name}下发{year}年未参保人员{len(rows)}人")
    return batch


def _check_sign(actor, township_code: str, township_name: str) -> None:
    scope.require_write(actor)
    if not actor.is_superuser and (not scope.can_sign(actor)
                                   or not scope.region_in_scope(actor, township_code)):
        raise ValidationError(f"该任务属于{township_name}，只能由该乡镇（街道）签领。")


@transaction.atomic
def task_sign(*, actor, task: Task, request=None) -> Task:
    """签领 one task (the township that owns it)."""
    township = Region.objects.get(code=regions.ancestor_code(task.region_id, regions.TOWNSHIP))
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
    if not actor.is_superuser and (not scope.can_assign(actor)
                                   or not scope.region_in_scope(actor, task.region_id)):
        raise PermissionDenied("只能分配本辖区的任务。")
    if task.status not in WORKING_STATUSES:
        raise ValidationError({"worker": "请先签领任务再分配网格员。" if task.status ==
                               TaskStatus.PUSHED else f"该任务已{task.get_status_display()}，不能再分配。"})
    if not scope.is_grid_worker(worker):
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
    if scope.sees_own_tasks_only(actor):
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
                  worker=actor if scope.is_grid_worker(actor) else task.worker or actor)
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
    township = Region.objects.get(code=regions.ancestor_code(task.region_id, regions.TOWNSHIP))
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



# --- One tap from the deadline radar -------------------------------------------------------------


def open_task_of(*, person_id: int, year: int) -> Task | None:
    """The person's open task of a coverage year, on either side of the ledger."""
    return (Task.objects.filter(entry__person_id=person_id, entry__year=year,
                                status__in=OPEN_TASK_STATUSES).order_by("pk").first())


def _grid_and_worker(village: str, grid: str | None):
    """The grid a person is worked from and its (longest-serving) active worker: the person's
    own grid, or, for a person recorded at village level, the village's only staffed grid."""
    staffed = GridAssignment.objects.filter(active=True).order_by("start_date", "pk")
    if grid:
        found = staffed.filter(grid_id=grid).first()
    else:
        grids = set(staffed.filter(grid__code__startswith=village)
                    .values_list("grid_id", flat=True)[:2])
        found = staffed.filter(grid_id__in=grids).first() if len(grids) == 1 else None
    return (found.grid_id, found.worker) if found else (grid, None)


@transaction.atomic
def task_from_radar(*, actor, person: Person, year: int, reason: str,
                    due_date: dt.date | None = None, request=None) -> tuple[Task, bool]:
    """A task for the grid worker of the person's grid, straight from a radar line (one tap,
    no push and sign in between: the clerk who sees the deadline hands it on). The reason is the
    radar line's and goes with the task. A person with an open task of that year keeps it:
    (task, False)."""
    scope.require_write(actor)
    if not scope.can_task_from_radar(actor) or not scope.filter_persons(
            actor, Person.objects.filter(pk=person.pk)).exists():
        raise PermissionDenied("只能为本辖区的人员派发任务。")
    if not 2000 <= year <= timezone.localdate().year + 1:
        raise ValidationError({"year": "年度不正确。"})
    existing = open_task_of(person_id=person.pk, year=year)
    if existing:
        return existing, False
    residence = person.residence_region_id
    side = Side.RESIDENCE if scope.region_in_scope(actor, residence) else Side.HUKOU
    code = residence if side == Side.RESIDENCE else person.hukou_region_id
    village = regions.ancestor_code(code, regions.VILLAGE)
    grid, worker = _grid_and_worker(village, code if regions.level_of(code) == regions.GRID
                                    else None)
    if worker is None:
        raise ValidationError({"person": f"{person.name}所在的{'网格' if grid else '村（社区）'}"
                                         "暂无在岗网格员，请先在“网格管理”中分配网格员。"})
    entry = _entry_for(person, year, side, village, grid)
    if hasattr(entry, "task"):
        raise ValidationError({"person": f"{person.name}{year}年度的摸排任务已"
                                         f"{entry.task.get_status_display()}，无需再派。"})
    township = regions.ancestor_code(village, regions.TOWNSHIP)
    now = timezone.now()
    batch = Batch.objects.create(year=year, township_id=township, due_date=due_date,
                                 note=reason.strip()[:200], size=1, created_by=actor,
                                 pushed_by_region_id=actor.region_id or township)
    try:
        with transaction.atomic():
            task = Task.objects.create(entry=entry, batch=batch, region_id=village, grid_id=grid,
                                       worker=worker, status=TaskStatus.SIGNED, signed_by=actor,
                                       signed_at=now, follow_up_date=due_date)
    except IntegrityError:  # the same line tapped in another tab a moment earlier
        raise ValidationError({"person": f"{person.name}{year}年度的任务刚被其他人派发，"
                                         "请刷新页面。"}) from None
    audit_record(user=actor, action=AuditEntry.Action.CREATE, obj=task, request=request,
                 person=person, detail=f"参保预警派发任务给网格员{worker.display_name}："
                                       f"{batch.note}")
    return task, True


def _entry_for(person: Person, year: int, side: str, village: str, grid: str | None):
    """The person's ledger entry of the year on that side, made now if the ledger has not been
    generated since the person appeared (an enrolled person has nothing to work)."""
    entry = LedgerEntry.objects.filter(year=year, person=person, side=side).first()
    if entry is None:
        entry = LedgerEntry.objects.create(
            year=year, person=person, side=side, region_id=village, grid_id=grid,
            separated=person.hukou_region_id[:12] != person.residence_region_id[:12],
            name=person.name, id_number=person.id_number or person.birth_cert_number or "",
            phone=person.phone)
    elif entry.status in (EntryStatus.ENROLLED, EntryStatus.GONE):
        raise ValidationError({"person": f"{person.name}{year}年度已"
                                         f"{entry.get_status_display()}，无需派发任务。"})
    return entry
