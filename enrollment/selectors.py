"""Reads that span relations. Every selector takes the acting user, so no page forgets scope."""
from __future__ import annotations

import re

from django.db import connections
from django.db.models import BooleanField, Q
from django.db.models.expressions import RawSQL

from core import paging

from . import idnumbers, scope
from .models import Enrollment, LifeStatus, Person, Region

_INITIALS = re.compile(r"^[a-zA-Z]{2,10}$")
_DIGITS = re.compile(r"^[\dXx]{6,18}$")


def person_search(user, query: str = "", region_code: str = ""):
    """Persons in scope matching a whole ID, birth certificate or phone number (exact, through
    the blind indexes: the numbers are encrypted, so a leading part cannot be searched), a
    name (part), or pinyin initials ("zs" finds 张三)."""
    qs = scope.filter_persons(user, Person.objects.all())
    if region_code and scope.region_in_scope(user, region_code):
        from . import regions

        prefix = regions.prefix_of(region_code)
        qs = qs.filter(scope.region_q_prefix(prefix, "residence_region_id", "hukou_region_id"))
    query = (query or "").replace("\x00", "").strip()  # PostgreSQL refuses NUL in a string
    if query:
        normalized = idnumbers.normalize(query)
        if _DIGITS.match(normalized):
            # A number still finds a merged file (its page says where it went); names and
            # lists show only live files.
            qs = qs.filter(Q(id_number=normalized) | Q(birth_cert_number=normalized)
                           | Q(phone=normalized))
        elif _INITIALS.match(query):
            qs = _initials_start(qs, query.lower()).filter(merged_into__isnull=True)
        else:
            qs = _name_contains(qs, query).filter(merged_into__isnull=True)
    else:
        # The whole scope is bounded the same way: a village's few hundred persons lie all over
        # the list's order (residence OR household registration cannot enter the list's index
        # at the village), and the planner walked the city's list to find them (640 ms at 1M).
        everyone = Q()
        qs = _bounded(qs.filter(merged_into__isnull=True), probe=everyone, matches=everyone,
                      walk=everyone)
    return qs.select_related("residence_region", "household")


# A name part or initials held by at most this many persons: their ids are read first and the
# page ordered from them (cost: the holders, ~25 µs each on the bench). Held by more: the page
# walks the list's order and keeps the matches (cost: the rows walked before a page is full,
# about page × registry ÷ holders, ~0.2 µs each from the covering index `person_res_name_id`).
# The two meet near √(page × registry / 125): 1,000 at 2M, 2,000 at 10M. Tests lower it.
FETCH_FIRST_MAX = 1000
# The probe counts holders in a GIN bitmap, which costs every holder (~0.3 µs each): where the
# planner's statistics already say ten times the threshold (a common element of the bigram
# index's statistics is estimated within a few per cent), the walk is taken without counting.
CLEARLY_MANY = 10


def _bool(sql: str, params: list) -> RawSQL:
    return RawSQL(sql, params, output_field=BooleanField())


def _bounded(qs, *, probe, matches, walk):
    """`qs` (the user's scope) narrowed to the persons matching a search whose holders may be
    few or many. `probe`: a filter counting at most FETCH_FIRST_MAX + 1 holders from an index (it
    may count a superset); `matches`: the exact filter the holders are read with; `walk`: the same
    condition written so that no index serves it (the planner can then only walk the list's
    order, which stops at a full page)."""
    # Counted within the user's scope: a township's holders of a city-common name are few, and
    # its walk would cross the whole city's list (the scope is residence OR household
    # registration, so the list's index cannot be entered at the township).
    holders = qs.filter(probe).select_related(None).order_by()
    estimate, is_estimate = paging.estimated_count(holders)
    if is_estimate and estimate > FETCH_FIRST_MAX * CLEARLY_MANY:
        return qs.filter(walk)
    if holders[:FETCH_FIRST_MAX + 1].count() > FETCH_FIRST_MAX:
        return qs.filter(walk)
    # Few: the ids as literals, so the planner knows there are few and cannot choose to walk
    # the whole list in order looking for them (11.7 s at 1M for a rare name).
    ids = list(qs.filter(matches).order_by().values_list("pk", flat=True))
    return qs.filter(pk__in=ids)


