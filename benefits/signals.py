"""Benefit rows follow a merged file (enrollment.signals.person_merge_rows): the claims summaries
and the recalculation's person-year statuses move to the surviving file, except a year the
survivor already has (one row per person and year): that row stays on the merged file, which
keeps it visible there, and the next recalculation recomputes the survivor's years anyway."""
from __future__ import annotations

from django.dispatch import receiver

from enrollment.signals import person_merge_rows


@receiver(person_merge_rows, dispatch_uid="benefits_move_rows_on_merge")
def move_benefit_rows_on_merge(sender, survivor, merged, apply: bool, **kwargs):
    from .models import ClaimSummary, PersonYearStatus

    rows = []
    for model, label in ((ClaimSummary, "医疗费用汇总"), (PersonYearStatus, "年度待遇测算")):
        held = model.objects.filter(person=survivor).values("year")
        moving = model.objects.filter(person=merged).exclude(year__in=held)
        rows.append((label, moving.update(person=survivor) if apply else moving.count()))
    return rows
