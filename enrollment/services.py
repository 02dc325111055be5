"""The only code that writes to the registry.

Each service takes keyword-only arguments, runs in one transaction, checks the actor's scope and
leaves an audit entry naming the actor. Status changes are guarded updates.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from . import scope
from .audit import audit_record
from .models import (
    AuditEntry,
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


def person_register(*, actor, data: dict, request=None) -> Person:
    """Create a person file. `data` holds cleaned form values (model instances for FKs)."""
    scope.require_write(actor)
    person = Person(**{k: v for k, v in data.items() if k in PERSON_FIELDS})
    _validate_and_save_person(actor, person)
    audit_record(user=actor, action=AuditEntry.Action.CREATE, person=person, request=request)
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


def _determine(enrollment: Enrollment, options: dict) -> None:
    """Ask the policy engine for the determination (the one call from the registry up to
    benefits, ARCHITECTURE.md)."""
    from benefits import determination

    determination.enrollment_apply_determination(enrollment=enrollment, options=options)


@transaction.atomic
def enrollment_record(*, actor, person: Person, year: int, scheme: str = Scheme.RESIDENT,
                      pooling_region: Region | None = None, paid_on: dt.date | None = None,
                      amount_paid: Decimal | None = None, channel: str = "",
                      payer: Person | None = None, payer_relation: str = "",
                      elsewhere: bool = False, employer=None, cover_start=None,
                      cover_end=None, repair_years: int = 0, case_details: dict | None = None,
                      confirmed: bool = False, request=None) -> Enrollment:
    """Record an enrollment (and its payment, when paid_on is given). `confirmed` records an
    enrollment another system reports as in force (reconciliation lists) without a payment."""
    scope.require_write(actor)
    if not scope.filter_persons(actor, Person.objects.filter(pk=person.pk)).exists():
        raise PermissionDenied
    enrollment = Enrollment(
        person=person, year=year, scheme=scheme,
        pooling_region=pooling_region or _pooling_region_of(person),
        paid_on=paid_on, amount_paid=amount_paid, channel=channel, payer=payer,
        payer_relation=payer_relation, elsewhere=elsewhere, employer=employer,
        cover_start=cover_start, cover_end=cover_end, repair_years=repair_years,
        case_details=case_details or {},
        status=(EnrollmentStatus.ACTIVE if paid_on or confirmed
                else EnrollmentStatus.AWAITING_PAYMENT),
        created_by=actor,
    )
    enrollment.full_clean(validate_constraints=False)
    if scheme == Scheme.RESIDENT and not elsewhere:
        existing = _existing_live_resident(person, year)
        if existing:
            raise ValidationError({"year": duplicate_message(existing)})
    if scheme == Scheme.RESIDENT and not elsewhere:
        # Enrollments elsewhere follow the other pooling region's determination.
        _determine(enrollment, case_details or {})
        if enrollment.paid_on and enrollment.amount_paid is None:
            # A clerk who leaves the amount empty collected what the determination says:
            # the contribution and any repair of gap years.
            enrollment.amount_paid = (enrollment.amount_due or 0) + (enrollment.repair_due or 0)
    # The old enrollment ends first: the new one may be the live resident row of the year.
    auto_stop_superseded(actor=actor, enrollment=enrollment)
    enrollment._history_user = actor
    try:
        with transaction.atomic():
            enrollment.save()
    except IntegrityError:
        existing = _existing_live_resident(person, year)
        raise ValidationError({"year": duplicate_message(existing) if existing
                               else "该年度已有参保登记。"}) from None
    audit_record(user=actor, action=AuditEntry.Action.ENROLL, person=person, obj=enrollment,
                 detail=f"{year}年{enrollment.get_scheme_display()}，"
                        f"缴费{amount_paid or 0}元（{enrollment.get_channel_display() or '未缴费'}）",
                 request=request)
    return enrollment


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
