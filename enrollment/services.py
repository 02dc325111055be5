"""The only code that writes to the registry.

Each service takes keyword-only arguments, runs in one transaction, checks the actor's scope and
leaves an audit entry naming the actor. Status changes are guarded updates.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import scope
from .audit import audit_record
from .models import (
    CLOSE_RELATIVES,
    AuditEntry,
    Channel,
    LifeStatus,
    Enrollment,
    EnrollmentStatus,
    LIVE_STATUSES,
    Person,
    Region,
    Scheme,
)
from .pinyin import initials

PERSON_FIELDS = [
    "id_type", "id_number", "birth_cert_number", "name", "sex", "birth_date", "phone",
    "hukou_region", "residence_region", "address", "household", "relation_to_head", "school",
    "employer",
]


def _check_region_scope(actor, *region_codes) -> None:
    for code in region_codes:
        if code and not scope.region_in_scope(actor, code):
            raise ValidationError({"residence_region": "只能在本辖区内登记或修改人员。"})


ELSEWHERE_MESSAGE = "已在其他地区登记，可申请转入。"


def _duplicate_id_error(person: Person, actor=None) -> ValidationError:
    field = "id_number" if person.id_number else "birth_cert_number"
    existing = Person.objects.filter(**{field: getattr(person, field)})
    if actor is not None and not scope.filter_persons(actor, existing).exists():
        # Outside the clerk's scope: say neither where nor under whom (no oracle).
        return ValidationError({field: f"该证件号码{ELSEWHERE_MESSAGE}"})
    existing = existing.select_related("residence_region").first()
    where = f"（{existing.residence_region.name}）" if existing else ""
    return ValidationError({field: f"该证件号码已登记{where}，请勿重复建档；可在人员查询中找到此人。"})


def household_for_registration(*, number: str, household, head_name: str, region,
                               address: str = ""):
    """The household a registration names: the existing one, or a new one whose head is the
    person being registered (the form has already checked which case applies)."""
    from .models import Household

    number = (number or "").strip()
    if household is not None or not number:
        return household
    household, _ = Household.objects.get_or_create(
        number=number, defaults={"head_name": head_name, "region": region, "address": address})
    return household


def _validate_and_save_person(actor, person: Person) -> None:
    person.id_number = person.id_number or None
    person.birth_cert_number = person.birth_cert_number or None
    # Uniqueness is left to the database index, which also settles two clerks registering
    # one ID at the same moment; both paths give the same message.
    person.full_clean(validate_unique=False, validate_constraints=False)
    _check_region_scope(actor, person.residence_region_id)
    person.name_initials = initials(person.name)
    person._history_user = actor
    try:
        # The savepoint lets the loser's transaction go on to report the duplicate.
        with transaction.atomic():
            person.save()
    except IntegrityError:
        raise _duplicate_id_error(person, actor) from None


def person_likely_duplicates(*, data: dict, exclude_pk=None) -> list[Person]:
    """Files that are probably the same person as `data` (cleaned registration values), across
    every region: the same ID or birth certificate number; a birth-certificate file with the
    same name and birth date in the same household or village of household registration (the
    parent's); the same name and birth date in the same household. Reads only; the command and
    the registration page both ask it."""
    from django.db.models import Q

    name, birth = data.get("name"), data.get("birth_date")
    query = Q(pk__in=[])
    for number in (data.get("id_number"), data.get("birth_cert_number")):
        if number:
            query |= Q(id_number=number) | Q(birth_cert_number=number)
    if name and birth:
        same = Q(name=name, birth_date=birth)
        household = data.get("household")
        if household is not None:
            query |= same & Q(household=household)
        hukou = data.get("hukou_region")
        if hukou is not None:
            village = (getattr(hukou, "code", None) or str(hukou))[:12]
            query |= same & Q(id_number__isnull=True, hukou_region__pk__startswith=village)
            if not data.get("id_number"):  # a newborn's second file before the ID is issued
                query |= same & Q(id_number__isnull=True, birth_cert_number__isnull=False,
                                  residence_region__pk__startswith=village)
    qs = Person.objects.filter(query).select_related("residence_region")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:10])


def likely_duplicate_message(found: list[Person]) -> str:
    files = "；".join(f"{p.name}（{p.masked_id}，{p.birth_date:%Y年%m月%d日}出生，"
                     f"{p.residence_region.name}，档案号{p.pk}）" for p in found)
    return (f"疑似重复建档：已有{files}。如确认不是同一人，请填写原因（--reason）后再建档；"
            "如是同一人，请使用原档案。")


def person_register(*, actor, data: dict, request=None,
                    duplicate_reason: str | None = None) -> Person:
    """Create a person file. `data` holds cleaned form values (model instances for FKs).
    With `duplicate_reason` given (even empty), a likely duplicate is refused unless the
    reason is stated; the reason is audited."""
    scope.require_write(actor)
    person = Person(**{k: v for k, v in data.items() if k in PERSON_FIELDS})
    detail = ""
    if duplicate_reason is not None:
        found = person_likely_duplicates(data=data)
        same_number = [p for p in found
                       if (person.id_number and person.id_number in (p.id_number,
                                                                     p.birth_cert_number))
                       or (person.birth_cert_number and person.birth_cert_number in (
                           p.id_number, p.birth_cert_number))]
        if same_number:
            raise _duplicate_id_error(person)
        if found and not duplicate_reason.strip():
            raise ValidationError({"duplicate_reason": likely_duplicate_message(found)})
        if found:
            detail = (f"疑似重复（档案号{'、'.join(str(p.pk) for p in found)}），"
                      f"经办人说明：{duplicate_reason.strip()}")
    _validate_and_save_person(actor, person)
    audit_record(user=actor, action=AuditEntry.Action.CREATE, person=person, detail=detail,
                 request=request)
    return person


@transaction.atomic
def person_update(*, actor, person: Person, data: dict, request=None) -> Person:
    scope.require_write(actor)
    _check_region_scope(actor, person.residence_region_id)
    changed = []
    for field, value in data.items():
        if field in PERSON_FIELDS and getattr(person, field) != value:
            setattr(person, field, value)
            changed.append(field)
    if not changed:
        return person
    _validate_and_save_person(actor, person)
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=person,
                 detail="修改字段：" + "、".join(Person._meta.get_field(f).verbose_name
                                              for f in changed), request=request)
    return person


def person_link_id_number(*, actor, person: Person, id_number: str, request=None) -> Person:
    """A newborn known by birth certificate receives an ID number: same file, both numbers."""
    from .models import IdType

    return person_update(actor=actor, person=person, request=request,
                         data={"id_type": IdType.RESIDENT_ID, "id_number": id_number})


def person_reveal_id(*, actor, person: Person, request=None) -> str:
    """Show a person's full ID number, and record who saw it."""
    if not scope.filter_persons(actor, Person.objects.filter(pk=person.pk)).exists():
        raise PermissionDenied
    audit_record(user=actor, action=AuditEntry.Action.VIEW_ID, person=person, request=request)
    return person.id_number or person.birth_cert_number


@transaction.atomic
def person_mark_life_status(*, actor, person: Person, status: str, on: dt.date, source: str,
                            request=None) -> Person:
    """Death, emigration or moving out: the person leaves the ledger; live enrollments of
    later years are stopped."""
    scope.require_write(actor)
    if not scope.filter_persons(actor, Person.objects.filter(pk=person.pk)).exists():
        raise PermissionDenied
    person.life_status, person.life_status_date, person.life_status_source = status, on, source
    person._history_user = actor
    person.save(update_fields=["life_status", "life_status_date", "life_status_source",
                               "updated_at"])
    if status == LifeStatus.DECEASED:
        _stop_enrollments_after_death(actor, person, on)
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=person,
                 detail=f"人员状态改为{person.get_life_status_display()}（{on}，{source}）",
                 request=request)
    return person


