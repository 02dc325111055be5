"""Redis (cache and broker) unreachable: pages that write still save, and pages that start a
job mark it failed with a Chinese message within seconds instead of a 500 after ~20 s.

Redis is pointed at a port nobody listens on, and tasks are sent for real (not inline), so
the broker path is the one production takes. Runs on the embedded defaults and in CI."""
from __future__ import annotations

import socket
import time

import pytest
from django.core.cache import cache

from benefits.models import JobStatus, RecalcJob
from core.queue import QUEUE_DOWN
from enrollment.models import Enrollment, Person
from outreach.models import LedgerRun
from tests import factories
from tests.benefits.test_recalc import ensure_policies
from tests.benefits.test_views import newborn_post

pytestmark = pytest.mark.django_db

# The pages that start a job enqueue it after commit: those tests commit for real.
def committing(test):
    return pytest.mark.usefixtures("clear_audit_after")(
        pytest.mark.django_db(transaction=True, serialized_rollback=True)(test))
FAST = 5.0  # seconds a page may take to give up on the broker (it took 19 s)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def redis_down(settings):
    from config.celery import app

    url = f"redis://127.0.0.1:{_closed_port()}/0"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": url,
                                   "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1}}}
    conf = app.conf
    saved = {k: conf[k] for k in ("broker_url", "result_backend", "task_always_eager")}
    conf.broker_url, conf.result_backend, conf.task_always_eager = url, url, False
    app._pool, app.amqp._producer_pool = None, None
    with pytest.raises(Exception):
        cache.get("probe")  # the fixture really took Redis away
    yield url
    for key, value in saved.items():
        conf[key] = value
    app._pool, app.amqp._producer_pool = None, None


def test_recording_a_payment_still_saves(redis_down, as_user, village_clerk, make_person):
    person = make_person()
    started = time.monotonic()
    response = as_user(village_clerk).post(f"/persons/{person.pk}/enroll/", {
        "year": 2027, "scheme": "resident", "paid_on": "2026-11-20", "amount_paid": "400",
        "channel": "individual", "repair_years": 0})
    assert response.status_code == 302, response.context["form"].errors
    assert Enrollment.objects.filter(person=person, year=2027).exists()
    assert time.monotonic() - started < FAST


def test_registering_a_newborn_still_saves(redis_down, as_user, village_clerk):
    response = as_user(village_clerk).post("/benefits/newborn/", newborn_post())
    assert response.status_code == 302
    assert Person.objects.get(birth_cert_number="R430000123").enrollments.exists()


def test_registering_a_person_still_saves(redis_down, as_user, village_clerk):
    from tests.enrollment.test_views import VALID_ID, registration

    response = as_user(village_clerk).post("/persons/new/", registration())
    assert response.status_code == 302
    assert Person.objects.filter(id_number=VALID_ID).exists()


def test_batch_collection_still_saves(redis_down, as_user, village_clerk, make_person):
    from tests.enrollment.test_batch import PARAMS

    people = [make_person(name=f"代收{i}") for i in range(2)]
    url = "/enrollments/batch/?" + "&".join(f"{k}={v}" for k, v in PARAMS.items())
    response = as_user(village_clerk).post(url, {**PARAMS, "person": [p.pk for p in people]})
    assert response.status_code == 302
    assert Enrollment.objects.filter(person__in=people).count() == 2


@committing
def test_a_feed_import_is_marked_failed_and_can_be_retried(redis_down, as_user, township_officer,
                                                          make_person, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from enrollment.models import FeedImport

    settings.UPLOAD_STAGING_DIR = tmp_path / "staged"
    person = make_person(name="王老汉")
    client = as_user(township_officer)
    content = f"证件号码,姓名,注销类型,注销日期\n{person.id_number},王老汉,死亡,2026-03-02\n"
    client.post("/exchange/deregistrations/", {
        "file": SimpleUploadedFile("注销.csv", content.encode())})
    imp = FeedImport.objects.get()
    started = time.monotonic()
    response = client.post(f"/exchange/imports/{imp.pk}/confirm/", {"mode": "all"},
                           follow=True)
    assert time.monotonic() - started < FAST
    imp.refresh_from_db()
    assert imp.status == "failed" and imp.error == QUEUE_DOWN
    html = response.content.decode()
    assert QUEUE_DOWN in html and "重试" in html
    assert Person.objects.get(pk=person.pk).life_status == "alive"


@committing
def test_a_recalculation_is_marked_failed_and_can_be_resumed(redis_down, as_user,
                                                             county_admin, settings):
    ensure_policies()
    client = as_user(county_admin)
    started = time.monotonic()
    response = client.post("/benefits/recalc/", {"year": 2026, "region": ""}, follow=True)
    assert time.monotonic() - started < FAST
    job = RecalcJob.objects.get()
    assert job.status == JobStatus.FAILED and job.error == QUEUE_DOWN
    html = response.content.decode()
    assert QUEUE_DOWN in html and "继续" in html

    # Redis is back: 继续 finishes the same job.
    from config.celery import app

    app.conf.task_always_eager = True
    client.post(f"/benefits/recalc/jobs/{job.pk}/resume/")
    job.refresh_from_db()
    assert job.status == JobStatus.DONE, job.error


@committing
def test_a_ledger_run_is_marked_failed_with_a_retry(redis_down, as_user, county_admin):
    client = as_user(county_admin)
    started = time.monotonic()
    response = client.post("/outreach/generate/", {"year": 2026, "region": factories.COUNTY},
                           follow=True)
    assert time.monotonic() - started < FAST
    run = LedgerRun.objects.get()
    assert run.status == LedgerRun.Status.FAILED and run.error == QUEUE_DOWN
    html = response.content.decode()
    assert QUEUE_DOWN in html and "重试" in html


@committing
def test_a_dashboard_refresh_says_the_queue_is_down(redis_down, as_user, county_admin):
    started = time.monotonic()
    response = as_user(county_admin).post("/dashboards/refresh/", follow=True)
    assert time.monotonic() - started < FAST
    assert response.status_code == 200
    assert QUEUE_DOWN in response.content.decode()
