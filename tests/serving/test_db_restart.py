"""A database restart: the request that meets the dead connection fails with the Chinese 500
page, and the site recovers without a restart of its own. Requests go through the real WSGI
handler (the test client switches off the connection housekeeping that this is about)."""
import io

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.db import connection
from django.test import RequestFactory

pytestmark = [pytest.mark.urls("tests.serving.urls"),
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _get(path):
    environ = RequestFactory().get(path).environ
    environ["wsgi.input"] = io.BytesIO(b"")
    status = {}

    def start_response(line, headers, exc_info=None):
        status["code"] = int(line.split()[0])

    body = b"".join(WSGIHandler()(environ, start_response))
    return status["code"], body.decode()


def _kill_connection():
    """What a database restart does to a pooled connection: the socket is gone underneath a
    connection Django still holds."""
    connection.ensure_connection()
    connection.connection.close()


@pytest.fixture
def persistent(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no server to restart (its is_usable() is always true)")
    # Production keeps connections between requests (CONN_MAX_AGE); the embedded default
    # closes them after each request, which would hide the problem.
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    yield
    connection.close()


def test_connections_are_health_checked(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True


def test_a_request_after_a_database_restart_gets_a_fresh_connection(persistent):
    assert _get("/db/")[0] == 200
    _kill_connection()
    code, body = _get("/db/")
    assert code == 200, body[:300]
    assert body.startswith("users=")


def test_connection_lost_mid_request_fails_cleanly_and_the_next_request_recovers(
        persistent, monkeypatch, settings):
    settings.DEBUG = False
    from enrollment.models import User

    real_count = User.objects.count

    def count_after_restart():
        User.objects.exists()  # the request has used its connection: no health check now
        _kill_connection()
        return real_count()

    monkeypatch.setattr(User.objects, "count", count_after_restart, raising=False)
    code, body = _get("/db/")
    assert code == 500
    assert "系统暂时出错" in body and "Traceback" not in body
    monkeypatch.undo()
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", 60)
    code, body = _get("/db/")
    assert code == 200 and body.startswith("users=")
