"""The engine's determination of an enrollment, as Enrollment fields: the one thing the
registry asks of the benefits layer (enrollment.services.enrollments calls
`enrollment_apply_determination` before it saves an enrollment).

This module imports no enrollment service, so the registry can call it while benefits' own
services build on the registry's.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError

from enrollment.models import (
    Channel,
    Enrollment,
    EnrollmentStatus,
    HardshipGroup,
    Person,
    Scheme,
    School,
)
from enrollment.services.plans import employee_cover

from . import inputs
from .models import PolicyProfile, YearStandard
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
    "enrollment.tier": "tier",
    "enrollment.on_credit": "on_credit",
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
    if enrollment.scheme != Scheme.RESIDENT or not (enrollment.paid_on or enrollment.credit_since):
        return
    if options:
        enrollment.case_details = {**(enrollment.case_details or {}), **options}
    d = determine_enrollment(enrollment)
    for name, value in determination_fields(d).items():
        setattr(enrollment, name, value)
    enrollment.determination = determination_to_dict(d)
    if d.credit is not None:  # R-CREDIT: what is owed, and by when
        enrollment.credit_due_on = dt.date.fromisoformat(d.credit["due_on"])
        enrollment.credit_outstanding = d.amount_due + d.repair_due


# --- R-CREDIT: credit enrollment (信用参保) ----------------------------------------------------


def credit_offered(*, pooling_region_code: str) -> bool:
    """R-CREDIT: whether the region's profile allows credit enrollment (the form shows the
    信用参保 box only there)."""
    profile = inputs.profile_for_region(pooling_region_code)
    return bool(profile is not None and profile.credit_allowed)


def credit_payment_counts_from(*, enrollment: Enrollment, paid_on: dt.date) -> dt.date:
    """R-CREDIT: the date the payment settling a credit enrollment counts from: the enrollment's
    own where the profile guarantees the debt (the cover ran from the enrollment), else the day
    of payment (the cover runs from the payment)."""
    profile = inputs.profile_for_region(enrollment.pooling_region_id)
    if profile is not None and profile.credit_cover == PolicyProfile.CreditCover.ENROLLMENT:
        return enrollment.credit_since
    return paid_on


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
    before the payment (and no employee cover is still running). How a stop ends the cover is
    the one door's reading (enrollment.services.plans.employee_cover), not a copy of it."""
    employee = list(person.enrollments.filter(scheme=Scheme.EMPLOYEE)
                    .exclude(status=EnrollmentStatus.AWAITING_PAYMENT)
                    .order_by("-cover_start", "-year", "-pk")[:1])
    if not employee:
        return None
    _, end = employee_cover(employee[0])
    if end is None or end >= paid_on:
        return None
    return end + dt.timedelta(days=1)


def case_key(case: dict) -> dict:
    """The engine-relevant part of a case, to tell an override from what was found."""
    return {k: case[k] for k in CASE_KEYS if case.get(k)}


# --- R-TIER: the contribution tiers a payment may choose ------------------------------------


def _cap_text(amount) -> str:
    if amount >= 10000 and amount % 10000 == 0:
        return f"{int(amount) // 10000}万元"
    return f"{amount:.2f}元".replace(".00元", "元")


def year_tiers(*, pooling_region_code: str, year: int) -> list[tuple[str, str]]:
    """R-TIER: (code, label) of each contribution tier of `year` in the region's profile,
    cheapest first, the label naming the individual amount and the catastrophic cap that go
    with it; empty where the year has no tiers (or the region no profile)."""
    profile = inputs.profile_for_region(pooling_region_code)
    standard = (YearStandard.objects.filter(profile=profile, year=year)
                .prefetch_related("tiers").first() if profile is not None else None)
    if standard is None:
        return []
    out = []
    for tier in standard.tiers.all():
        cap = tier.catastrophic_cap if tier.catastrophic_cap is not None \
            else standard.catastrophic_cap
        label = (f"{tier.name or tier.code}：个人缴费{_cap_text(tier.individual)}，"
                 f"大病保险最高支付限额{_cap_text(cap)}")
        if tier.reimbursement_ratio is not None:
            label += f"，住院报销比例{tier.reimbursement_ratio * 100:.0f}%"
        out.append((tier.code, label))
    return out


def tier_refusal(*, pooling_region_code: str, year: int, code: str) -> str | None:
    """R-TIER: why `code` cannot be the tier of a payment for `year` in the region (None: it
    can). Asked by the one door for every write, paid or not, so that an unknown code is refused
    even where the engine is not asked (an enrollment awaiting payment)."""
    tiers = year_tiers(pooling_region_code=pooling_region_code, year=year)
    if any(c == code for c, _ in tiers):
        return None
    if not tiers:
        return (f"{year}年的缴费标准不分档次，不能选择缴费档次“{code}”；"
                "请清空缴费档次后按年度标准登记。")
    return (f"{year}年没有“{code}”这个缴费档次，可选："
            + "、".join(f"{label.split('：')[0]}（{c}）" for c, label in tiers) + "。")
