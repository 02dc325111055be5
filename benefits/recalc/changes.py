"""Reads of what a recalculation job changed (benefits_recalcchange, written by `write`): the
counts the result page leads with and the list behind them, scoped like the job's chunks (by
the pooling region, in the user's scope)."""
from __future__ import annotations

from decimal import Decimal

from django.db.models import Count, DecimalField, F, Q, Value
from django.db.models.functions import Coalesce
from django.db.models.lookups import GreaterThan, LessThan

from enrollment import scope

from ..models import RecalcChange, RecalcJob

ZERO = Value(Decimal(0), output_field=DecimalField(max_digits=12, decimal_places=2))
KINDS = {
    "gained": "获得或增加大病保险激励",
    "lost": "失去或减少大病保险激励",
    "wait": "等待期变化",
}


def _credit(bonus: str, credit: str):
    return Coalesce(F(bonus), ZERO) + Coalesce(F(credit), ZERO)


BEFORE = _credit("bonus_before", "credit_before")
AFTER = _credit("bonus_after", "credit_after")
GAINED = GreaterThan(AFTER, BEFORE)
LOST = LessThan(AFTER, BEFORE)


WAIT_CHANGED = (Q(wait_before__isnull=True, wait_after__isnull=False)
                | Q(wait_before__isnull=False, wait_after__isnull=True)
                | (Q(wait_before__isnull=False, wait_after__isnull=False)
                   & ~Q(wait_before=F("wait_after"))))


def changes_for(user, job: RecalcJob, kind: str = ""):
    """The job's change rows over pooling regions in the user's scope; `kind`: one of KINDS."""
    qs = RecalcChange.objects.filter(job=job).filter(scope.region_q(user, "pooling_region_id"))
    if kind == "gained":
        qs = qs.filter(GAINED)
    elif kind == "lost":
        qs = qs.filter(LOST)
    elif kind == "wait":
        qs = qs.filter(WAIT_CHANGED)
    return qs


def counts(user, job: RecalcJob) -> dict:
    """How many persons gained a cap credit, lost one, and had their waiting period change."""
    qs = changes_for(user, job)
    return qs.aggregate(total=Count("pk"), gained=Count("pk", filter=GAINED),
                        lost=Count("pk", filter=LOST),
                        wait=Count("pk", filter=WAIT_CHANGED))


def describe(change: RecalcChange) -> str:
    """Before → after, in words, for the list and the export."""
    parts = []
    for label, before, after in (("连续参保激励", change.bonus_before, change.bonus_after),
                                 ("零报销激励", change.credit_before, change.credit_after)):
        if (before or 0) != (after or 0):
            parts.append(f"{label}{_money(before)}→{_money(after)}")
    if change.wait_before != change.wait_after:
        parts.append(f"等待期{_months(change.wait_before)}→{_months(change.wait_after)}")
    if change.bonus_after is None and change.credit_after is None and change.wait_after is None:
        parts.append("参保登记已撤销，本年度待遇状态已删除")
    return "；".join(parts)


def _money(value) -> str:
    return f"{value or 0:.0f}元"


def _months(value) -> str:
    return "无" if value is None else f"{value}个月"
