"""Policy pages: the calculator (writes nothing) and the guided special-case registrations.
Thin views: scope check, form, one service call, redirect or render."""
from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from core.once import single_use
from enrollment import scope
from enrollment.views import form_error

from .. import determination, inputs, services
from ..forms import KINDS, CalculatorForm, NewbornPersonForm, SpecialCaseForm, default_year
from ..rules.case import determination_to_dict
from ..rules.errors import CaseError


def _person_from_query(request, key):
    pk = request.GET.get(key)
    if not pk:
        return None
    if not pk.isdigit():
        raise Http404
    return scope.get_person_or_404(request.user, pk)


def _initial_from_case(case: dict) -> dict:
    e = case["enrollment"]
    initial = {"profile": case["profile"], "year": case["year"], "paid_on": e["paid_on"],
               "birth_date": case["person"]["birth_date"],
               "category": case["person"]["category"], "group": case["person"]["group"] or "",
               "repair_years": e.get("repair_years", 0)}
    initial.update({k: v for k, v in e.items() if k not in ("paid_on", "repair_years")})
    initial.update({f"h{y}": status for y, status in case["history"].items()})
    return initial


@login_required
def calculator(request):
    person = _person_from_query(request, "person")
    submitted = "paid_on" in request.GET
    initial = {"profile": "hunan", "year": default_year(), "paid_on": timezone.localdate(),
               "category": "general", "repair_years": 0}
    case = result = None
    if person is not None and not submitted:
        try:
            case = inputs.case_inputs_for(person=person, year=default_year(),
                                          paid_on=timezone.localdate(),
                                          pooling_region_code=person.residence_region_id)
            initial = _initial_from_case(case)
        except CaseError as exc:
            messages.error(request, exc.message)
    form = CalculatorForm(request.GET if submitted else None, initial=initial)
    if submitted and form.is_valid():
        case = form.to_case()
    if case is not None:
        try:
            result = determination_to_dict(inputs.evaluate(case))
        except CaseError as exc:
            form_error(form, determination.case_error_to_validation(exc))
            if not form.is_bound:
                messages.error(request, exc.message)
            result = None
    return render(request, "benefits/calculator.html", {
        "form": form, "person": person, "result": result,
        "case_json": json.dumps(case, ensure_ascii=False, indent=1) if case else ""})


@login_required
def special_case(request, pk):
    scope.require_write(request.user)
    person = scope.get_person_or_404(request.user, pk)
    kind = request.GET.get("category") or "repair"
    if kind not in KINDS:
        raise Http404
    form = SpecialCaseForm(request.POST or None, kind=kind, person=person)
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = services.special_case_enroll(actor=request.user, person=person,
                                                      kind=kind, data=form.cleaned_data,
                                                      request=request)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记{enrollment}，应缴{enrollment.amount_due}元。")
            return redirect("person_detail", pk=person.pk)
    return render(request, "benefits/special_case.html", {
        "form": form, "person": person, "kind": kind, "kinds": KINDS,
        "title": KINDS[kind][0], "help": KINDS[kind][1],
        "group": inputs.policy_group_on(person, timezone.localdate()),
        "groups": person.groups.all()})


@login_required
@single_use("newborn")
def newborn(request):
    """A newborn by birth medical certificate: new file (in the parent's household) + enrollment."""
    scope.require_write(request.user)
    parent = _person_from_query(request, "parent")
    person_form = NewbornPersonForm(request.POST or None, user=request.user, parent=parent,
                                    prefix="p")
    form = SpecialCaseForm(request.POST or None, kind="newborn", person=None,
                           tier_region=parent.residence_region_id if parent
                           else request.user.region_id or "")
    if request.method == "POST" and person_form.is_valid() and form.is_valid():
        if form.cleaned_data["paid_on"] < person_form.cleaned_data["birth_date"]:
            form.add_error("paid_on", "缴费日期不能早于出生日期。")
        else:
            try:
                enrollment = services.newborn_register_and_enroll(
                    actor=request.user, person_data=person_form.person_data(),
                    data=form.cleaned_data, request=request)
            except ValidationError as exc:
                _split_errors(exc, person_form, form)
            else:
                messages.success(request, f"已为新生儿{enrollment.person.name}登记{enrollment}，"
                                          f"应缴{enrollment.amount_due}元。")
                return redirect("person_detail", pk=enrollment.person_id)
    return render(request, "benefits/newborn.html",
                  {"person_form": person_form, "form": form, "parent": parent,
                   "help": KINDS["newborn"][1]})


def _split_errors(exc: ValidationError, person_form, form) -> None:
    if not hasattr(exc, "error_dict"):
        form_error(form, exc)
        return
    for field, errors in exc.error_dict.items():
        target = person_form if field in person_form.fields else form
        target.add_error(field if field in target.fields else None, errors)
