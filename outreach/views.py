"""Outreach pages: thin views (scope check, form, one service call, redirect or render)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from enrollment import scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry
from core import paging
from core.replica import replica_reads
from enrollment.views import form_error

from . import exports, selectors, target_checks
from .services import campaigns as campaign_services
from .services import grids as grid_services
from .services import ledger as ledger_services
from .services import tasks as task_services
from .forms import (
    AssignForm, CampaignForm, CannotForm, GenerateForm, GridAssignForm, LedgerFilterForm,
    PushForm, ReasonForm, SubstituteForm, TargetForm, VisitForm, outreach_year,
)
from .models import (
    Batch, Campaign, EnrollmentTarget, GridAssignment, LedgerRun, Task, TaskStatus, Visit,
    WorkerSubstitution,
)

PAGE_SIZE = 50


def _filters(request) -> dict:
    form = LedgerFilterForm(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    return {"form": form, "year": data.get("year") or outreach_year(),
            "reason": data.get("reason", ""), "status": data.get("status", ""),
            "query": data.get("q", ""), "region_code": request.GET.get("region", "")}


@login_required
def ledger(request):
    f = _filters(request)
    qs = selectors.ledger_search(request.user, year=f["year"], reason=f["reason"],
                                 status=f["status"], query=f["query"],
                                 region_code=f["region_code"])
    page = paging.keyset_page(qs, request.GET, keys=("region_id", "name", "pk"),
                              per_page=PAGE_SIZE)
    context = {**f, "page": page, "counts": selectors.ledger_counts(request.user, f["year"]),
               "can_push": scope.can_push(request.user),
               "can_generate": scope.can_manage_outreach(request.user),
               "runs": LedgerRun.objects.filter(scope.region_q(request.user, "region_id"))[:3],
               "querystring": request.GET.copy()}
    for key in ("page", "after", "before"):
        context["querystring"].pop(key, None)
    return render(request, "outreach/ledger.html", context)


@login_required
@replica_reads
def ledger_export(request):
    f = _filters(request)
    qs = selectors.ledger_search(request.user, year=f["year"], reason=f["reason"],
                                 status=f["status"], query=f["query"],
                                 region_code=f["region_code"])
    audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                 detail=f"导出{f['year']}年未参保台账")
    return exports.workbook_response(f"未参保台账{f['year']}.xlsx", f"{f['year']}年未参保台账",
                                     exports.LEDGER_HEADER, exports.ledger_rows(qs, request.user))


@login_required
def entry_detail(request, pk):
    entry = get_object_or_404(selectors.entries_for(request.user).select_related(
        "person__household", "region", "grid"), pk=pk)
    form = ReasonForm(request.POST or None, initial={"reason": entry.reason,
                                                     "note": entry.reason_note})
    if request.method == "POST":
        scope.require_write(request.user)
        if form.is_valid():
            try:
                ledger_services.ledger_set_reason(actor=request.user, entry=entry,
                                                  reason=form.cleaned_data["reason"],
                                                  note=form.cleaned_data["note"], request=request)
            except ValidationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"已记录{entry.name}的未参保原因。")
                return redirect("outreach_entry", pk=entry.pk)
    task = Task.objects.filter(entry=entry).select_related("worker").first()
    return render(request, "outreach/entry_detail.html", {
        "entry": entry, "form": form, "task": task,
        "visits": task.visits.select_related("worker") if task else [],
        "can_write": scope.can_write(request.user)})


@login_required
@require_POST
def ledger_generate(request):
    form = GenerateForm(request.POST, user=request.user)
    if form.is_valid():
        try:
            run = ledger_services.ledger_run_start(
                actor=request.user, year=form.cleaned_data["year"],
                region=form.cleaned_data["region"], request=request,
                full=form.cleaned_data["full"])
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        else:
            run.refresh_from_db()
            if run.status == LedgerRun.Status.FAILED:
                messages.error(request, f"台账生成未能提交：{run.error}。可在下方点击“重试”。")
                return redirect(f"/outreach/?year={request.POST.get('year', '')}")
            messages.success(request, f"已提交{run.year}年{run.region.name}台账生成（{run.get_status_display()}，"
                                      f"新增{run.added}条，销号{run.closed}条）。")
    else:
        messages.error(request, "请选择年度和本辖区的区划。")
    return redirect(f"/outreach/?year={request.POST.get('year', '')}")


@login_required
def push(request):
    if not scope.can_push(request.user):
        raise PermissionDenied("只有县级（或市级）管理员可以下发任务。")
    entry_ids = request.POST.getlist("entry_ids") or request.GET.getlist("entry_ids")
    if not all(i.isdecimal() and len(i) < 12 for i in entry_ids):
        raise Http404("所选台账不存在。")  # ids come from ticked boxes: anything else is made up
    initial = {"year": outreach_year(), "township": request.GET.get("township")}
    form = PushForm(request.POST or None, user=request.user, initial=initial)
    selected = list(selectors.entries_for(request.user).filter(pk__in=entry_ids)
                    .select_related("region")[:200]) if entry_ids else []
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            batch = task_services.batch_push(
                actor=request.user, year=d["year"], township=d["township"],
                entry_ids=entry_ids or None, village=d["village"], reason=d["reason"],
                limit=d["limit"], due_date=d["due_date"], note=d["note"], request=request)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已向{batch.township.name}下发{batch.size}人。")
            return redirect("outreach_batch", pk=batch.pk)
    year = form.data.get("year") if form.is_bound else initial["year"]
    pending = (selectors.entries_for(request.user).filter(
        year=year or outreach_year(), status="open", task__isnull=True)
        .values("region__parent__name", "region__parent_id").annotate(n=Count("pk"))
        .order_by("region__parent_id"))
    return render(request, "outreach/push.html", {"form": form, "selected": selected,
                                                  "entry_ids": entry_ids, "pending": pending})


def _batches_for(user):
    qs = Batch.objects.filter(scope.region_q(user, "township_id"))
    if not scope.can_view_batches(user):
        return qs.none()
    return qs


@login_required
def batch_list(request):
    batches = _batches_for(request.user).select_related("township", "created_by").annotate(
        unsigned=Count("tasks", filter=Q(tasks__status=TaskStatus.PUSHED)))[:100]
    return render(request, "outreach/batch_list.html", {"batches": batches})


@login_required
def batch_detail(request, pk):
    batch = get_object_or_404(_batches_for(request.user).select_related("township"), pk=pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "sign":
                n = task_services.batch_sign(actor=request.user, batch=batch, request=request)
                messages.success(request, f"已签领{n}项任务，并按网格分配给网格员。")
            elif action == "report":
                n = task_services.batch_report(actor=request.user, batch=batch, request=request)
                messages.success(request, f"已汇总反馈{n}项任务。")
        except ValidationError as exc:
            messages.error(request, "；".join(exc.messages))
        return redirect("outreach_batch", pk=batch.pk)
    tasks = batch.tasks.select_related("entry", "grid", "worker", "region")
    page = paging.keyset_page(tasks, request.GET, keys=("region_id", "pk"), per_page=PAGE_SIZE)
    counts = dict(batch.tasks.values_list("status").annotate(n=Count("pk")))
    return render(request, "outreach/batch_detail.html", {
        "batch": batch, "page": page,
        "counts": [(s.label, counts.get(s.value, 0)) for s in TaskStatus]})


def _task_or_404(user, pk) -> Task:
    return get_object_or_404(selectors.tasks_for(user).select_related(
        "entry__person__household", "region", "grid", "worker", "batch"), pk=pk)


def _task_context(request, task, **forms):
    ctx = {"task": task, "visits": task.visits.select_related("worker"),
           "members": selectors.household_of(task), "can_write": scope.can_write(request.user),
           "is_worker": scope.is_grid_worker(request.user),
           # An overdue follow-up date is not offered again: the form would refuse it.
           "visit_form": VisitForm(initial={"next_follow_up": _upcoming(task.follow_up_date)}),
           "cannot_form": CannotForm(),
           "assign_form": AssignForm(workers=selectors.workers_for_task(task),
                                     initial={"worker": task.worker_id})}
    ctx.update(forms)
    return ctx


def _upcoming(day):
    return day if day and day >= timezone.localdate() else None


@login_required
def task_detail(request, pk):
    task = _task_or_404(request.user, pk)
    return render(request, "outreach/task_detail.html", _task_context(request, task))


@login_required
@require_POST
def task_action(request, pk, action):
    """sign / mobilise / report / assign / cannot / visit on one task."""
    task = _task_or_404(request.user, pk)
    scope.require_write(request.user)
    forms = {}
    try:
        if action == "sign":
            task_services.task_sign(actor=request.user, task=task, request=request)
            messages.success(request, "已签领。")
        elif action == "mobilise":
            task_services.task_mobilise(actor=request.user, task=task, request=request)
            messages.success(request, "已标记为已动员。")
        elif action == "report":
            task_services.task_report(actor=request.user, task=task, request=request)
            messages.success(request, "已反馈。")
        elif action == "assign":
            form = forms["assign_form"] = AssignForm(
                request.POST, workers=selectors.workers_for_task(task))
            if not form.is_valid():
                raise _Invalid
            task_services.task_assign(actor=request.user, task=task,
                                      worker=form.cleaned_data["worker"], request=request)
            messages.success(request, f"已分配给{form.cleaned_data['worker'].display_name}。")
        elif action == "cannot":
            form = forms["cannot_form"] = CannotForm(request.POST)
            if not form.is_valid():
                raise _Invalid
            task_services.task_cannot_enrol(actor=request.user, task=task, request=request,
                                            reason=form.cleaned_data["reason"],
                                            note=form.cleaned_data["note"])
            messages.success(request, "已记录无法参保及原因。")
        elif action == "visit":
            form = forms["visit_form"] = VisitForm(request.POST)
            if not form.is_valid():
                raise _Invalid
            task_services.visit_record(actor=request.user, task=task, request=request,
                                       **{k: form.cleaned_data[k] for k in (
                                      "visited_on", "method", "outcome", "note",
                                      "next_follow_up")})
            messages.success(request, f"已记录对{task.entry.name}的走访。")
        else:
            raise PermissionDenied
    except _Invalid:
        return render(request, "outreach/task_detail.html",
                      _task_context(request, task, **forms), status=400)
    except ValidationError as exc:
        form = next(iter(forms.values()), None)
        if form is not None:
            form_error(form, exc)
            return render(request, "outreach/task_detail.html",
                          _task_context(request, task, **forms), status=400)
        messages.error(request, "；".join(exc.messages))
    if request.POST.get("next") == "my":
        return redirect("outreach_my_tasks")
    return redirect("outreach_task", pk=task.pk)


class _Invalid(Exception):
    pass


@login_required
def task_list(request):
    status = request.GET.get("status", "")
    qs = selectors.tasks_for(request.user).select_related("entry", "region", "grid", "worker")
    if status in TaskStatus.values:
        qs = qs.filter(status=status)
    page = paging.keyset_page(qs, request.GET, keys=("region_id", "pk"), per_page=PAGE_SIZE)
    return render(request, "outreach/task_list.html", {
        "page": page, "status": status, "statuses": TaskStatus.choices})


@login_required
def my_tasks(request):
    tasks = selectors.my_task_cards(request.user)
    for task in tasks:
        task.members = selectors.household_of(task)
    return render(request, "outreach/my_tasks.html", {
        "tasks": tasks, "today": timezone.localdate(), "methods": Visit.Method.choices,
        "outcomes": Visit.Outcome.choices})


@login_required
def feedback(request):
    year = _year(request)
    level = request.GET.get("level", "village")
    if level not in selectors.LEVELS:
        level = "village"
    rows = selectors.feedback(request.user, year=year, level=level)
    if request.GET.get("export"):
        audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                     detail=f"导出{year}年扩面汇总反馈（{selectors.LEVELS[level][0]}）")
        return exports.workbook_response(
            f"汇总反馈{year}.xlsx", f"{year}年汇总反馈", exports.FEEDBACK_HEADER,
            exports.feedback_rows(rows))
    totals = {k: sum(r[k] for r in rows) for k in (
        "pushed", "signed", "visited", "mobilised", "enrolled", "cannot", "overdue")}
    return render(request, "outreach/feedback.html", {
        "rows": rows, "year": year, "level": level, "levels": selectors.LEVELS,
        "totals": totals})


def _year(request) -> int:
    try:
        return int(request.GET.get("year") or outreach_year())
    except ValueError:
        return outreach_year()


def _require_manager(user):
    scope.require_write(user)
    if not scope.can_manage_outreach(user):
        raise PermissionDenied("该功能由县、乡两级经办人员使用。")


@login_required
def grids(request):
    _require_manager(request.user)
    assign_form = GridAssignForm(request.POST if request.POST.get("form") == "assign" else None,
                                 user=request.user)
    sub_form = SubstituteForm(request.POST if request.POST.get("form") == "substitute" else None,
                              user=request.user)
    if request.method == "POST":
        form = assign_form if request.POST.get("form") == "assign" else sub_form
        if form.is_valid():
            try:
                if form is assign_form:
                    grid_services.grid_assign(actor=request.user, request=request,
                                              **form.cleaned_data)
                    messages.success(request, "已分配网格。")
                else:
                    r = grid_services.worker_substitute(actor=request.user, request=request,
                                                        **form.cleaned_data)
                    messages.success(request, f"已办理替换：移交{r.grids_moved}个网格、"
                                              f"{r.tasks_moved}项任务。")
            except ValidationError as exc:
                form_error(form, exc)
            else:
                return redirect("outreach_grids")
    assignments = GridAssignment.objects.filter(scope.region_q(request.user, "grid_id"),
                                                active=True).select_related("grid", "worker")
    substitutions = WorkerSubstitution.objects.filter(
        scope.region_q(request.user, "region_id")).select_related("leaving", "substitute")[:20]
    return render(request, "outreach/grids.html", {
        "assign_form": assign_form, "sub_form": sub_form, "assignments": assignments[:300],
        "substitutions": substitutions})


@login_required
def targets(request):
    form = TargetForm(request.POST or None, user=request.user,
                      initial={"year": outreach_year()})
    if request.method == "POST":
        _require_manager(request.user)
        if form.is_valid():
            try:
                t = campaign_services.target_set(actor=request.user, request=request,
                                                 **form.cleaned_data)
            except ValidationError as exc:
                form_error(form, exc)
            else:
                messages.success(request, f"已下达{t.region.name}{t.year}年参保目标。")
                for flag in target_checks.check([t])[t.pk]:
                    messages.warning(request, flag.message)
                return redirect("outreach_targets")
    rows = list(EnrollmentTarget.objects.filter(scope.region_q(request.user, "region_id"))
                .select_related("region", "set_by")[:200])
    flags = target_checks.check(rows)
    for t in rows:
        t.flags = flags.get(t.pk, [])
    return render(request, "outreach/targets.html", {"form": form, "rows": rows})


@login_required
def campaigns(request):
    form = CampaignForm(request.POST or None, user=request.user)
    if request.method == "POST":
        _require_manager(request.user)
        if form.is_valid():
            try:
                c = campaign_services.campaign_create(actor=request.user, request=request,
                                                      **form.cleaned_data)
            except ValidationError as exc:
                form_error(form, exc)
            else:
                campaign_services.campaign_refresh_progress(campaign_id=c.pk)
                return redirect("outreach_campaign", pk=c.pk)
    rows = Campaign.objects.filter(scope.region_q(request.user, "region_id"))[:50]
    return render(request, "outreach/campaigns.html", {"form": form, "rows": rows})


@login_required
def campaign_detail(request, pk):
    campaign = get_object_or_404(
        Campaign.objects.filter(scope.region_q(request.user, "region_id")), pk=pk)
    if request.method == "POST":
        scope.require_write(request.user)
        campaign_services.campaign_refresh_progress(campaign_id=campaign.pk)
        messages.success(request, "已刷新每日进度。")
        return redirect("outreach_campaign", pk=pk)
    targets = list(campaign.targets.select_related("region"))
    days = list(campaign.days.select_related("region").order_by("day", "region_id"))
    done = {}
    for d in days:
        done[d.region_id] = done.get(d.region_id, 0) + d.enrollments
    for t in targets:
        t.done = done.get(t.region_id, 0)
        t.rate = t.done / t.target_enrollments * 100 if t.target_enrollments else None
    return render(request, "outreach/campaign_detail.html",
                  {"campaign": campaign, "targets": targets, "days": days})
