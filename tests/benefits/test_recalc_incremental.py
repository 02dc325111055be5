"""Incremental recalculation: after a full run, only persons whose inputs changed since the last
run's watermark are recomputed; a full run stays available."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.urls import reverse

from benefits.models import ClaimSummary, PersonYearStatus, RecalcJob
from enrollment.models import Enrollment, Person
from enrollment.services import enrollment_stop
from tests.benefits.claims.test_claims_import import csv_file, upload
from tests.benefits.test_recalc import YEAR, _people, ensure_policies, snapshot

pytestmark = pytest.mark.django_db


@pytest.fixture
def policies(region_tree, settings):
    settings.INPUTS_CHANGED_MARGIN_SECONDS = 0  # one clock in a test
    ensure_policies()


def _run(capsys, **options) -> str:
    capsys.readouterr()
    call_command("recalculate_benefits", year=YEAR, **options)
    return capsys.readouterr().out.strip()


def _stamps() -> dict:
    return dict(PersonYearStatus.objects.filter(year=YEAR).values_list("person_id", "updated_at"))


def test_nothing_changed_recomputes_nobody(policies, make_person, capsys):
    _people(make_person)
    assert _run(capsys).endswith("persons=6 changed=6")
    before, stamps = snapshot(YEAR), _stamps()
    assert _run(capsys).endswith("persons=0 changed=0")
    assert snapshot(YEAR) == before and _stamps() == stamps
    second = RecalcJob.objects.order_by("-pk").first()
    assert second.since == RecalcJob.objects.order_by("pk").first().watermark
    assert second.watermark > second.since


def test_one_enrollment_through_the_door_and_one_claims_import_are_picked_up(
        policies, make_person, capsys, as_user, village_clerk, county_admin):
    people = _people(make_person)
    _run(capsys)
    stamps = _stamps()
    # A clerk stops people[1]'s enrollment (the one door); the claims system reports that the
    # fund paid for people[3] in 2028 (the claims import).
    enrollment = Enrollment.objects.get(person=people[1], year=YEAR)
    enrollment_stop(actor=county_admin, enrollment=enrollment, on=dt.date(YEAR, 1, 1),
                    reason="重复参保")
    client = as_user(village_clerk)
    upload(client, csv_file(f"{people[3].id_number},2028,800,否\n"))
    client.post(reverse("claims_confirm"), {"mode": "all"})
    assert ClaimSummary.objects.filter(person=people[3], year=2028).exists()

    assert _run(capsys).endswith("persons=1 changed=2")  # people[1] has no row to recompute
    assert not PersonYearStatus.objects.filter(person=people[1]).exists()
    after = _stamps()
    assert after[people[3].pk] > stamps[people[3].pk]
    untouched = {pk: at for pk, at in after.items() if pk != people[3].pk}
    assert untouched == {pk: stamps[pk] for pk in untouched}  # nobody else was rewritten


def test_a_change_outside_the_door_needs_the_full_run(policies, make_person, capsys):
    people = _people(make_person)
    _run(capsys)
    # A raw write leaves no marker: the incremental run cannot see it, the full run does.
    ClaimSummary.objects.bulk_create([ClaimSummary(person=people[0], year=2028,
                                                   fund_paid=Decimal("50"))])
    Person.objects.filter(pk=people[0].pk).update(inputs_changed_at=None)
    assert _run(capsys).endswith("persons=0 changed=0")
    assert _run(capsys, full=True).endswith("persons=6 changed=1")
    assert RecalcJob.objects.order_by("-pk").first().since is None


def test_first_run_of_a_year_is_full(policies, make_person, capsys):
    _people(make_person)
    call_command("recalculate_benefits", year=YEAR - 1, stdout=open("/dev/null", "w"))
    job = RecalcJob.objects.get()
    assert job.since is None and job.watermark is not None


def test_the_page_checkbox_asks_for_a_full_run(policies, as_user, county_admin,
                                               django_capture_on_commit_callbacks):
    client = as_user(county_admin)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("recalc_start"), {"year": YEAR, "region": "", "full": "on"})
        client.post(reverse("recalc_start"), {"year": YEAR, "region": ""})
    full, incremental = RecalcJob.objects.order_by("pk")
    assert full.full and full.since is None
    assert not incremental.full and incremental.since == full.watermark
