"""Settings refuse to run production with the development secret key."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _check(**variables):
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SECRET_KEY"}
    env.update(variables)
    env = {k: v for k, v in env.items() if v is not None}  # None: the variable is unset
    return subprocess.run([sys.executable, "manage.py", "check"], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_check_fails_with_debug_off_and_no_secret_key_naming_the_variable():
    result = _check(DJANGO_DEBUG="false", DJANGO_ALLOWED_HOSTS="canbao.example.gov.cn")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


def test_check_fails_with_debug_off_and_the_committed_development_key():
    from config.settings import DEV_SECRET_KEY

    result = _check(DJANGO_DEBUG="false", DJANGO_SECRET_KEY=DEV_SECRET_KEY)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr


@pytest.mark.parametrize("debug", ["true", None])
def test_development_still_starts_without_a_secret_key(debug):
    result = _check(DJANGO_DEBUG=debug)
    assert result.returncode == 0, result.stderr
