"""What the data-sharing API reads, always through the token's scope (api/access.py):
a person's enrollment for a year, the coverage figures of a region (the dashboard's own), and
the un-enrolled ledger of a region. Each returns plain dicts shaped by the token's field list."""
from __future__ import annotations

import datetime as dt

from rest_framework.exceptions import NotFound

from core import paging
from dashboards import selectors as dashboard_selectors
from enrollment import coverage, idnumbers, scope
from enrollment.models import Enrollment, EnrollmentStatus, LIVE_STATUSES, Person, Region
from enrollment.services.plans import employee_cover
from outreach.models import EntryStatus, LedgerEntry

from . import access
from .errors import NOT_FOUND

LEDGER_KEYS = ("region_id", "name", "pk")


def _identity(token, *, id_number: str, name: str, phone: str) -> dict:
    """The personal fields as the token may see them: the ID number whole or masked, the
    name and phone only where allowed."""
    out = {"id_number": id_number if access.token_sees_field(token, "id_number")
           else idnumbers.mask(id_number)}
    if access.token_sees_field(token, "name"):
        out["name"] = name
    if access.token_sees_field(token, "phone"):
        out["phone"] = phone or ""
    return out


def _region(region: Region | None) -> dict | None:
    return {"code": region.code, "name": region.name} if region else None


def _cover(e: Enrollment) -> tuple[dt.date, dt.date]:
    start, end = employee_cover(e)  # the one door's reading of start, end and stop
    return start, end or dt.date(e.year, 12, 31)


def _enrollment(e: Enrollment) -> dict:
    start, end = _cover(e)
    return {"scheme": e.scheme, "scheme_name": e.get_scheme_display(), "status": e.status,
            "status_name": e.get_status_display(), "pooling_region": _region(e.pooling_region),
            "elsewhere": e.elsewhere, "cover_start": start, "cover_end": end,
            "benefit_start": e.benefit_start, "benefit_end": e.benefit_end}


def _primary(enrollments: list[Enrollment]) -> Enrollment | None:
    """The enrollment the answer is about: a live one (paid before awaiting payment, resident
    before employee), else the latest of the year."""
    live = [e for e in enrollments if e.status in LIVE_STATUSES]
    if live:
        return min(live, key=lambda e: (e.status != EnrollmentStatus.ACTIVE,
                                        e.scheme != "resident", e.pk))
    return max(enrollments, key=lambda e: e.pk) if enrollments else None


def person_status(token, *, id_number: str, year: int) -> tuple[Person, dict]:
    """The enrollment of the person with this (valid, normalised) ID number in the year. A
    number unknown or outside the token's region is the same 404, so a token cannot learn that
    a person exists elsewhere."""
    person = (access.token_persons(token, Person.objects.filter(id_number=id_number))
              .filter(merged_into__isnull=True).first())
    if person is None:
        raise NotFound(NOT_FOUND)
    enrollments = list(Enrollment.objects.filter(person=person, year=year)
                       .select_related("pooling_region").order_by("pk"))
    main = _primary(enrollments)
    enrolled = main is not None and main.status in LIVE_STATUSES
    blank = {"scheme": None, "scheme_name": None, "pooling_region": None, "cover_start": None,
             "cover_end": None, "benefit_start": None, "benefit_end": None}
    detail = _enrollment(main) if main else blank
    detail.pop("elsewhere", None)
    return person, {
        **_identity(token, id_number=person.id_number, name=person.name, phone=person.phone),
        "year": year,
        "enrolled": enrolled,
        **detail,
        "status": main.status if main else "none",
        "status_name": main.get_status_display() if main else "无参保登记",
        "enrollments": [_enrollment(e) for e in enrollments],
    }


def scoped_region(token, code: str | None) -> Region:
    """The region asked for, if it lies under the token's region (else 404, like unknown)."""
    code = code or token.region_id
    if not access.token_region_in_scope(token, code):
        raise NotFound(NOT_FOUND)
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFound(NOT_FOUND)
    return region


def _coverage_row(code: str, name: str, fig: dict) -> dict:
    rate = fig["rate"]
    row = fig["row"]
    return {"code": code, "name": name, "persons": fig["persons"], "enrolled": fig["covered"],
            "rate": round(rate, coverage.RATE_DIGITS) if rate is not None else None,
            "hardship": fig["hardship"],
            "hardship_enrolled": row.hardship_covered if row else 0}


def region_coverage(region: Region, year: int) -> dict:
    """The figures the dashboard shows for the region (total) and the regions below it."""
    table = dashboard_selectors.coverage_table(region, year)
    summary = table["summary"]
    return {
        "region": _region(region),
        "year": year,
        "refreshed_at": table["refreshed_at"],
        "total": _coverage_row(region.code, region.name, summary),
        "children": [_coverage_row(c["code"], c["name"], c) for c in table["children"]],
    }


def unenrolled(token, region: Region, year: int, params, *, per_page: int) -> dict:
    """One page of the open (未参保) ledger entries of the region, keyset-paged."""
    qs = (LedgerEntry.objects.filter(year=year, status=EntryStatus.OPEN)
          .filter(scope.region_q_range(region.path, "region_id"))
          .select_related("region"))
    page = paging.keyset_page(qs, params, keys=LEDGER_KEYS, per_page=per_page)
    rows = [{**_identity(token, id_number=e.id_number, name=e.name, phone=e.phone),
             "year": e.year, "region": _region(e.region), "grid": e.grid_id, "side": e.side,
             "separated": e.separated, "reason": e.reason,
             "reason_name": e.get_reason_display() if e.reason else "未核实"}
            for e in page.rows]
    return {"region": _region(region), "year": year, "page": page.number,
            "next_cursor": page.next_cursor if page.has_next else None,
            "previous_cursor": page.previous_cursor if page.has_previous else None,
            "results": rows}
