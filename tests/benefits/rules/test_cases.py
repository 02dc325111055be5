"""Every case file in tests/benefits/cases: the 14 policy examples and our own hand-computed ones.

A case's `expect` object lists the fields that must match (nested objects key by key); a case
with `expect_error` must raise CaseError naming that field.
"""

import json
from pathlib import Path

import pytest

from benefits.rules import CaseError, evaluate_case

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"
CASE_FILES = sorted(CASES_DIR.glob("*.json"))


def _mismatches(expected, actual, path=""):
    problems = []
    for key, want in expected.items():
        where = f"{path}{key}"
        if key not in actual:
            problems.append(f"{where}: missing")
        elif isinstance(want, dict):
            problems += _mismatches(want, actual[key], where + ".")
        elif actual[key] != want:
            problems.append(f"{where}: expected {want!r}, got {actual[key]!r}")
    return problems


def test_all_fourteen_policy_examples_are_here():
    examples = [p for p in CASE_FILES if p.name[:2].isdigit() and int(p.name[:2]) <= 14]
    assert len(examples) == 14


@pytest.mark.parametrize("path", CASE_FILES, ids=[p.stem for p in CASE_FILES])
def test_case_file(path):
    case = json.loads(path.read_text(encoding="utf-8"))
    if "expect_error" in case:
        with pytest.raises(CaseError) as info:
            evaluate_case(case)
        assert info.value.field == case["expect_error"]["field"]
        assert info.value.message
        return
    result = evaluate_case(case)
    assert _mismatches(case["expect"], result) == []
    assert len(result["explanation"]) == len(result["rules"])
    # The ids live in `rules`; the lines are plain Chinese for the resident, without them.
    for line in result["explanation"]:
        assert "R-" not in line and line.strip()


def test_output_has_the_section_7_shape():
    case = json.loads((CASES_DIR / "02_hunan_late_continuous.json").read_text(encoding="utf-8"))
    result = evaluate_case(case)
    assert list(result) == [
        "year", "in_concentrated_period", "amount_due", "subsidy", "repair_due", "gap_years",
        "continuity_years", "waiting", "benefit_start", "benefit_end", "catastrophic", "rules",
        "explanation", "employee_year_credit",
    ]
    assert isinstance(result["catastrophic"]["effective_cap"], int)
    assert json.loads(json.dumps(result, ensure_ascii=False)) == result
