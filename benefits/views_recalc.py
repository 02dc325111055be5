"""Pages of the January recalculation and the claims summaries upload. Thin views."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.exports import xlsx_response
from enrollment import scope
from enrollment.views import form_error

from .forms_recalc import ClaimsUploadForm, RecalcStartForm
from .models_recalc import RecalcJob
from .recalc import claims, services


def _require_admin(user) -> None:
    if not (scope.is_admin(user) and scope.can_write(user)):
        raise PermissionDenied("只有县级管理员可以发起待遇重算。")


def _job_or_404(user, pk) -> RecalcJob:
    return get_object_or_404(services.jobs_for(user), pk=pk)


@login_required
def recalc_start(request):
    _require_admin(request.user)
    form = RecalcStartForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.job_start(actor=request.user, year=form.cleaned_data["year"],
                                     region=form.cleaned_data["region"], request=request)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已发起{job.year}年待遇重算，任务编号{job.pk}。")
            return redirect("recalc_job", pk=job.pk)
    jobs = services.jobs_for(request.user)[:20]
    return render(request, "benefits/recalc_start.html", {"form": form, "jobs": jobs})


@login_required
def recalc_job(request, pk):
    job = _job_or_404(request.user, pk)
    chunks = services.chunks_for(request.user, job)
    return render(request, "benefits/recalc_job.html", {
        "job": job, "chunks": chunks[:200], "can_resume": scope.is_admin(request.user)})


@login_required
def recalc_job_json(request, pk):
    job = _job_or_404(request.user, pk)
    return JsonResponse({
        "id": job.pk, "status": job.status, "status_label": job.get_status_display(),
        "percent": job.percent, "chunks_total": job.chunks_total, "chunks_done": job.chunks_done,
        "chunks_failed": job.chunks_failed, "persons": job.persons, "changed": job.changed,
        "finished": job.finished, "error": job.error,
    })


@login_required
@require_POST
def recalc_job_resume(request, pk):
    _require_admin(request.user)
    job = _job_or_404(request.user, pk)
    services.job_resume(actor=request.user, job=job, request=request)
    messages.info(request, "已重新排队未完成的分片。")
    return redirect("recalc_job", pk=job.pk)


# --- Claims summaries upload -------------------------------------------------------------------

SESSION_KEY = "claims_upload"


@login_required
def claims_upload(request):
    scope.require_write(request.user)
    form = ClaimsUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        content = upload.read()
        try:
            dataset = claims.read_dataset(content, upload.name)
        except ValidationError as exc:
            form.add_error("file", exc)
        else:
            claims.discard(request.user, request.session.get(SESSION_KEY, ""))
            request.session[SESSION_KEY] = claims.store(request.user, content, upload.name)
            return _preview(request, dataset, upload.name)
    return render(request, "benefits/claims_upload.html", {"form": form})


def _uploaded(request):
    token = request.session.get(SESSION_KEY, "")
    found = claims.load(request.user, token)
    if found is None:
        raise Http404("上传的文件已失效，请重新上传。")
    return claims.read_dataset(*found), token


def _preview(request, dataset, name):
    checked = claims.preview(user=request.user, dataset=dataset)
    return render(request, "benefits/claims_preview.html", {
        "name": name, "checked": checked, "headers": dataset.headers})


@login_required
@require_POST
def claims_confirm(request):
    scope.require_write(request.user)
    dataset, token = _uploaded(request)
    only_valid = request.POST.get("mode") == "valid"
    try:
        done = claims.claims_import(actor=request.user, dataset=dataset, only_valid=only_valid,
                                    request=request)
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
        return _preview(request, dataset, token)
    if not done["rejected"]:
        claims.discard(request.user, token)
        request.session.pop(SESSION_KEY, None)
    messages.success(request, f"导入完成：新增{done['new']}行，更新{done['update']}行，"
                              f"未变{done['skip']}行" +
                     (f"，{done['rejected']}行有错误未导入（可下载错误行）" if done["rejected"] else "。"))
    return render(request, "benefits/claims_done.html", {"done": done})


@login_required
def claims_errors(request):
    dataset, _ = _uploaded(request)
    checked = claims.preview(user=request.user, dataset=dataset)
    return xlsx_response("年度报销汇总错误行.xlsx",
                         claims.error_sheet(checked["bad"], list(dataset.headers)))


@login_required
def claims_template(request):
    return xlsx_response("年度报销汇总模板.xlsx", claims.template_sheet())
