"""The answer before saving: what the one door would record, shown while the clerk types.

The enrollment form, its preview endpoint and batch collection all ask
`services.enrollment_preview` (which writes nothing) and read the plan through `plan_summary`,
so the figures shown before saving are the ones the write stores.
"""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError

from . import services
from .models import Enrollment

NON_FIELD = services.NON_FIELD


def _labels() -> dict[str, str]:
    labels = {f.name: str(f.verbose_name) for f in Enrollment._meta.fields}
    labels.update(transfer="职工医保转居民医保", override_reason="参保情形",
                  payer_id_number="代缴亲属证件号码", case_category="参保情形",
                  on_credit="信用参保")
    return labels


def error_lines(errors: dict[str, list[str]]) -> list[str]:
    """Refusals as lines a clerk reads: the field's label, then the message."""
    labels = _labels()
    lines = []
    for name, messages in errors.items():
        label = labels.get(name) if name != NON_FIELD else None
        for message in messages:
            message = str(message)
            lines.append(message if not label or message.startswith(label)
                         else f"{label}：{message}")
    return lines


@dataclass
class Summary:
    """The figures of one plan, as the preview and the batch list show them."""

    ok: bool
    errors: list[str]
    determination: dict
    found_reason: str = ""
    overridden: bool = False
    amount_due: Decimal | None = None
    subsidy: Decimal | None = None
    repair_due: Decimal | None = None
    total: Decimal | None = None
    repair_option: dict | None = None

    @property
    def explanation(self) -> list[str]:
        return self.determination.get("explanation", [])


def _money(value) -> Decimal | None:
    return None if value is None else Decimal(value)


def plan_summary(plan: services.EnrollmentPlan) -> Summary:
    e = plan.enrollment
    summary = Summary(ok=plan.ok, errors=error_lines(plan.errors),
                      determination=plan.determination if plan.ok else {},
                      found_reason=plan.found_case.get("reason", ""),
                      overridden=plan.overridden)
    if plan.ok and e.amount_due is not None:
        summary.amount_due, summary.subsidy = _money(e.amount_due), _money(e.subsidy)
        summary.repair_due = _money(e.repair_due) or Decimal("0.00")
        summary.total = summary.amount_due + summary.repair_due
    return summary


def preview(*, actor, person, kwargs: dict, offer_repair: bool = True) -> Summary:
    """The plan for these arguments, and what repairing every gap year would change when the
    clerk has not asked for a repair (可选补缴: the price and the waiting months it removes)."""
    try:
        summary = plan_summary(services.enrollment_preview(actor=actor, person=person, **kwargs))
    except ValidationError as exc:
        errors = getattr(exc, "message_dict", None) or {NON_FIELD: exc.messages}
        return Summary(ok=False, errors=error_lines(errors), determination={})
    gaps = summary.determination.get("gap_years") or 0
    if offer_repair and summary.ok and gaps and not kwargs.get("repair_years"):
        summary.repair_option = _repair_option(actor, person, kwargs, gaps, summary)
    return summary


def _repair_option(actor, person, kwargs, gaps, summary) -> dict | None:
    try:
        plan = services.enrollment_preview(actor=actor, person=person,
                                           **{**kwargs, "repair_years": gaps})
    except (ValidationError, PermissionDenied):
        return None
    if not plan.ok or not plan.enrollment.repair_due:
        return None
    removed = (summary.determination.get("waiting", {}).get("total", 0)
               - plan.determination.get("waiting", {}).get("total", 0))
    return {"years": gaps, "price": _money(plan.enrollment.repair_due),
            "months": max(removed, 0)}


def batch_review(*, actor, persons, data: dict) -> dict:
    """Each chosen person's amount for a batch collection (the same preview as the form, as
    the batch write will record it) and the total of those that can be recorded. Costs one
    preview per person, so it runs for the people ticked, not for the whole list."""
    rows, total = [], Decimal("0")
    for person in persons:
        summary = preview(actor=actor, person=person, offer_repair=False,
                          kwargs=dict(year=data["year"], paid_on=data["paid_on"],
                                      channel=data["channel"], tier=data.get("tier") or ""))
        rows.append((person, summary))
        if summary.total is not None:
            total += summary.total
    return {"rows": rows, "total": total, "refused": sum(not s.ok for _, s in rows)}


def form_preview(actor, person, form) -> Summary:
    """The preview of an enrollment form as typed: the form's own errors first (the service
    cannot be asked without a year and a date), then the one door's answer."""
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
        return Summary(ok=False, errors=error_lines(errors), determination={})
    return preview(actor=actor, person=person, kwargs=form.service_kwargs())


def if_paid_today(actor, person) -> dict:
    """若今天缴费 on the person file: the same preview for the next open coverage year, paid
    today by the person; nothing when the year is already covered or the user may not write."""
    from core.calendar import coverage_year_for, today

    from . import scope
    from .models import LIVE_STATUSES, LifeStatus

    year = coverage_year_for()
    if (not scope.can_write(actor) or person.life_status != LifeStatus.ALIVE
            or person.enrollments.filter(year=year, status__in=LIVE_STATUSES).exists()):
        return {}
    return {"today_year": year, "today_preview": preview(
        actor=actor, person=person, kwargs=dict(year=year, paid_on=today(),
                                                channel="individual"))}
