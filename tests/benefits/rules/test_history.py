from datetime import date

import pytest

from benefits.rules import HUNAN, SHANXI
from benefits.rules.history import GAP, NEUTRAL, RESIDENT, classify, history_notes, parse_status, summarize


def summary(history, year=2026, birth=date(1980, 5, 1), profile=HUNAN, not_gap=()):
    return summarize(profile, year, birth, history, not_gap)


def test_status_parsing_accepts_the_four_forms():
    assert parse_status("resident").on_time
    assert parse_status("resident_late").is_resident and not parse_status("resident_late").on_time
    assert parse_status("employee:7").employee_months == 7
    assert parse_status("gap").kind == "gap"


@pytest.mark.parametrize("raw", ["employee", "employee:13", "Resident!", "", 3])
def test_bad_status_is_a_chinese_error(raw):
    with pytest.raises(ValueError, match="参保状态|职工医保月数"):
        parse_status(raw)


def test_employee_three_months_is_neutral():
    assert classify(parse_status("employee:3"), HUNAN) == NEUTRAL
    assert classify(parse_status("employee:3"), SHANXI) == NEUTRAL


def test_employee_two_months_is_a_gap():
    assert classify(parse_status("employee:2"), HUNAN) == GAP


def test_late_resident_year_counts_as_resident():
    assert classify(parse_status("resident_late"), HUNAN) == RESIDENT


def test_missing_year_is_a_gap():
    assert summary({2025: "resident"}, year=2027).gap_years == 1


def test_gap_years_stop_at_the_first_resident_year():
    s = summary({2025: "gap", 2026: "resident", 2027: "gap", 2028: "gap"}, year=2029)
    assert s.gap_years == 2


def test_neutral_employee_years_are_skipped_when_counting_gaps():
    s = summary({2025: "gap", 2026: "employee:12", 2027: "gap"}, year=2028)
    assert s.gap_years == 2
    assert s.neutral_years == (2026,)


def test_years_before_the_counting_start_are_never_gaps():
    assert summary({2023: "gap", 2024: "gap"}, year=2025).gap_years == 0


def test_years_before_birth_are_never_gaps():
    assert summary({}, year=2028, birth=date(2027, 3, 1)).gap_years == 1
    assert summary({}, year=2027, birth=date(2027, 3, 1)).gap_years == 0


def test_not_gap_years_are_skipped():
    assert summary({}, year=2027, birth=date(2026, 10, 20), not_gap={2026}).gap_years == 0


def test_continuity_counts_the_current_year_and_the_unbroken_run():
    s = summary({2025: "resident", 2026: "resident_late", 2027: "employee:12", 2028: "resident"}, year=2029)
    assert s.continuity_years == 4


def test_gap_year_resets_continuity():
    s = summary({2025: "resident", 2026: "resident", 2027: "gap"}, year=2028)
    assert s.continuity_years == 1
    assert s.continuity_reset_by == 2027
    assert [rule for rule, _ in history_notes(s, HUNAN)] == ["R-CONT-RESET"]


def test_short_employee_year_resets_continuity():
    s = summary({2025: "resident", 2026: "employee:2"}, year=2027)
    assert s.continuity_years == 1
    assert s.gap_years == 1


def test_continuity_ignores_years_before_the_counting_start():
    assert summary({2023: "resident", 2024: "resident"}, year=2025).continuity_years == 1


def test_total_gap_years_count_every_gap_since_the_counting_start():
    s = summary({2025: "gap", 2026: "resident", 2027: "gap"}, year=2028)
    assert s.total_gap_years == 2
    assert s.gap_years == 1


def test_employee_notes_name_rule_emp_neutral():
    s = summary({2025: "employee:12", 2026: "employee:1"}, year=2027)
    notes = history_notes(s, HUNAN)
    assert notes[0][0] == "R-EMP-NEUTRAL"
    assert "2025" in notes[0][1] and "2026" in notes[0][1]
