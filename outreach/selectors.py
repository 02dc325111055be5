"""Reads of outreach data. Every selector takes the acting user, so no page forgets scope.

A grid worker sees the tasks given to them and the ledger of the grids they work; everyone else
sees by region prefix, like the person list (enrollment/scope.py).
"""
from __future__ import annotations

import re

from django.db.models import Count, F, Prefetch, Q
from django.db.models.functions import Substr
from django.utils import timezone

from enrollment import idnumbers, regions, scope
from enrollment.models import Person, Region, User

from .models import (
    EntryStatus,
    GridAssignment,
    LedgerEntry,
    OPEN_TASK_STATUSES,
    Task,
    TaskStatus,
)

_INITIALS = re.compile(r"^[a-zA-Z]{2,10}$")
_DIGITS = re.compile(r"^[\dXx]{6,18}$")


def entries_for(user):
    """Ledger entries the user may see."""
    qs = LedgerEntry.objects.all()
    if scope.sees_own_tasks_only(user):
        # "My grids OR my tasks" as a UNION of two indexed selects: an OR across the task join
        # cannot use either index and walks the city's whole ledger.
        grids = GridAssignment.objects.filter(worker=user, active=True).values("grid_id")
        in_grids = LedgerEntry.objects.filter(grid_id__in=grids).order_by().values("pk")
        tasked = Task.objects.filter(worker=user).order_by().values("entry_id")
        return qs.filter(pk__in=in_grids.union(tasked))
    # A code range, not LIKE: it bounds the (year, region, …) index scans of the list and the
    # counts to the user's region instead of filtering the year's whole ledger.
    return qs.filter(scope.user_region_q_range(user, "region_id"))


def tasks_for(user):
    """Tasks the user may see: a grid worker their own, staff those of their region."""
    qs = Task.objects.all()
    if scope.sees_own_tasks_only(user):
        return qs.filter(worker=user)
    return qs.filter(scope.user_region_q_range(user, "region_id"))


def ledger_search(user, *, year=None, reason="", status="", query="", region_code=""):
    qs = entries_for(user)
    if year:
        qs = qs.filter(year=year)
    if reason:
        qs = qs.filter(reason=reason)
    if status:
        qs = qs.filter(status=status)
    if region_code and scope.region_in_scope(user, region_code):
        qs = qs.filter(scope.region_q_range(regions.prefix_of(region_code), "region_id"))
    query = (query or "").strip()
    if query:
        normalized = idnumbers.normalize(query)
        # Through the person's indexes (blind indexes, trigram): the ledger keeps none of its
        # own for the search, so that the generation writes fewer index entries per row.
        if _DIGITS.match(normalized):
            # Whole numbers only: they are encrypted and matched through the blind index. The
            # entry's number is the person's ID number, or the birth certificate's without one.
            qs = qs.filter(Q(person__id_number=normalized)
                           | Q(person__id_number__isnull=True,
                               person__birth_cert_number=normalized)
                           | Q(person__phone=normalized))
        elif _INITIALS.match(query):
            qs = qs.filter(person__name_initials__startswith=query.lower())
        else:
            qs = qs.filter(person__name__contains=query)
    return qs.select_related("region", "grid", "task").order_by("region_id", "name", "pk")


def ledger_counts(user, year: int) -> dict:
    """Counts on the ledger page (the user's own desk; the dashboards hold city rollups)."""
    rows = dict(entries_for(user).filter(year=year).values_list("status")
                .annotate(n=Count("pk")))
    return {s: rows.get(s, 0) for s in EntryStatus.values}


def my_open_tasks(user):
    """A grid worker's open tasks, soonest follow-up first (no date last), with every task's
    household members fetched in one more query (the page is the same few queries for 5 tasks
    or 200)."""
    members = Prefetch("entry__person__household__members",
                       queryset=Person.objects.order_by("birth_date", "pk"))
    # The entry's year beside its id, so that the join reads one ledger partition, not each.
    return (Task.objects.filter(worker=user, status__in=OPEN_TASK_STATUSES,
                                entry__year=F("entry_year"))
            .select_related("entry__person__household", "grid", "region", "batch")
            .prefetch_related(members)
            .order_by(F("follow_up_date").asc(nulls_last=True), "pk"))


