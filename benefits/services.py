"""Writes of the benefits layer: determinations on enrollments and the guided special cases.

The one door (enrollment.services.enrollment_preview / enrollment_record) calls
`case_from_registry` and `enrollment_apply_determination` before it saves an enrollment: the one
call from the registry up to benefits. The special-case
forms call `special_case_enroll`, which goes back through `enrollment.services.enrollment_record`
so that scope, duplicates (R-ONE-ENROLLMENT), audit and the determination are the same code.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from enrollment import scope
from enrollment import services as registry
from enrollment.models import (
    Channel,
    Enrollment,
    EnrollmentStatus,
    Person,
    Scheme,
)

from . import inputs


# --- Guided special cases ------------------------------------------------------------------

CATEGORY_OF_KIND = {
    "newborn": "newborn",
    "student": "college_student",
    "welfare": "welfare_child",
    "transfer": "employee_transfer",
    "exit": "exit_other_scheme",
    "repair": "general",
    "relative": "general",
    "hardship": "general",
}


KIND_TITLES = {
    "newborn": "新生儿参保", "student": "大学生在校参保", "welfare": "福利机构儿童参保",
    "transfer": "职工医保转居民医保", "exit": "退出其他制度保障后参保",
}


def _options(kind: str, data: dict) -> dict:
    options = {"category": CATEGORY_OF_KIND[kind], "kind": kind}
    for name in (*inputs.OPTION_FLAGS, *inputs.OPTION_DATES, "exit_reason"):
        value = data.get(name)
        if value:
            options[name] = value.isoformat() if isinstance(value, dt.date) else value
    if kind == "student" and data.get("school"):
        options["school"] = data["school"].code
    return options


def _check_student(person: Person, year: int) -> None:
    """R-STU-ONCE: through the school, once a year, never several years, never also at home."""
    existing = Enrollment.objects.filter(person=person, year=year, scheme=Scheme.RESIDENT,
                                         status__in=[EnrollmentStatus.AWAITING_PAYMENT,
                                                     EnrollmentStatus.ACTIVE]).first()
    if existing is not None:
        where = "在学校" if existing.channel == Channel.SCHOOL_BATCH else "在户籍地（居住地）"
        raise ValidationError({"year": f"{person.name}{year}年已{where}参保（{existing}），"
                                       "学生每年只能通过学校参保一次，不能再在户籍地重复参保"
                                       "（R-STU-ONCE）。"})


@transaction.atomic
def special_case_enroll(*, actor, person: Person, kind: str, data: dict,
                        request=None) -> Enrollment:
    """Record one resident enrollment for a special case (kind: newborn, student, welfare,
    transfer, exit, repair, relative, hardship). `data` holds the form's cleaned values."""
    scope.require_write(actor)
    if not scope.filter_persons(actor, Person.objects.filter(pk=person.pk)).exists():
        raise PermissionDenied
    if kind not in CATEGORY_OF_KIND:
        raise ValidationError(f"未知的特殊情形：{kind}")
    year = data.get("year")
    if kind == "newborn" and not year:
        year = person.birth_date.year + (1 if data.get("newborn_next_year_only") else 0)
    if kind == "hardship" and inputs.policy_group_on(person, data["paid_on"]) is None:
        raise ValidationError({"paid_on": f"{person.name}在缴费日期不属于特困人员、低保对象或"
                                          "防止返贫监测对象，不能享受参保资助；请先核实困难群体身份。"})
    if kind == "student":
        _check_student(person, year)
    channel = data.get("channel") or Channel.INDIVIDUAL
    if kind == "student":
        channel = Channel.SCHOOL_BATCH
    if kind == "relative":
        channel = Channel.RELATIVE_ACCOUNT
    # Nothing typed: enrollment_record records what the engine says is due, repair included.
    amount = data.get("amount_paid")
    # The page's own details (entry, exit, end of employee cover) are what the clerk states;
    # where they differ from the registry the one door records them as an audited override.
    options = _options(kind, data)
    override = options if CATEGORY_OF_KIND[kind] != "general" else None
    return registry.enrollment_record(
        actor=actor, person=person, year=year, scheme=Scheme.RESIDENT, paid_on=data["paid_on"],
        amount_paid=None if amount is None else Decimal(amount), channel=channel,
        payer=data.get("payer"),
        payer_relation=data.get("payer_relation") or "",
        repair_years=data.get("repair_years") or 0, tier=data.get("tier") or "",
        case_override=override,
        override_reason=f"特殊情形登记：{KIND_TITLES.get(kind, kind)}（经办人录入的情形信息）",
        request=request)


@transaction.atomic
def newborn_register_and_enroll(*, actor, person_data: dict, data: dict,
                                request=None) -> Enrollment:
    """A newborn by birth medical certificate: the existing file of that certificate number, or
    a new file, then the newborn enrollment (R-NB-90 / R-NB-OCT / R-NB-FREE) in one transaction."""
    number = person_data.get("birth_cert_number")
    person = Person.objects.filter(birth_cert_number=number).first() if number else None
    if person is not None and not scope.filter_persons(
            actor, Person.objects.filter(pk=person.pk)).exists():
        raise ValidationError({"birth_cert_number": "该出生医学证明编号已在其他辖区建档，"
                                                    "请联系其所在村（社区）办理。"})
    if person is None:
        person = registry.person_register(actor=actor, data=person_data, request=request)
    return special_case_enroll(actor=actor, person=person, kind="newborn", data=data,
                               request=request)
