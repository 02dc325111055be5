"""Files of one person (一人一档): merging two files of the same person, and asking for a file that
another village holds (申请转入). Keyword-only services, one transaction each, scope checked,
an audit entry on every file concerned."""
from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from .. import idnumbers, scope
from ..audit import audit_record
from ..models import (
    AuditEntry,
    Enrollment,
    LIVE_STATUSES,
    LifeStatus,
    Person,
    PersonGroup,
    Scheme,
    TransferRequest,
)
from ..signals import person_merge_rows


# --- Merging two files -----------------------------------------------------------------------


def _own_rows(merged: Person) -> list[tuple[str, int]]:
    return [("参保登记", merged.enrollments.count()),
            ("代缴记录（作为代缴人）", Enrollment.objects.filter(payer=merged).count()),
            ("困难群体身份", merged.groups.count()),
            ("转入申请", merged.transfer_requests.count())]


def merge_conflict_years(survivor: Person, merged: Person) -> list[int]:
    """Years in which both files hold a live resident enrollment: one of them must be stopped
    first (R-ONE-ENROLLMENT holds for the merged file too)."""
    live = Q(scheme=Scheme.RESIDENT, status__in=LIVE_STATUSES)
    theirs = set(merged.enrollments.filter(live).values_list("year", flat=True))
    return sorted(theirs & set(survivor.enrollments.filter(live).values_list("year", flat=True)))


def _check_merge(actor, survivor: Person, merged: Person) -> None:
    if not scope.can_merge_persons(actor):
        raise PermissionDenied("只有县级管理员可以合并档案。")
    visible = scope.filter_persons(actor, Person.objects.filter(pk__in=[survivor.pk, merged.pk]))
    if survivor.pk == merged.pk or visible.count() != 2:
        raise ValidationError({"other": "请选择本辖区内的另一份档案。"})
    for person in (survivor, merged):
        if person.merged_into_id:
            raise ValidationError({"other": f"档案{person.pk}已合并至档案{person.merged_into_id}，"
                                            "不能再次合并。"})
    years = merge_conflict_years(survivor, merged)
    if years:
        listed = "、".join(f"{y}年" for y in years)
        raise ValidationError({"other": f"两份档案在{listed}都有有效的居民医保参保登记，不能合并："
                                        "请先将其中一条停保（或核实后作废）再合并。"})


def person_merge_preview(*, actor, survivor: Person, merged: Person) -> list[tuple[str, int]]:
    """What would move from `merged` to `survivor`, by kind, without writing; raises what the
    merge itself would refuse."""
    _check_merge(actor, survivor, merged)
    rows = _own_rows(merged)
    for _receiver, answer in person_merge_rows.send(sender=Person, survivor=survivor,
                                                    merged=merged, apply=False, actor=actor):
        rows.extend(answer or [])
    return rows


@transaction.atomic
def person_merge(*, actor, survivor: Person, merged: Person, request=None) -> Person:
    """Merge `merged` into `survivor`: its enrollments, payments made for relatives, groups,
    requests, and (through person_merge_rows) ledger entries, tasks and benefit rows move to the
    surviving file; the merged file is kept, marked merged (out of lists, ledger and counts),
    never deleted. Audited on both files."""
    # Lock both rows so that two administrators merging at once cannot cross the files.
    locked = {p.pk: p for p in Person.objects.select_for_update().filter(
        pk__in=[survivor.pk, merged.pk])}
    survivor, merged = locked.get(survivor.pk, survivor), locked.get(merged.pk, merged)
    _check_merge(actor, survivor, merged)
    moved = _own_rows(merged)
    # Re-pointing an enrollment at the surviving file is no new enrollment (the one door is
    # for recording payments): its stored determination stays as registered, and the January
    # recalculation re-derives continuity and gaps over the joined history.
    for enrollment in list(merged.enrollments.all()) + list(
            Enrollment.objects.filter(payer=merged)):
        if enrollment.person_id == merged.pk:
            enrollment.person = survivor
        if enrollment.payer_id == merged.pk:
            enrollment.payer = survivor
        enrollment._history_user = actor
        enrollment.save(update_fields=["person", "payer"])
    for group in PersonGroup.objects.filter(person=merged):
        group.person, group._history_user = survivor, actor
        group.save(update_fields=["person"])
    TransferRequest.objects.filter(person=merged).update(person=survivor)
    for _receiver, answer in person_merge_rows.send(sender=Person, survivor=survivor,
                                                    merged=merged, apply=True, actor=actor):
        moved.extend(answer or [])
    now = timezone.now()
    merged.merged_into, merged.merged_at = survivor, now
    merged.life_status, merged.life_status_date = LifeStatus.MERGED, timezone.localdate()
    merged.life_status_source = f"重复档案，合并至档案{survivor.pk}"
    merged._history_user = actor
    merged.save(update_fields=["merged_into", "merged_at", "life_status", "life_status_date",
                               "life_status_source", "updated_at"])
    summary = "，".join(f"{label}{count}条" for label, count in moved if count) or "无关联记录"
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=survivor, request=request,
                 detail=f"合并档案：档案{merged.pk}并入本档案（{summary}）")
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=merged, request=request,
                 detail=f"合并档案：本档案已合并至档案{survivor.pk}（{summary}）")
    return survivor


