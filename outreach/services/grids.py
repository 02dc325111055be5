"""Grids and grid workers: who works which grid, and the hand-over when a worker leaves.

Keyword-only arguments, one transaction, the actor's scope checked, an audit entry naming the
actor.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from enrollment import regions, scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry, Region, User

from ..models import GridAssignment, OPEN_TASK_STATUSES, Task, WorkerSubstitution


@transaction.atomic
def grid_assign(*, actor, grid: Region, worker: User, start_date: dt.date | None = None,
                request=None) -> GridAssignment:
    """Put a grid worker on a grid (a worker may hold several grids)."""
    scope.require_write(actor)
    if grid.level != regions.GRID:
        raise ValidationError({"grid": "请选择网格（村社区代码后加3位）。"})
    if not scope.region_in_scope(actor, grid.code) or not scope.can_assign(actor):
        raise ValidationError({"grid": "只能分配本辖区内的网格。"})
    if not scope.is_grid_worker(worker):
        raise ValidationError({"worker": f"{worker.display_name}不是网格员账号。"})
    if GridAssignment.objects.filter(grid=grid, worker=worker, active=True).exists():
        raise ValidationError({"worker": f"{worker.display_name}已负责{grid.name}，无需重复分配。"})
    assignment = GridAssignment.objects.create(
        grid=grid, worker=worker, start_date=start_date or timezone.localdate(),
        assigned_by=actor)
    audit_record(user=actor, action=AuditEntry.Action.CREATE, obj=assignment, request=request,
                 detail=f"分配网格员{worker.display_name}负责{grid.name}")
    return assignment


@transaction.atomic
def worker_substitute(*, actor, leaving: User, substitute: User, on: dt.date, reason: str = "",
                      request=None) -> WorkerSubstitution:
    """A grid worker leaves: their grids and open tasks (in the actor's region) move to the
    substitute, and the hand-over is recorded."""
    scope.require_write(actor)
    if not scope.can_assign(actor):
        raise PermissionDenied("网格员不能办理替换。")
    if not scope.is_grid_worker(substitute):
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
    region_code = regions.ancestor_code(assignments[0].grid_id, regions.VILLAGE)
    record = WorkerSubstitution.objects.create(
        leaving=leaving, substitute=substitute, region_id=region_code, on=on, reason=reason,
        grids_moved=len(assignments), tasks_moved=tasks_moved, created_by=actor)
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=record, request=request,
                 detail=f"{leaving.display_name}离岗，{len(assignments)}个网格、{tasks_moved}项"
                        f"未办结任务移交{substitute.display_name}")
    return record
