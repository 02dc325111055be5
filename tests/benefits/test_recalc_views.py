"""The recalculation pages: who may start a job, who may see it, the progress endpoint."""
from __future__ import annotations

import pytest
from django.urls import reverse

from benefits.models import JobStatus, PersonYearStatus, RecalcJob
from benefits.recalc import services
from tests import factories
from tests.benefits.test_recalc import HUNAN_COUNTY, YEAR, ensure_policies, make_history

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(region_tree):
    ensure_policies()


def test_county_admin_starts_a_job_and_sees_its_progress(
        policies, county_admin, make_person, as_user, django_capture_on_commit_callbacks):
    make_history(make_person, HUNAN_COUNTY, {2028: "resident"})
    client = as_user(county_admin)
    page = client.get(reverse("recalc_start"))
    assert page.status_code == 200 and "发起重算" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("recalc_start"), {"year": YEAR, "region": ""})
    job = RecalcJob.objects.get()
    assert response.status_code == 302 and response.url == reverse("recalc_job", args=[job.pk])
    assert job.region_id == factories.COUNTY and job.requested_by == county_admin
    assert job.status == JobStatus.DONE and PersonYearStatus.objects.count() == 1
    page = client.get(response.url).content.decode()
    assert "progress-bar" in page and "100%" in page
    data = client.get(reverse("recalc_job_json", args=[job.pk])).json()
    assert data["percent"] == 100 and data["persons"] == 1 and data["finished"]


def test_bad_year_is_shown_on_the_field(policies, county_admin, as_user):
    response = as_user(county_admin).post(reverse("recalc_start"), {"year": "26", "region": ""})
    assert response.status_code == 200
    assert "请输入四位年份" in response.content.decode() and not RecalcJob.objects.exists()


def test_region_outside_scope_is_refused(policies, county_admin, as_user):
    response = as_user(county_admin).post(reverse("recalc_start"),
                                          {"year": YEAR, "region": factories.OTHER_COUNTY})
    assert response.status_code == 200 and not RecalcJob.objects.exists()
    assert "选择一个有效的选项" in response.content.decode() or \
        "不在您的管辖范围" in response.content.decode()


@pytest.mark.parametrize("persona", ["village_clerk", "township_officer", "city_leader",
                                     "grid_worker"])
def test_only_county_administrators_start_jobs(policies, persona, request, as_user):
    user = request.getfixturevalue(persona)
    client = as_user(user)
    assert client.get(reverse("recalc_start")).status_code == 403
    assert client.post(reverse("recalc_start"), {"year": YEAR}).status_code == 403
    assert not RecalcJob.objects.exists()


def test_neighbour_cannot_see_a_job_by_url(policies, county_admin, neighbour_clerk, as_user):
    job = services.job_start(actor=county_admin, year=YEAR, enqueue=False)
    client = as_user(neighbour_clerk)
    assert client.get(reverse("recalc_job", args=[job.pk])).status_code == 404
    assert client.get(reverse("recalc_job_json", args=[job.pk])).status_code == 404


def test_other_county_admin_cannot_see_or_resume_a_job(policies, county_admin, as_user):
    other = factories.make_user("other_admin", "county_admin", factories.OTHER_COUNTY)
    job = services.job_start(actor=county_admin, year=YEAR, enqueue=False)
    client = as_user(other)
    assert client.get(reverse("recalc_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("recalc_job_resume", args=[job.pk])).status_code == 404


def test_village_clerk_in_the_county_sees_the_job_but_cannot_resume(
        policies, county_admin, village_clerk, as_user):
    job = services.job_start(actor=county_admin, year=YEAR, enqueue=False)
    client = as_user(village_clerk)
    # The job covers the whole county; a village clerk only sees jobs over regions in scope.
    assert client.get(reverse("recalc_job", args=[job.pk])).status_code == 404
    assert client.post(reverse("recalc_job_resume", args=[job.pk])).status_code == 403


def test_failed_job_can_be_resumed_from_the_page(
        policies, county_admin, make_person, as_user, monkeypatch,
        django_capture_on_commit_callbacks):
    make_history(make_person, HUNAN_COUNTY, {2028: "resident"})

    def boom(chunk):
        raise RuntimeError("数据库连接中断")

    monkeypatch.setattr(services, "_fault_point", boom)
    client = as_user(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("recalc_start"), {"year": YEAR, "region": ""})
    job = RecalcJob.objects.get()
    assert job.status == JobStatus.FAILED
    page = client.get(reverse("recalc_job", args=[job.pk])).content.decode()
    assert "继续（重做未完成的分片）" in page and "数据库连接中断" in page
    monkeypatch.setattr(services, "_fault_point", lambda chunk: None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("recalc_job_resume", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == JobStatus.DONE and job.persons == 1


def test_the_new_year_run_is_followed_by_county_admins_with_their_own_chunks_only(
        policies, county_admin, make_person, as_user, neighbour_clerk):
    from django.core.management import call_command

    from tests.benefits.test_recalc import SHANXI_COUNTY

    make_history(make_person, HUNAN_COUNTY, {2028: "resident"})
    make_history(make_person, SHANXI_COUNTY, {2028: "resident"})
    call_command("recalculate_benefits", year=YEAR, stdout=open("/dev/null", "w"))
    job = RecalcJob.objects.get()
    page = as_user(county_admin).get(reverse("recalc_job", args=[job.pk])).content.decode()
    assert "长沙县" in page and "浏阳市" not in page  # the other county's chunk is not listed
    assert as_user(neighbour_clerk).get(reverse("recalc_job", args=[job.pk])).status_code == 404
