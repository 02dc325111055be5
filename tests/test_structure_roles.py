"""Nothing but enrollment/scope.py compares a user's role.

Who may do what is decided once, by the capability functions of `enrollment/scope.py`; views,
services, forms, selectors, admin and templates (through `caps`, the context processor) ask
them. A role compared anywhere else is a second answer to the same question, and the two drift
apart (the navigation offered tabs whose pages refused the user). This test reads the product
code and fails on:

- Python: a comparison (`==`, `!=`, `in`, `not in`, `is`) with a `role` name or `.role`
  attribute on either side, and a queryset filter on the role (`role=…`, `role__in=…` in
  `filter()`, `exclude()`, `get()` or `Q()`);
- templates: `role` compared inside a `{% … %}` tag.

Tests, migrations, benchmarks and demo/seed data (which create users with roles) are left out.
"""
from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = {"enrollment/scope.py"}
SKIP_DIRS = {".venv", "node_modules", "static", "tests", "migrations", "bench", "var", ".git",
             "__pycache__"}
SKIP_NAMES = {"demo.py", "seed_demo.py"}
FILTER_CALLS = {"filter", "exclude", "get", "Q"}


def _python_files(root: Path):
    for path in sorted(root.rglob("*.py")):
        rel = path.relative_to(root)
        if set(rel.parts[:-1]) & SKIP_DIRS or path.name in SKIP_NAMES:
            continue
        if rel.as_posix() not in ALLOWED:
            yield rel, path


def _mentions_role(node: ast.AST) -> bool:
    return (isinstance(node, ast.Attribute) and node.attr == "role") or (
        isinstance(node, ast.Name) and node.id == "role")


def _is_role_filter(node: ast.Call) -> bool:
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in FILTER_CALLS and any(
        kw.arg and (kw.arg == "role" or kw.arg.startswith("role__")) for kw in node.keywords)


def role_checks_in_python(root: Path = ROOT) -> list[str]:
    found = []
    for rel, path in _python_files(root):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(rel))
        for node in ast.walk(tree):
            if isinstance(node, ast.Compare) and any(
                    _mentions_role(side) for side in [node.left, *node.comparators]):
                found.append(f"{rel}:{node.lineno} compares a role")
            elif isinstance(node, ast.Call) and _is_role_filter(node):
                found.append(f"{rel}:{node.lineno} filters on a role")
    return sorted(found, key=lambda f: (f.split(":")[0], int(f.split(":")[1].split(" ")[0])))


_TAG = re.compile(r"{%.*?%}", re.S)
_COMPARE = re.compile(
    r"(\brole\s*(==|!=|\bnot\s+in\b|\bin\b))|((==|!=|\bin\b)\s*[\w.]*\.role\b)")


def role_checks_in_templates(root: Path = ROOT) -> list[str]:
    found = []
    for path in sorted((root / "templates").rglob("*.html")) + sorted(
            root.glob("*/templates/**/*.html")):
        text = path.read_text(encoding="utf-8")
        for tag in _TAG.finditer(text):
            if _COMPARE.search(tag.group(0)):
                line = text.count("\n", 0, tag.start()) + 1
                found.append(f"{path.relative_to(root)}:{line} compares a role: {tag.group(0)}")
    return found


def test_no_python_outside_scope_compares_a_role():
    assert role_checks_in_python() == [], "ask a capability function of enrollment/scope.py"


def test_no_template_compares_a_role():
    assert role_checks_in_templates() == [], "ask caps.<capability> (enrollment/scope.py)"


def test_the_checks_see_what_they_look_for(tmp_path):
    """The scanners themselves: each form of role test is found, the harmless ones are not."""
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "views.py").write_text(
        "def f(user, role):\n"
        "    a = user.role == Role.GRID_WORKER\n"
        "    b = Role.COUNTY_ADMIN != user.role\n"
        "    c = user.role in (Role.COUNTY_ADMIN,)\n"
        "    d = role not in ROLES\n"
        "    e = User.objects.filter(role=Role.GRID_WORKER)\n"
        "    g = Q(role__in=ROLES)\n"
        "    ok = User(role=role), user.get_role_display(), ['role']\n", encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(
        '{% if user.role == "grid_worker" %}x{% endif %}\n'
        '{% if "county_admin" == user.role %}x{% endif %}\n'
        '<div role="navigation">{% if caps.can_push %}{{ user.get_role_display }}{% endif %}</div>\n',
        encoding="utf-8")
    assert [f.split(" ", 1)[0] for f in role_checks_in_python(tmp_path)] == [
        f"app/views.py:{n}" for n in (2, 3, 4, 5, 6, 7)]
    assert [f.split(" ", 1)[0] for f in role_checks_in_templates(tmp_path)] == [
        "templates/page.html:1", "templates/page.html:2"]
