"""The door-step notice pages (参保告知书): one person, or every member of a household, on one
printable page. Read only; the engine answers (benefits/notice.py)."""
from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render

from core.calendar import today as beijing_today
from enrollment import scope, selectors
from enrollment.models import Household

from .. import notice


@login_required
def person_notice(request, pk):
    person = scope.get_person_or_404(request.user, pk)
    return render(request, "benefits/notice.html", {
        "notices": [notice.notice_for(person, today=beijing_today())],
        "contact": notice.contact_for(person), "today": beijing_today()})


@login_required
def household_notice(request, pk):
    household = get_object_or_404(Household, pk=pk)
    members = list(selectors.household_members(request.user, household))
    if not members:
        raise Http404("家庭户不存在。")  # a neighbour's household is not found, not forbidden
    today = beijing_today()
    return render(request, "benefits/notice.html", {
        "household": household, "notices": [notice.notice_for(m, today=today) for m in members],
        "contact": notice.contact_for(members[0]), "today": today})
