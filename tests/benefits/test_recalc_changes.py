"""What a recalculation changed: per-person before → after rows written with the chunk, the
counts on the job page, the list and its Excel export, scoped like the job's chunks."""
from __future__ import annotations

import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse

from benefits.models import ClaimSummary, PersonYearStatus, RecalcChange, RecalcJob
from benefits.recalc import changes
from enrollment.models import Enrollment, EnrollmentStatus
from tests.benefits.test_recalc import (
    HUNAN_COUNTY,
    SHANXI_COUNTY,
    YEAR,
    add_year,
    ensure_policies,
    make_history,
)

pytestmark = pytest.mark.django_db

STEADY = {2025: "resident", 2026: "resident", 2027: "resident", 2028: "resident"}


@pytest.fixture
def policies(region_tree):
    ensure_policies()


def _run() -> RecalcJob:
    call_command("recalculate_benefits", year=YEAR, full=True, stdout=io.StringIO())
    return RecalcJob.objects.order_by("-pk").first()


@pytest.fixture
def changed_job(policies, make_person):
    """Four hunan persons and one shanxi person; after the first run one loses a zero-claim
    year, one's enrollment is stopped, one gains a year of continuity, one stays the same."""
    loses = make_history(make_person, HUNAN_COUNTY, STEADY, claims={2027: (Decimal(0), False)})
    stopped = make_history(make_person, HUNAN_COUNTY, STEADY)
    gains = make_history(make_person, HUNAN_COUNTY,
                         {2025: "resident", 2026: "resident", 2027: "resident"})
    same = make_history(make_person, HUNAN_COUNTY, STEADY)
    far = make_history(make_person, SHANXI_COUNTY, STEADY)
    first = _run()
    ClaimSummary.objects.create(person=loses, year=2028, fund_paid=Decimal("50"))
    Enrollment.objects.filter(person=stopped, year=YEAR).update(status=EnrollmentStatus.STOPPED)
    add_year(gains, 2028, "resident", HUNAN_COUNTY)
    ClaimSummary.objects.create(person=far, year=2028, fund_paid=Decimal("50"))
    job = _run()
    return {"first": first, "job": job, "loses": loses, "stopped": stopped, "gains": gains,
            "same": same, "far": far}


def test_a_first_run_and_an_unchanged_rerun_record_no_changes(policies, make_person):
    make_history(make_person, HUNAN_COUNTY, STEADY)
    first = _run()
    again = _run()
    assert PersonYearStatus.objects.count() == 1
    assert not RecalcChange.objects.filter(job__in=[first, again]).exists()


def test_each_changed_person_is_recorded_before_and_after(changed_job):
    rows = {c.person_id: c for c in RecalcChange.objects.filter(job=changed_job["job"])}
    assert set(rows) == {changed_job[k].pk for k in ("loses", "stopped", "gains", "far")}
    loses = rows[changed_job["loses"].pk]
    assert loses.credit_after < loses.credit_before and loses.lost and not loses.gained
    assert loses.bonus_after == loses.bonus_before
    stopped = rows[changed_job["stopped"].pk]
    assert stopped.bonus_before > 0 and stopped.bonus_after is None and stopped.lost
    assert "已删除" in changes.describe(stopped)
    gains = rows[changed_job["gains"].pk]
    assert gains.bonus_after > gains.bonus_before and gains.gained
    assert f"连续参保激励{gains.bonus_before:.0f}元→{gains.bonus_after:.0f}元" in \
        changes.describe(gains)


def test_a_failed_chunk_leaves_no_change_rows(changed_job, monkeypatch):
    from benefits.recalc import services

    ClaimSummary.objects.create(person=changed_job["same"], year=2026, fund_paid=Decimal("9"))

    def boom(chunk):
        raise RuntimeError("断电")

    monkeypatch.setattr(services, "_fault_point", boom)
    with pytest.raises(Exception):  # the command reports the failed chunks
        _run()
    job = RecalcJob.objects.order_by("-pk").first()
    assert job.chunks_failed and not RecalcChange.objects.filter(job=job).exists()


def test_county_admin_reads_the_counts_and_the_list_of_their_county(changed_job, county_admin,
                                                                    as_user):
    client = as_user(county_admin)
    job = changed_job["job"]
    page = client.get(reverse("recalc_job", args=[job.pk])).content.decode()
    # In the county: one gained (continuity), two lost (zero-claim year, stopped); the shanxi
    # person is another county's.
    assert counts_shown(page) == {"gained": "1人", "lost": "2人"}
    assert "查看变化名单（3人）" in page
    listing = client.get(reverse("recalc_changes", args=[job.pk]) + "?kind=lost")
    text = listing.content.decode()
    assert changed_job["loses"].masked_id in text and changed_job["stopped"].masked_id in text
    assert changed_job["gains"].masked_id not in text and changed_job["far"].masked_id not in text
    assert "零报销激励" in text and "→" in text


def counts_shown(page: str) -> dict:
    found = {}
    for key in ("gained", "lost"):
        start = page.index(f'id="change-{key}">') + len(f'id="change-{key}">')
        found[key] = page[start:page.index("<", start)]
    return found


def test_the_change_list_exports_to_excel_in_scope(changed_job, county_admin, as_user):
    job = changed_job["job"]
    response = as_user(county_admin).get(reverse("recalc_changes_export", args=[job.pk]))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header_at = next(i for i, row in enumerate(values) if row[0] == "姓名")
    body = [row for row in values[header_at + 1:] if row[0]]
    ids = {row[1] for row in body}
    assert changed_job["far"].masked_id not in ids
    assert {changed_job[k].masked_id for k in ("loses", "stopped", "gains")} <= ids


def test_a_list_of_another_county_job_is_not_found(changed_job, county_admin, as_user):
    other = RecalcJob.objects.create(year=YEAR, region_id=SHANXI_COUNTY)
    client = as_user(county_admin)
    assert client.get(reverse("recalc_changes", args=[other.pk])).status_code == 404
    assert client.get(reverse("recalc_changes_export", args=[other.pk])).status_code == 404
