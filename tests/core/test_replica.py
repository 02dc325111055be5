"""The read replica (core/replica.py): the dashboards and exports that opt in read from the
`replica` alias on GET; writes, reads inside a transaction, the accounts' tables and every
other page stay on the primary. The routed tests need DATABASE_REPLICA_URL; the last test runs
them with the primary standing in as its own replica (the alias mirrors the test database)."""
from __future__ import annotations

import datetime as dt
import importlib
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import connections
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve

from core import replica
from enrollment.models import Enrollment, Person, User
from tests import factories as f

ROOT = Path(settings.BASE_DIR)
routed = pytest.mark.skipif(not replica.configured(), reason="needs DATABASE_REPLICA_URL")
READ_ONLY_PAGES = ["/dashboards/", "/dashboards/print/", "/dashboards/export.xlsx",
                   "/dashboards/people/", "/dashboards/people/export.xlsx",
                   "/dashboards/people/print/", "/dashboards/evaluation/",
                   "/dashboards/evaluation/export.xlsx", "/outreach/export/",
                   "/outreach/radar/export.xlsx"]


@pytest.fixture
def with_replica(monkeypatch):
    monkeypatch.setattr(replica, "configured", lambda: True)


def test_reads_go_to_the_replica_only_inside_an_opted_in_block(with_replica):
    router = replica.ReplicaRouter()
    assert router.db_for_read(Person) == "default"
    with replica.using_replica():
        assert router.db_for_read(Person) == "replica"
        assert router.db_for_read(Enrollment) == "replica"
        # Read back at once after a login or a password change: always the primary.
        assert router.db_for_read(Session) == "default"
        assert router.db_for_read(User) == "default"
        assert router.db_for_write(Person) == "default"
    assert router.db_for_read(Person) == "default"
    assert router.allow_migrate("replica", "enrollment") is False
    assert router.allow_migrate("default", "enrollment") is None


def test_without_a_replica_url_nothing_is_routed(monkeypatch):
    monkeypatch.setattr(replica, "configured", lambda: False)
    with replica.using_replica():
        assert replica.ReplicaRouter().db_for_read(Person) == "default"
    assert ("replica" in settings.DATABASES) == bool(os.environ.get("DATABASE_REPLICA_URL"))


def test_a_transaction_on_the_primary_reads_its_own_writes(with_replica, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    with replica.using_replica():
        assert replica.ReplicaRouter().db_for_read(Person) == "default"


def test_only_get_and_head_of_an_opted_in_page_use_the_replica():
    seen = []

    @replica.replica_reads
    def page(request):
        seen.append(replica._active.get())
        return None

    factory = RequestFactory()
    page(factory.get("/dashboards/"))
    page(factory.head("/dashboards/"))
    page(factory.post("/dashboards/"))
    assert seen == [True, True, False]
    assert replica._active.get() is False


def test_the_dashboards_and_exports_opt_in_and_the_refresh_does_not():
    for path in READ_ONLY_PAGES:
        assert getattr(resolve(path).func, "reads_from_replica", False), path
    for path in ["/dashboards/refresh/", "/persons/", "/outreach/"]:
        assert not getattr(resolve(path).func, "reads_from_replica", False), path


def _tables(queries) -> str:
    return " ".join(q["sql"] for q in queries.captured_queries)


@pytest.fixture
def clear_audit_after(transactional_db):
    """The flush after a committing test deletes row by row on SQLite, which the audit table's
    append-only trigger refuses (as in tests/faults/conftest.py)."""
    yield
    if connections["default"].vendor != "sqlite":
        return
    guards = importlib.import_module(
        "enrollment.migrations.0002_audit_append_only_and_duty_roles")
    with connections["default"].cursor() as cursor:
        for sql in guards.SQLITE_UNGUARD:
            cursor.execute(sql)
        cursor.execute("DELETE FROM enrollment_auditentry")
        for sql in guards.SQLITE_GUARD:
            cursor.execute(sql)


@routed
@pytest.mark.django_db(transaction=True, serialized_rollback=True,
                       databases=["default", "replica"])
def test_replica_alias_serves_the_dashboard_and_writes_stay_on_the_primary(
        clear_audit_after, city_leader, village_clerk, make_person, client):
    from dashboards import rollups

    person = make_person()
    Enrollment.objects.create(person=person, year=2026, scheme="resident", status="active",
                              pooling_region_id=f.COUNTY, paid_on=dt.date(2025, 10, 8))
    rollups.refresh(years=[2026], today=dt.date(2026, 11, 23))
    client.force_login(city_leader)
    with CaptureQueriesContext(connections["default"]) as primary, \
            CaptureQueriesContext(connections["replica"]) as copy:
        response = client.get("/dashboards/", {"year": 2026})
    assert response.status_code == 200
    assert "dashboards_coveragerollup" in _tables(copy)
    assert "dashboards_coveragerollup" not in _tables(primary)
    assert "django_session" in _tables(primary) and "django_session" not in _tables(copy)

    client.force_login(village_clerk)  # another page, and a write: the primary only
    with CaptureQueriesContext(connections["replica"]) as copy:
        assert client.get(f"/persons/{person.pk}/").status_code == 200
        with replica.using_replica():
            make_person(name="李四")
    assert copy.captured_queries == []
    assert Person.objects.using("default").filter(name="李四").exists()


@pytest.mark.slow
def test_routed_tests_pass_with_the_primary_as_its_own_replica(tmp_path):
    url = os.environ.get("DATABASE_URL") or f"sqlite:///{tmp_path / 'primary.sqlite3'}"
    if url.startswith("postgres"):
        url += "_replica_check"  # its own test database, beside the one this run uses
    env = {**os.environ, "DATABASE_URL": url, "DATABASE_REPLICA_URL": url}
    env.pop("REDIS_URL", None)
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/core/test_replica.py", "-k", "replica_alias",
         "-p", "no:cacheprovider", "--create-db", "-rs"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0 and "1 passed" in result.stdout, result.stdout[-3000:]
