"""The one door for enrollments: every enrollment write (form, special case, newborn, batch,
admin, import, command) goes through `enrollment_record`; `enrollment_preview` works out the
same plan without writing. Status changes are guarded updates."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.run_memo import per_run

from .. import changes, scope
from ..audit import audit_record
from ..models import (
    AuditEntry,
    Enrollment,
    EnrollmentStatus,
    LIVE_STATUSES,
    Person,
    Region,
    Scheme,
)
from .plans import (
    EnrollmentPlan,
    check_life,
    check_payer,
    employee_clash,
    employee_cover,
    live_employee,
    overlap_message,
)


def _existing_live_resident(person: Person, year: int, exclude_pk=None):
    qs = Enrollment.objects.filter(person=person, year=year, scheme=Scheme.RESIDENT,
                                   status__in=LIVE_STATUSES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("pooling_region").first()


def duplicate_message(existing: Enrollment) -> str:
    paid = f"，{existing.paid_on}缴费" if existing.paid_on else ""
    return (f"{existing.person.name}在{existing.year}年已有城乡居民医保参保登记"
            f"（{existing.pooling_label}，{existing.get_status_display()}{paid}），"
            "同一年度只能参加一次居民医保；如需变更请先停保原登记。")


def auto_stop_superseded(*, actor, enrollment: Enrollment) -> list[Enrollment]:
    """R-AUTO-STOP: an employee enrollment, or a resident enrollment elsewhere, ends the old
    resident enrollment of the same year without a visit to the office."""
    ends_old = enrollment.scheme == Scheme.EMPLOYEE or enrollment.elsewhere
    if not ends_old:
        return []
    stopped = []
    olds = Enrollment.objects.filter(person=enrollment.person, year=enrollment.year,
                                     scheme=Scheme.RESIDENT, status__in=LIVE_STATUSES,
                                     elsewhere=False)
    if enrollment.pk:
        olds = olds.exclude(pk=enrollment.pk)
    on = enrollment.cover_start or enrollment.paid_on or timezone.localdate()
    reason = ("参加职工医保，自动终止居民医保（R-AUTO-STOP）"
              if enrollment.scheme == Scheme.EMPLOYEE
              else f"在{enrollment.pooling_label}参保，自动终止本地居民医保（R-AUTO-STOP）")
    for old in olds:
        if _guarded_status_change(old, old.status, EnrollmentStatus.STOPPED,
                                  stopped_on=on, stop_reason=reason):
            stopped.append(old)
            audit_record(user=actor, action=AuditEntry.Action.STOP, person=old.person, obj=old,
                         detail=reason)
    return stopped


def _guarded_status_change(enrollment: Enrollment, old: str, new: str, **fields) -> bool:
    """Change a status only if nobody changed it first; True when this call won."""
    updated = Enrollment.objects.filter(pk=enrollment.pk, status=old).update(status=new,
                                                                             **fields)
    if updated:
        changes.mark_inputs_changed([enrollment.person_id])
        enrollment.status = new
        for k, v in fields.items():
            setattr(enrollment, k, v)
    return bool(updated)


# --- The one door: every enrollment write goes through enrollment_record --------------------


def _benefits():
    """The one call from the registry up to benefits (ARCHITECTURE.md): the case found from
    the registry and the engine's determination."""
    from benefits import determination

    return determination


