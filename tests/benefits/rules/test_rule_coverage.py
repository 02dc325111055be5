"""Every rule id of RULES.md is implemented (named in a docstring of benefits/rules) and tested
(named in a test file or in the expected `rules` of a case file)."""

import json
import re
from pathlib import Path

import benefits.rules

# Copied from shared/policy/RULES.md so that the check works where ../shared is absent (CI).
RULE_IDS = frozenset(
    """
    R-EMP-NEUTRAL R-CONT-RESET
    R-DUE-ONTIME R-DUE-LATE R-DUE-HARDSHIP R-DUE-REPAIR
    R-WAIT-FIXED R-WAIT-VARIABLE R-WAIT-REPAIR R-WAIT-FLOOR R-WAIT-DATES
    R-CAT-CONT R-CAT-ZERO R-CAT-ZERO-RESET R-CAT-LIMIT R-CAT-GAP-PENALTY
    R-NB-90 R-NB-OCT R-NB-LATE R-NB-FREE R-NB-NEXT R-WELFARE
    R-STU-HN R-STU-TERM R-STU-SX R-STU-ONCE R-EMP-3M R-EXIT-3M R-EMP-CONVERT
    R-ID R-ONE-ENROLLMENT R-AUTO-STOP R-RELATIVES
    """.split()
)
RULE_ID = re.compile(r"\bR-[A-Z0-9]+(?:-[A-Z0-9]+)*")
HERE = Path(__file__).resolve().parent
CASES_DIR = HERE.parent / "cases"
RULES_MD = Path("/work/shared/policy/RULES.md")
ENGINE_DIR = Path(benefits.rules.__file__).resolve().parent


def test_rule_id_list_matches_rules_md_when_it_is_available():
    if not RULES_MD.exists():
        return
    assert set(RULE_ID.findall(RULES_MD.read_text(encoding="utf-8"))) == RULE_IDS


def test_every_rule_id_is_tested():
    seen = set()
    for path in HERE.glob("test_*.py"):
        if path.name != Path(__file__).name:
            seen |= set(RULE_ID.findall(path.read_text(encoding="utf-8")))
    for path in CASES_DIR.glob("*.json"):
        case = json.loads(path.read_text(encoding="utf-8"))
        seen |= set(case.get("expect", {}).get("rules", []))
    assert sorted(RULE_IDS - seen) == []


def test_every_rule_id_is_implemented_by_a_tagged_function():
    tagged = set()
    for path in ENGINE_DIR.glob("*.py"):
        for block in re.findall(r'"""(.*?)"""', path.read_text(encoding="utf-8"), re.S):
            if "Implements" in block:
                tagged |= set(RULE_ID.findall(block))
    assert sorted(RULE_IDS - tagged) == []
