"""The 数据交换 pages, thin over enrollment.exchange.flow: the kinds with their templates, upload,
then one page per import that shows its preview, its progress or its report as it goes; the
error file, the progress the page polls, and the history of the region's imports."""
from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import paging
from core.once import single_use
from core.exports import Sheet, xlsx_response

from .. import scope
from . import flow, jobs
from .base import Feed

Status = flow.Status


class UploadForm(forms.Form):
    file = forms.FileField(label="数据文件", error_messages={"required": "请选择要上传的文件。"})
    source = forms.CharField(label="数据来源", max_length=100, required=False,
                             help_text="如：县公安局 2026年11月")


def _require(user) -> None:
    if not scope.can_import_feeds(user):
        raise PermissionDenied("您的账号不能导入部门数据。")


def _feed_or_404(user, kind) -> Feed:
    found = {f.kind: f for f in flow.feeds_for(user)}.get(kind)
    if found is None:
        raise Http404("没有这种名单。")
    return found


def _import_or_404(user, pk):
    return get_object_or_404(flow.imports_for(user), pk=pk)


@login_required
def kinds(request):
    _require(request.user)
    return render(request, "exchange/kinds.html", {
        "feeds": flow.feeds_for(request.user), "limits": flow.limits_text(),
        "recent": flow.imports_for(request.user)[:5]})


@login_required
def template(request, kind):
    _require(request.user)
    feed = _feed_or_404(request.user, kind)
    notes = [f"{feed.department}：{feed.title}。第1行为表头，第2行为示例（导入前请删除或改为真实数据）。"] + [
        f"{c.header}：{'必填' if c.required else '可不填'}。{c.note}" for c in feed.columns]
    sheet = Sheet(title=feed.title, header=feed.headers(), rows=[list(feed.example_row().values())])
    return xlsx_response(f"{feed.title}模板.xlsx", sheet, notes=notes)


@login_required
def upload(request, kind):
    _require(request.user)
    feed = _feed_or_404(request.user, kind)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload_file = form.cleaned_data["file"]
        try:
            imp = flow.stage(actor=request.user, kind=kind, content=upload_file.read(),
                             name=upload_file.name or "", source=form.cleaned_data["source"])
        except flow.FeedRefused as exc:
            form.add_error("file", exc.messages[0])
        else:
            return redirect("exchange_import", pk=imp.pk)
    return render(request, "exchange/upload.html", {"feed": feed, "form": form,
                                                    "limits": flow.limits_text()})


@login_required
def import_detail(request, pk):
    """The preview (staged), the progress bar (queued, running) or the report (finished)."""
    _require(request.user)
    imp = _import_or_404(request.user, pk)
    problems = paging.list_page(imp.problems, request.GET.get("page"))
    context = {"imp": imp, "problems": problems, "percent": flow.progress_of(imp),
               "valid_rows": imp.rows - imp.rejected, "can_retry": flow.can_retry(imp),
               "mine": imp.user_id == request.user.pk}
    if imp.status == Status.STAGED:
        return render(request, "exchange/preview.html", context)
    if not imp.finished:
        return render(request, "exchange/progress.html", context)
    return render(request, "exchange/report.html", context)


@login_required
@require_POST
@single_use("feed_confirm")
def confirm(request, pk):
    _require(request.user)
    imp = _import_or_404(request.user, pk)
    if imp.user_id != request.user.pk:
        raise PermissionDenied("只能确认自己上传的文件。")
    if request.POST.get("mode") == "cancel":
        flow.abandon(imp)
        messages.info(request, "已放弃导入，上传的文件已删除。")
        return redirect("exchange_kinds")
    try:
        flow.confirm(actor=request.user, imp=imp, valid_only=request.POST.get("mode") == "valid",
                     request=request, enqueue=jobs.enqueue_run)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("exchange_import", pk=imp.pk)


@login_required
@require_POST
@single_use("feed_retry")
def retry(request, pk):
    _require(request.user)
    imp = _import_or_404(request.user, pk)
    try:
        flow.retry(actor=request.user, imp=imp, request=request, enqueue=jobs.enqueue_run)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    return redirect("exchange_import", pk=imp.pk)


@login_required
def progress(request, pk):
    _require(request.user)
    imp = _import_or_404(request.user, pk)
    return JsonResponse({
        "id": imp.pk, "status": imp.status, "status_label": imp.get_status_display(),
        "percent": flow.progress_of(imp), "finished": imp.finished, "rows": imp.rows,
        "created": imp.created, "updated": imp.updated, "unchanged": imp.unchanged,
        "rejected": imp.rejected, "error": imp.error})


@login_required
def errors(request, pk):
    """The error file: row, column, what is wrong, what to do (ID numbers masked)."""
    _require(request.user)
    imp = _import_or_404(request.user, pk)
    rows = [[p["row"], p["column"] or "整行", p["message"], p["hint"]] for p in imp.problems]
    sheet = Sheet(title="错误行", header=["行号", "列", "错误", "处理办法"], rows=rows,
                  last_column_fill="FDE2E1")
    return xlsx_response(f"{imp.title}错误行.xlsx", sheet,
                         notes=[f"{imp.title}（{imp.file_name}）：共{imp.rows}行，"
                                f"错误{imp.rejected}行。改正后重新上传。"])


@login_required
def history(request):
    _require(request.user)
    page = paging.keyset_page(flow.imports_for(request.user), request.GET, keys=("pk",),
                              descending=True)
    return render(request, "exchange/history.html", {"page": page})


# The hand comparison's lists (部门比对) and the kinds that took them over.
RECONCILE_KINDS = {"deaths": "deregistrations", "moves": "moves", "elsewhere": "elsewhere"}


@login_required
def old_template(request, kind):
    """/reconcile/template/<kind>.xlsx, from before the data exchange: its kind's template."""
    if kind not in RECONCILE_KINDS:
        raise Http404("没有这种名单。")
    return redirect("exchange_template", kind=RECONCILE_KINDS[kind], permanent=True)
