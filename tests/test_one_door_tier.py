"""R-TIER (分档缴费) at the registry: the tier chosen at payment reaches the engine through every
door with the same stored determination, an unknown tier is refused on every door with nothing
written, and the choice is offered only where the year's standard has tiers.

The tiers are made here, on the hunan standards the test database ships with (the shipped
profiles have none: CHOICES.md)."""
from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal

import pytest
import tablib
from django.core.management import call_command

from benefits.models import ContributionTier, YearStandard
from enrollment.models import Enrollment, PersonGroup
from enrollment.resources import EnrollmentResource
from tests import factories
from tests.test_one_door import DOORS, STORED, TODAY, Case, _errors, _history, newborn

pytestmark = pytest.mark.django_db

# (code, name, individual, catastrophic cap) per coverage year of the hunan profile.
TIERS = {
    2026: [("low", "一档", 280, 200000), ("high", "二档", 580, 400000)],
    2027: [("low", "一档", 300, 200000), ("high", "二档", 600, 400000)],
}


def add_tiers(years=(2026, 2027)) -> None:
    for year in years:
        standard = YearStandard.objects.get(profile__code="hunan", year=year)
        for code, name, individual, cap in TIERS[year]:
            ContributionTier.objects.get_or_create(standard=standard, code=code, defaults={
                "name": name, "individual": Decimal(individual),
                "catastrophic_cap": Decimal(cap)})


def tiered_on_time():
    add_tiers()
    person = factories.make_person(name="二档")
    _history(person, 2026)
    return person, {"tier": "high"}


def tiered_hardship():
    add_tiers()
    person = factories.make_person(name="低保一档", birth_date=dt.date(1960, 2, 2))
    PersonGroup.objects.create(person=person, group="low_income", start_date=dt.date(2020, 1, 1))
    _history(person, 2026)
    return person, {"tier": "low"}


def tiered_repair():
    """Never enrolled: 2025 and 2026 are gaps; one is repaired at the payment year's tier."""
    add_tiers()
    return factories.make_person(name="补缴一档"), {"tier": "low", "repair_years": 1}


def tiered_newborn():
    add_tiers()
    person, _ = newborn()
    return person, {"tier": "high"}


def _cap(enrollment) -> int:
    return enrollment.determination["tier"]["catastrophic_cap"]


