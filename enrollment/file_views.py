"""Pages for files of one person: merging two files (county administrators) and asking for a file
another village holds (申请转入). Thin views: scope check, form, one service call."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from . import scope, selectors, services
from .forms import RegionChoiceField, _leaf_regions
from .models import Region, TransferRequest

CANDIDATES = 20


def _require(check, user, message):
    if not check(user):
        raise PermissionDenied(message)


@login_required
def person_merge_choose(request, pk):
    """合并档案, step 1: the other file, from this file's likely duplicates or a search."""
    person = scope.get_person_or_404(request.user, pk)  # a neighbour's file: 404 first
    _require(scope.can_merge_persons, request.user, "只有县级管理员可以合并档案。")
    query = request.GET.get("q", "").strip()
    suggested = selectors.likely_duplicates_in_scope(request.user, {
        "name": person.name, "birth_date": person.birth_date, "household": person.household,
        "hukou_region": person.hukou_region, "id_number": person.id_number,
        "birth_cert_number": person.birth_cert_number})["visible"]
    found = (list(selectors.person_search(request.user, query).exclude(pk=pk)[:CANDIDATES])
             if query else [])
    return render(request, "enrollment/merge_choose.html", {
        "person": person, "query": query, "found": found,
        "suggested": [p for p in suggested if p.pk != person.pk]})


class MergeConfirmForm(forms.Form):
    confirm = forms.BooleanField(label="我已核对，两份档案是同一人", required=True,
                                 error_messages={"required": "请先核对并勾选确认。"})


@login_required
def person_merge_preview(request, pk, other):
    """合并档案, step 2: what moves to the surviving file (this one), then confirm."""
    survivor = scope.get_person_or_404(request.user, pk)
    merged = scope.get_person_or_404(request.user, other)
    _require(scope.can_merge_persons, request.user, "只有县级管理员可以合并档案。")
    form = MergeConfirmForm(request.POST or None)
    rows, error = [], None
    try:
        rows = services.person_merge_preview(actor=request.user, survivor=survivor,
                                             merged=merged)
    except ValidationError as exc:
        error = "；".join(exc.messages)
    if request.method == "POST" and error is None and form.is_valid():
        try:
            services.person_merge(actor=request.user, survivor=survivor, merged=merged,
                                  request=request)
        except ValidationError as exc:
            error = "；".join(exc.messages)
        else:
            messages.success(request, f"已将档案{merged.pk}合并至本档案。")
            return redirect("person_detail", pk=survivor.pk)
    return render(request, "enrollment/merge_preview.html", {
        "survivor": survivor, "merged": merged, "rows": rows, "error": error, "form": form})


# --- 申请转入 ------------------------------------------------------------------------------


class TransferRequestForm(forms.Form):
    number = forms.CharField(label="证件号码", max_length=30,
                             help_text="身份证号码或出生医学证明编号")
    to_region = RegionChoiceField(label="转入村（社区）或网格", queryset=Region.objects.none())
    note = forms.CharField(label="申请说明", required=False, max_length=200,
                           widget=forms.Textarea(attrs={"rows": 2}),
                           help_text="如：已在本村常住，申请将常住地转入本村。")

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_region"].queryset = _leaf_regions(user)
        if user.region_id:
            self.fields["to_region"].initial = user.region_id


@login_required
def transfer_list(request):
    _require(scope.can_request_transfer, request.user, "您的账号不能处理转入申请。")
    incoming = services.transfers_to_answer(request.user).select_related(
        "person", "to_region", "requested_by")
    asked = services.transfers_asked(request.user).select_related("to_region")
    return render(request, "enrollment/transfer_list.html", {
        "incoming": incoming[:100], "asked": asked[:100],
        "pending": TransferRequest.Status.PENDING, "accepted": TransferRequest.Status.ACCEPTED})


@login_required
def transfer_create(request):
    _require(scope.can_request_transfer, request.user, "您的账号不能申请转入。")
    form = TransferRequestForm(request.POST or None, user=request.user,
                               initial={"number": request.GET.get("number", "")})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.transfer_request_create(actor=request.user, number=data["number"],
                                             to_region=data["to_region"], note=data["note"],
                                             request=request)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "已提交转入申请，对方处理后可在“转入申请”中查看结果。")
            return redirect("transfer_list")
    return render(request, "enrollment/transfer_form.html", {"form": form})


def _transfer(request, pk):
    return get_object_or_404(services.transfers_to_answer(request.user), pk=pk)


@login_required
@require_POST
def transfer_accept(request, pk):
    _decide(request, lambda t: services.transfer_accept(
        actor=request.user, transfer=t, request=request), "已同意转入，此人的常住地已变更。", pk)
    return redirect("transfer_list")


@login_required
@require_POST
def transfer_decline(request, pk):
    _decide(request, lambda t: services.transfer_decline(
        actor=request.user, transfer=t, reason=request.POST.get("reason", ""),
        request=request), "已拒绝该转入申请。", pk)
    return redirect("transfer_list")


def _decide(request, action, done: str, pk) -> None:
    transfer = _transfer(request, pk)
    try:
        action(transfer)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, done)
