"""The ledger updates itself: an enrollment recorded for a person closes their entry for that
year and completes their open task (registered by a clerk through enrollment_record, or saved
by an import). Bulk loads that skip signals are caught by the set-based ledger refresh."""
from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from enrollment.models import Enrollment
from enrollment.signals import person_merge_rows


@receiver(post_save, sender=Enrollment, dispatch_uid="outreach_close_ledger_on_enrollment")
def close_ledger_on_enrollment(sender, instance: Enrollment, raw=False, **kwargs):
    if raw:
        return
    from .services.ledger import ledger_close_for_enrollment

    ledger_close_for_enrollment(enrollment=instance)


@receiver(person_merge_rows, dispatch_uid="outreach_move_ledger_on_merge")
def move_ledger_on_merge(sender, survivor, merged, apply: bool, actor=None, **kwargs):
    """Ledger entries (and with them their tasks and visits) of a merged file move to the
    surviving file, unless the survivor already has the entry for that year and side: that one
    is kept, the merged file's entry is closed as gone, like any file leaving the ledger, and
    its open task is finished (a duplicate: the survivor's entry is the one worked)."""
    from .models import EntryStatus, LedgerEntry, OPEN_TASK_STATUSES, Task

    held = set(LedgerEntry.objects.filter(person=survivor).values_list("year", "side"))
    entries = list(LedgerEntry.objects.filter(person=merged))
    moving = [e for e in entries if (e.year, e.side) not in held]
    closing = [e for e in entries if (e.year, e.side) in held]
    tasks = list(Task.objects.filter(entry_id__in=[e.pk for e in closing],
                                     status__in=OPEN_TASK_STATUSES))
    if apply:
        from django.utils import timezone

        LedgerEntry.objects.filter(pk__in=[e.pk for e in moving]).update(
            person=survivor, updated_at=timezone.now())
        LedgerEntry.objects.filter(pk__in=[e.pk for e in closing],
                                   status__in=[EntryStatus.OPEN, EntryStatus.MARKED]).update(
            status=EntryStatus.GONE, closed_at=timezone.now(), updated_at=timezone.now())
        _finish_duplicate_tasks(tasks, survivor, merged, actor)
    return [("未参保台账（含任务）", len(moving)), ("重复的台账（销号）", len(closing)),
            ("重复台账上的未办结任务（办结）", len(tasks))]


def _finish_duplicate_tasks(tasks, survivor, merged, actor) -> None:
    """Finish the open tasks of the entries a merge closes: 无法参保 for 重复户籍 (a reason that
    keeps the person out of the un-enrolled count), each a guarded update with its audit row."""
    from django.utils import timezone

    from enrollment.audit import audit_record
    from enrollment.models import AuditEntry

    from .models import Reason, Task, TaskStatus

    now = timezone.now()
    note = f"档案合并：已并入档案{survivor.pk}"
    for task in tasks:
        if Task.objects.filter(pk=task.pk, status=task.status).update(
                status=TaskStatus.CANNOT_ENROL, outcome=TaskStatus.CANNOT_ENROL,
                cannot_reason=Reason.DUPLICATE, cannot_note=note, finished_at=now,
                updated_at=now):
            audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=task, person=merged,
                         detail=f"{note}，重复台账上的摸排任务自动办结")