def enrollment_preview(*, actor, person: Person, year: int, paid_on: dt.date | None = None,
                       scheme: str = Scheme.RESIDENT, pooling_region: Region | None = None,
                       amount_paid: Decimal | None = None, channel: str = "",
                       payer: Person | None = None, payer_relation: str = "",
                       elsewhere: bool = False, employer=None, cover_start=None, cover_end=None,
                       repair_years: int = 0, case_override: dict | None = None,
                       override_reason: str = "", transfer: bool = False,
                       confirmed: bool = False, instance: Enrollment | None = None,
                       tier: str = "", on_credit: bool = False, elsewhere_code: str = "",
                       elsewhere_name: str = "", paid_via: str = "",
                       payment_reference: str = "") -> EnrollmentPlan:
    """What `enrollment_record` would do with these arguments, writing nothing: the plan
    holds the unsaved enrollment with its determination, the case found from the registry,
    and every refusal keyed by field. `instance` revises an existing enrollment instead; a
    payment for a person and year enrolled on credit settles that enrollment (R-CREDIT).
    `elsewhere_code`/`_name`: an enrollment elsewhere in a region outside this deployment's
    list (no pooling region of ours). `paid_via`/`payment_reference`: how and under which
    receipt number a collecting agency (税务) says the money came in, kept for the payment trail."""
    scope.require_write(actor)
    if not scope.filter_persons(actor, Person.objects.filter(pk=person.pk)).exists():
        raise PermissionDenied
    local_resident = scheme == Scheme.RESIDENT and not elsewhere
    if instance is None and paid_on and local_resident and not on_credit:
        owed = _existing_live_resident(person, year)
        instance = owed if owed is not None and owed.owes_credit else None
    settling = instance is not None and instance.owes_credit and bool(paid_on) and not on_credit
    if settling:  # the debt's own terms: the payment adds nothing but the money
        repair_years, tier = instance.repair_years, instance.tier_code
    enrollment = instance if instance is not None else Enrollment()
    if enrollment.pk is None:
        enrollment.created_by = actor
    enrollment.person = person
    for name, value in dict(
            year=year, scheme=scheme, pooling_region=pooling_region or (
                None if elsewhere and elsewhere_code else pooling_region_of(person)),
            elsewhere_code=elsewhere_code if elsewhere else "",
            elsewhere_name=elsewhere_name if elsewhere else "",
            paid_on=paid_on, amount_paid=amount_paid, channel=channel or "", payer=payer,
            paid_via=(paid_via or "").strip(), payment_reference=(payment_reference or "").strip(),
            payer_relation=payer_relation or "", elsewhere=elsewhere, employer=employer,
            cover_start=cover_start, cover_end=cover_end, repair_years=repair_years or 0,
            tier_code=(tier or "").strip(), status=(EnrollmentStatus.ACTIVE if paid_on or confirmed
                    else EnrollmentStatus.AWAITING_PAYMENT)).items():
        setattr(enrollment, name, value)
    plan = EnrollmentPlan(enrollment=enrollment, found_case={}, case={}, settling=settling)
    case_day = paid_on
    if on_credit:
        case_day = _credit_enrollment(plan, paid_on, local_resident, amount_paid)
    elif settling:
        case_day = _credit_settlement(plan, paid_on)
    if enrollment.pk is not None:
        was = Enrollment.objects.filter(pk=enrollment.pk).values_list("status", flat=True).first()
        if was not in LIVE_STATUSES:
            plan.refuse("status", "已停保或已转移的参保登记不能修改；如需参保请重新登记。")
    try:
        enrollment.full_clean(validate_constraints=False, validate_unique=False,
                              exclude=["determination", "case_details", "rule_ids",
                                       "explanation"])
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            for message in messages:
                plan.refuse(name, message)
    check_life(plan, person, year, paid_on)
    check_payer(plan, person, payer, payer_relation or "", channel, paid_on)
    clash = scheme == Scheme.EMPLOYEE and employee_clash(person, year, cover_start, cover_end,
                                                          exclude_pk=enrollment.pk)
    if clash:
        plan.refuse("cover_start", clash)
    if local_resident:
        existing = _existing_live_resident(person, year, exclude_pk=enrollment.pk)
        if existing:
            plan.refuse("year", duplicate_message(existing))
    if enrollment.tier_code:
        _check_tier(plan, local_resident)
    if not (local_resident and case_day) or plan.errors:
        enrollment.case_details = {}
        return plan
    _plan_case(plan, person, year, case_day, case_override, override_reason, transfer)
    if on_credit and not plan.errors and enrollment.credit_outstanding <= 0:
        plan.refuse("on_credit", "本次应缴为0元，无需信用参保，请直接登记缴费。")
    if settling and not plan.errors and amount_paid is not None:
        owed = (enrollment.amount_due or 0) + (enrollment.repair_due or 0)
        if amount_paid < owed:
            plan.refuse("amount_paid", f"信用参保欠费须一次缴清{owed}元，"
                                       "不接受部分缴费。")
    return plan


