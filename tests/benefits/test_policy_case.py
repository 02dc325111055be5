"""`manage.py policy_case`: every example case through the command, stored profiles, exit 2."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

from benefits.models import PolicyProfile

pytestmark = pytest.mark.django_db

CASES = sorted((Path(__file__).parent / "cases").glob("*.json"))
ROOT = Path(__file__).resolve().parents[2]


def _matches(expected, actual, path="") -> None:
    if isinstance(expected, dict):
        for key, value in expected.items():
            _matches(value, actual[key], f"{path}.{key}")
    else:
        assert actual == expected, f"{path}: expected {expected!r}, got {actual!r}"


def run(case, capsys) -> tuple[int, dict | None, str]:
    stdin = io.StringIO(json.dumps(case))
    old = sys.stdin
    sys.stdin = stdin
    try:
        call_command("policy_case", "-")
        code = 0
    except SystemExit as exc:
        code = exc.code
    finally:
        sys.stdin = old
    out, err = capsys.readouterr()
    return code, (json.loads(out) if code == 0 else None), err


@pytest.mark.parametrize("path", CASES, ids=[p.stem for p in CASES])
def test_every_example_passes_through_the_command(path, capsys):
    case = json.loads(path.read_text(encoding="utf-8"))
    code, result, err = run(case, capsys)
    if "expect_error" in case:
        assert code == 2
        assert err.strip().startswith(case["expect_error"]["field"] + ":")
        assert len(err.strip().splitlines()) == 1
    else:
        assert code == 0, err
        _matches(case["expect"], result)


def test_file_argument_reads_the_file(capsys):
    call_command("policy_case", str(CASES[0]))
    assert json.loads(capsys.readouterr().out)["year"] == 2026


def test_stored_standards_serve_a_case_without_standards(capsys):
    case = {"profile": "hunan", "year": 2026, "person": {"birth_date": "1980-05-01"},
            "history": {"2025": "resident"}, "enrollment": {"paid_on": "2025-11-10"}}
    code, result, _ = run(case, capsys)
    assert code == 0
    assert result["amount_due"] == "420.00"  # the shipped 2026 hunan standard
    assert result["waiting"]["total"] == 0


def test_a_third_province_added_as_a_row_works(capsys):
    hunan = PolicyProfile.objects.get(code="hunan")
    hunan.pk, hunan.code, hunan.name = None, "guangxi", "广西（测试）"
    hunan.late_pays_subsidy = False
    hunan.save()
    case = {"profile": "guangxi", "year": 2026, "person": {"birth_date": "1980-05-01"},
            "history": {"2025": "resident"}, "enrollment": {"paid_on": "2026-03-15"},
            "standards": {"2026": {"individual": 300, "subsidy": 600,
                                   "concentrated_start": "2025-09-01",
                                   "concentrated_end": "2025-12-31",
                                   "catastrophic_cap": 200000}}}
    code, result, _ = run(case, capsys)
    assert code == 0
    assert result["amount_due"] == "300.00"  # late, but this province adds no surcharge


def test_changing_a_stored_parameter_changes_the_answer(capsys):
    PolicyProfile.objects.filter(code="hunan").update(fixed_wait_months=2)
    case = json.loads((CASES[1]).read_text(encoding="utf-8"))  # late, continuous
    _, result, _ = run(case, capsys)
    assert result["waiting"]["fixed"] == 2


def test_not_json_is_one_line_and_exit_2(capsys):
    sys_stdin = sys.stdin
    sys.stdin = io.StringIO("{not json")
    try:
        with pytest.raises(SystemExit) as exc:
            call_command("policy_case", "-")
    finally:
        sys.stdin = sys_stdin
    assert exc.value.code == 2
    assert capsys.readouterr().err.strip().startswith("file:")


def test_bad_input_exits_2_in_a_real_process(tmp_path):
    db = tmp_path / "pc.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}"}
    subprocess.run([sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env,
                   check=True)
    bad = {"profile": "hunan", "year": 2027, "person": {"birth_date": "2027-03-01"},
           "enrollment": {"paid_on": "2027-02-10"}}
    proc = subprocess.run([sys.executable, "manage.py", "policy_case", "-"], cwd=ROOT, env=env,
                          input=json.dumps(bad), capture_output=True, text=True)
    assert proc.returncode == 2
    assert proc.stdout == ""
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("enrollment.paid_on:")
    good = json.loads(CASES[0].read_text(encoding="utf-8"))
    proc = subprocess.run([sys.executable, "manage.py", "policy_case", "-"], cwd=ROOT, env=env,
                          input=json.dumps(good), capture_output=True, text=True)
    assert proc.returncode == 0 and json.loads(proc.stdout)["year"] == 2026


def test_a_stored_contribution_tier_serves_a_case_and_is_reported(capsys):
    from benefits.models import ContributionTier, YearStandard

    standard = YearStandard.objects.get(profile__code="hunan", year=2026)
    ContributionTier.objects.create(standard=standard, code="low", name="一档",
                                    individual="300", catastrophic_cap="200000")
    case = {"profile": "hunan", "year": 2026, "person": {"birth_date": "1980-05-01"},
            "history": {"2025": "resident"}, "claims": {"2025": {"fund_paid": 10}},
            "enrollment": {"paid_on": "2025-11-10", "tier": "low"}}
    code, result, _ = run(case, capsys)
    assert code == 0
    assert result["amount_due"] == "300.00" and result["tier"]["code"] == "low"
    assert result["catastrophic"]["effective_cap"] == 200000
    case["enrollment"]["tier"] = "gold"
    code, _, err = run(case, capsys)
    assert code == 2 and err.startswith("enrollment.tier:")


def test_output_gains_the_employee_year_credit(capsys):
    code, result, _ = run(json.loads(CASES[0].read_text(encoding="utf-8")), capsys)
    assert code == 0 and "employee_year_credit" in result
