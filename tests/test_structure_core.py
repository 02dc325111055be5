"""The layout keeps its promises: one module builds Excel/CSV files (core/exports.py), one reads
uploads (core/uploads.py), one template draws pagination and one a job's progress, and `core`
imports no project app. A new hand-built export or reader fails here with its file name."""
from __future__ import annotations

import ast
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIPPED_DIRS = {"tests", "bench", "migrations", "node_modules", ".venv", "static", "var",
                "staticfiles", "__pycache__", ".git"}
EXPORTS = "core/exports.py"
UPLOADS = "core/uploads.py"

BUILDERS = re.compile(r"Workbook\(|spreadsheetml|csv\.writer\(|csv\.DictWriter\(")
READERS = re.compile(r"load_workbook|csv\.reader\(|csv\.DictReader\(|import_set\(|"
                     r"Dataset\(\)\.load\(|\.load\([^)]*format=")


def product_files():
    for path in sorted(ROOT.rglob("*.py")):
        rel = path.relative_to(ROOT)
        if SKIPPED_DIRS & set(rel.parts[:-1]) or rel.name == "demo.py":
            continue
        yield rel.as_posix(), path.read_text(encoding="utf-8")


def offenders(pattern: re.Pattern, allowed: str) -> list[str]:
    return [f"{rel}: {m.group(0)}" for rel, text in product_files() if rel != allowed
            for m in pattern.finditer(text)]


def test_exactly_one_module_builds_excel_and_csv_files():
    assert offenders(BUILDERS, EXPORTS) == []
    assert BUILDERS.search((ROOT / EXPORTS).read_text(encoding="utf-8"))


def test_exactly_one_upload_reader():
    assert offenders(READERS, UPLOADS) == []
    assert READERS.search((ROOT / UPLOADS).read_text(encoding="utf-8"))


def _project_apps() -> set[str]:
    return {app.split(".")[0] for app in settings.INSTALLED_APPS
            if (ROOT / app.split(".")[0]).is_dir()} | {"config", "tests", "bench"}


def test_core_imports_no_project_app():
    forbidden = _project_apps() - {"core"}
    found = []
    for path in sorted((ROOT / "core").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import) else
                     [node.module or ""] if isinstance(node, ast.ImportFrom) and not node.level
                     else [])
            found += [f"{path.relative_to(ROOT)}: {n}" for n in names
                      if n.split(".")[0] in forbidden]
    assert forbidden >= {"enrollment", "benefits", "outreach", "dashboards"}
    assert found == []


def _templates_with(marker: str) -> list[str]:
    return sorted(p.relative_to(ROOT / "templates").as_posix()
                  for p in (ROOT / "templates").rglob("*.html")
                  if marker in p.read_text(encoding="utf-8"))


def test_one_pagination_and_one_progress_bar_template():
    assert _templates_with('class="pagination"') == ["partials/pagination.html"]
    assert _templates_with('class="progress-bar') == ["partials/job_progress.html"]
