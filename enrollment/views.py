"""Registry pages: thin views (scope check, form, one service call, redirect or render)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.calendar import coverage_year_for
from core.exports import Sheet, csv_response, xlsx_response

from . import coverage, idnumbers, regions, scope, selectors, services
from .audit import audit_record
from .forms import EnrollmentForm, EnrollmentStopForm, PersonForm, PersonSearchForm
from .models import AuditEntry, Enrollment, Household, Person

PAGE_SIZE = 50


def form_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on top when the form has no
    such field), so that the user sees it next to what they typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


class CheapPaginator(Paginator):
    """Pages without COUNT(*): at city scale a count over persons is the slow part of a list.
    Asks for one row more than a page to know whether there is a next page."""

    def __init__(self, object_list, per_page):
        super().__init__(object_list, per_page)

    # Beyond any real list; a larger ?page= would overflow the database's OFFSET.
    MAX_PAGE = 1_000_000

    def page_rows(self, number: int):
        number = min(max(1, number), self.MAX_PAGE)
        start = (number - 1) * self.per_page
        rows = list(self.object_list[start:start + self.per_page + 1])
        return {"rows": rows[: self.per_page], "number": number,
                "has_next": len(rows) > self.per_page, "has_previous": number > 1,
                "next": number + 1, "previous": number - 1}


# Where each role's day starts (enrollment/scope.py decides; these are URL names, so the
# registry links to the outreach and dashboard pages without importing them).
LANDING_PAGES = [(scope.lands_on_tasks, "outreach_my_tasks"),
                 (scope.lands_on_dashboard, "dashboards:dashboard"),
                 (scope.lands_on_worklist, "outreach_worklist")]


@login_required
def home(request):
    for lands_here, url_name in LANDING_PAGES:
        if lands_here(request.user):
            return redirect(url_name)
    year = coverage_year_for(timezone.localdate())
    # A village or township desk counts its own people live (the figure its dashboard shows
    # too); larger regions read the dashboards' rollups instead of counting millions of rows.
    live = coverage.counts_live(request.user.region_id)
    numbers = coverage.coverage_counts(request.user.region, year) if live else None
    return render(request, "enrollment/home.html",
                  {"numbers": numbers, "year": year,
                   "target": coverage.COVERAGE_TARGET_PERCENT})


@login_required
def person_list(request):
    form = PersonSearchForm(request.GET or None)
    query = form.data.get("q", "") if form.is_bound else ""
    qs = selectors.person_search(request.user, query, request.GET.get("region", ""))
    try:
        number = int(request.GET.get("page", 1))
    except ValueError:
        number = 1
    page = CheapPaginator(qs, PAGE_SIZE).page_rows(number)
    return render(request, "enrollment/person_list.html",
                  {"form": form, "page": page, "query": query})


@login_required
def person_export(request):
    query = request.GET.get("q", "").replace("\x00", "")  # PostgreSQL refuses NUL in text
    qs = selectors.person_search(request.user, query, request.GET.get("region", ""))
    audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                 detail=f"导出人员名单，查询条件：{query or '全部'}")
    rows = ([p.name, p.masked_id, p.get_sex_display(), p.birth_date, p.residence_region.name,
             p.hukou_region_id, p.masked_phone, p.get_life_status_display()]
            for p in qs.iterator(chunk_size=2000))
    return csv_response("人员名单.csv", ["姓名", "证件号码", "性别", "出生日期", "常住地", "户籍地",
                                     "联系电话", "人员状态"], rows)


@login_required
def person_detail(request, pk):
    person = scope.get_person_or_404(request.user, pk)
    context = {
        "person": person,
        "timeline": selectors.person_timeline(person),
        "groups": person.groups.all(),
        "members": (selectors.household_members(request.user, person.household)
                    if person.household_id else []),
        "history": person.history.select_related("history_user")[:20],
        "can_write": scope.can_write(request.user),
        "this_year": timezone.localdate().year,
    }
    return render(request, "enrollment/person_detail.html", context)


@login_required
@require_POST
def person_reveal_id(request, pk):
    person = scope.get_person_or_404(request.user, pk)
    number = services.person_reveal_id(actor=request.user, person=person, request=request)
    return JsonResponse({"id_number": number})


@login_required
def person_create(request):
    scope.require_write(request.user)
    form = PersonForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.person_register(actor=request.user, data=_person_data(form),
                                              request=request)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已为{person.name}建档。")
            return redirect("person_detail", pk=person.pk)
    return render(request, "enrollment/person_form.html", {"form": form, "title": "人员建档"})


@login_required
def person_edit(request, pk):
    scope.require_write(request.user)
    person = scope.get_person_or_404(request.user, pk)
    form = PersonForm(request.POST or None, instance=person, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            services.person_update(actor=request.user, person=person,
                                   data=_person_data(form), request=request)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, "已保存修改。")
            return redirect("person_detail", pk=person.pk)
    return render(request, "enrollment/person_form.html",
                  {"form": form, "title": f"修改人员信息：{person.name}", "person": person})


def _person_data(form) -> dict:
    data = dict(form.cleaned_data)
    data["household"] = services.household_for_registration(
        number=data.pop("household_number", ""), household=data.get("household"),
        head_name=data.get("name"), region=data.get("residence_region"),
        address=data.get("address", ""))
    return data


@login_required
def household_detail(request, pk):
    household = get_object_or_404(
        Household.objects.filter(scope.region_q(request.user, "region_id")), pk=pk)
    members = selectors.household_members(request.user, household)
    return render(request, "enrollment/household_detail.html",
                  {"household": household, "members": members})


@login_required
def enrollment_create(request, pk):
    scope.require_write(request.user)
    person = scope.get_person_or_404(request.user, pk)
    # Opened from a task or a radar line for a given year: the form starts on that year.
    year = request.GET.get("year", "")
    initial = {"year": int(year)} if year.isdecimal() and len(year) == 4 else None
    form = EnrollmentForm(request.POST or None, person=person, user=request.user,
                          initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            enrollment = services.enrollment_record(
                actor=request.user, person=person, year=data["year"], scheme=data["scheme"],
                paid_on=data["paid_on"], amount_paid=data["amount_paid"],
                channel=data["channel"], payer=data["payer"],
                payer_relation=data["payer_relation"], repair_years=data["repair_years"],
                cover_start=data["cover_start"], cover_end=data["cover_end"],
                transfer=data["transfer"], request=request)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记{enrollment}。")
            return redirect("person_detail", pk=person.pk)
    return render(request, "enrollment/enrollment_form.html", {"form": form, "person": person})


@login_required
def enrollment_stop(request, pk):
    scope.require_write(request.user)
    enrollment = get_object_or_404(
        Enrollment.objects.filter(scope.region_q(request.user, "person__residence_region_id",
                                                 "person__hukou_region_id")), pk=pk)
    form = EnrollmentStopForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.enrollment_stop(actor=request.user, enrollment=enrollment,
                                     on=form.cleaned_data["on"],
                                     reason=form.cleaned_data["reason"], request=request)
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已停保：{enrollment}。")
            return redirect("person_detail", pk=enrollment.person_id)
    return render(request, "enrollment/enrollment_stop.html",
                  {"form": form, "enrollment": enrollment})


@login_required
def id_check(request):
    """Checks an ID number as it is typed (the form calls this; the same parse as the
    server-side validation)."""
    try:
        parsed = idnumbers.parse(request.GET.get("n", ""))
    except idnumbers.IdNumberError as exc:
        return JsonResponse({"ok": False, "error": str(exc)})
    taken = Person.objects.filter(id_number=parsed.number)
    answer = {"ok": True, "birth_date": parsed.birth_date.isoformat(), "sex": parsed.sex,
              "is_permit": parsed.is_permit, "taken": taken.exists()}
    if answer["taken"]:
        # Never say where a number outside the clerk's scope is registered (no oracle).
        answer["message"] = ("该证件号码已登记，请勿重复建档。"
                             if scope.filter_persons(request.user, taken).exists()
                             else services.ELSEWHERE_MESSAGE)
    return JsonResponse(answer)


# --- Reconciliation against other departments' lists -------------------------------------

RECONCILE_SALT = "canbao.reconcile"


@login_required
def reconcile(request):
    """Upload a list, see every row checked, then apply the rows that matched."""
    from django.core import signing

    from . import reconciliation
    from .forms import ReconciliationUploadForm

    scope.require_write(request.user)
    if request.method == "POST" and "payload" in request.POST:
        try:
            data = signing.loads(request.POST["payload"], salt=RECONCILE_SALT, max_age=3600)
        except signing.BadSignature:
            messages.error(request, "比对结果已过期或被修改，请重新上传文件。")
            return redirect("reconcile")
        rows = reconciliation.rows_from_json(data["rows"])
        applied = reconciliation.apply(actor=request.user, kind=data["kind"], rows=rows,
                                       request=request)
        messages.success(request, f"已处理 {applied} 行。")
        return redirect("reconcile")
    form = ReconciliationUploadForm(request.POST or None, request.FILES or None)
    context = {"form": form, "kinds": reconciliation.KINDS}
    if request.method == "POST" and form.is_valid():
        kind = form.cleaned_data["kind"]
        try:
            table = reconciliation.read_table(form.cleaned_data["file"])
            rows = reconciliation.preview(actor=request.user, kind=kind, table=table,
                                          today=timezone.localdate())
        except ValidationError as exc:
            form_error(form, exc)
        else:
            context.update(kind=kind, rows=rows, kind_label=reconciliation.KINDS[kind][0],
                           counts={s: sum(r.status == s for r in rows)
                                   for s in ("ok", "skip", "error")},
                           payload=signing.dumps({"kind": kind, "rows":
                                                  reconciliation.rows_to_json(rows)},
                                                 salt=RECONCILE_SALT, compress=True))
    return render(request, "enrollment/reconcile.html", context)


@login_required
def reconcile_template(request, kind):
    """An empty Excel file with the header the upload expects."""
    from . import reconciliation

    if kind not in reconciliation.KINDS:
        from django.http import Http404

        raise Http404
    label, header = reconciliation.KINDS[kind]
    return xlsx_response(f"{label}模板.xlsx", Sheet(title=label, header=header, rows=[]))


BATCH_LIMIT = 500


@login_required
def enrollment_batch(request):
    """村/学校代收: list who is not enrolled in a village or school, tick, record together."""
    from .forms import BatchEnrollmentForm

    scope.require_write(request.user)
    form = BatchEnrollmentForm(request.POST or request.GET or None, user=request.user)
    candidates, problems = None, []
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        candidates = list(selectors.batch_candidates(request.user, data["unit"],
                                                     data["year"])[:BATCH_LIMIT])
        if request.method == "POST":
            chosen = set(request.POST.getlist("person"))
            persons = [p for p in candidates if str(p.pk) in chosen]
            if not persons:
                form.add_error(None, "请至少勾选一人。")
            else:
                try:
                    done = services.enrollment_record_batch(
                        actor=request.user, persons=persons, year=data["year"],
                        paid_on=data["paid_on"], channel=data["channel"], request=request)
                except ValidationError as exc:
                    problems = exc.messages
                else:
                    messages.success(request, f"已为 {len(done)} 人登记{data['year']}年参保缴费。")
                    return redirect(f"{request.path}?{request.GET.urlencode()}")
    return render(request, "enrollment/batch.html", {
        "form": form, "candidates": candidates, "problems": problems, "limit": BATCH_LIMIT,
        "chosen": set(request.POST.getlist("person"))})


@login_required
def person_life_status(request, pk):
    """Death, emigration, moving out — or back to normal when a list was wrong."""
    from .forms import LifeStatusForm

    scope.require_write(request.user)
    person = scope.get_person_or_404(request.user, pk)
    form = LifeStatusForm(request.POST or None, person=person,
                          initial={"status": person.life_status, "on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        services.person_mark_life_status(actor=request.user, person=person,
                                         status=data["status"], on=data["on"],
                                         source=data["source"], request=request)
        messages.success(request, f"已将{person.name}的状态改为{person.get_life_status_display()}。")
        return redirect("person_detail", pk=person.pk)
    return render(request, "enrollment/life_status.html", {"form": form, "person": person})