def _stop_enrollments_after_death(actor, person: Person, on: dt.date) -> None:
    """Live enrollments of the years after a death are stopped (the year of death stays paid:
    no refund)."""
    for enrollment in person.enrollments.filter(year__gt=on.year, status__in=LIVE_STATUSES):
        enrollment_stop(actor=actor, enrollment=enrollment, on=on,
                        reason="人员死亡，自动停保")


# --- Enrollments -------------------------------------------------------------------------


def _existing_live_resident(person: Person, year: int, exclude_pk=None):
    qs = Enrollment.objects.filter(person=person, year=year, scheme=Scheme.RESIDENT,
                                   status__in=LIVE_STATUSES)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return qs.select_related("pooling_region").first()


def duplicate_message(existing: Enrollment) -> str:
    paid = f"，{existing.paid_on}缴费" if existing.paid_on else ""
    return (f"{existing.person.name}在{existing.year}年已有城乡居民医保参保登记"
            f"（{existing.pooling_region.name}，{existing.get_status_display()}{paid}），"
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
              else f"在{enrollment.pooling_region.name}参保，自动终止本地居民医保（R-AUTO-STOP）")
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
        enrollment.status = new
        for k, v in fields.items():
            setattr(enrollment, k, v)
    return bool(updated)


# --- The one door: every enrollment write goes through enrollment_record --------------------


