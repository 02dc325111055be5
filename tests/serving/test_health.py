"""/healthz: database, cache, broker (with Redis) and the worker heartbeat."""
import json
import time
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import OperationalError
from health_check.exceptions import ServiceUnavailable

from config.celery import HEARTBEAT_KEY, app, worker_heartbeat
from config.health import HealthView, WorkerHeartbeat

# serialized_rollback: the flush after a transactional test must not take the shipped
# policy profiles (a data migration) away from the tests that run after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_healthz_answers_200_without_login_when_database_and_cache_are_up(client):
    response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    results = json.loads(response.content)
    assert set(results.values()) == {"OK"}
    assert any(name.startswith("Database") for name in results)
    assert any(name.startswith("Cache") for name in results)
    assert any(name.startswith("WorkerHeartbeat") for name in results)


def test_healthz_html_is_chinese(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert "系统状态" in response.content.decode()


def test_healthz_answers_503_when_the_database_is_down(client):
    broken = mock.MagicMock()
    broken.temporary_connection.side_effect = OperationalError("connection refused")
    with mock.patch("health_check.checks.connections", {"default": broken}):
        response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 503
    results = json.loads(response.content)
    assert [name for name, status in results.items() if status != "OK"] == [
        "Database(alias='default')"]


def test_healthz_answers_503_when_the_cache_is_down(client):
    from django.core.cache import caches

    with mock.patch.object(type(caches["default"]), "get", side_effect=ConnectionError("down")):
        response = client.get("/healthz", HTTP_ACCEPT="application/json")
    assert response.status_code == 503


def test_the_broker_is_checked_only_when_redis_is_configured(settings):
    settings.REDIS_URL = ""
    assert [type(c).__name__ for c in HealthView().get_checks()] == [
        "Database", "Cache", "WorkerHeartbeat"]
    settings.REDIS_URL = settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/11"
    assert [type(c).__name__ for c in HealthView().get_checks()] == [
        "Database", "Cache", "Redis", "WorkerHeartbeat"]


@pytest.fixture
def real_worker_mode():
    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    cache.delete(HEARTBEAT_KEY)
    yield
    app.conf.task_always_eager = previous
    cache.delete(HEARTBEAT_KEY)


def test_heartbeat_passes_when_tasks_run_inline():
    assert app.conf.task_always_eager
    cache.delete(HEARTBEAT_KEY)
    WorkerHeartbeat().run()


def test_heartbeat_fails_when_no_worker_ever_ran_it(real_worker_mode):
    with pytest.raises(ServiceUnavailable, match="心跳"):
        WorkerHeartbeat().run()


def test_heartbeat_fails_when_stale_and_passes_when_fresh(real_worker_mode, settings):
    cache.set(HEARTBEAT_KEY, time.time() - settings.HEALTHZ_HEARTBEAT_MAX_AGE - 60)
    with pytest.raises(ServiceUnavailable, match="秒未更新"):
        WorkerHeartbeat().run()
    worker_heartbeat()
    WorkerHeartbeat().run()


def test_the_heartbeat_task_is_on_the_beat_schedule():
    app.finalize(auto=True)
    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert "canbao.worker_heartbeat" in tasks
