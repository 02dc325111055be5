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
    HardshipGroup,
    Person,
    Scheme,
    School,
)

from . import inputs
from .rules.case import determination_to_dict
from .rules.errors import CaseError
from .rules.types import Determination

# Engine fields → the form fields that hold them.
FIELD_OF = {
    "year": "year",
    "profile": None,
    "enrollment.paid_on": "paid_on",
    "enrollment.repair_years": "repair_years",
    "enrollment.welfare_entry_on": "welfare_entry_on",
    "enrollment.employee_ended_on": "employee_ended_on",
    "enrollment.exited_on": "exited_on",
    "enrollment.exit_reason": "exit_reason",
    "enrollment.newborn_next_year_only": "newborn_next_year_only",
    "enrollment.first_at_school": "first_at_school",
    "person.birth_date": "paid_on",
}


def case_error_to_validation(exc: CaseError) -> ValidationError:
    """A CaseError as a ValidationError on the matching form field, in the user's words."""
    field = exc.field
    if field.startswith("standards."):
        year = field.split(".")[1]
        return ValidationError({"year": f"{year}年度尚未设置缴费标准，请联系县级管理员在管理后台维护。"
                                if field.count(".") == 1 else exc.message})
    target = FIELD_OF.get(field, None)
    if target is None:
        return ValidationError(exc.message)
    return ValidationError({target: exc.message})


def determination_fields(d: Determination) -> dict:
    """The Enrollment columns a determination fills (the January recalculation writes the same)."""
    return {
        "in_concentrated_period": d.in_concentrated_period,
        "amount_due": d.amount_due,
        "subsidy": d.subsidy,
        "repair_due": d.repair_due,
        "waiting_fixed": d.waiting.fixed,
        "waiting_variable": d.waiting.variable,
        "waiting_repaired": d.waiting.repaired,
        "waiting_months": d.waiting.total,
        "benefit_start": d.benefit_start,
        "benefit_end": d.benefit_end,
        "effective_cap": int(d.catastrophic.effective_cap),
        "rule_ids": list(d.rules),
        "explanation": list(d.explanation),
    }


def determine_enrollment(enrollment: Enrollment) -> Determination:
    """The engine's determination of an enrollment's payment (raises ValidationError)."""
    try:
        return inputs.evaluate(inputs.case_for_enrollment(enrollment))
    except CaseError as exc:
        raise case_error_to_validation(exc) from None


def enrollment_apply_determination(*, enrollment: Enrollment, options: dict) -> None:
    """Fill the enrollment's determination fields from the policy engine (not saved here: the
    caller saves the enrollment in its transaction). An enrollment not yet paid has nothing to
    determine. Bad input raises ValidationError naming the form field."""
    if enrollment.scheme != Scheme.RESIDENT or not enrollment.paid_on:
        return
    if options:
        enrollment.case_details = {**(enrollment.case_details or {}), **options}
    d = determine_enrollment(enrollment)
    for name, value in determination_fields(d).items():
        setattr(enrollment, name, value)
    enrollment.determination = determination_to_dict(d)


# --- The case, found from the registry ------------------------------------------------------

# Engine inputs that make a case; flags the family chooses (only next year) are not "found".
CASE_KEYS = ("category", *inputs.OPTION_DATES, "exit_reason")
EXIT_REASON_OF_GROUP = {
    HardshipGroup.EXIT_INSURED_2Y: "insured_2y",
    HardshipGroup.EXIT_VETERAN: "veteran",
    HardshipGroup.EXIT_VETERAN_SPOUSE: "veteran_spouse",
    HardshipGroup.EXIT_RELEASED: "released_prisoner",
}
CATEGORY_LABELS = {
    "general": "一般居民",
    "newborn": "新生儿",
    "welfare_child": "儿童福利机构儿童",
    "college_student": "大学生（学校参保）",
    "employee_transfer": "职工医保转居民医保",
    "exit_other_scheme": "退出其他制度保障",
}