ALL = ["form", "admin", "import", "command"]
CASES = [
    Case("tiered_on_time", 2027, dt.date(2026, 11, 10), tiered_on_time, ALL + ["batch"],
         expect=lambda e, p: e.amount_due == Decimal("600") and _cap(e) == 400000
         and e.effective_cap >= 400000 and "R-TIER" in e.rule_ids),
    Case("tiered_hardship", 2027, dt.date(2026, 11, 10), tiered_hardship,
         ALL + ["batch", "special"], special="hardship",
         expect=lambda e, p: e.subsidy > 0 and e.amount_due + e.subsidy == Decimal("300")
         and _cap(e) == 200000),
    Case("tiered_newborn", 2026, dt.date(2026, 11, 20), tiered_newborn,
         ALL + ["batch", "special", "newborn"], special="newborn",
         expect=lambda e, p: e.amount_due == Decimal("580") and _cap(e) == 400000
         and e.benefit_start == p.birth_date),
    Case("tiered_repair", 2027, dt.date(2026, 11, 10), tiered_repair, ALL + ["special"],
         special="repair",
         # the repair price is 2026's tier "low" (280), not 2026's own standard (420)
         expect=lambda e, p: e.amount_due == Decimal("300") and e.repair_due > 0
         and e.repair_due % Decimal("280") == 0 and e.determination["tier"]["code"] == "low"),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_door_stores_the_same_tiered_determination(case, village_clerk, client,
                                                         time_machine):
    time_machine.move_to(TODAY, tick=False)
    client.force_login(village_clerk)
    results = {}
    for door in case.doors:
        person, extra = case.setup()
        response = DOORS[door](client, village_clerk, person, case, extra)
        assert getattr(response, "status_code", 302) == 302, (door, _errors(response))
        enrollment = Enrollment.objects.get(person=person, year=case.year, status="active")
        assert enrollment.tier_code == extra["tier"], door
        assert case.expect(enrollment, person), (door, enrollment.determination)
        results[door] = {name: getattr(enrollment, name) for name in STORED}
    first = results[case.doors[0]]
    for door, stored in results.items():
        assert stored == first, f"{door} stored {stored}, {case.doors[0]} stored {first}"


# --- An unknown tier: refused on every door, nothing written --------------------------------

UNKNOWN = Case("unknown", 2027, dt.date(2026, 11, 10), None, [], special="hardship")


def _refused_by_form_door(door, client, clerk, person, extra):
    response = DOORS[door](client, clerk, person, UNKNOWN, extra)
    assert response.status_code == 200, door
    return str(_errors(response))


def _refused_by_import(clerk, person, extra):
    dataset = tablib.Dataset(headers=["证件号码", "year", "scheme", "paid_on", "channel", "tier"])
    dataset.append([person.id_number, 2027, "resident", "2026-11-10", "individual",
                    extra["tier"]])
    result = EnrollmentResource(user=clerk).import_data(dataset, dry_run=False)
    assert result.has_validation_errors()
    return str([row.error_dict for row in result.invalid_rows])


def _refused_by_command(clerk, person, extra):
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        call_command("enroll", "--as", clerk.username, "--person", str(person.pk), "--year",
                     "2027", "--paid-on", "2026-11-10", "--tier", extra["tier"], stderr=err)
    assert exit_.value.code == 2
    return err.getvalue()


@pytest.mark.parametrize("with_tiers", [True, False], ids=["year_with_tiers", "year_without"])
@pytest.mark.parametrize("door", ["form", "special", "batch", "admin", "import", "command"])
def test_an_unknown_tier_is_refused_naming_the_field_and_nothing_is_written(
        door, with_tiers, village_clerk, client, time_machine):
    time_machine.move_to(TODAY, tick=False)
    client.force_login(village_clerk)
    if with_tiers:
        add_tiers()
    person = factories.make_person(name="未知档次")
    PersonGroup.objects.create(person=person, group="low_income", start_date=dt.date(2020, 1, 1))
    extra = {"tier": "gold"}
    if door == "import":
        message = _refused_by_import(village_clerk, person, extra)
    elif door == "command":
        message = _refused_by_command(village_clerk, person, extra)
    else:
        message = _refused_by_form_door(door, client, village_clerk, person, extra)
    assert "缴费档次" in message and "gold" in message, (door, message)
    assert not Enrollment.objects.filter(person=person).exists(), door


def test_a_tier_on_an_unpaid_or_employee_enrollment_is_refused_too(village_clerk):
    from django.core.exceptions import ValidationError

    from enrollment import services

    add_tiers()
    person = factories.make_person(name="未缴费")
    with pytest.raises(ValidationError) as unpaid:
        services.enrollment_record(actor=village_clerk, person=person, year=2027, tier="gold")
    assert "缴费档次" in str(unpaid.value.message_dict["tier"])
    with pytest.raises(ValidationError) as employee:
        services.enrollment_record(actor=village_clerk, person=person, year=2027,
                                   scheme="employee", cover_start=dt.date(2027, 1, 1),
                                   tier="low")
    assert "缴费档次" in str(employee.value.message_dict["tier"])
    assert not Enrollment.objects.filter(person=person).exists()


# --- The choice is offered only where the year has tiers -------------------------------------


def _page(client, url) -> str:
    return client.get(url).content.decode()


def _offers_tier(html: str) -> bool:
    """A visible tier input (the batch page also carries every field hidden to its next step)."""
    tags = re.findall(r'<(?:input|select)[^>]*name="tier"[^>]*>', html)
    return any('type="hidden"' not in tag for tag in tags)


def test_a_year_without_tiers_hides_the_tier_choice(village_clerk, client, time_machine):
    time_machine.move_to(TODAY, tick=False)
    client.force_login(village_clerk)
    person = factories.make_person()
    for url in (f"/persons/{person.pk}/enroll/",
                f"/benefits/persons/{person.pk}/special/?category=hardship",
                f"/enrollments/batch/?year=2027&unit=region:{factories.VILLAGE}"
                "&paid_on=2026-11-10&channel=village_batch"):
        html = _page(client, url)
        assert 'name="year"' in html and not _offers_tier(html), url


def test_a_year_with_tiers_offers_each_tier_with_its_amount_and_cap(village_clerk, client,
                                                                    time_machine):
    time_machine.move_to(TODAY, tick=False)  # the form's year: 2027, the coverage year
    client.force_login(village_clerk)
    add_tiers(years=(2027,))
    person = factories.make_person()
    for url in (f"/persons/{person.pk}/enroll/",
                f"/benefits/persons/{person.pk}/special/?category=hardship",
                f"/enrollments/batch/?year=2027&unit=region:{factories.VILLAGE}"
                "&paid_on=2026-11-10&channel=village_batch"):
        html = _page(client, url)
        assert _offers_tier(html), url
        assert "二档：个人缴费600元，大病保险最高支付限额40万元" in html, url
        assert "不选档次（按2027年缴费标准）" in html, url
    # the enrollment form offers the tiers of the year posted, not of the default year
    html = client.post(f"/persons/{person.pk}/enroll/", {
        "year": 2026, "scheme": "resident", "paid_on": "2026-11-10",
        "channel": "individual", "repair_years": 0, "scheme_x": ""}).content.decode()
    assert not _offers_tier(html)


def test_the_person_file_shows_the_tier_paid(village_clerk, client, time_machine):
    time_machine.move_to(TODAY, tick=False)
    client.force_login(village_clerk)
    person, extra = tiered_on_time()
    response = DOORS["form"](client, village_clerk, person, CASES[0], extra)
    assert response.status_code == 302
    html = _page(client, f"/persons/{person.pk}/")
    assert '<span data-field="tier">high（个人缴费600.00元）</span>' in html
    from enrollment.models import AuditEntry

    entry = AuditEntry.objects.filter(person=person, action=AuditEntry.Action.ENROLL).get()
    assert "缴费档次：high" in entry.detail
