"""R-TIER in the January recalculation: a person who chose a tier at payment is recalculated with
that tier (amount due, repair price, catastrophic cap), so registration and recalculation agree;
the bulk path and the per-person path give the same rows."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from benefits.models import ContributionTier, PersonYearStatus, YearStandard
from benefits.recalc import naive, services as recalc
from enrollment import services
from tests import factories
from tests.benefits.test_recalc import HUNAN_COUNTY, YEAR, add_year, ensure_policies, snapshot

pytestmark = pytest.mark.django_db

DEFAULT_CAP = Decimal("300000")  # the hunan year's own L(Y) that ensure_policies copies
TIERS = [("low", "一档", 300, 200000), ("high", "二档", 900, 500000)]


@pytest.fixture
def tiered(region_tree):
    ensure_policies()
    for year in (YEAR - 1, YEAR):
        standard = YearStandard.objects.get(profile__code="hunan", year=year)
        assert standard.catastrophic_cap == DEFAULT_CAP
        for code, name, individual, cap in TIERS:
            ContributionTier.objects.create(standard=standard, code=code, name=name,
                                            individual=Decimal(individual),
                                            catastrophic_cap=Decimal(cap))


def _register(clerk, make_person, *, tier: str, history: dict, repair_years: int = 0):
    person = make_person(factories.GRID)
    for year, status in history.items():
        add_year(person, year, status, HUNAN_COUNTY)
    enrollment = services.enrollment_record(
        actor=clerk, person=person, year=YEAR, paid_on=dt.date(YEAR - 1, 11, 1), tier=tier,
        repair_years=repair_years)
    return person, enrollment


def _recalculate():
    call_command("recalculate_benefits", year=YEAR, stdout=open("/dev/null", "w"))


COMPARED = ("amount_due", "subsidy", "repair_due", "effective_cap", "waiting_months",
            "benefit_start", "benefit_end")


def test_recalculation_of_a_tiered_person_gives_the_tiers_cap(tiered, village_clerk,
                                                              make_person, time_machine):
    time_machine.move_to(dt.datetime(YEAR, 1, 1, 0, 30), tick=False)
    continuous = {y: "resident" for y in range(2025, YEAR)}
    high, high_enrollment = _register(village_clerk, make_person, tier="high",
                                      history=continuous)
    plain, plain_enrollment = _register(village_clerk, make_person, tier="",
                                        history=continuous)
    _recalculate()
    row = PersonYearStatus.objects.get(person=high, year=YEAR)
    same_history = PersonYearStatus.objects.get(person=plain, year=YEAR)
    assert row.error == "" and row.amount_due == Decimal("900")
    # Same history, same bonuses: only the base cap differs, the tier's instead of L(Y).
    assert row.effective_cap - same_history.effective_cap == Decimal("500000") - DEFAULT_CAP
    assert "R-TIER" in row.rule_ids
    for name in COMPARED:  # registration and recalculation agree
        assert getattr(row, name) == getattr(high_enrollment, name), name
    assert plain_enrollment.amount_due != high_enrollment.amount_due


def test_recalculated_repair_follows_the_payment_years_tier(tiered, village_clerk, make_person,
                                                           time_machine):
    time_machine.move_to(dt.datetime(YEAR, 1, 1, 0, 30), tick=False)
    person, enrollment = _register(village_clerk, make_person, tier="low", repair_years=1,
                                   history={})  # never enrolled: gap years to repair
    assert enrollment.repair_due > 0 and enrollment.repair_due % Decimal("300") == 0
    _recalculate()
    row = PersonYearStatus.objects.get(person=person, year=YEAR)
    assert row.error == ""
    assert (row.amount_due, row.repair_due, row.effective_cap, row.waiting_months) == (
        enrollment.amount_due, enrollment.repair_due, enrollment.effective_cap,
        enrollment.waiting_months)


def test_bulk_and_per_person_paths_agree_on_tiered_persons(tiered, village_clerk, make_person,
                                                          time_machine):
    time_machine.move_to(dt.datetime(YEAR, 1, 1, 0, 30), tick=False)
    continuous = {y: "resident" for y in range(2025, YEAR)}
    for tier in ("low", "high", "", "high"):
        _register(village_clerk, make_person, tier=tier, history=continuous)
    recalc.recalc_range(year=YEAR, region=HUNAN_COUNTY, id_from=0, id_to=10**12)
    bulk = snapshot(YEAR)
    caps = sorted({row[-1] for row in PersonYearStatus.objects.values_list(
        "person_id", "effective_cap")})
    assert len(caps) == 3  # one per tier, and the year's own: the cache keeps them apart
    PersonYearStatus.objects.all().delete()
    naive.recalc_range(year=YEAR, region=HUNAN_COUNTY, id_from=0, id_to=10**12)
    assert snapshot(YEAR) == bulk
