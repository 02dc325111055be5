"""Pages of the January recalculation: start a job, follow its progress, resume it. Thin views."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from core.queue import QUEUE_DOWN
from enrollment import scope
from enrollment.views import form_error

from ..forms import RecalcStartForm
from ..models import JobStatus, RecalcJob
from ..recalc import services


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
    job = services.job_resume(actor=request.user, job=job, request=request)
    _say_queued(request, job, "已重新排队未完成的分片。")
    return redirect("recalc_job", pk=job.pk)


def _say_queued(request, job: RecalcJob, done: str) -> None:
    job.refresh_from_db()
    if job.status == JobStatus.FAILED and job.error == QUEUE_DOWN:
        messages.error(request, f"任务{job.pk}未能排队：{QUEUE_DOWN}（可点击“继续”）。")
    else:
        messages.success(request, done)
