"""The ledger updates itself: an enrollment recorded for a person closes their entry for that
year and completes their open task (registered by a clerk through enrollment_record, or saved
by an import). Bulk loads that skip signals are caught by the set-based ledger refresh."""
from __future__ import annotations

from django.db.models.signals import post_save
from django.dispatch import receiver

from enrollment.models import Enrollment


@receiver(post_save, sender=Enrollment, dispatch_uid="outreach_close_ledger_on_enrollment")
def close_ledger_on_enrollment(sender, instance: Enrollment, raw=False, **kwargs):
    if raw:
        return
    from .services.ledger import ledger_close_for_enrollment

    ledger_close_for_enrollment(enrollment=instance)
