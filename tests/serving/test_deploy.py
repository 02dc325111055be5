"""The production recipe in deploy/ holds together (nginx itself is not installed here)."""
import re
import runpy
from pathlib import Path

import pytest

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"


def test_gunicorn_config_imports_with_threaded_workers_and_timeouts(monkeypatch):
    monkeypatch.delenv("GUNICORN_WORKERS", raising=False)
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert conf["worker_class"] == "gthread"
    assert conf["workers"] >= 2 and conf["threads"] >= 2
    assert 0 < conf["timeout"] <= 120 and conf["graceful_timeout"] > 0
    assert conf["wsgi_app"] == "config.wsgi:application"
    assert conf["bind"].startswith("127.0.0.1:")


def _nginx():
    return (DEPLOY / "nginx/canbao.conf").read_text() + (DEPLOY / "nginx/canbao-proxy.conf").read_text()


@pytest.mark.parametrize("directive, limit", [
    ("client_header_timeout", 30), ("client_body_timeout", 30),
])
def test_nginx_cuts_off_slow_clients(directive, limit):
    seconds = re.search(rf"^\s*{directive}\s+(\d+)s;", _nginx(), re.M)
    assert seconds and int(seconds.group(1)) <= limit


def test_nginx_buffers_limits_body_size_sets_forwarded_for_and_serves_static():
    conf = _nginx()
    assert re.search(r"^\s*client_max_body_size\s+\d+m;", conf, re.M)
    assert re.search(r"^\s*proxy_buffering on;", conf, re.M)
    assert re.search(r"^\s*proxy_set_header X-Forwarded-For \$remote_addr;", conf, re.M)
    assert re.search(r"^\s*ssl_protocols TLSv1\.2 TLSv1\.3;", conf, re.M)
    assert "staticfiles/" in conf


@pytest.mark.parametrize("unit, command", [
    ("canbao-web.service", "gunicorn --config deploy/gunicorn.conf.py"),
    ("canbao-worker.service", "celery -A config worker"),
    ("canbao-beat.service", "celery -A config beat"),
    ("canbao-backup.service", "deploy/backup.sh"),
])
def test_systemd_units_start_the_right_process(unit, command):
    text = (DEPLOY / "systemd" / unit).read_text()
    assert "EnvironmentFile=/etc/canbao/env" in text
    assert command in text
