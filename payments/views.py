"""The wallet page of a person: balance, the year's statement (Excel and print), sponsorship
and relatives' transfers in, paying a contribution, reversals; printable receipts."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import calendar
from core.exports import Sheet, xlsx_response
from enrollment import scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry, Person

from . import services
from .forms import CreditForm, PayForm, RelativeForm, ReverseForm
from .models import Receipt, Transfer
from .selectors import person_balance, statement

FORMS = {"credit": CreditForm, "relative": RelativeForm, "pay": PayForm}


def _year(request) -> int:
    value = request.GET.get("year", "")
    return int(value) if value.isdigit() and calendar.valid_year(int(value)) else \
        calendar.today().year


def _apply(request, person: Person, action: str, form) -> str:
    """Run the service the submitted form asks for; returns the success message."""
    data, actor = form.cleaned_data, request.user
    if action == "credit":
        services.wallet_credit(actor=actor, person=person, amount=data["amount"],
                               source=data["source"], sponsor=data["sponsor"],
                               memo=data["memo"], request=request)
        return f"已转入资助{data['amount']}元。"
    if action == "relative":
        relative = scope.filter_persons(actor, Person.objects.filter(pk=data["relative"])).first()
        if relative is None:
            raise ValidationError({"relative": "转出亲属档案号：未找到该档案，或不在您的辖区内。"})
        services.wallet_transfer_from_relative(
            actor=actor, person=person, relative=relative, relation=data["relation"],
            evidence=data["evidence"], amount=data["amount"], request=request)
        return f"已从{relative.name}的医保钱包转入{data['amount']}元。"
    enrollment = services.wallet_pay(actor=actor, person=person, year=data["year"],
                                     paid_on=data["paid_on"],
                                     repair_years=data["repair_years"], request=request)
    return f"已从医保钱包缴纳{enrollment.year}年居民医保费{enrollment.amount_paid}元。"


@login_required
def wallet(request, pk):
    person = scope.get_person_or_404(request.user, pk)
    action = request.POST.get("action") if request.method == "POST" else None
    forms = {name: cls(request.POST if action == name else None, prefix=name)
             for name, cls in FORMS.items()}
    if action in FORMS:
        scope.require_write(request.user)
        form = forms[action]
        if form.is_valid():
            try:
                messages.success(request, _apply(request, person, action, form))
                return redirect("wallet", pk=person.pk)
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
    year = _year(request)
    opening, lines, closing = statement(person, year)
    return render(request, "payments/wallet.html", {
        "person": person, "balance": person_balance(person), "forms": forms,
        "year": year, "opening": opening, "lines": lines, "closing": closing,
        "can_write": scope.can_write(request.user), "action": action,
        "receipts": Receipt.objects.filter(enrollment__person=person).select_related(
            "enrollment").order_by("-issued_at")[:20],
    })


@login_required
@require_POST
def wallet_reverse(request, pk):
    person = scope.get_person_or_404(request.user, pk)
    scope.require_write(request.user)
    form = ReverseForm(request.POST)
    transfer = None
    if form.is_valid():
        transfer = Transfer.objects.filter(pk=form.cleaned_data["transfer"],
                                           entries__account__person=person).first()
    if transfer is None:
        messages.error(request, "冲正原因：请填写原因并选择本人钱包的交易。")
        return redirect("wallet", pk=person.pk)
    try:
        services.wallet_reverse(actor=request.user, transfer=transfer,
                                reason=form.cleaned_data["reason"], request=request)
        messages.success(request, f"已冲正：{transfer}。")
    except ValidationError as exc:
        messages.error(request, "；".join(m for ms in exc.message_dict.values() for m in ms))
    return redirect("wallet", pk=person.pk)


def _statement_rows(lines):
    for line in lines:
        t = line.entry.transfer
        yield [timezone.localtime(t.created_at).strftime("%Y-%m-%d %H:%M"),
               t.get_kind_display(), t.memo, line.income, line.spending, line.running,
               str(t.created_by or "")]


@login_required
def wallet_statement(request, pk):
    person = scope.get_person_or_404(request.user, pk)
    year = _year(request)
    opening, lines, closing = statement(person, year)
    if request.GET.get("format") == "xlsx":
        audit_record(user=request.user, action=AuditEntry.Action.EXPORT, person=person,
                     detail=f"导出{person.name}{year}年医保钱包对账单", request=request)
        sheet = Sheet(title="对账单", caption=[
            f"{person.name}（{person.masked_id}）{year}年医保钱包对账单",
            f"期初余额 {opening} 元，期末余额 {closing} 元"],
            header=["时间", "类型", "说明", "收入（元）", "支出（元）", "余额（元）", "经办人"],
            rows=list(_statement_rows(lines)))
        return xlsx_response(f"医保钱包对账单-{year}.xlsx", sheet)
    return render(request, "payments/statement_print.html", {
        "person": person, "year": year, "opening": opening, "lines": lines, "closing": closing,
        "printed_on": calendar.today()})


@login_required
def receipt_print(request, pk):
    receipt = get_object_or_404(Receipt.objects.select_related(
        "enrollment__person", "pooling_region", "issued_by"), pk=pk)
    # Outside the user's scope the receipt does not exist for them (no oracle).
    scope.get_person_or_404(request.user, receipt.enrollment.person_id)
    return render(request, "payments/receipt_print.html", {
        "receipt": receipt, "enrollment": receipt.enrollment, "person": receipt.enrollment.person})
