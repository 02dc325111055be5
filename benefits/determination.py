"""The engine's determination of an enrollment, as Enrollment fields: the one thing the
registry asks of the benefits layer (enrollment.services._determine calls
`enrollment_apply_determination` before it saves an enrollment).

This module imports no enrollment service, so the registry can call it while benefits' own
services build on the registry's.
"""
from __future__ import annotations

from django.core.exceptions import ValidationError

from enrollment.models import Enrollment, Scheme

from . import inputs
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
