"""The real-browser tests run in CI: CI and `make test` install Chromium where it is missing,
and a missing browser fails the walks instead of skipping them (unless a developer asks)."""
from pathlib import Path

import pytest

from tests.browser import conftest as browser

ROOT = Path(__file__).resolve().parent.parent


def test_ci_and_make_test_install_the_browser():
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "apt-get install" in ci and "chromium chromium-driver fonts-noto-cjk" in ci
    assert ci.index("chromium") < ci.index("make test")
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "test: install browser-deps" in makefile
    assert "chromium chromium-driver fonts-noto-cjk" in makefile
    requirements = (ROOT / "requirements.txt").read_text(encoding="utf-8")
    assert "playwright==" in requirements and "pytest-playwright==" in requirements


def test_a_missing_browser_fails_and_only_an_explicit_request_skips(monkeypatch):
    monkeypatch.setattr(browser, "CHROMIUM", Path("/nonexistent/chromium"))
    monkeypatch.delenv("CANBAO_SKIP_BROWSER", raising=False)
    with pytest.raises(pytest.fail.Exception):
        browser._chromium_or_fail()
    monkeypatch.setenv("CANBAO_SKIP_BROWSER", "1")
    with pytest.raises(pytest.skip.Exception):
        browser._chromium_or_fail()
