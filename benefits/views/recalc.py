"""Pages of the January recalculation: start a job, follow its progress, resume it. Thin views."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core import paging
from core.exports import Sheet, xlsx_response
from core.queue import QUEUE_DOWN
from enrollment import scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry
from enrollment.views import form_error

from ..forms import RecalcStartForm
from ..models import JobStatus, RecalcJob
from ..recalc import changes, services

CHANGE_HEADER = ["姓名", "证件号码", "统筹区", "连续参保激励（前）", "连续参保激励（后）",
                 "零报销激励（前）", "零报销激励（后）", "等待期（前，月）", "等待期（后，月）", "变化"]


def _require_admin(user) -> None:
    if not scope.can_recalculate(user):
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
                                     region=form.cleaned_data["region"], request=request,
                                     full=form.cleaned_data["full"])
        except ValidationError as exc:
            form_error(form, exc)
        else:
            _say_queued(request, job, f"已发起{job.year}年待遇重算，任务编号{job.pk}。")
            return redirect("recalc_job", pk=job.pk)
    jobs = services.jobs_for(request.user)[:20]
    return render(request, "benefits/recalc_start.html", {"form": form, "jobs": jobs})


@login_required
def recalc_job(request, pk):
    job = _job_or_404(request.user, pk)
    chunks = services.chunks_for(request.user, job)
    return render(request, "benefits/recalc_job.html", {
        "job": job, "chunks": chunks[:200], "can_resume": scope.is_admin(request.user),
        "counts": changes.counts(request.user, job), "kinds": changes.KINDS})


def _change_request(request, pk):
    job = _job_or_404(request.user, pk)
    kind = request.GET.get("kind", "")
    kind = kind if kind in changes.KINDS else ""
    qs = changes.changes_for(request.user, job, kind).select_related("person", "pooling_region")
    return job, kind, qs


@login_required
def recalc_changes(request, pk):
    """Who the job changed, and what (before → after), a page at a time."""
    job, kind, qs = _change_request(request, pk)
    page = paging.keyset_page(qs, request.GET, keys=("person", "pk"), count=True)
    for row in page.rows:
        row.text = changes.describe(row)
    return render(request, "benefits/recalc_changes.html", {
        "job": job, "kind": kind, "kinds": changes.KINDS, "page": page})


@login_required
def recalc_changes_export(request, pk):
    job, kind, qs = _change_request(request, pk)
    audit_record(user=request.user, action=AuditEntry.Action.EXPORT, obj=job, request=request,
                 detail=f"导出待遇重算变化名单（任务#{job.pk}{changes.KINDS.get(kind, '')}）")
    rows = ([c.person.name, c.person.masked_id, c.pooling_region.name, c.bonus_before,
             c.bonus_after, c.credit_before, c.credit_after, c.wait_before, c.wait_after,
             changes.describe(c)] for c in qs.order_by("person", "pk").iterator(chunk_size=2000))
    return xlsx_response(f"待遇重算变化_任务{job.pk}.xlsx", Sheet(
        title="重算变化", header=CHANGE_HEADER, rows=rows,
        caption=[f"{job.year}年待遇重算（任务#{job.pk}）结果变化名单"
                 + (f"：{changes.KINDS[kind]}" if kind else "")]))


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
    job = services.job_resume(actor=request.user, job=job, request=request)
    _say_queued(request, job, "已重新排队未完成的分片。")
    return redirect("recalc_job", pk=job.pk)


def _say_queued(request, job: RecalcJob, done: str) -> None:
    job.refresh_from_db()
    if job.status == JobStatus.FAILED and job.error == QUEUE_DOWN:
        messages.error(request, f"任务{job.pk}未能排队：{QUEUE_DOWN}（可点击“继续”）。")
    else:
        messages.success(request, done)
