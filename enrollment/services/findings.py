"""What a clerk does with a finding of the monthly comparison (比对核查), and starting a run.

Every resolution goes through the registry's own door for the change it makes (a stop through
`enrollment_stop`, an enrollment elsewhere through `enrollment_record`, a merge through
`person_merge`), which checks the person's scope and audits the change; the finding itself is
then closed by a guarded update (only an open finding, only once) and audited too. All in one
transaction: a refused stop leaves the finding open.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from core import queue

from .. import scope
from ..audit import audit_record
from ..finding import ComparisonRun, Finding, FindingKind, FindingNote, FindingStatus, Resolution
from ..models import AuditEntry, Enrollment, LIVE_STATUSES, Person, Region, Scheme
from .enrollments import enrollment_record, enrollment_stop
from .files import person_merge


def _check(actor, finding: Finding) -> None:
    scope.require_write(actor)
    if not scope.can_resolve_findings(actor):
        raise PermissionDenied("您的账号不能处理比对问题。")
    if not scope.filter_findings(actor, Finding.objects.filter(pk=finding.pk)).exists():
        raise PermissionDenied("只能处理本辖区的比对问题。")
    if finding.status != FindingStatus.OPEN:
        raise ValidationError({"reason": f"该问题{finding.get_status_display()}，无需重复处理。"})


def _close(actor, finding: Finding, resolution: str, reason: str, request=None) -> Finding:
    status = (FindingStatus.DISMISSED if resolution == Resolution.DISMISSED
              else FindingStatus.RESOLVED)
    now = timezone.now()
    updated = Finding.objects.filter(pk=finding.pk, status=FindingStatus.OPEN).update(
        status=status, resolution=resolution, resolution_reason=reason[:200],
        resolved_by=actor, resolved_at=now)
    if not updated:
        raise ValidationError({"reason": "该问题刚被其他人处理，请刷新页面查看。"})
    finding.status, finding.resolution, finding.resolution_reason = status, resolution, reason
    finding.resolved_by, finding.resolved_at = actor, now
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=finding.person,
                 obj=finding, request=request,
                 detail=f"比对核查：{finding.get_kind_display()}，{Resolution(resolution).label}"
                        + (f"（{reason}）" if reason else ""))
    return finding


@transaction.atomic
def finding_stop(*, actor, finding: Finding, enrollment: Enrollment, on: dt.date,
                 reason: str, request=None) -> Finding:
    """停保: stop one of the finding's person's live enrollments from a date."""
    _check(actor, finding)
    persons = {finding.person_id, finding.other_person_id} - {None}
    if enrollment.person_id not in persons or enrollment.status not in LIVE_STATUSES:
        raise ValidationError({"enrollment": "请选择此人有效的参保登记。"})
    reason = (reason or "").strip() or f"比对核查：{finding.get_kind_display()}"
    enrollment_stop(actor=actor, enrollment=enrollment, on=on, reason=reason, request=request)
    return _close(actor, finding, Resolution.STOPPED, f"{enrollment.year}年登记自{on}停保：{reason}",
                  request)


@transaction.atomic
def finding_mark_elsewhere(*, actor, finding: Finding, year: int, scheme: str,
                           region_code: str, request=None) -> Finding:
    """登记外地参保: record the enrollment another pooling region (or the employee scheme)
    holds, through the one door; a local resident enrollment of that year ends (R-AUTO-STOP)
    and the ledger closes the person's entry."""
    _check(actor, finding)
    region = Region.objects.filter(code=(region_code or "").strip()).first()
    if region is None:
        raise ValidationError({"region_code": f"参保地区划代码“{region_code}”不存在，"
                                              "请填写12位区划代码。"})
    if scheme not in Scheme.values:
        raise ValidationError({"scheme": "请选择险种。"})
    enrollment_record(actor=actor, person=finding.person, year=year, scheme=scheme,
                      pooling_region=region, elsewhere=True, cover_start=dt.date(year, 1, 1),
                      confirmed=True, request=request)
    return _close(actor, finding, Resolution.ELSEWHERE,
                  f"{year}年在{region.name}参加{Scheme(scheme).label}", request)


