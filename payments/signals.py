"""Every payment recorded through the one door gets its receipt in the same transaction. A
receiver, so that the registry does not depend on payments (dependencies point one way)."""
from __future__ import annotations

from .receipts import receipt_issue


def enrollment_saved(sender, instance, raw=False, **kwargs):
    if raw:  # loaddata
        return
    receipt_issue(enrollment=instance)