def case_from_registry(*, person: Person, year: int, paid_on: dt.date, pooling_region_code: str,
                       employee_ended_on: dt.date | None = None) -> dict:
    """Which special case (RULES.md section 5) a payment is, from what the registry holds:
    the birth date and the profile's newborn window, a recorded entry into a child welfare
    institution, a college or vocational school, the end of the last employee cover, a recorded
    exit from another scheme. Hardship groups are read by the engine on the payment date.

    Returns the case's engine keys plus `reason`, a plain-Chinese sentence for the clerk.
    `employee_ended_on` is the first uncovered day of an employee cover the same write is about
    to stop (the transfer path)."""
    profile = inputs.profile_for_region(pooling_region_code)
    days = profile.newborn_days if profile is not None else 90
    birth = person.birth_date
    deadline = birth + dt.timedelta(days=days)
    if year == birth.year or (year == birth.year + 1 and paid_on <= deadline):
        return {"category": "newborn",
                "reason": f"{birth:%Y年%m月%d日}出生，{year}年为出生当年或出生次年"
                          f"（出生后{days}天内为{deadline:%Y年%m月%d日}前）：按新生儿参保"}
    groups = sorted((g for g in person.groups.all() if g.start_date <= paid_on),
                    key=lambda g: g.start_date, reverse=True)
    welfare = next((g for g in groups if g.group == HardshipGroup.WELFARE_CHILD), None)
    if welfare is not None:
        return {"category": "welfare_child", "welfare_entry_on": welfare.start_date.isoformat(),
                "reason": f"{welfare.start_date:%Y年%m月%d日}进入儿童福利机构：按福利机构儿童参保"}
    school = person.school
    if school is not None and school.kind in (School.Kind.COLLEGE, School.Kind.VOCATIONAL):
        first = not person.enrollments.filter(scheme=Scheme.RESIDENT,
                                              channel=Channel.SCHOOL_BATCH).exists()
        case = {"category": "college_student", "school": school.code,
                "reason": f"就读于{school.name}：按大学生在校参保"
                          + ("（首次在校参保）" if first else "")}
        if first:
            case["first_at_school"] = True
        return case
    ended = employee_ended_on or _employee_cover_ended(person, paid_on)
    if ended is not None and ended.year >= year - 1:
        return {"category": "employee_transfer", "employee_ended_on": ended.isoformat(),
                "reason": f"职工医保参保至{ended - dt.timedelta(days=1):%Y年%m月%d日}："
                          "按职工医保转居民医保"}
    exit_group = next((g for g in groups if g.group in EXIT_REASON_OF_GROUP
                       and g.start_date.year >= year - 1), None)
    if exit_group is not None:
        return {"category": "exit_other_scheme", "exited_on": exit_group.start_date.isoformat(),
                "exit_reason": EXIT_REASON_OF_GROUP[exit_group.group],
                "reason": f"{exit_group.get_group_display()}：{exit_group.start_date:%Y年%m月%d日}"
                          "退出原制度保障"}
    group = inputs.policy_group_on(person, paid_on)
    reason = "一般居民" + (f"（缴费日期属于{dict(HARDSHIP_LABELS).get(group, group)}，按困难群体资助）"
                       if group else "")
    return {"category": "general", "reason": reason}


HARDSHIP_LABELS = [("special_hardship", "特困人员"), ("low_income", "低保对象"),
                   ("monitored", "防止返贫监测对象")]


def _employee_cover_ended(person: Person, paid_on: dt.date) -> dt.date | None:
    """The first uncovered day after the person's last employee cover, when it ended on or
    before the payment (and no employee cover is still running)."""
    employee = list(person.enrollments.filter(scheme=Scheme.EMPLOYEE)
                    .exclude(status=EnrollmentStatus.AWAITING_PAYMENT)
                    .order_by("-cover_start", "-year", "-pk")[:1])
    if not employee:
        return None
    last = employee[0]
    end = last.cover_end
    if end is None and last.status == EnrollmentStatus.STOPPED and last.stopped_on:
        end = last.stopped_on - dt.timedelta(days=1)
    if end is None or end >= paid_on:
        return None
    return end + dt.timedelta(days=1)


def case_key(case: dict) -> dict:
    """The engine-relevant part of a case, to tell an override from what was found."""
    return {k: case[k] for k in CASE_KEYS if case.get(k)}


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
        repair_years=data.get("repair_years") or 0, case_override=override,
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
