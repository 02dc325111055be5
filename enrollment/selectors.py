"""Reads that span relations. Every selector takes the acting user, so no page forgets scope."""
from __future__ import annotations

import re

from django.db import connections
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

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
            qs = _name_contains(qs, query)
    return qs.select_related("residence_region", "household")


def _name_contains(qs, query: str):
    if len(query) != 2 or connections[qs.db].vendor != "postgresql":
        return qs.filter(name__contains=query)  # three or more: the trigram index
    # Two characters (the common case in Chinese names) have no trigram: the bigram index of
    # migration 0006 finds them. strpos, not LIKE, so the planner does not pick the trigram
    # index, which cannot narrow a two-character pattern.
    return qs.filter(RawSQL('canbao_bigrams("enrollment_person"."name") @> canbao_bigrams(%s) '
                            'AND strpos("enrollment_person"."name", %s) > 0',
                            [query, query], output_field=BooleanField()))


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


def batch_unit_name(user, unit: str) -> str:
    """The village or school a batch collection is for, as printed on its list."""
    from .models import School

    kind, _, key = unit.partition(":")
    if kind == "region":
        region = scope.filter_regions(user, Region.objects.filter(code=key)).first()
        return region.name if region else ""
    if kind == "school":
        school = School.objects.filter(scope.region_q(user, "region_id"), pk=key).first()
        return school.name if school else ""
    return ""
