"""Which coverage years a rollup refresh covers: the full and nightly refresh every year with
enrollments (at most five), the refresh after registrations only the years still open."""
from __future__ import annotations

import datetime as dt

from django.utils import timezone

from core.calendar import coverage_year_for
from core.calendar import open_years as calendar_open_years


def default_years(today: dt.date | None = None) -> list[int]:
    """The years a full refresh covers: the coverage years that have enrollments, at most the
    last five, and always this year and (in the collection period) next year."""
    from enrollment.models import Enrollment

    today = today or timezone.localdate()
    current = coverage_year_for(today)
    # One index probe per year: a DISTINCT over five years of enrollments (joined to persons
    # by the model's ordering) took 3 s at 100,000 persons.
    years = {year for year in range(current - 4, current + 1)
             if Enrollment.objects.filter(year=year).exists()}
    years.update({today.year, current})
    return sorted(years)


def open_years(today: dt.date | None = None) -> list[int]:
    """The years registrations still change: this year and, in the collection period, next
    year (the debounced refresh after registrations does only these)."""
    return calendar_open_years(today)
