"""The review queue of the monthly comparison (比对核查): the findings of the user's region (a
finding is seen where the person is registered and where they live), filters, keyset pages, an
Excel export, a finding's page with its resolve actions, and 立即比对 for one's region. Thin
views: scope, form, one service call."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import paging
from core.exports import Sheet, xlsx_response

from . import regions, scope, services
from .audit import audit_record
from .finding import ComparisonRun, Finding, FindingStatus
from .finding_forms import (
    DismissForm,
    ElsewhereForm,
    FindingFilterForm,
    MergeForm,
    NoteForm,
    RunForm,
    StopForm,
)
from .models import AuditEntry, Person, Region
from .views import form_error

EXPORT_LIMIT = 50_000
HEADER = ["问题类型", "年度", "姓名", "证件号码", "户籍地", "常住地", "人户分离", "状态",
          "处理方式", "处理说明", "发现时间"]


def _require_reader(user) -> None:
    if not scope.can_review_findings(user):
        raise PermissionDenied("比对核查由村（社区）、乡镇和县级经办人员处理。")


def _filtered(request):
    """The findings the user may see, narrowed by the filter form (default: open ones)."""
    form = FindingFilterForm(request.GET or None, initial={"status": FindingStatus.OPEN})
    qs = scope.filter_findings(request.user, Finding.objects.all())
    data = form.cleaned_data if form.is_valid() else {}
    status = data.get("status", "") if form.is_bound else FindingStatus.OPEN
    if status:
        qs = qs.filter(status=status)
    if data.get("kind"):
        qs = qs.filter(kind=data["kind"])
    code = data.get("region", "").strip()
    if code and scope.region_in_scope(request.user, code):
        qs = qs.filter(scope.region_q_prefix(regions.prefix_of(code), "region_id",
                                             "residence_region_id"))
    return form, qs.select_related("person", "region", "residence_region")


@login_required
def finding_list(request):
    _require_reader(request.user)
    form, qs = _filtered(request)
    page = paging.keyset_page(qs, request.GET, keys=("pk",), count=True)
    runs = ComparisonRun.objects.filter(scope.region_q(request.user, "region_id"))[:3]
    return render(request, "enrollment/findings.html", {
        "form": form, "page": page, "runs": runs,
        "run_form": RunForm(initial={"region": request.user.region_id or ""})})


@login_required
def finding_export(request):
    _require_reader(request.user)
    _form, qs = _filtered(request)
    audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                 detail=f"导出比对核查清单：{request.GET.urlencode() or '待核查'}")
    rows = ([f.get_kind_display(), f.year, f.person.name, f.person.masked_id, f.region.name,
             f.residence_region.name, "是" if f.separated else "", f.get_status_display(),
             f.get_resolution_display(), f.resolution_reason,
             f.found_at.strftime("%Y-%m-%d")]
            for f in qs.order_by("pk")[:EXPORT_LIMIT].iterator(chunk_size=2000))
    return xlsx_response("比对核查清单.xlsx", Sheet(title="比对核查", header=HEADER, rows=rows),
                         notes=[f"最多导出{EXPORT_LIMIT}条；证件号码已脱敏。"])


@login_required
@require_POST
def comparison_run(request):
    """立即比对: a comparison of a region in the user's scope, through the worker."""
    form = RunForm(request.POST)
    code = form.data.get("region", "").strip()
    region = Region.objects.filter(code=code).first() if code else None
    try:
        run = services.comparison_start(actor=request.user, region=region, request=request)
    except ValidationError as exc:
        messages.error(request, "；".join(exc.messages))
    else:
        messages.success(request, f"已开始比对{region.name}（共{run.parts_total}个分片），"
                                  "完成后结果进入本页。")
    return redirect("finding_list")


ACTIONS = {
    "stop": (StopForm, services.finding_stop),
    "elsewhere": (ElsewhereForm, services.finding_mark_elsewhere),
    "merge": (MergeForm, services.finding_merge),
    "dismiss": (DismissForm, services.finding_dismiss),
    "note": (NoteForm, services.finding_note),
}


def _forms(finding, data=None, action=""):
    persons = [p for p in (finding.person, finding.other_person) if p is not None]
    return {
        "stop": StopForm(data if action == "stop" else None, persons=persons,
                         initial={"enrollment": (finding.details or {}).get("enrollment")}),
        "elsewhere": ElsewhereForm(data if action == "elsewhere" else None,
                                   initial={"year": finding.year}),
        "merge": MergeForm(data if action == "merge" else None, finding=finding),
        "dismiss": DismissForm(data if action == "dismiss" else None),
        "note": NoteForm(data if action == "note" else None),
    }


def _arguments(action, finding, cleaned) -> dict:
    if action == "merge":
        return {"survivor": Person.objects.get(pk=cleaned["survivor"])}
    return {k: v for k, v in cleaned.items() if k != "confirm"}


@login_required
def finding_detail(request, pk):
    _require_reader(request.user)
    finding = get_object_or_404(
        scope.filter_findings(request.user, Finding.objects.select_related(
            "person", "other_person", "region", "residence_region", "resolved_by")), pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    if request.method == "POST" and action not in ACTIONS:
        raise PermissionDenied("未知的处理方式。")
    forms = _forms(finding, request.POST, action)
    if action:
        form, service = forms[action], ACTIONS[action][1]
        if form.is_valid():
            try:
                service(actor=request.user, finding=finding, request=request,
                        **_arguments(action, finding, form.cleaned_data))
            except ValidationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, "已记录。" if action == "note" else "已处理。")
                return redirect("finding_detail", pk=finding.pk)
    # The forms of a closed finding are not shown: a refusal on one is said on top instead.
    hidden = action and action != "note" and finding.status != FindingStatus.OPEN
    return render(request, "enrollment/finding_detail.html", {
        "finding": finding, "forms": forms, "action": action,
        "refusal": "；".join(e for errs in forms[action].errors.values() for e in errs)
                   if hidden else "",
        "notes": finding.notes.select_related("by", "by_region"),
        "enrollments": [e for p in (finding.person, finding.other_person) if p
                        for e in p.enrollments.select_related("pooling_region")
                        .order_by("-year")[:6]]})
