"""Demo determinations: the latest resident year of the persons of one demo village, so the person
page shows a determination with its explanation. Bulk recalculation is the January job's work."""
from __future__ import annotations

from django.db import transaction

from enrollment.models import Enrollment, Scheme

from . import inputs
from .rules.errors import CaseError
from .determination import determination_fields

DEMO_VILLAGE = "430121100001"


@transaction.atomic
def seed(*, seed: int) -> dict:
    latest: dict[int, Enrollment] = {}
    qs = (Enrollment.objects.filter(person__residence_region__pk__startswith=DEMO_VILLAGE,
                                    scheme=Scheme.RESIDENT, paid_on__isnull=False)
          .select_related("person").order_by("person_id", "-year"))
    for e in qs:
        latest.setdefault(e.person_id, e)
    done = skipped = 0
    changed = []
    for e in latest.values():
        try:
            d = inputs.evaluate(inputs.case_for_enrollment(e))
        except CaseError:
            skipped += 1
            continue
        for name, value in determination_fields(d).items():
            setattr(e, name, value)
        changed.append(e)
        done += 1
    if changed:
        fields = list(determination_fields(d))
        Enrollment.objects.bulk_update(changed, fields, batch_size=500)
    return {"determinations": done, "skipped": skipped}
