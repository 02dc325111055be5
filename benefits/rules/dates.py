"""Civil-Code period arithmetic (民法典 §201–202).

A period that runs from an event starts the day after the event; a period of months ends on the
same day number of its last month, or on that month's last day where it has no such day.
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta


def add_months(d: date, months: int) -> date:
    """The same day number `months` calendar months later, clamped to the month's last day."""
    index = d.year * 12 + (d.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return date(year, month, min(d.day, last))


def add_days(d: date, days: int) -> date:
    return d + timedelta(days=days)


def days_deadline(event: date, days: int) -> date:
    """Last day of "within `days` days of `event`" (the period starts the day after the event)."""
    return add_days(event, days)


def months_deadline(event: date, months: int) -> date:
    """Last day of "within `months` months of `event`": same day number, clamped."""
    return add_months(event, months)


def within_days(event: date, when: date, days: int) -> bool:
    """True when `when` is on or before the last day of the `days`-day period after `event`."""
    return when <= days_deadline(event, days)


def within_months(event: date, when: date, months: int) -> bool:
    """True when `when` is on or before the same day number `months` months after `event`."""
    return when <= months_deadline(event, months)


def first_day_after_months_from_event(event: date, months: int) -> date:
    """First day after a `months`-month period running from `event` (event day not counted).

    Paid 2026-03-15, 3 months: the period is 2026-03-16 … 2026-06-15, so this returns 2026-06-16.
    """
    return add_months(event, months) + timedelta(days=1)


def first_day_after_months_from_day(first_day: date, months: int) -> date:
    """First day after a `months`-month period that counts `first_day` itself.

    From 2026-01-01, 4 months: the period is 2026-01-01 … 2026-04-30, so this returns 2026-05-01.
    """
    return add_months(first_day, months)


def year_start(year: int) -> date:
    return date(year, 1, 1)


def year_end(year: int) -> date:
    return date(year, 12, 31)
