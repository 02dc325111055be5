"""A clerk's desk: the work list they land on and the deadline radar (dashboards/radar.py).

Mounted under /outreach/ (config/urls.py) because that is where the clerks' work is; kept in
dashboards because it reads the registry, the benefits results and the outreach tasks together.
"""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Sum
from django.shortcuts import render

from core.calendar import coverage_year_for, today as beijing_today
from core import paging
from core.exports import Sheet, xlsx_response
from core.replica import replica_reads
from enrollment import coverage, scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry, Enrollment, Region
from outreach.models import OPEN_TASK_STATUSES, Task, TaskStatus

from . import radar

PAGE_SIZE = 50
RADAR_HEADER = ["截止日期", "剩余天数", "提醒", "类别", "姓名", "证件号码", "联系电话", "村（社区）",
                "情况", "不参保将损失", "其他情况"]


def _require_radar(user) -> None:
    if not scope.can_read_radar(user):
        raise PermissionDenied("参保预警由村、乡、县经办人员和领导查看；网格员请在“我的任务”中办理。")


def _whole_phone(user) -> bool:
    return scope.sees_whole_phones(user, user.region_id or "")


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
    return render(request, "dashboards/radar.html", {
        **found, "page": page, "villages": villages, "away": away, "kinds": radar.KINDS,
        "limit": radar.LIMIT, "horizon": radar.HORIZON_DAYS, "total": len(found["lines"]),
        "today": beijing_today(), "can_write": scope.can_write(request.user),
        "whole_phone": _whole_phone(request.user)})


@login_required
@replica_reads
def radar_export(request):
    _require_radar(request.user)
    found = _radar_request(request)
    audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                 detail=f"导出参保预警名单{len(found['lines'])}人")
    whole = _whole_phone(request.user)
    rows = ([line.deadline, line.days_left, line.flag, line.kind_label, line.person.name,
             line.person.masked_id, line.person.phone if whole else line.person.masked_phone,
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
    return render(request, "dashboards/worklist.html", {
        "year": year, "today": today, "lines": lines[:10], "line_count": len(lines),
        "numbers": coverage.coverage_counts(user.region, year) if live else None,
        "target": coverage.COVERAGE_TARGET_PERCENT,
        "collected": collected[:20],
        "collected_sum": collected.aggregate(n=Count("pk"), amount=Sum("amount_paid")),
        "waiting": waiting.select_related("entry", "worker").order_by("follow_up_date", "pk")[:20],
        "waiting_count": waiting.count(), "waiting_label": waiting_label,
        "can_write": scope.can_write(user), "whole_phone": _whole_phone(user)})
