"""No merge leaves its conflict markers behind: the README once shipped three of them."""
import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
SKIP = {".venv", "node_modules", "vendor", ".git", "var", "media"}
SUFFIXES = {".py", ".md", ".html", ".txt", ".css", ".js", ".json", ".toml", ".ini", ".cfg", ".yml",
            ".conf", ""}
MARKER = re.compile(r"^(<{7} |>{7} |={7}$)", re.M)


def _text_files():
    for path in ROOT.rglob("*"):
        if any(part in SKIP for part in path.relative_to(ROOT).parts):
            continue
        if path.is_file() and path.suffix in SUFFIXES and path.stat().st_size < 2_000_000:
            yield path


def test_no_conflict_markers():
    found = []
    for path in _text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        if MARKER.search(text):
            found.append(str(path.relative_to(ROOT)))
    assert found == [], f"merge conflict markers left in: {found}"
