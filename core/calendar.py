"""The coverage-year calendar, written once.

Collection for coverage year Y runs in the concentrated period (集中参保缴费期), by default
1 September to 31 December of Y-1; a year standard (benefits' YearStandard) that names its own
dates takes precedence wherever the caller has one. From September on, pages therefore open on
next year's coverage year, so that every page agrees on the same default year.
"""
from __future__ import annotations

import datetime as dt
from typing import Protocol

from django.utils import timezone

# From this month on, the collection for next year is under way.
COLLECTION_OPENS_MONTH = 9
# The one range of years a form accepts and a select offers.
YEAR_MIN = 2000
YEAR_MAX = 2100


class HasConcentratedPeriod(Protocol):
    concentrated_start: dt.date | None
    concentrated_end: dt.date | None


def today() -> dt.date:
    """Today in Beijing time (TIME_ZONE)."""
    return timezone.localdate()


def coverage_year_for(day: dt.date | None = None) -> int:
    """The coverage year pages open on: next year's from September on."""
    day = day or today()
    return day.year + 1 if day.month >= COLLECTION_OPENS_MONTH else day.year


def recalculation_year(day: dt.date | None = None) -> int:
    """The year the January recalculation works on: the calendar year that has begun, not the
    coverage year pages open on. It counts the whole previous year's claims and gaps, which
    are not known while the autumn collection for next year is still under way."""
    return (day or today()).year


def open_years(day: dt.date | None = None) -> list[int]:
    """The years registrations still change: this year and, in the collection period, next
    year."""
    day = day or today()
    return sorted({day.year, coverage_year_for(day)})


def collection_period(year: int, standard: HasConcentratedPeriod | None = None
                      ) -> tuple[dt.date, dt.date]:
    """The concentrated period for coverage year `year`: the year standard's dates when it has
    them, else 1 September to 31 December of the year before."""
    start = getattr(standard, "concentrated_start", None)
    end = getattr(standard, "concentrated_end", None)
    return (start or dt.date(year - 1, COLLECTION_OPENS_MONTH, 1),
            end or dt.date(year - 1, 12, 31))


def valid_year(year: int) -> bool:
    return YEAR_MIN <= year <= YEAR_MAX


def year_choices(first: int = YEAR_MIN, last: int = YEAR_MAX) -> list[tuple[int, str]]:
    """Years for a select, newest first, within the one accepted range."""
    first, last = max(first, YEAR_MIN), min(last, YEAR_MAX)
    return [(y, f"{y}年") for y in range(last, first - 1, -1)]


def year_field(label: str, **kwargs):
    """A year input bounded by the one accepted range."""
    from django import forms

    kwargs.setdefault("min_value", YEAR_MIN)
    kwargs.setdefault("max_value", YEAR_MAX)
    return forms.IntegerField(label=label, **kwargs)