@dataclass
class EnrollmentPlan:
    """What recording an enrollment would do, worked out without writing anything: the case
    found from the registry (and the clerk's override), the engine's determination, what would
    be refused and what would be stopped. `enrollment_preview` returns it for the preview;
    `enrollment_record` writes it when `errors` is empty."""

    enrollment: Enrollment
    found_case: dict
    case: dict
    overridden: bool = False
    override_reason: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    employee_to_stop: list[tuple[Enrollment, dt.date]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def determination(self) -> dict:
        return self.enrollment.determination or {}

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def _benefits():
    """The one call from the registry up to benefits (ARCHITECTURE.md): the case found from
    the registry and the engine's determination."""
    from benefits import determination

    return determination


def _employee_cover(e: Enrollment) -> tuple[dt.date, dt.date | None]:
    start = e.cover_start or dt.date(e.year, 1, 1)
    end = e.cover_end
    if e.status == EnrollmentStatus.STOPPED and e.stopped_on:
        end = min(end or dt.date.max, e.stopped_on - dt.timedelta(days=1))
    return start, end


def _live_employee(person: Person, year: int, exclude_pk=None) -> list[Enrollment]:
    qs = Enrollment.objects.filter(person=person, scheme=Scheme.EMPLOYEE,
                                   status__in=LIVE_STATUSES, year__lte=year)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    first = dt.date(year, 1, 1)
    return [e for e in qs.order_by("cover_start", "pk")
            if (_employee_cover(e)[1] or dt.date.max) >= first]


def _overlap_message(person: Person, e: Enrollment, start: dt.date, end: dt.date) -> str:
    cover_start, cover_end = _employee_cover(e)
    until = f"至{cover_end:%Y年%m月%d日}" if cover_end else "起，尚未终止"
    return (f"{person.name}的职工医保（{cover_start:%Y年%m月%d日}{until}）与本次居民医保待遇期"
            f"（{start:%Y年%m月%d日}至{end:%Y年%m月%d日}）重叠，同一时期不能重复参保"
            "（R-ONE-ENROLLMENT）。如已离职转入居民医保，请选择“职工医保转居民医保”"
            "（transfer），职工医保将在居民医保开始前一日终止（R-AUTO-STOP）。")


def _check_life(plan: EnrollmentPlan, person: Person, year: int, paid_on) -> None:
    birth = person.birth_date
    if year < birth.year:
        plan.refuse("year", f"待遇年度{year}年早于{person.name}的出生年份"
                            f"（{birth:%Y年%m月%d日}出生），不能登记出生前的参保。")
    if paid_on and paid_on < birth:
        plan.refuse("paid_on", f"缴费日期{paid_on:%Y年%m月%d日}早于{person.name}的出生日期"
                               f"（{birth:%Y年%m月%d日}），请核对。")
    if person.life_status == LifeStatus.DECEASED and person.life_status_date:
        died = person.life_status_date
        if year > died.year:
            plan.refuse("year", f"{person.name}已于{died:%Y年%m月%d日}死亡，"
                                f"不能登记{year}年的参保。")
        elif paid_on and paid_on > died:
            plan.refuse("paid_on", f"{person.name}已于{died:%Y年%m月%d日}死亡，"
                                   f"缴费日期{paid_on:%Y年%m月%d日}在死亡之后，请核对。")


def _check_payer(plan: EnrollmentPlan, person: Person, payer, relation: str, channel: str,
                 paid_on) -> None:
    """R-RELATIVES: only a close relative's live employee personal account may pay."""
    if payer is None or "payer" in plan.errors:
        return  # the model's clean() already asked for the payer of a relative account
    if payer.pk == person.pk:
        plan.refuse("payer", "代缴人不能是参保人本人。")
        return
    if relation not in CLOSE_RELATIVES and "payer_relation" not in plan.errors:
        plan.refuse("payer_relation",
                    "代缴人与参保人关系：职工医保个人账户只能为配偶、父母、子女、兄弟姐妹、祖父母、"
                    "外祖父母、孙子女、外孙子女代缴居民医保（R-RELATIVES）。")
    day = paid_on or timezone.localdate()
    has_account = any(
        _employee_cover(e)[0] <= day <= (_employee_cover(e)[1] or dt.date.max)
        for e in Enrollment.objects.filter(person=payer, scheme=Scheme.EMPLOYEE,
                                           status__in=LIVE_STATUSES))
    if not has_account:
        plan.refuse("payer", f"代缴亲属{payer.name}在{day:%Y年%m月%d日}没有有效的职工医保参保"
                             "（个人账户），不能代缴（R-RELATIVES）。")


def enrollment_preview(*, actor, person: Person, year: int, paid_on: dt.date | None = None,
                       scheme: str = Scheme.RESIDENT, pooling_region: Region | None = None,
                       amount_paid: Decimal | None = None, channel: str = "",
                       payer: Person | None = None, payer_relation: str = "",
                       elsewhere: bool = False, employer=None, cover_start=None, cover_end=None,
                       repair_years: int = 0, case_override: dict | None = None,
                       override_reason: str = "", transfer: bool = False,
                       confirmed: bool = False, instance: Enrollment | None = None
                       ) -> EnrollmentPlan:
    """What `enrollment_record` would do with these arguments, writing nothing: the plan
    holds the unsaved enrollment with its determination, the case found from the registry,
    and every refusal keyed by field. `instance` revises an existing enrollment instead."""
    scope.require_write(actor)
    if not scope.filter_persons(actor, Person.objects.filter(pk=person.pk)).exists():
        raise PermissionDenied
    enrollment = instance if instance is not None else Enrollment()
    if enrollment.pk is None:
        enrollment.created_by = actor
    enrollment.person = person
    for name, value in dict(
            year=year, scheme=scheme, pooling_region=pooling_region or _pooling_region_of(person),
            paid_on=paid_on, amount_paid=amount_paid, channel=channel or "", payer=payer,
            payer_relation=payer_relation or "", elsewhere=elsewhere, employer=employer,
            cover_start=cover_start, cover_end=cover_end, repair_years=repair_years or 0,
            status=(EnrollmentStatus.ACTIVE if paid_on or confirmed
                    else EnrollmentStatus.AWAITING_PAYMENT)).items():
        setattr(enrollment, name, value)
    plan = EnrollmentPlan(enrollment=enrollment, found_case={}, case={})
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
    _check_life(plan, person, year, paid_on)
    _check_payer(plan, person, payer, payer_relation or "", channel, paid_on)
    local_resident = scheme == Scheme.RESIDENT and not elsewhere
    if local_resident:
        existing = _existing_live_resident(person, year, exclude_pk=enrollment.pk)
        if existing:
            plan.refuse("year", duplicate_message(existing))
    if not (local_resident and paid_on) or plan.errors:
        enrollment.case_details = {}
        return plan
    _plan_case(plan, person, year, paid_on, case_override, override_reason, transfer)
    return plan


def _plan_case(plan: EnrollmentPlan, person, year, paid_on, case_override, override_reason,
               transfer) -> None:
    """Find the case, ask the engine, and check the result against live employee cover."""
    benefits = _benefits()
    enrollment = plan.enrollment
    employees = _live_employee(person, year, exclude_pk=None)
    ended_on = None
    if transfer:
        # The transfer path: the employee cover ends the day before the resident cover starts.
        resident_start = paid_on if paid_on.year == year else dt.date(year, 1, 1)
        for e in employees:
            start, end = _employee_cover(e)
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
        e_start, e_end = _employee_cover(e)
        e_end = stopping.get(e.pk, e_end)
        if e_start <= end and start <= (e_end or dt.date.max):
            plan.refuse("transfer", _overlap_message(person, e, start, end))
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
                      instance: Enrollment | None = None) -> Enrollment:
    """Record an enrollment (and its payment, when paid_on is given): the one door every page,
    import, admin form and command goes through. The case is found from the registry (the
    clerk may override it with a reason, audited), the engine's determination is stored, and
    what must never be is refused with a message naming the field, nothing written.
    `confirmed` records an enrollment another system reports as in force (reconciliation lists)
    without a payment; `transfer` stops overlapping employee cover (R-AUTO-STOP)."""
    plan = enrollment_preview(
        actor=actor, person=person, year=year, paid_on=paid_on, scheme=scheme,
        pooling_region=pooling_region, amount_paid=amount_paid, channel=channel, payer=payer,
        payer_relation=payer_relation, elsewhere=elsewhere, employer=employer,
        cover_start=cover_start, cover_end=cover_end, repair_years=repair_years,
        case_override=case_override, override_reason=override_reason, transfer=transfer,
        confirmed=confirmed, instance=instance)
    plan.raise_errors()
    enrollment = plan.enrollment
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


def _pooling_region_of(person: Person) -> Region:
    """Resident enrollment is pooled at the county of residence (县级统筹区)."""
    from . import regions

    code = person.residence_region_id
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
                            request=None) -> list[Enrollment]:
    """A village or school collects for many people at once (村/学校代收). All or nothing: if
    any person cannot be enrolled, nothing is written and every problem is reported, keyed
    by the person's name and masked ID number."""
    problems, recorded = [], []
    for person in persons:
        try:
            with transaction.atomic():
                recorded.append(enrollment_record(
                    actor=actor, person=person, year=year, paid_on=paid_on, channel=channel,
                    amount_paid=amount_paid, request=request))
        except ValidationError as exc:
            messages = [m for ms in getattr(exc, "message_dict", {"": exc.messages}).values()
                        for m in ms]
            problems.append(f"{person.name}（{person.masked_id}）：{'；'.join(messages)}")
    if problems:
        raise ValidationError(problems)
    return recorded
