"""Every rule id of RULES.md (and the ids of benefits/rules/CHOICES.md) is reached by the product:
engine rules appear in the `rules` (or the refusal) of a case run through the engine entry point
that policy_case, the registration service and the recalculation all use; registry rules are
exercised through the registration service. A tag in a docstring is not enough.

RULES.md is read from the shared folder beside the repository (../shared, as in CI); the test
fails when it is missing rather than passing silently.
"""

import dataclasses
import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from benefits.rules import HUNAN, SHANXI, CaseError, evaluate_case

RULE_ID = re.compile(r"\bR-[A-Z0-9]+(?:-[A-Z0-9]+)*")
HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]
CASES_DIR = HERE.parent / "cases"
RULES_MD = ROOT.parent / "shared" / "policy" / "RULES.md"
CHOICES_MD = ROOT / "benefits" / "rules" / "CHOICES.md"

# Rules of section 6 that the registry, not the engine, applies (the registration service).
REGISTRY_IDS = frozenset({"R-ID", "R-ONE-ENROLLMENT", "R-AUTO-STOP"})
# Our own ids for seed 000's pilots, written down in CHOICES.md.
OWN_IDS = frozenset({"R-TIER", "R-UNEMP", "R-NB-DISCOUNT", "R-CREDIT"})

# A profile with a birth-year discount: the shipped ones charge the full contribution.
DISCOUNT = {"hunan": dataclasses.replace(HUNAN, newborn_birth_year_share=Decimal("0.5")),
            "shanxi": SHANXI}


def rules_md_ids() -> set[str]:
    assert RULES_MD.exists(), f"RULES.md not found at {RULES_MD}: the shared folder must sit beside the repository"
    return set(RULE_ID.findall(RULES_MD.read_text(encoding="utf-8")))


def engine_cases():
    for path in sorted(CASES_DIR.glob("*.json")):
        yield json.loads(path.read_text(encoding="utf-8")), None
    newborn = json.loads((CASES_DIR / "06_hunan_newborn_within_90_days.json").read_text(encoding="utf-8"))
    yield newborn, DISCOUNT


def reached_by_the_engine() -> set[str]:
    reached: set[str] = set()
    for case, profiles in engine_cases():
        try:
            reached |= set(evaluate_case(case, profiles)["rules"])
        except CaseError as exc:
            if exc.rule:
                reached.add(exc.rule)
    return reached


def test_rules_md_is_where_ci_puts_it():
    assert RULES_MD.exists(), f"RULES.md not found at {RULES_MD}"


def test_every_engine_rule_is_reached_through_the_engine_entry_point():
    wanted = (rules_md_ids() - REGISTRY_IDS) | OWN_IDS
    assert sorted(wanted - reached_by_the_engine()) == []


def test_our_own_ids_are_written_down_with_their_choices():
    text = CHOICES_MD.read_text(encoding="utf-8")
    assert sorted(i for i in OWN_IDS if i not in text) == []


def test_the_registry_ids_are_rules_md_ids():
    assert REGISTRY_IDS <= rules_md_ids()


# --- registry rules, through the registration service -----------------------------------------


def test_r_id_is_applied_when_a_person_is_registered():
    from enrollment import idnumbers

    with pytest.raises(idnumbers.IdNumberError):
        idnumbers.parse("110105194912310021")  # wrong check character


@pytest.mark.django_db
def test_r_one_enrollment_and_r_auto_stop_through_the_enrollment_service(village_clerk, make_person):
    from django.core.exceptions import ValidationError

    from enrollment import services

    def enroll(person, **kw):
        defaults = {"year": 2026, "paid_on": dt.date(2025, 10, 8), "amount_paid": Decimal("400"),
                    "channel": "individual"}
        return services.enrollment_record(actor=village_clerk, person=person, **{**defaults, **kw})

    person = make_person()
    resident = enroll(person)
    with pytest.raises(ValidationError):
        enroll(person, paid_on=dt.date(2025, 11, 1))  # R-ONE-ENROLLMENT
    services.enrollment_record(actor=village_clerk, person=person, year=2026, scheme="employee",
                               cover_start=dt.date(2026, 4, 1), channel="employer")
    resident.refresh_from_db()
    assert "R-AUTO-STOP" in resident.stop_reason


def test_every_engine_rule_is_implemented_by_a_tagged_function():
    engine_dir = ROOT / "benefits" / "rules"
    tagged = set()
    for path in engine_dir.glob("*.py"):
        for block in re.findall(r'"""(.*?)"""', path.read_text(encoding="utf-8"), re.S):
            if "Implements" in block:
                tagged |= set(RULE_ID.findall(block))
    assert sorted(((rules_md_ids() - REGISTRY_IDS) | OWN_IDS) - tagged) == []