def _initials_start(qs, initials: str):
    exact = Q(name_initials__startswith=initials)  # PostgreSQL: varchar_pattern_ops, index-only
    walk = exact
    if connections[qs.db].vendor == "postgresql":
        walk = _bool('strpos("enrollment_person"."name_initials", %s) = 1', [initials])
    return _bounded(qs, probe=exact, matches=exact, walk=walk)


def _name_contains(qs, query: str):
    if connections[qs.db].vendor == "postgresql" and len(query) < 2:
        return qs.filter(name__contains=query)  # one character: no bigram, no trigram
    probe, matches, walk = name_filters(connections[qs.db].vendor, query)
    return _bounded(qs, probe=probe, matches=matches, walk=walk)


def name_filters(vendor: str, query: str) -> tuple:
    """(probe, matches, walk) of `_bounded` for a name part of two characters or more."""
    exact = Q(name__contains=query)
    if vendor != "postgresql":
        return exact, exact, exact
    # Two characters (the common case in Chinese names) have no trigram: the GIN index of the
    # name's bigrams (migration 0007) finds them; every bigram of the part present is what the
    # probe counts (exact for two characters, a few more for three: 小明王小 holds 王小 and
    # 小明; the bigram intersection reads fewer rows than the trigram index, which rechecks
    # every candidate). Longer parts are then read through the trigram index. strpos, not
    # LIKE, for the walk: no index can serve it.
    bigrams = _bool('canbao_bigrams("enrollment_person"."name") @> canbao_bigrams(%s)',
                    [query])
    walk = _bool('strpos("enrollment_person"."name", %s) > 0', [query])
    return bigrams, bigrams if len(query) == 2 else exact, walk


def household_members(user, household):
    return scope.filter_persons(user, household.members.filter(merged_into__isnull=True)
                                ).order_by("birth_date")


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


def likely_duplicates_in_scope(user, data: dict) -> dict:
    """The likely duplicates of a registration, split for the page: the files the user may open
    (linked), and whether any other lies outside their scope (said only, never shown)."""
    found = person_likely_duplicates(data=data)
    visible = list(scope.filter_persons(user, Person.objects.filter(
        pk__in=[p.pk for p in found])).select_related("residence_region"))
    return {"visible": visible, "elsewhere": len(visible) < len(found)}


def person_likely_duplicates(*, data: dict, exclude_pk=None) -> list[Person]:
    """Files that are probably the same person as `data` (cleaned registration values), across
    every region: the same ID or birth certificate number; a birth-certificate file with the
    same name and birth date in the same household or village of household registration (the
    parent's); the same name and birth date in the same household. Reads only; the command and
    the registration page both ask it."""
    name, birth = data.get("name"), data.get("birth_date")
    query = Q(pk__in=[])
    for number in (data.get("id_number"), data.get("birth_cert_number")):
        if number:
            query |= Q(id_number=number) | Q(birth_cert_number=number)
    if name and birth:
        same = Q(name=name, birth_date=birth)
        household = data.get("household")
        if household is not None:
            query |= same & Q(household=household)
        hukou = data.get("hukou_region")
        if hukou is not None:
            village = (getattr(hukou, "code", None) or str(hukou))[:12]
            query |= same & Q(id_number__isnull=True, hukou_region__pk__startswith=village)
            if not data.get("id_number"):  # a newborn's second file before the ID is issued
                query |= same & Q(id_number__isnull=True, birth_cert_number__isnull=False,
                                  residence_region__pk__startswith=village)
    # A merged file is the survivor's: warning about both would count one person twice.
    qs = Person.objects.filter(query, merged_into__isnull=True).select_related("residence_region")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    return list(qs[:10])


def card_year(value) -> int:
    """The coverage year a household card shows: the one asked for, else the year collection
    is for today."""
    from core.calendar import coverage_year_for, valid_year

    try:
        year = int(value)
    except (TypeError, ValueError):
        return coverage_year_for()
    return year if valid_year(year) else coverage_year_for()