def my_task_cards(user, limit: int = 200) -> list[Task]:
    """A grid worker's open tasks, one card per person: the card works the task of the newest
    year, and `other_years` names the person's open tasks of other years (a person pushed for
    two years appears once, with the years shown). Soonest follow-up first."""
    cards: dict[int, Task] = {}
    for task in my_open_tasks(user)[:limit]:
        card = cards.get(task.entry.person_id)
        if card is None:
            task.other_years = []
            cards[task.entry.person_id] = task
        elif task.entry.year > card.entry.year:
            task.other_years = card.other_years + [card]
            cards[task.entry.person_id] = task
        else:
            card.other_years.append(task)
    return list(cards.values())


def household_of(task):
    """The household members of a task's person (the worker needs them for the visit; the
    task itself is what grants the access). Uses the members prefetched by `my_open_tasks`."""
    person = task.entry.person
    if not person.household_id:
        return []
    return sorted(person.household.members.all(), key=lambda m: (m.birth_date, m.pk))


def workers_for_task(task):
    """Grid workers who may take a task: those working its grid (or its village)."""
    assignments = GridAssignment.objects.filter(active=True)
    if task.grid_id:
        assignments = assignments.filter(grid_id=task.grid_id)
    else:
        assignments = assignments.filter(grid__code__startswith=task.region_id)
    return User.objects.filter(pk__in=assignments.values("worker_id")).order_by("username")


LEVELS = {
    "worker": ("网格员", None),
    regions.VILLAGE: (regions.LEVEL_LABELS[regions.VILLAGE], regions.LEVEL_LENGTH[regions.VILLAGE]),
    regions.TOWNSHIP: (regions.LEVEL_LABELS[regions.TOWNSHIP],
                       regions.LEVEL_LENGTH[regions.TOWNSHIP]),
    regions.COUNTY: (regions.LEVEL_LABELS[regions.COUNTY], regions.LEVEL_LENGTH[regions.COUNTY]),
}


def feedback(user, *, year: int, level: str = "village") -> list[dict]:
    """汇总反馈: per grid worker, village, township or county: pushed, signed, visited,
    mobilised, enrolled, cannot enrol, overdue."""
    today = timezone.localdate()
    qs = tasks_for(user).filter(entry__year=year)
    if level == "worker":
        keyed = qs.values(key_id=F("worker_id"))
    else:
        length = LEVELS.get(level, LEVELS["village"])[1]
        keyed = qs.values(key_id=Substr("region_id", 1, length))
    not_pushed = ~Q(status=TaskStatus.PUSHED)
    rows = list(keyed.annotate(
        pushed=Count("pk"),
        signed=Count("pk", filter=not_pushed),
        visited=Count("pk", filter=Q(visited_at__isnull=False)),
        mobilised=Count("pk", filter=Q(mobilised_at__isnull=False)),
        enrolled=Count("pk", filter=Q(outcome=TaskStatus.ENROLLED)),
        cannot=Count("pk", filter=Q(outcome=TaskStatus.CANNOT_ENROL)),
        overdue=Count("pk", filter=Q(status__in=OPEN_TASK_STATUSES)
                      & (Q(follow_up_date__lt=today) | Q(batch__due_date__lt=today))),
    ).order_by("key_id"))
    if level == "worker":
        names = {u.pk: u.display_name for u in User.objects.filter(
            pk__in=[r["key_id"] for r in rows if r["key_id"]])}
        for r in rows:
            r["name"] = names.get(r["key_id"], "（未分配）")
    else:
        codes = [_full_code(r["key_id"]) for r in rows]
        names = dict(Region.objects.filter(code__in=codes).values_list("code", "name"))
        for r in rows:
            r["name"] = names.get(_full_code(r["key_id"]), r["key_id"])
    for r in rows:
        r["enrol_rate"] = (r["enrolled"] / r["pushed"] * 100) if r["pushed"] else None
    return rows


def _full_code(prefix: str | None) -> str:
    prefix = prefix or ""
    return prefix.ljust(regions.CODE_LENGTH, "0")
