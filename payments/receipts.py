"""Receipt numbers without gaps per pooling region and year (收据). The counter row is locked for
the length of the payment's transaction: a payment that rolls back gives its number back, so the
sequence never skips; two cashiers at once wait for each other instead of taking one number."""
from __future__ import annotations

from django.db import transaction
from django.db.models import F

from enrollment.models import Enrollment, Scheme

from .models import Receipt, ReceiptCounter


def needs_receipt(enrollment: Enrollment) -> bool:
    """A resident contribution paid here (not an employer's payroll, not a payment elsewhere)."""
    return (enrollment.scheme == Scheme.RESIDENT and not enrollment.elsewhere
            and enrollment.paid_on is not None and enrollment.amount_paid is not None)


def receipt_issue(*, enrollment: Enrollment, actor=None) -> Receipt | None:
    """The enrollment's receipt, issued once; None when the enrollment is not a payment here."""
    if not needs_receipt(enrollment):
        return None
    existing = Receipt.objects.filter(enrollment=enrollment).first()
    if existing:
        return existing
    with transaction.atomic():
        region, year = enrollment.pooling_region_id, enrollment.year
        ReceiptCounter.objects.get_or_create(pooling_region_id=region, year=year)
        # The UPDATE takes the row lock (PostgreSQL) or the database write lock (SQLite) until
        # the surrounding transaction ends; reading `last` afterwards sees our own increment.
        ReceiptCounter.objects.filter(pooling_region_id=region, year=year).update(
            last=F("last") + 1)
        sequence = ReceiptCounter.objects.get(pooling_region_id=region, year=year).last
        return Receipt.objects.create(enrollment=enrollment, pooling_region_id=region, year=year,
                                      sequence=sequence, amount=enrollment.amount_paid,
                                      issued_by=actor or enrollment.created_by)