@transaction.atomic
def finding_merge(*, actor, finding: Finding, survivor: Person, request=None) -> Finding:
    """合并档案: the two files of a duplicate-person finding become one (the surviving file
    is the one chosen)."""
    _check(actor, finding)
    if finding.kind != FindingKind.DUPLICATE_PERSON:
        raise ValidationError({"survivor": "只有“疑似同一人两份档案”可以合并。"})
    pair = {finding.person_id: finding.person, finding.other_person_id: finding.other_person}
    if survivor.pk not in pair:
        raise ValidationError({"survivor": "请选择保留哪一份档案。"})
    merged = pair[finding.other_person_id if survivor.pk == finding.person_id
                  else finding.person_id]
    person_merge(actor=actor, survivor=pair[survivor.pk], merged=merged, request=request)
    return _close(actor, finding, Resolution.MERGED, f"档案{merged.pk}并入档案{survivor.pk}",
                  request)


@transaction.atomic
def finding_dismiss(*, actor, finding: Finding, reason: str, request=None) -> Finding:
    """核实无需处理, with the reason (required); a later run does not re-open it."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "核实情况：请填写不需处理的原因。"})
    _check(actor, finding)
    return _close(actor, finding, Resolution.DISMISSED, reason.strip(), request)


@transaction.atomic
def finding_note(*, actor, finding: Finding, text: str, request=None) -> FindingNote:
    """核查记录: a check or visit, seen by both places of a person who is 人户分离."""
    scope.require_write(actor)
    if not (scope.can_resolve_findings(actor) and scope.filter_findings(
            actor, Finding.objects.filter(pk=finding.pk)).exists()):
        raise PermissionDenied("只能记录本辖区的比对问题。")
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": "核查情况：请填写核查或走访的情况。"})
    note = FindingNote.objects.create(finding=finding, text=text[:300], by=actor,
                                      by_region_id=actor.region_id)
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=finding.person,
                 obj=finding, request=request, detail=f"比对核查记录：{text[:300]}")
    return note


# --- Starting a comparison -------------------------------------------------------------------


def comparison_start(*, actor, region: Region | None, request=None) -> ComparisonRun:
    """Queue a comparison of a region (a clerk's 立即比对) or of everything (the monthly
    schedule, actor None); each part is a task of its own, enqueued after commit."""
    from ..exchange import comparison

    if actor is not None:
        scope.require_write(actor)
        if not scope.can_resolve_findings(actor):
            raise PermissionDenied("您的账号不能发起比对。")
        if region is None or not scope.region_in_scope(actor, region.code):
            raise ValidationError({"region": "比对范围：请选择本辖区的地区。"})
    with transaction.atomic():
        parts = comparison.parts_of(region)
        run = comparison.run_create(region=region, parts=parts, actor=actor)
        audit_record(user=actor, action=AuditEntry.Action.OTHER, obj=run, request=request,
                     username="" if actor else "每月比对",
                     detail=f"按月动态比对：{region.name if region else '全部地区'}")
        transaction.on_commit(lambda: comparison_enqueue(run_id=run.pk, parts=parts))
    return run


def comparison_enqueue(*, run_id: int, parts: list[str]) -> bool:
    from ..tasks import compare_part

    for part in parts:
        if not queue.publish(compare_part, args=(run_id, part)):
            ComparisonRun.objects.filter(pk=run_id).update(
                status=ComparisonRun.Status.FAILED, error=queue.QUEUE_DOWN,
                finished_at=timezone.now())
            return False
    if not parts:
        ComparisonRun.objects.filter(pk=run_id).update(status=ComparisonRun.Status.DONE,
                                                       finished_at=timezone.now())
    return True
