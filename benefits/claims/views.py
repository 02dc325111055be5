"""Pages of the claims summaries upload: upload, preview every bad row, confirm, download the
bad rows or a template. Thin views over benefits.claims.services."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import render
from django.views.decorators.http import require_POST

from core.exports import xlsx_response
from enrollment import scope

from . import services
from .forms import ClaimsUploadForm

SESSION_KEY = "claims_upload"


@login_required
def claims_upload(request):
    scope.require_write(request.user)
    form = ClaimsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            dataset = services.read_dataset(content, upload.name)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            services.discard(request.user, request.session.get(SESSION_KEY, ""))
            request.session[SESSION_KEY] = services.store(request.user, content, upload.name)
            return _preview(request, dataset, upload.name)
    return render(request, "benefits/claims_upload.html", {"form": form})


def _uploaded(request):
    token = request.session.get(SESSION_KEY, "")
    found = services.load(request.user, token)
    if found is None:
        raise Http404("上传的文件已失效，请重新上传。")
    return services.read_dataset(*found), token


def _preview(request, dataset, name):
    checked = services.preview(user=request.user, dataset=dataset)
    return render(request, "benefits/claims_preview.html", {
        "name": name, "checked": checked, "headers": dataset.headers})


@login_required
@require_POST
def claims_confirm(request):
    scope.require_write(request.user)
    dataset, token = _uploaded(request)
    only_valid = request.POST.get("mode") == "valid"
    try:
        done = services.claims_import(actor=request.user, dataset=dataset, only_valid=only_valid,
                                      request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _preview(request, dataset, token)
    if not done["rejected"]:
        services.discard(request.user, token)
        request.session.pop(SESSION_KEY, None)
    messages.success(request, f"导入完成：新增{done['new']}行，更新{done['update']}行，"
                              f"未变{done['skip']}行" +
                     (f"，{done['rejected']}行有错误未导入（可下载错误行）" if done["rejected"] else "。"))
    return render(request, "benefits/claims_done.html", {"done": done})


@login_required
def claims_errors(request):
    dataset, _ = _uploaded(request)
    checked = services.preview(user=request.user, dataset=dataset)
    return xlsx_response("年度报销汇总错误行.xlsx",
                         services.error_sheet(checked["bad"], list(dataset.headers)))


@login_required
def claims_template(request):
    return xlsx_response("年度报销汇总模板.xlsx", services.template_sheet())
