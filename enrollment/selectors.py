"""Reads that span relations. Every selector takes the acting user, so no page forgets scope."""
from __future__ import annotations

import re

from django.db.models import Q

from . import idnumbers, scope
from .models import Enrollment, LifeStatus, Person, Region

_INITIALS = re.compile(r"^[a-zA-Z]{2,10}$")
_DIGITS = re.compile(r"^[\dXx]{6,18}$")


def person_search(user, query: str = "", region_code: str = ""):
    """Persons in scope matching an ID number (whole or leading part), a name (part), or
    pinyin initials ("zs" finds 张三)."""
    qs = scope.filter_persons(user, Person.objects.all())
    if region_code and scope.region_in_scope(user, region_code):
        from . import regions

        prefix = regions.prefix_of(region_code)
        qs = qs.filter(scope.region_q_prefix(prefix, "residence_region_id", "hukou_region_id"))
    query = (query or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in a string
    if query:
        normalized = idnumbers.normalize(query)
        if _DIGITS.match(normalized):
            qs = qs.filter(Q(id_number__startswith=normalized)
                           | Q(birth_cert_number__startswith=normalized)
                           | Q(phone=normalized))
        elif _INITIALS.match(query):
            qs = qs.filter(name_initials__startswith=query.lower())
        else:
            qs = qs.filter(name__contains=query)
    return qs.select_related("residence_region", "household")


def person_timeline(person: Person) -> list[dict]:
    """The person's years with their enrollments, newest first, gaps shown as empty years."""
    enrollments = list(person.enrollments.select_related("pooling_region").order_by("-year"))
    by_year: dict[int, list[Enrollment]] = {}
    for e in enrollments:
        by_year.setdefault(e.year, []).append(e)
    if not by_year:
        return []
    first = max(min(by_year), person.birth_date.year)
    last = max(by_year)
    return [{"year": y, "enrollments": by_year.get(y, [])} for y in range(last, first - 1, -1)]


def household_members(user, household):
    return scope.filter_persons(user, household.members.all()).order_by("birth_date")


def visible_regions(user):
    return scope.filter_regions(user, Region.objects.all())


def batch_candidates(user, unit: str, year: int):
    """People of a village or school who are alive and have no live enrollment for the year:
    those a batch collection is for."""
    from .models import LIVE_STATUSES as live

    persons = scope.filter_persons(user, Person.objects.filter(life_status=LifeStatus.ALIVE))
    kind, _, key = unit.partition(":")
    if kind == "region":
        from . import regions

        persons = persons.filter(scope.region_q_prefix(regions.prefix_of(key),
                                                       "residence_region_id"))
    elif kind == "school":
        persons = persons.filter(school_id=key)
    else:
        return Person.objects.none()
    enrolled = Enrollment.objects.filter(year=year, status__in=live).values("person_id")
    return persons.exclude(pk__in=enrolled).select_related("residence_region").order_by("name", "pk")


def card_year(value) -> int:
    """The coverage year a household card shows: the one asked for, else the year collection
    is for today."""
    from core.calendar import coverage_year_for, valid_year

    try:
        year = int(value)
    except (TypeError, ValueError):
        return coverage_year_for()
    return year if valid_year(year) else coverage_year_for()
