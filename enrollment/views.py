"""Registry pages: thin views (scope check, form, one service call, redirect or render)."""
from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from core import once, paging
from core.calendar import coverage_year_for
from core.exports import csv_response
from core.once import single_use

from . import coverage, idnumbers, preview, scope, selectors, services
from .audit import audit_record
from . import household as card
from .forms import (
    EnrollmentForm,
    EnrollmentStopForm,
    HouseholdPaymentForm,
    PersonForm,
    PersonSearchForm,
)
from .models import AuditEntry, Enrollment, Household, Person

PAGE_SIZE = 50
# The person list walks the (residence, name, id) index from its cursor (core/paging.py).
PERSON_KEYS = ("residence_region_id", "name", "pk")


def form_error(form, exc: ValidationError) -> None:
    """Put a service's ValidationError on the form's fields (or on top when the form has no
    such field), so that the user sees it next to what they typed."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


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
    # Keys first: a search walking the list's order reads the covering index, not the rows.
    page = paging.keyset_page(qs, request.GET, keys=PERSON_KEYS, per_page=PAGE_SIZE, count=True,
                              ids_first=True)
    return render(request, "enrollment/person_list.html",
                  {"form": form, "page": page, "query": query})


@login_required
def person_export(request):
    query = request.GET.get("q", "").replace("\x00", "")  # PostgreSQL refuses NUL in text
    qs = selectors.person_search(request.user, query, request.GET.get("region", ""))
    audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                 detail=f"导出人员名单，查询条件：{query or '全部'}")
    rows = ([p.name, p.masked_id, p.get_sex_display(), p.birth_date, p.residence_region.name,
             p.hukou_region_id, scope.shown_phone(request.user, p, p.phone),
             p.get_life_status_display()]
            for p in qs.iterator(chunk_size=2000))
    return csv_response("人员名单.csv", ["姓名", "证件号码", "性别", "出生日期", "常住地", "户籍地",
                                     "联系电话", "人员状态"], rows)


@login_required
def person_detail(request, pk):
    person = scope.get_person_or_404(request.user, pk)
    # The yearly timeline reads the recalculation's tables, so benefits renders it (the
    # `person_timeline` tag in the template); the registry only adds "若今天缴费".
    context = {
        "person": person,
        "groups": person.groups.all(),
        "members": (selectors.household_members(request.user, person.household)
                    if person.household_id else []),
        "history": person.history.select_related("history_user")[:20],
        # A merged file is read only; its survivor and the files merged into this one are
        # named on the page (the survivor linked only if the user may open it).
        "can_write": scope.can_write(request.user) and not person.merged_into_id,
        "merged_files": person.merged_files.all(),
        "merged_into_visible": bool(person.merged_into_id) and scope.filter_persons(
            request.user, Person.objects.filter(pk=person.merged_into_id)).exists(),
        **preview.if_paid_today(request.user, person),
    }
    return render(request, "enrollment/person_detail.html", context)


@login_required
@require_POST
def person_reveal_id(request, pk):
    person = scope.get_person_or_404(request.user, pk)
    number = services.person_reveal_id(actor=request.user, person=person, request=request)
    return JsonResponse({"id_number": number})


@login_required
@single_use("person_create")
def person_create(request):
    scope.require_write(request.user)
    form = PersonForm(request.POST or None, user=request.user)
    once.attach(form)
    duplicates, transfer_number = [], None
    if request.method == "POST" and form.is_valid():
        data = _person_data(form)
        try:
            person = services.person_register(
                actor=request.user, data=data, request=request,
                duplicate_reason=form.cleaned_data.get("duplicate_reason") or "")
        except ValidationError as exc:
            form_error(form, exc)
            if services.ELSEWHERE_MESSAGE in " ".join(exc.messages):
                transfer_number = data.get("id_number") or data.get("birth_cert_number")
            if "duplicate_reason" in getattr(exc, "error_dict", {}):
                form.reveal_duplicate_reason()
                duplicates = selectors.likely_duplicates_in_scope(request.user, data)
        else:
            messages.success(request, f"已为{person.name}建档。")
            return redirect("person_detail", pk=person.pk)
    return render(request, "enrollment/person_form.html",
                  {"form": form, "title": "人员建档", "duplicates": duplicates,
                   "transfer_number": transfer_number})


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


def _household(request, pk):
    return get_object_or_404(
        Household.objects.filter(scope.region_q(request.user, "region_id")), pk=pk)


@login_required
def household_detail(request, pk):
    """一户一档: every member for the coverage year, and one payment for the ticked members
    through the one door (all or nothing), ending on the receipt list."""
    household = _household(request, pk)
    form = HouseholdPaymentForm(request.POST or None)
    year, paid_on = selectors.card_year(request.GET.get("year")), timezone.localdate()
    problems = []
    if request.method == "POST":
        scope.require_write(request.user)
    if request.method == "POST" and form.is_valid():
        year, paid_on = form.cleaned_data["year"], form.cleaned_data["paid_on"]
        chosen = set(request.POST.getlist("person"))
        persons = [m for m in selectors.household_members(request.user, household)
                   if str(m.pk) in chosen]
        if not persons:
            form.add_error(None, "请至少勾选一名家庭成员。")
        else:
            try:
                done = services.enrollment_record_batch(
                    actor=request.user, persons=persons, year=year, paid_on=paid_on,
                    channel=form.cleaned_data["channel"], request=request)
            except ValidationError as exc:
                problems = exc.messages
            else:
                ids = ",".join(str(e.pk) for e in done)
                return redirect(f"{request.path}receipt/?year={year}&ids={ids}")
    return render(request, "enrollment/household_detail.html", {
        "household": household, "year": year, "form": form, "problems": problems,
        "lines": card.household_card(request.user, household, year=year, paid_on=paid_on)})


@login_required
def household_receipt(request, pk):
    """The receipt list of a household's payment, printable."""
    household = _household(request, pk)
    year = selectors.card_year(request.GET.get("year"))
    ids = [int(i) for i in request.GET.get("ids", "").split(",") if i.isdigit()]
    rows = card.receipt_rows(request.user, household, year, ids)
    return render(request, "enrollment/household_receipt.html", {
        "household": household, "year": year, "rows": rows, "printed_at": timezone.now(),
        "total": sum((e.amount_paid or 0) for e in rows)})


