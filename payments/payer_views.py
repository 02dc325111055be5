"""Third-party payers' pages: the list (and naming a new payer), one payer's year: its list,
what it paid, who is still unpaid, adding people, the batch payment, Excel."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render

from core import calendar
from core.exports import Sheet, xlsx_response
from enrollment import scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry

from . import payers
from .forms import MembersForm, PayerForm, PayerPayForm


def _errors_to(form, exc: ValidationError) -> None:
    for field, errors in exc.message_dict.items():
        form.add_error(field if field in form.fields else None, errors)


@login_required
def payer_list(request):
    can_manage = scope.can_manage_payers(request.user)
    form = PayerForm(request.POST or None, user=request.user)
    if request.method == "POST":
        scope.require_write(request.user)
        if not can_manage:
            raise PermissionDenied
        if form.is_valid():
            try:
                payer = payers.payer_create(actor=request.user, request=request,
                                            **form.cleaned_data)
                messages.success(request, f"已登记：{payer.name}。")
                return redirect("payer_detail", pk=payer.pk)
            except ValidationError as exc:
                _errors_to(form, exc)
    return render(request, "payments/payer_list.html", {
        "payers": payers.visible_payers(request.user).select_related("region"),
        "form": form, "can_manage": can_manage})


def _year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and calendar.valid_year(int(value)) else \
        calendar.coverage_year_for()


@login_required
def payer_detail(request, pk):
    payer = get_object_or_404(payers.visible_payers(request.user), pk=pk)
    year = _year(request)
    can_manage = scope.can_manage_payers(request.user)
    action = request.POST.get("action") if request.method == "POST" else None
    members_form = MembersForm(request.POST if action == "members" else None, user=request.user,
                               prefix="m", initial={"year": year})
    pay_form = PayerPayForm(request.POST if action == "pay" else None, prefix="p",
                            initial={"year": year})
    if action:
        scope.require_write(request.user)
        if not can_manage:
            raise PermissionDenied
        form = members_form if action == "members" else pay_form
        if form.is_valid():
            data = form.cleaned_data
            try:
                if action == "members":
                    added = payers.payer_add_members(actor=request.user, payer=payer,
                                                     year=data["year"], persons=data["people"],
                                                     note=data["note"], request=request)
                    messages.success(request, f"已列入{len(added)}人。")
                else:
                    paid = payers.payer_batch_pay(actor=request.user, payer=payer,
                                                  year=data["year"], paid_on=data["paid_on"],
                                                  request=request)
                    messages.success(request, f"已代缴{len(paid)}人。")
                return redirect(f"{request.path}?year={data['year']}")
            except ValidationError as exc:
                _errors_to(form, exc)
    report = payers.payer_report(actor=request.user, payer=payer, year=year)
    if request.GET.get("format") == "xlsx":
        audit_record(user=request.user, action=AuditEntry.Action.EXPORT, obj=payer,
                     request=request, detail=f"导出{payer.name}{year}年未缴名单")
        sheet = Sheet(title="未缴名单", caption=[
            f"{payer.name}{year}年代缴情况：名单{report.listed}人，已代缴{report.paid_by_payer}人"
            f"（{report.amount}元），其他方式参保{report.enrolled_otherwise}人，"
            f"未缴{len(report.unpaid)}人"],
            header=["姓名", "证件号码", "常住地"],
            rows=[[p.name, p.masked_id, p.residence_region.name] for p in report.unpaid])
        return xlsx_response(f"{payer.name}-{year}-未缴名单.xlsx", sheet)
    return render(request, "payments/payer_detail.html", {
        "payer": payer, "year": year, "report": report, "can_manage": can_manage,
        "members_form": members_form, "pay_form": pay_form})
