import copy
import json
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from benefits.rules import HUNAN, CaseError, Profile, evaluate_case, parse_case

from .builders import standard

CASES_DIR = Path(__file__).resolve().parent.parent / "cases"


def load(name):
    return json.loads((CASES_DIR / name).read_text(encoding="utf-8"))


def test_parse_case_builds_engine_inputs():
    parsed = parse_case(load("04_hunan_two_gaps_late_repair_one.json"))
    assert parsed.profile is HUNAN
    assert parsed.enrollment.paid_on == date(2027, 2, 10)
    assert parsed.enrollment.repair_years == 1
    assert parsed.history[2025].kind == "gap"
    assert parsed.standards[2027].individual == Decimal("440.00")


def test_stored_standards_are_used_for_years_the_case_does_not_name():
    case = load("02_hunan_late_continuous.json")
    stored = {2026: standard(2026, individual=999, subsidy=1)}
    case_std = evaluate_case(case, stored_standards=stored)
    assert case_std["amount_due"] == "1140.00"  # the case's own 2026 standards win
    del case["standards"]
    assert evaluate_case(case, stored_standards=stored)["amount_due"] == "1000.00"


def test_stored_standards_may_be_looked_up_per_profile():
    case = load("02_hunan_late_continuous.json")
    del case["standards"]
    seen = []

    def lookup(profile):
        seen.append(profile.code)
        return {2026: standard(2026, individual=100, subsidy=50)}

    assert evaluate_case(case, stored_standards=lookup)["amount_due"] == "150.00"
    assert seen == ["hunan"]


def test_year_with_no_standards_anywhere_names_the_year():
    case = load("02_hunan_late_continuous.json")
    del case["standards"]
    with pytest.raises(CaseError) as info:
        evaluate_case(case)
    assert info.value.field == "standards.2026"


def test_profiles_can_be_supplied_by_the_caller():
    case = load("02_hunan_late_continuous.json")
    case["profile"] = "henan"
    henan = Profile.from_dict({**HUNAN.to_dict(), "code": "henan", "fixed_wait_months": 2})
    result = evaluate_case(case, profiles={"henan": henan})
    assert result["waiting"]["total"] == 2
    with pytest.raises(CaseError):
        evaluate_case(case)


@pytest.mark.parametrize(
    "path,value,field",
    [
        (["enrollment", "paid_on"], "15/03/2026", "enrollment.paid_on"),
        (["enrollment", "paid_on"], None, "enrollment.paid_on"),
        (["person", "birth_date"], "1980-02-30", "person.birth_date"),
        (["year"], "next", "year"),
        (["history"], {"twenty": "gap"}, "history.twenty"),
        (["claims"], {"2025": {"fund_paid": -1}}, "claims.2025.fund_paid"),
        (["claims"], {"2025": {"used_incentive": "yes"}}, "claims.2025.used_incentive"),
        (["standards", "2026", "individual"], "lots", "standards.2026.individual"),
        (["standards", "2026", "concentrated_end"], "2025-08-01", "standards.2026.concentrated_end"),
        (["standards", "2026", "hardship", "low_income"], {"share": 2}, "standards.2026.hardship.low_income"),
        (["enrollment", "repair_years"], 1.5, "enrollment.repair_years"),
        (["enrollment", "first_at_school"], "true", "enrollment.first_at_school"),
    ],
)
def test_bad_input_names_the_field(path, value, field):
    case = copy.deepcopy(load("02_hunan_late_continuous.json"))
    target = case
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = value
    with pytest.raises(CaseError) as info:
        evaluate_case(case)
    assert info.value.field == field


def test_case_must_be_an_object():
    with pytest.raises(CaseError) as info:
        evaluate_case([1, 2])
    assert info.value.field == "case"


def test_no_benefit_means_null_dates():
    result = evaluate_case(load("33_hunan_wait_runs_past_year_end.json"))
    assert result["benefit_start"] is None and result["benefit_end"] is None
