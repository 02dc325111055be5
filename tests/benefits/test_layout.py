"""The layout of the benefits app: packages that name what they import, short modules that say
what they hold, and dependencies that point only down to enrollment.

Checked from the source with `ast`, so a newcomer's shortcut (a star import, an import tacked on at
the end of a module, an import of outreach) fails here instead of in a reviewer's head. The pure
engine (`benefits/rules/`) and the migrations are left out: they have their own rules.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "benefits"
MAX_LINES = 450


def _modules() -> list[Path]:
    return sorted(p for p in APP.rglob("*.py")
                  if not {"rules", "migrations"} & set(p.relative_to(APP).parts))


MODULES = _modules()
IDS = [str(p.relative_to(ROOT)) for p in MODULES]


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"), filename=str(path))


def _imported(tree: ast.Module) -> set[str]:
    """Every module named by an import anywhere in the file, lazy imports in functions included:
    they are dependencies all the same."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_benefits_builds_on_enrollment_only(path):
    upward = {m for m in _imported(_tree(path)) if m.split(".")[0] in ("outreach", "dashboards")}
    assert not upward, f"{path.name} imports {sorted(upward)}"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_no_star_or_tail_imports(path):
    tree = _tree(path)
    body = tree.body[1:] if ast.get_docstring(tree) else tree.body
    seen_code = False
    for node in body:
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            assert not any(alias.name == "*" for alias in node.names), \
                f"{path.name}:{node.lineno} star import"
            assert not seen_code, f"{path.name}:{node.lineno} import after the module's code"
        else:
            seen_code = True
    assert "# noqa" not in path.read_text(encoding="utf-8"), f"{path.name} hides a warning"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_modules_are_short_and_say_what_they_hold(path):
    text = path.read_text(encoding="utf-8")
    assert len(text.splitlines()) <= MAX_LINES, f"{path.name} is over {MAX_LINES} lines"
    if text.strip():
        assert ast.get_docstring(_tree(path)), f"{path.name} has no module docstring"


@pytest.mark.parametrize("path", MODULES, ids=IDS)
def test_comments_say_why_not_which_ticket(path):
    found = re.search(r"\bissue\s*#?\d+", path.read_text(encoding="utf-8"), re.IGNORECASE)
    assert found is None, f"{path.name} points to a tracker issue: {found.group(0)!r}"


@pytest.mark.parametrize("package", ["models", "views", "forms", "admin"])
def test_layers_are_packages(package):
    assert (APP / package / "__init__.py").is_file()
    assert not (APP / f"{package}.py").exists()
    assert not (APP / f"{package}_recalc.py").exists()


def test_models_keep_their_app_and_tables():
    tables = {m.__name__: m._meta.db_table for m in apps.get_app_config("benefits").get_models()}
    assert {name: tables.get(name) for name in (
        "PolicyProfile", "YearStandard", "PoolingRegionProfile", "ClaimSummary",
        "PersonYearStatus", "RecalcJob", "RecalcChunk")} == {
        "PolicyProfile": "benefits_policyprofile", "YearStandard": "benefits_yearstandard",
        "PoolingRegionProfile": "benefits_poolingregionprofile",
        "ClaimSummary": "benefits_claimsummary", "PersonYearStatus": "benefits_personyearstatus",
        "RecalcJob": "benefits_recalcjob", "RecalcChunk": "benefits_recalcchunk"}
