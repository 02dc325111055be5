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
from .statements import payer_statement as build_statement
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


STATEMENT_HEADER = ["序号", "姓名", "证件号码", "常住地", "列入名单日期", "备注", "参保情况",
                    "代缴金额（元）", "缴费日期", "收据号"]


@login_required
def payer_statement(request, pk):
    """年度代缴对账单: the year's list with who the payer covered, amounts, receipts and totals,
    as Excel (format=xlsx) or a print view with signature lines."""
    payer = get_object_or_404(payers.visible_payers(request.user), pk=pk)
    year = _year(request)
    statement = build_statement(actor=request.user, payer=payer, year=year)
    totals = (f"名单{statement.listed}人，本单位代缴{statement.covered}人，合计{statement.total}元；"
              f"其他方式参保{statement.otherwise}人，信用参保欠费{statement.owing}人，"
              f"未缴{statement.unpaid}人")
    if request.GET.get("format") == "xlsx":
        audit_record(user=request.user, action=AuditEntry.Action.EXPORT, obj=payer,
                     request=request, detail=f"导出{payer.name}{year}年代缴对账单")
        rows = [[i, line.person.name, line.person.masked_id, line.person.residence_region.name,
                 line.member.added_at.date(), line.member.note, line.label, line.amount,
                 line.enrollment.paid_on if line.amount is not None else None, line.receipt]
                for i, line in enumerate(statement.lines, 1)]
        rows.append(["", "合计", "", "", None, "", f"代缴{statement.covered}人", statement.total,
                     None, ""])
        sheet = Sheet(title="代缴对账单", header=STATEMENT_HEADER, rows=rows,
                      caption=[f"{payer.name}（{payer.get_kind_display()}）{year}年度代缴对账单",
                               totals],
                      number_formats={4: "yyyy-mm-dd", 7: "#,##0.00", 8: "yyyy-mm-dd"},
                      bold_last_row=True, header_fill="DDEBF7",
                      widths=[6, 10, 20, 14, 12, 14, 14, 14, 12, 26])
        return xlsx_response(f"{payer.name}-{year}-代缴对账单.xlsx", sheet)
    return render(request, "payments/payer_statement_print.html", {
        "payer": payer, "year": year, "statement": statement, "totals": totals,
        "printed_on": calendar.today()})
