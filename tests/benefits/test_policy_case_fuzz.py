"""Bad input never crashes the engine: any case gives a result or one CaseError naming a field.

Hypothesis mutates the example cases (a value replaced by a hostile one, a key dropped or
added) and feeds them to the parser and engine; the command's own reading (bytes, encodings,
size, depth) is tested through `call_command` and a real process. `make fuzz` runs the same
property with many more examples (HYPOTHESIS_PROFILE=fuzz).
"""
import copy
import io
import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from benefits.rules import CaseError, evaluate_case

CASES_DIR = Path(__file__).parent / "cases"
EXAMPLES = [json.loads(p.read_text(encoding="utf-8")) for p in sorted(CASES_DIR.glob("*.json"))]
for example in EXAMPLES:
    example.pop("expect", None)
    example.pop("expect_error", None)
ROOT = Path(__file__).resolve().parents[2]

FUZZ = os.environ.get("HYPOTHESIS_PROFILE") == "fuzz"
FUZZ_SETTINGS = settings(
    max_examples=20000 if FUZZ else 300,
    derandomize=not FUZZ,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)

HOSTILE = st.one_of(
    st.none(), st.booleans(), st.integers(), st.integers(min_value=10**20, max_value=10**40),
    st.floats(allow_nan=True, allow_infinity=True), st.just(1e26), st.just(-1e26),
    st.sampled_from(["9999-12-31", "0001-01-01", "2026-02-30", "2026-13-01", " 2026-03-15 ",
                     "1e26", "NaN", "Infinity", "-0", "", "employee:99", "employee:-1",
                     "resident", "gap", "hunan", "shanxi", "newborn", "college_student",
                     "employee_transfer", "exit_other_scheme", "special_hardship", "2199-12-31",
                     "２０２６", "x" * 5000]),
    st.text(max_size=30),
    st.lists(st.integers(), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
    st.recursive(st.none() | st.integers(), lambda inner: st.lists(inner, max_size=2), max_leaves=5),
)


def paths(value, prefix=()):
    """Every path to a value inside a case (objects and their members)."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from paths(child, prefix + (key,))


def mutate(case, path, action, new_key, new_value):
    case = copy.deepcopy(case)
    if not path:
        return new_value if action == "replace" else case
    parent = case
    for key in path[:-1]:
        parent = parent[key]
    if action == "replace":
        parent[path[-1]] = new_value
    elif action == "drop":
        del parent[path[-1]]
    elif isinstance(parent[path[-1]], dict):
        parent[path[-1]][new_key] = new_value
    else:
        parent[path[-1]] = {new_key: new_value}
    return case


@st.composite
def mutated_cases(draw):
    case = draw(st.sampled_from(EXAMPLES))
    for _ in range(draw(st.integers(min_value=1, max_value=3))):
        all_paths = list(paths(case))
        path = draw(st.sampled_from(all_paths))
        action = draw(st.sampled_from(["replace", "replace", "drop", "add"]))
        key = draw(st.sampled_from(["2026", "2025", "9999", "paid_on", "tier", "unemployment",
                                    "tiers", "hardship", "share", "x"]))
        case = mutate(case, path, action, key, draw(HOSTILE))
    return case


def outcome(case):
    """'ok' with a result that is JSON, or the CaseError; anything else propagates."""
    try:
        result = evaluate_case(case)
    except CaseError as exc:
        assert exc.field and exc.message and "\n" not in f"{exc.field}: {exc.message}"
        return exc
    json.dumps(result, ensure_ascii=False, allow_nan=False)
    return result


@FUZZ_SETTINGS
@given(mutated_cases())
def test_mutated_cases_give_a_result_or_one_error_naming_the_field(case):
    outcome(case)


@pytest.mark.parametrize("field,value", [
    ("person.birth_date", "9999-12-31"), ("enrollment.paid_on", "9999-12-31"),
    ("enrollment.employee_ended_on", "9999-12-31"), ("enrollment.welfare_entry_on", "9999-12-28"),
    ("standards.2026.individual", 1e26), ("standards.2026.individual", float("nan")),
    ("standards.2026.subsidy", float("inf")), ("standards.2026.catastrophic_cap", {"a": 1}),
    ("claims.2025.fund_paid", [1, 2]), ("standards.2026.hardship.low_income.share", 1e26),
    ("year", {"y": 2026}), ("year", 10**50), ("enrollment.repair_years", 10**50),
    ("history.2025", {"status": "gap"}), ("person.category", ["newborn"]),
    ("person.group", {"g": 1}), ("enrollment.tier", 5), ("unemployment", "2025"),
    ("enrollment.course_paid_until", "9999-12-31"), ("enrollment.paid_years", 0),
])
def test_known_crashers_are_answered_with_the_field(field, value):
    case = copy.deepcopy(EXAMPLES[0])
    case.setdefault("claims", {}).setdefault("2025", {})
    target = case
    keys = field.split(".")
    for key in keys[:-1]:
        target = target.setdefault(key, {})
    target[keys[-1]] = value
    result = outcome(case)
    assert isinstance(result, CaseError) and result.field.startswith(keys[0])


def run_command(stdin_text, capsys):
    old = sys.stdin
    sys.stdin = io.StringIO(stdin_text)
    try:
        call_command("policy_case", "-")
        code = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.django_db
@pytest.mark.parametrize("text,field", [
    ("", "file"), ("   \n", "file"), ("[" * 100000, "file"), ("[" * 100000 + "]" * 100000, "file"),
    ("1" * 5000, "file"), ('"just a string"', "case"), ("null", "case"),
    ('{"profile": "hunan", "year": 2026, "person": {"birth_date": "1980-01-01"}, '
     '"enrollment": {"paid_on": "2025-11-01"}, "standards": {"2026": {"individual": NaN}}}',
     "standards.2026"),
])
def test_the_command_answers_any_text_with_one_line_and_exit_2(text, field, capsys):
    code, out, err = run_command(text, capsys)
    assert code == 2 and out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(field)


def test_non_utf8_ten_megabyte_and_deep_files_in_a_real_process(tmp_path):
    # Every one of these is refused while reading, before the database is asked anything.
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}"}
    gbk = tmp_path / "gbk.json"
    gbk.write_bytes(json.dumps({"profile": "湖南"}, ensure_ascii=False).encode("gb18030"))
    big = tmp_path / "big.json"
    big.write_text('{"profile": "hunan", "pad": "' + "x" * 10_000_000 + '"}', encoding="utf-8")
    deep = tmp_path / "deep.json"
    deep.write_text('{"a":' * 50000 + "1" + "}" * 50000, encoding="utf-8")
    for path in (gbk, big, deep):
        proc = subprocess.run([sys.executable, "manage.py", "policy_case", str(path)], cwd=ROOT,
                              env=env, capture_output=True, text=True)
        assert proc.returncode == 2, proc.stderr
        lines = proc.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("file:"), proc.stderr
        assert "Traceback" not in proc.stderr
