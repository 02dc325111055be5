"""A clerk's desk: the work list they land on and the deadline radar (dashboards/radar.py).

Mounted under /outreach/ (config/urls.py) because that is where the clerks' work is; kept in
dashboards because it reads the registry, the benefits results and the outreach tasks together.
"""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Sum
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from core.calendar import coverage_year_for, today as beijing_today
from core import once, paging
from core.exports import Sheet, xlsx_response
from core.replica import replica_reads
from enrollment import coverage, scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry, Enrollment, Region
from outreach.models import OPEN_TASK_STATUSES, Task, TaskStatus
from outreach.services import tasks as task_services

from . import radar

PAGE_SIZE = 50
RADAR_HEADER = ["截止日期", "剩余天数", "提醒", "类别", "姓名", "证件号码", "联系电话", "村（社区）",
                "情况", "不参保将损失", "其他情况"]


def _require_radar(user) -> None:
    if not scope.can_read_radar(user):
        raise PermissionDenied("参保预警由村、乡、县经办人员和领导查看；网格员请在“我的任务”中办理。")


def _radar_request(request) -> dict:
    region_code = request.GET.get("region", "")
    kind = request.GET.get("kind", "")
    kind = kind if kind in radar.KINDS else ""
    lines = radar.lines(request.user, region_code=region_code, kind=kind)
    return {"lines": lines, "kind": kind, "region_code": region_code}


@login_required
def radar_page(request):
    _require_radar(request.user)
    found = _radar_request(request)
    page = paging.list_page(found["lines"], request.GET.get("page", 1), PAGE_SIZE)
    villages, away = [], 0
    for v in radar.by_village(found["lines"]):
        if scope.region_in_scope(request.user, v["code"]):
            villages.append(v)
        else:  # 人户分离: registered here, living outside the user's region
            away += v["count"]
    names = dict(Region.objects.filter(code__in=[v["code"] for v in villages])
                 .values_list("code", "name"))
    for v in villages:
        v["name"] = names.get(v["code"], v["code"])
    _with_open_tasks(page["rows"])
    return render(request, "dashboards/radar.html", {
        **found, "page": page, "villages": villages, "away": away, "kinds": radar.KINDS,
        "limit": radar.LIMIT, "horizon": radar.HORIZON_DAYS, "total": len(found["lines"]),
        "today": beijing_today(), "can_write": scope.can_write(request.user),
        "can_task": scope.can_task_from_radar(request.user) and scope.can_write(request.user)})


def _with_open_tasks(lines) -> None:
    """Each line learns the open task of its person and year (已派任务 links to it)."""
    wanted = {(line.person.pk, line.year) for line in lines}
    found = {}
    for pk, person_id, year in Task.objects.filter(
            entry__person_id__in={p for p, _ in wanted}, status__in=OPEN_TASK_STATUSES) \
            .order_by("-pk").values_list("pk", "entry__person_id", "entry__year"):
        found[(person_id, year)] = pk
    for line in lines:
        line.task_id = found.get((line.person.pk, line.year))


@login_required
@require_POST
@once.single_use("radar_task")
def radar_task(request):
    """One tap on a radar line: a task for the grid worker of the person's grid, with the line's
    reason; a second tap (or a double click) finds the task already made."""
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}):
        back = ""
    person = scope.get_person_or_404(request.user, request.POST.get("person"))
    try:
        year = int(request.POST.get("year", ""))
        task, created = task_services.task_from_radar(
            actor=request.user, person=person, year=year,
            reason=request.POST.get("reason", ""), request=request,
            due_date=_date(request.POST.get("due_date", "")))
    except (ValueError, ValidationError) as exc:
        messages.error(request, "；".join(getattr(exc, "messages", None) or ["年度不正确。"]))
        return redirect(back or "outreach_radar")
    if created:
        messages.success(request, f"已为{person.name}派发任务，交网格员{task.worker.display_name}"
                                  "办理。")
    else:
        messages.info(request, f"{person.name}已有{task.entry.year}年度的任务，未重复派发。")
    return redirect(back or "outreach_radar")


def _date(value: str):
    import datetime as dt

    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
@replica_reads
def radar_export(request):
    _require_radar(request.user)
    found = _radar_request(request)
    audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                 detail=f"导出参保预警名单{len(found['lines'])}人")
    user = request.user
    rows = ([line.deadline, line.days_left, line.flag, line.kind_label, line.person.name,
             line.person.masked_id, scope.shown_phone(user, line.person, line.person.phone),
             line.person.residence_region.name, line.reason, line.stake_text,
             "、".join(line.also)] for line in found["lines"])
    return xlsx_response("参保预警名单.xlsx", Sheet(
        title="参保预警", header=RADAR_HEADER, rows=rows, number_formats={0: "yyyy-mm-dd"},
        caption=["参保预警名单（窗口期即将结束的人员）"]))


@login_required
def worklist(request):
    """The clerk's day: the radar's most urgent lines, today's collection and the tasks
    waiting for them."""
    _require_radar(request.user)
    user, today = request.user, beijing_today()
    year = coverage_year_for(today)
    lines = radar.lines(user)
    collected = Enrollment.objects.filter(
        scope.region_q(user, "person__residence_region_id", "person__hukou_region_id"),
        paid_on=today).select_related("person").order_by("-created_at")
    tasks = Task.objects.filter(scope.region_q(user, "region_id"))
    if scope.can_sign(user):
        waiting, waiting_label = tasks.filter(status=TaskStatus.PUSHED), "待签领的任务"
    else:
        waiting, waiting_label = (tasks.filter(status__in=OPEN_TASK_STATUSES,
                                               follow_up_date__lte=today),
                                  "今天到期或已逾期的走访任务")
    live = coverage.counts_live(user.region_id)
    overdue = [line for line in lines if line.kind == "credit_overdue"]
    _with_open_tasks(lines[:10])
    return render(request, "dashboards/worklist.html", {
        "year": year, "today": today, "lines": lines[:10], "line_count": len(lines),
        "credit_overdue": overdue[:10], "credit_overdue_count": len(overdue),
        "credit_overdue_sum": sum((line.stake for line in overdue), 0),
        "numbers": coverage.coverage_counts(user.region, year) if live else None,
        "target": coverage.COVERAGE_TARGET_PERCENT,
        "collected": collected[:20],
        "collected_sum": collected.aggregate(n=Count("pk"), amount=Sum("amount_paid")),
        "waiting": waiting.select_related("entry", "worker").order_by("follow_up_date", "pk")[:20],
        "waiting_count": waiting.count(), "waiting_label": waiting_label,
        "can_write": scope.can_write(user),
        "can_task": scope.can_task_from_radar(user) and scope.can_write(user)})
