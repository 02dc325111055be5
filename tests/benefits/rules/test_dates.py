from datetime import date

from benefits.rules.dates import (
    add_months,
    days_deadline,
    first_day_after_months_from_day,
    first_day_after_months_from_event,
    months_deadline,
    within_days,
    within_months,
)


def test_add_months_keeps_the_day_number():
    assert add_months(date(2026, 3, 15), 3) == date(2026, 6, 15)


def test_add_months_clamps_to_the_last_day_of_a_short_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2027, 11, 30), 3) == date(2028, 2, 29)


def test_add_months_crosses_the_year():
    assert add_months(date(2026, 11, 10), 3) == date(2027, 2, 10)
    assert add_months(date(2026, 1, 10), -1) == date(2025, 12, 10)


def test_ninety_days_of_birth_ends_ninety_days_after_the_birth_day():
    assert days_deadline(date(2026, 1, 10), 90) == date(2026, 4, 10)
    assert within_days(date(2026, 1, 10), date(2026, 4, 10), 90)
    assert not within_days(date(2026, 1, 10), date(2026, 4, 11), 90)


def test_three_months_of_an_event_is_inclusive_on_the_same_day_number():
    assert within_months(date(2026, 5, 1), date(2026, 8, 1), 3)
    assert not within_months(date(2026, 5, 1), date(2026, 8, 2), 3)


def test_three_months_from_the_end_of_november_clamps_to_february():
    assert months_deadline(date(2026, 11, 30), 3) == date(2027, 2, 28)


def test_a_wait_from_a_payment_starts_counting_the_next_day():
    assert first_day_after_months_from_event(date(2026, 3, 15), 3) == date(2026, 6, 16)


def test_a_wait_from_the_first_of_january_counts_that_day():
    assert first_day_after_months_from_day(date(2026, 1, 1), 4) == date(2026, 5, 1)