@login_required
@single_use("enrollment_create")
def enrollment_create(request, pk):
    scope.require_write(request.user)
    person = scope.get_person_or_404(request.user, pk)
    # Opened from a task or a radar line for a given year: the form starts on that year.
    year = request.GET.get("year", "")
    initial = {"year": int(year)} if year.isdecimal() and len(year) == 4 else None
    form = EnrollmentForm(request.POST or None, person=person, user=request.user,
                          initial=initial)
    once.attach(form)
    if request.method == "POST" and "preview" in request.POST:
        # 预览 without JavaScript: the same fragment the preview endpoint returns, nothing saved.
        return render(request, "enrollment/enrollment_form.html", {
            "form": form, "person": person,
            "preview": preview.form_preview(request.user, person, form)})
    if request.method == "POST" and form.is_valid():
        try:
            enrollment = services.enrollment_record(actor=request.user, person=person,
                                                    request=request, **form.service_kwargs())
        except ValidationError as exc:
            form_error(form, exc)
        else:
            messages.success(request, f"已登记{enrollment}。")
            return redirect("person_detail", pk=person.pk)
    return render(request, "enrollment/enrollment_form.html", {"form": form, "person": person})


@login_required
@require_POST
def enrollment_preview(request, pk):
    """The preview fragment the enrollment form swaps in as fields change: scoped exactly like
    the form (a neighbour's person is a 404), writing nothing."""
    scope.require_write(request.user)
    person = scope.get_person_or_404(request.user, pk)
    form = EnrollmentForm(request.POST, person=person, user=request.user)
    return render(request, "enrollment/_preview.html",
                  {"form": form, "preview": preview.form_preview(request.user, person, form)})


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
        mine = scope.filter_persons(request.user, taken).exists()
        answer["message"] = "该证件号码已登记，请勿重复建档。" if mine else services.ELSEWHERE_MESSAGE
        if not mine and scope.can_request_transfer(request.user):
            answer["transfer_url"] = f"{reverse('transfer_create')}?number={parsed.number}"
    return JsonResponse(answer)


BATCH_LIMIT = 500


@login_required
@single_use("enrollment_batch")
def enrollment_batch(request):
    """村/学校代收: list who is not enrolled in a village or school, tick, check each one's
    amount and the total (核对金额, the same preview as the form), record together."""
    from .forms import BatchEnrollmentForm

    scope.require_write(request.user)
    form = BatchEnrollmentForm(request.POST or request.GET or None, user=request.user)
    context = {"form": form, "candidates": None, "problems": [], "limit": BATCH_LIMIT,
               "chosen": set(request.POST.getlist("person"))}
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        context["candidates"] = candidates = list(selectors.batch_candidates(
            request.user, data["unit"], data["year"])[:BATCH_LIMIT])
        persons = [p for p in candidates if str(p.pk) in context["chosen"]]
        if request.method == "POST" and not persons:
            form.add_error(None, "请至少勾选一人。")
        elif request.method == "POST" and "review" in request.POST:
            context["review"] = preview.batch_review(actor=request.user, persons=persons,
                                                     data=data)
        elif request.method == "POST":
            try:
                done = services.enrollment_record_batch(
                    actor=request.user, persons=persons, year=data["year"],
                    paid_on=data["paid_on"], channel=data["channel"],
                    tier=data.get("tier") or "", request=request)
            except ValidationError as exc:
                context["problems"] = exc.messages
            else:
                messages.success(request, f"已为 {len(done)} 人登记{data['year']}年参保缴费。")
                return redirect(f"{request.path}?{request.GET.urlencode()}")
    return render(request, "enrollment/batch.html", context)


@login_required
@require_POST
def enrollment_batch_print(request):
    """The printable collection list (代收清单) of the people ticked on the batch page, with
    the amounts of the same preview, for the payers to sign."""
    from .forms import BatchEnrollmentForm

    scope.require_write(request.user)
    form = BatchEnrollmentForm(request.POST, user=request.user)
    chosen = set(request.POST.getlist("person"))
    if not form.is_valid() or not chosen:
        messages.error(request, "请先列出人员并勾选要打印的人员。")
        return redirect("enrollment_batch")
    data = form.cleaned_data
    persons = [p for p in selectors.batch_candidates(request.user, data["unit"], data["year"])
               .filter(pk__in=[c for c in chosen if c.isdigit()])]
    return render(request, "enrollment/batch_print.html", {
        **preview.batch_review(actor=request.user, persons=persons, data=data), "data": data,
        "unit": selectors.batch_unit_name(request.user, data["unit"]),
        "channel": dict(form.fields["channel"].choices).get(data["channel"], ""),
        "printed_on": timezone.localdate()})


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