def _credit_enrollment(plan: EnrollmentPlan, day, local_resident: bool, amount_paid):
    """R-CREDIT: enrolled on `day`, nothing paid; the engine decides whether the profile allows
    it, the amount owed and the due date. Returns the day the case is determined on."""
    e = plan.enrollment
    e.paid_on, e.status, e.credit_since = None, EnrollmentStatus.AWAITING_PAYMENT, day
    if not local_resident:
        plan.refuse("on_credit", "只适用于在本地参加城乡居民医保。")
    if not day:
        plan.refuse("paid_on", "信用参保时请填写登记日期。")
    if amount_paid:
        plan.refuse("amount_paid", "信用参保是先登记后缴费，请清空实缴金额。")
    return day


def _credit_settlement(plan: EnrollmentPlan, paid_on):
    """R-CREDIT: a payment settling a credit enrollment: the whole debt at once (one receipt per
    enrollment), counted from the date the profile's cover rule says."""
    e = plan.enrollment
    if paid_on < e.credit_since:
        plan.refuse("paid_on", f"不能早于信用参保登记日{e.credit_since:%Y年%m月%d日}。")
    e.credit_settled_on = paid_on
    e.credit_outstanding = Decimal("0")
    e.paid_on = _benefits().credit_payment_counts_from(enrollment=e, paid_on=paid_on)
    return e.paid_on


def credit_offered(person: Person) -> bool:
    """R-CREDIT: whether the person's pooling region allows credit enrollment."""
    return _benefits().credit_offered(pooling_region_code=pooling_region_of(person).code)


def _check_tier(plan: EnrollmentPlan, local_resident: bool) -> None:
    """R-TIER: a tier belongs to a local resident payment, and must be one of the year's."""
    e = plan.enrollment
    if not local_resident:
        plan.refuse("tier", "只有本地城乡居民医保缴费可以选择缴费档次，请清空缴费档次。")
        return
    refusal = _benefits().tier_refusal(pooling_region_code=e.pooling_region_id, year=e.year,
                                       code=e.tier_code)
    if refusal:
        plan.refuse("tier", refusal)


def tier_choices(*, year: int, person: Person | None = None,
                 region_code: str = "") -> list[tuple[str, str]]:
    """R-TIER: the contribution tiers (code, label with amount and cap) a payment for `year` by
    `person` (or by someone living in `region_code`) may choose; empty where there are none."""
    code = pooling_region_of(person).code if person is not None else region_code
    return _benefits().year_tiers(pooling_region_code=code, year=year) if code else []


def _plan_case(plan: EnrollmentPlan, person, year, paid_on, case_override, override_reason,
               transfer) -> None:
    """Find the case, ask the engine, and check the result against live employee cover."""
    benefits = _benefits()
    enrollment = plan.enrollment
    employees = live_employee(person, year, exclude_pk=None)
    ended_on = None
    if transfer:
        # The transfer path: the employee cover ends the day before the resident cover starts.
        resident_start = paid_on if paid_on.year == year else dt.date(year, 1, 1)
        for e in employees:
            start, end = employee_cover(e)
            new_end = min(end or dt.date.max, resident_start - dt.timedelta(days=1))
            plan.employee_to_stop.append((e, max(new_end, start - dt.timedelta(days=1))))
        if plan.employee_to_stop:
            ended_on = max(end for _, end in plan.employee_to_stop) + dt.timedelta(days=1)
    found = benefits.case_from_registry(person=person, year=year, paid_on=paid_on,
                                        pooling_region_code=enrollment.pooling_region_id,
                                        employee_ended_on=ended_on)
    plan.found_case = found
    case = {k: v for k, v in found.items() if k != "reason"}
    if case_override:
        wanted = {k: v for k, v in case_override.items() if k != "reason"}
        wanted = {k: (v.isoformat() if isinstance(v, dt.date) else v) for k, v in wanted.items()}
        if benefits.case_key(wanted) != benefits.case_key(case):
            if not (override_reason or "").strip():
                plan.refuse("override_reason", "参保情形：改变系统根据档案认定的情形"
                                               f"（{found['reason']}）时，请填写原因。")
                return
            plan.overridden, plan.override_reason = True, override_reason.strip()
            case = wanted
        else:
            case = {**case, **{k: v for k, v in wanted.items() if k not in benefits.CASE_KEYS}}
    plan.case = case
    enrollment.case_details = {}
    try:
        benefits.enrollment_apply_determination(enrollment=enrollment, options=case)
    except ValidationError as exc:
        for name, messages in getattr(exc, "message_dict", {NON_FIELD: exc.messages}).items():
            for message in messages:
                plan.refuse(name, message)
        return
    details = dict(enrollment.case_details)
    details["found"] = found
    if plan.overridden:
        details["override_reason"] = plan.override_reason
    enrollment.case_details = details
    start = enrollment.benefit_start or dt.date(year, 1, 1)
    end = enrollment.benefit_end or dt.date(year, 12, 31)
    stopping = {e.pk: new_end for e, new_end in plan.employee_to_stop}
    for e in employees:
        e_start, e_end = employee_cover(e)
        e_end = stopping.get(e.pk, e_end)
        if e_start <= end and start <= (e_end or dt.date.max):
            plan.refuse("transfer", overlap_message(person, e, start, end))
            return


