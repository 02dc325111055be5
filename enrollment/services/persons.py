"""Registering and changing people (一人一档): validation, likely duplicates, scope, ID reveal,
death and moves. Each service is keyword-only, runs in one transaction, checks the actor's
scope and leaves an audit entry."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from .. import scope
from ..audit import audit_record
from ..models import AuditEntry, LIVE_STATUSES, LifeStatus, Person
from ..pinyin import initials
from ..selectors import person_likely_duplicates
from .enrollments import enrollment_stop

PERSON_FIELDS = [
    "id_type", "id_number", "birth_cert_number", "name", "sex", "birth_date", "phone",
    "hukou_region", "residence_region", "address", "household", "relation_to_head", "school",
    "school_grade", "school_class", "employer",
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
    from ..models import Household

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


def likely_duplicate_message(found: list[Person], actor=None) -> str:
    """The warning for likely duplicates: the files the actor may open are named; a file in
    another region is only said to exist (no oracle: neither where nor under whom)."""
    visible = set(found) if actor is None else set(
        scope.filter_persons(actor, Person.objects.filter(pk__in=[p.pk for p in found])))
    files = "；".join(f"{p.name}（{p.masked_id}，{p.birth_date:%Y年%m月%d日}出生，"
                     f"{p.residence_region.name}，档案号{p.pk}）" for p in found if p in visible)
    parts = [f"已有{files}"] if files else []
    if len(visible) < len(found):
        parts.append(f"另有疑似同一人的档案{ELSEWHERE_MESSAGE.rstrip('。')}")
    return (f"疑似重复建档：{'；'.join(parts)}。如确认不是同一人，请填写原因后再建档；"
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
            raise _duplicate_id_error(person, actor)
        if found and not duplicate_reason.strip():
            raise ValidationError({"duplicate_reason": likely_duplicate_message(found, actor)})
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
    if person.merged_into_id:  # kept for reading: the surviving file is the one to change
        raise ValidationError({"name": f"本档案已合并至档案{person.merged_into_id}，"
                                       "请修改保留的档案。"})
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
    from ..models import IdType

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