# --- Asking for a file another village holds ---------------------------------------------------


def transfer_request_create(*, actor, number: str, to_region, note: str = "",
                            request=None) -> TransferRequest:
    """申请转入 by ID (or birth certificate) number. The requester learns only that the request
    was filed: the file's name, place and holder stay hidden until the owning side accepts."""
    if not scope.can_request_transfer(actor):
        raise PermissionDenied("您的账号不能申请转入。")
    if to_region is None or not scope.region_in_scope(actor, to_region.code):
        raise ValidationError({"to_region": "请选择本辖区内的村（社区）或网格。"})
    number = idnumbers.normalize(number or "")
    person = Person.objects.filter(Q(id_number=number) | Q(birth_cert_number=number),
                                   merged_into__isnull=True).first() if number else None
    if person is None:
        raise ValidationError({"number": "该证件号码尚未建档，请直接在“人员建档”中登记。"})
    if scope.filter_persons(actor, Person.objects.filter(pk=person.pk)).exists():
        raise ValidationError({"number": "此人已在您的辖区内，可在人员查询中找到，无需申请转入。"})
    try:
        with transaction.atomic():
            transfer = TransferRequest.objects.create(
                person=person, masked_number=idnumbers.mask(number),
                from_region_id=person.residence_region_id, to_region=to_region,
                note=note.strip(), requested_by=actor)
    except IntegrityError:
        raise ValidationError({"number": "该证件号码转入本地的申请已提交，正在等待对方处理。"}) from None
    audit_record(user=actor, action=AuditEntry.Action.CREATE, person=person, obj=transfer,
                 request=request, detail=f"申请转入至{to_region.name}（{to_region.code}）")
    return transfer


def transfers_to_answer(user):
    """Requests for files of the user's region (the owning village's or township's list)."""
    return TransferRequest.objects.filter(scope.region_q(user, "from_region_id"))


def transfers_asked(user):
    """Requests into the user's region: the requester's side sees number and status only."""
    return TransferRequest.objects.filter(scope.region_q(user, "to_region_id"))


def _decide(actor, transfer: TransferRequest, status: str, **fields) -> TransferRequest:
    if not scope.can_request_transfer(actor):
        raise PermissionDenied("您的账号不能处理转入申请。")
    if not transfers_to_answer(actor).filter(pk=transfer.pk).exists():
        raise PermissionDenied("该申请不属于您的辖区。")
    now = timezone.now()
    updated = TransferRequest.objects.filter(pk=transfer.pk, status=TransferRequest.Status.PENDING
                                             ).update(status=status, decided_by=actor,
                                                      decided_at=now, **fields)
    if not updated:
        raise ValidationError("该申请已处理过，请刷新页面查看结果。")
    transfer.refresh_from_db()
    return transfer


@transaction.atomic
def transfer_accept(*, actor, transfer: TransferRequest, request=None) -> TransferRequest:
    """The owning side agrees: the person's residence moves to the requester's region (the
    household registration stays where it is), audited on the file."""
    transfer = _decide(actor, transfer, TransferRequest.Status.ACCEPTED)
    person = Person.objects.select_for_update().get(pk=transfer.person_id)
    before = person.residence_region_id
    person.residence_region_id, person._history_user = transfer.to_region_id, actor
    person.save(update_fields=["residence_region", "updated_at"])
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=person, obj=transfer,
                 request=request,
                 detail=f"同意转入：常住地由{before}改为{transfer.to_region_id}"
                        f"（申请人{transfer.requested_by}）")
    return transfer


@transaction.atomic
def transfer_decline(*, actor, transfer: TransferRequest, reason: str,
                     request=None) -> TransferRequest:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"decline_reason": "请填写拒绝原因，申请人将看到这一原因。"})
    transfer = _decide(actor, transfer, TransferRequest.Status.DECLINED, decline_reason=reason)
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=transfer.person,
                 obj=transfer, request=request, detail=f"拒绝转入申请：{reason}")
    return transfer