NON_FIELD = "__all__"


@transaction.atomic
def enrollment_record(*, actor, person: Person, year: int, scheme: str = Scheme.RESIDENT,
                      pooling_region: Region | None = None, paid_on: dt.date | None = None,
                      amount_paid: Decimal | None = None, channel: str = "",
                      payer: Person | None = None, payer_relation: str = "",
                      elsewhere: bool = False, employer=None, cover_start=None,
                      cover_end=None, repair_years: int = 0, case_override: dict | None = None,
                      override_reason: str = "", transfer: bool = False,
                      confirmed: bool = False, request=None,
                      instance: Enrollment | None = None, tier: str = "",
                      on_credit: bool = False, elsewhere_code: str = "",
                      elsewhere_name: str = "", paid_via: str = "",
                      payment_reference: str = "") -> Enrollment:
    """Record an enrollment (and its payment, when paid_on is given): the one door every page,
    import, admin form and command goes through. The case is found from the registry (the
    clerk may override it with a reason, audited), the engine's determination is stored, and
    what must never be is refused with a message naming the field, nothing written.
    `confirmed` records an enrollment another system reports as in force (reconciliation lists)
    without a payment; `transfer` stops overlapping employee cover (R-AUTO-STOP); `tier` is
    the contribution tier chosen at payment (R-TIER; empty: the year's own standard);
    `on_credit` enrolls on `paid_on`'s date with the contribution owed (R-CREDIT), and a later
    payment through any door settles it."""
    if scheme == Scheme.EMPLOYEE:
        # Two identical employee registrations at once (a double submit) wait for each other
        # here, so the second one sees the first and is refused.
        list(Person.objects.select_for_update().filter(pk=person.pk).values_list("pk"))
    plan = enrollment_preview(
        actor=actor, person=person, year=year, paid_on=paid_on, scheme=scheme,
        pooling_region=pooling_region, amount_paid=amount_paid, channel=channel, payer=payer,
        payer_relation=payer_relation, elsewhere=elsewhere, employer=employer,
        cover_start=cover_start, cover_end=cover_end, repair_years=repair_years,
        case_override=case_override, override_reason=override_reason, transfer=transfer,
        confirmed=confirmed, instance=instance, tier=tier, on_credit=on_credit,
        elsewhere_code=elsewhere_code, elsewhere_name=elsewhere_name, paid_via=paid_via,
        payment_reference=payment_reference)
    plan.raise_errors()
    enrollment = plan.enrollment
    if plan.settling and not Enrollment.objects.filter(
            pk=enrollment.pk, paid_on__isnull=True, credit_outstanding__gt=0).update(
            credit_outstanding=Decimal("0")):
        # Two cashiers at once: the second waits for the first and finds the debt paid.
        raise ValidationError({"paid_on": "该信用参保欠费刚被缴清，请勿重复缴费。"})
    if enrollment.paid_on and enrollment.amount_paid is None and enrollment.amount_due is not None:
        # A clerk who leaves the amount empty collected what the determination says:
        # the contribution and any repair of gap years.
        enrollment.amount_paid = (enrollment.amount_due or 0) + (enrollment.repair_due or 0)
    for employee, new_end in plan.employee_to_stop:
        _stop_employee_for_transfer(actor, employee, new_end, request)
    # The old enrollment ends first: the new one may be the live resident row of the year.
    auto_stop_superseded(actor=actor, enrollment=enrollment)
    revising = enrollment.pk is not None
    enrollment._history_user = actor
    try:
        # The savepoint lets the loser of a race go on to report the duplicate.
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        existing = _existing_live_resident(person, year, exclude_pk=enrollment.pk)
        raise ValidationError({"year": duplicate_message(existing) if existing
                               else "该年度已有参保登记。"}) from None
    detail = (f"{year}年{enrollment.get_scheme_display()}，"
              f"缴费{enrollment.amount_paid or 0}元（{enrollment.get_channel_display() or '未缴费'}）")
    if enrollment.tier_code:
        detail += f"；缴费档次：{enrollment.tier_code}"
    if on_credit:
        detail += (f"；信用参保，欠缴{enrollment.credit_outstanding}元，"
                   f"{enrollment.credit_due_on:%Y年%m月%d日}前缴清")
    if plan.settling:
        detail += f"；缴清信用参保欠费（{enrollment.credit_settled_on:%Y年%m月%d日}）"
    if plan.found_case:
        detail += f"；参保情形：{plan.found_case.get('reason', '')}"
    if plan.overridden:
        detail += (f"；经办人改为“{_case_label(plan.case)}”，原因：{plan.override_reason}")
    audit_record(user=actor, action=AuditEntry.Action.UPDATE if revising
                 else AuditEntry.Action.ENROLL, person=person, obj=enrollment, detail=detail,
                 request=request)
    return enrollment


