"""Dashboard pages: thin views over selectors (rollups only). Everyone in scope reads; only
administrators may ask for a refresh."""
from __future__ import annotations

from urllib.parse import quote

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.exports import xlsx_response
from core.queue import QUEUE_DOWN
from core.replica import replica_reads
from enrollment import scope
from core import paging
from enrollment.audit import audit_record
from enrollment.models import AuditEntry

from . import evaluation as scoring
from . import exports, renewals, selectors, tasks

PAGE_SIZE = 50


def _data(request):
    region = selectors.region_for(request.user, request.GET.get("region"))
    return selectors.dashboard(region, selectors.parse_year(request.GET.get("year")))


@login_required
@replica_reads
def dashboard(request):
    data = _data(request)
    return render(request, "dashboards/dashboard.html",
                  {**data, "ancestors": _breadcrumbs(request.user, data["region"]),
                   "can_refresh": scope.is_admin(request.user),
                   # the same rows as the yearly rates: no extra query
                   "renewal": [y["renewal"] for y in data["by_year"]
                               if y["year"] > data["year"] - renewals.TREND_YEARS],
                   "charts": _charts(data)})


@login_required
@replica_reads
def dashboard_print(request):
    return render(request, "dashboards/print.html", _data(request))


@login_required
@replica_reads
def dashboard_export(request):
    data = _data(request)
    region, year = data["region"], data["year"]
    renewal = exports.renewal_sheet(region, year, renewals.trend(region.code, year),
                                    renewals.children_trend(region.code, year),
                                    data["refreshed_at"])
    return xlsx_response(f"{region.name}{year}年参保情况.xlsx",
                         [exports.dashboard_sheet(data), exports.money_sheet(data), renewal],
                         as_of=data["refreshed_at"])


def _evaluation(request):
    region = selectors.region_for(request.user, request.GET.get("region"))
    return scoring.evaluation(region, selectors.parse_year(request.GET.get("year")))


@login_required
@replica_reads
def evaluation(request):
    data = _evaluation(request)
    region, year = data["region"], data["year"]
    return render(request, "dashboards/evaluation.html", {
        **data, "ancestors": _breadcrumbs(request.user, region),
        "renewal": renewals.trend(region.code, year),
        "children_renewal": renewals.children_trend(region.code, year),
        "visits_full": scoring.VISITS_FOR_FULL_POINTS, "notes": exports.EVALUATION_NOTES})


@login_required
@replica_reads
def evaluation_export(request):
    data = _evaluation(request)
    region, year = data["region"], data["year"]
    sheets = exports.evaluation_sheets(data, data["indicators"])
    sheets.append(exports.renewal_sheet(region, year, renewals.trend(region.code, year),
                                        renewals.children_trend(region.code, year),
                                        data["refreshed_at"]))
    return xlsx_response(f"{region.name}{year}年参保工作综合评价.xlsx", sheets,
                         as_of=data["refreshed_at"], notes=exports.EVALUATION_NOTES)


@login_required
@replica_reads
def people(request):
    region = selectors.region_for(request.user, request.GET.get("region"))
    year = selectors.parse_year(request.GET.get("year"))
    metric = request.GET.get("metric", "uncovered")
    qs = selectors.people(region, year, metric)
    page = paging.keyset_page(qs, request.GET, keys=("residence_region_id", "name", "pk"),
                              per_page=PAGE_SIZE)
    return render(request, "dashboards/people.html",
                  {"region": region, "year": year, "metric": metric,
                   "metric_label": selectors.METRICS[metric], "page": page})


# A village's list prints whole; a larger region's prints its first rows and says so.
PRINT_LIMIT = 2000


def _people_request(request):
    region = selectors.region_for(request.user, request.GET.get("region"))
    year = selectors.parse_year(request.GET.get("year"))
    metric = request.GET.get("metric", "uncovered")
    return region, year, metric, selectors.people(region, year, metric)


@login_required
@replica_reads
def people_export(request):
    region, year, metric, qs = _people_request(request)
    label = selectors.METRICS[metric]
    audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                 detail=f"导出{region.name}{year}年度{label}名单")
    return xlsx_response(f"{region.name}{year}年度{label}名单.xlsx",
                         exports.people_sheet(region, year, label, qs, request.user))


@login_required
@replica_reads
def people_print(request):
    region, year, metric, qs = _people_request(request)
    rows = list(qs[:PRINT_LIMIT + 1])
    return render(request, "dashboards/people_print.html", {
        "region": region, "year": year, "metric_label": selectors.METRICS[metric],
        "rows": rows[:PRINT_LIMIT], "more": len(rows) > PRINT_LIMIT, "limit": PRINT_LIMIT,
        "now": timezone.now()})


@login_required
@require_POST
def refresh(request):
    if not scope.is_admin(request.user):
        raise PermissionDenied("只有县级管理员可以刷新看板数据。")
    if tasks.refresh_now("button"):
        messages.success(request, "已提交刷新，稍后数据将更新。")
    else:
        messages.error(request, f"看板刷新未能提交：{QUEUE_DOWN}。")
    region = request.POST.get("region", "")
    url = reverse("dashboards:dashboard")
    return redirect(f"{url}?region={quote(region)}" if region else url)


def _charts(data) -> dict:
    """What the ECharts script draws (static/js/dashboards.js)."""
    return {
        "target": data["target_percent"],
        "children": [{"name": c["name"], "rate": _round(c["rate"]),
                      "official": _round(c["rate_official"])} for c in data["children"]],
        "by_year": [{"year": y["year"], "rate": _round(y["rate"])} for y in data["by_year"]],
        "daily": data["daily"],
        "funnel": [{"name": s["label"], "value": s["count"]} for s in data["funnel"]],
        "townships": [{"name": t["name"], "rate": _round(t["rate"])} for t in data["townships"]],
        "grid_workers": [{"name": f"{g['grid']}\n{g['workers']}", "rate": _round(g["rate"])}
                         for g in data["grid_workers"]],
    }


def _round(value):
    return round(value, 2) if value is not None else None


def _breadcrumbs(user, region):
    """The region's ancestors the user may open (scope starts at the user's own region)."""
    return [r for r in region.ancestors() if scope.region_in_scope(user, r.code)]
