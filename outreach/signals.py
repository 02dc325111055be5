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
def move_ledger_on_merge(sender, survivor, merged, apply: bool, **kwargs):
    """Ledger entries (and with them their tasks and visits) of a merged file move to the
    surviving file, unless the survivor already has the entry for that year and side: that one
    is kept, and the merged file's entry is closed as gone, like any file leaving the ledger."""
    from .models import EntryStatus, LedgerEntry

    held = set(LedgerEntry.objects.filter(person=survivor).values_list("year", "side"))
    entries = list(LedgerEntry.objects.filter(person=merged))
    moving = [e for e in entries if (e.year, e.side) not in held]
    closing = [e for e in entries if (e.year, e.side) in held]
    if apply:
        from django.utils import timezone

        LedgerEntry.objects.filter(pk__in=[e.pk for e in moving]).update(
            person=survivor, updated_at=timezone.now())
        LedgerEntry.objects.filter(pk__in=[e.pk for e in closing],
                                   status__in=[EntryStatus.OPEN, EntryStatus.MARKED]).update(
            status=EntryStatus.GONE, closed_at=timezone.now(), updated_at=timezone.now())
    return [("未参保台账（含任务）", len(moving)), ("重复的台账（销号）", len(closing))]
