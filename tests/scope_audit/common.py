"""Dates, values and helpers the scope audit's modules share."""
from __future__ import annotations

import io

from django.utils import timezone

from enrollment.models import AuditEntry, Enrollment, Person
from outreach.models import LedgerEntry, Task

Y = timezone.localdate().year + 1
TODAY = timezone.localdate()
HUGE = "9" * 25


def url_for(template: str, w: dict) -> str:
    return template.format(**{k: getattr(v, "pk", v) for k, v in w.items()})


def fingerprint(w):
    """What a neighbour could have changed in the village clerk's world."""
    person = Person.objects.get(pk=w["person"].pk)
    return (person.name, person.life_status, Enrollment.objects.filter(person=person).count(),
            tuple(Enrollment.objects.filter(person=person).values_list("status", flat=True)),
            tuple(Task.objects.filter(pk=w["task"].pk).values_list("status", "worker_id")),
            tuple(LedgerEntry.objects.filter(pk=w["entry"].pk).values_list("reason")),
            AuditEntry.objects.filter(person=person,
                                      action=AuditEntry.Action.VIEW_ID).count())


def xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content))
    return "\n".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True)
                     for c in row if c is not None)


def admin_import(client, url, resource_prefix, csv_text):
    upload = io.BytesIO(csv_text.encode("utf-8"))
    upload.name = "rows.csv"
    return client.post(url, {"format": "0", "resource": "0", "import_file": upload})


def resource_import(resource_class, user, csv_text):
    """What both steps of the admin import (preview, confirm) run."""
    import tablib

    dataset = tablib.Dataset().load(csv_text, format="csv")
    return resource_class(user=user).import_data(dataset, dry_run=False, raise_errors=False)