def _case_label(case: dict) -> str:
    return _benefits().CATEGORY_LABELS.get(case.get("category"), case.get("category", ""))


def _stop_employee_for_transfer(actor, employee: Enrollment, new_end: dt.date, request) -> None:
    reason = (f"转入城乡居民医保，职工医保于{new_end:%Y年%m月%d日}终止（R-AUTO-STOP）")
    stopped_on = new_end + dt.timedelta(days=1)
    if not _guarded_status_change(employee, employee.status, EnrollmentStatus.STOPPED,
                                  stopped_on=stopped_on, stop_reason=reason, cover_end=new_end):
        raise ValidationError({"transfer": "该职工医保登记刚被其他人修改，请刷新页面后再试。"})
    audit_record(user=actor, action=AuditEntry.Action.STOP, person=employee.person,
                 obj=employee, detail=reason, request=request)


def pooling_region_of(person: Person) -> Region:
    """Resident enrollment is pooled at the county of residence (县级统筹区)."""
    return _pooling_region(person.residence_region_id)


@per_run
def _pooling_region(code: str) -> Region:
    from .. import regions

    county = regions.ancestor_code(code, regions.COUNTY)
    village = regions.ancestor_code(code, regions.VILLAGE)
    return Region.objects.filter(code=county).first() or Region.objects.get(
        code=regions.parent_code(village) or code)


@transaction.atomic
def enrollment_stop(*, actor, enrollment: Enrollment, on: dt.date, reason: str,
                    request=None) -> Enrollment:
    scope.require_write(actor)
    if not scope.filter_persons(actor, Person.objects.filter(pk=enrollment.person_id)).exists():
        raise PermissionDenied
    if not enrollment.is_live:
        raise ValidationError({"reason": "该参保登记已停保或已转移，无需重复操作。"})
    if not _guarded_status_change(enrollment, enrollment.status, EnrollmentStatus.STOPPED,
                                  stopped_on=on, stop_reason=reason):
        raise ValidationError({"reason": "该登记刚被其他人修改，请刷新页面后再试。"})
    audit_record(user=actor, action=AuditEntry.Action.STOP, person=enrollment.person,
                 obj=enrollment, detail=reason, request=request)
    return enrollment


@transaction.atomic
def enrollment_record_batch(*, actor, persons: list[Person], year: int, paid_on: dt.date,
                            channel: str, amount_paid: Decimal | None = None,
                            request=None, tier: str = "") -> list[Enrollment]:
    """A village or school collects for many people at once (村/学校代收). All or nothing: if
    any person cannot be enrolled, nothing is written and every problem is reported, keyed
    by the person's name and masked ID number. One tier (R-TIER) for all, or none."""
    problems, recorded = [], []
    for person in persons:
        try:
            with transaction.atomic():
                recorded.append(enrollment_record(
                    actor=actor, person=person, year=year, paid_on=paid_on, channel=channel,
                    amount_paid=amount_paid, request=request, tier=tier))
        except ValidationError as exc:
            messages = [m for ms in getattr(exc, "message_dict", {"": exc.messages}).values()
                        for m in ms]
            problems.append(f"{person.name}（{person.masked_id}）：{'；'.join(messages)}")
    if problems:
        raise ValidationError(problems)
    return recorded
