"""One door: the same cases through every door that records an enrollment (the 参保登记 form,
the special-case form, the newborn page, batch collection, the admin, the import and the
`enroll` command) must store identical determinations (ARCHITECTURE.md, "One door")."""
from __future__ import annotations

import datetime as dt
import io
import json
from dataclasses import dataclass, field

import pytest
import tablib
from django.core.management import call_command

from enrollment import services
from enrollment.models import Enrollment, PersonGroup, Region, Scheme, User
from enrollment.resources import EnrollmentResource
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
STORED = ["amount_due", "subsidy", "repair_due", "in_concentrated_period", "waiting_fixed",
          "waiting_variable", "waiting_repaired", "waiting_months", "benefit_start",
          "benefit_end", "effective_cap", "rule_ids", "determination"]


@dataclass
class Case:
    name: str
    year: int
    paid_on: dt.date
    setup: callable
    doors: list[str]
    special: str = ""  # the special-case page's kind
    special_data: dict = field(default_factory=dict)
    expect: callable = None


def _adult(**kw):
    return factories.make_person(**kw)


def _history(person, *years):
    """Resident years paid on time before the case's year."""
    for year in years:
        Enrollment.objects.create(person=person, year=year, pooling_region_id=factories.COUNTY,
                                  status="active", paid_on=dt.date(year - 1, 10, 10),
                                  amount_paid=400, in_concentrated_period=True)


def general_on_time():
    person = _adult(name="按时")
    _history(person, 2026)
    return person, {}


def late_with_gap():
    return _adult(name="断缴"), {}


_baby_serial = iter(range(1000, 9999))


def newborn():
    """Registered through the general person path (人员建档) with a birth certificate."""
    actor = factories.make_user(f"reg{next(_baby_serial)}", "village_clerk", factories.VILLAGE)
    person = services.person_register(actor=actor, data={
        "id_type": "birth_cert", "birth_cert_number": f"R43{next(_baby_serial)}", "name": "小宝",
        "sex": "F", "birth_date": dt.date(2026, 10, 20),
        "hukou_region": Region.objects.get(code=factories.VILLAGE),
        "residence_region": Region.objects.get(code=factories.GRID)})
    return person, {}


def welfare_child():
    person = _adult(name="福利儿童", birth_date=dt.date(2015, 3, 3))
    PersonGroup.objects.create(person=person, group="welfare_child",
                               start_date=dt.date(2026, 8, 1), source="民政局")
    return person, {}


def employee_transfer():
    person = _adult(name="转居民")
    _history(person, 2025)
    Enrollment.objects.create(person=person, year=2026, scheme=Scheme.EMPLOYEE,
                              pooling_region_id=factories.COUNTY, status="stopped",
                              cover_start=dt.date(2026, 1, 1), cover_end=dt.date(2026, 6, 30),
                              stopped_on=dt.date(2026, 7, 1), channel="employer")
    return person, {}


def hardship():
    person = _adult(name="低保", birth_date=dt.date(1960, 2, 2))
    PersonGroup.objects.create(person=person, group="low_income", start_date=dt.date(2020, 1, 1))
    _history(person, 2026)
    return person, {}


def relative_payer():
    person = _adult(name="被代缴")
    _history(person, 2026)
    payer = _adult(name="代缴人", sex="F", birth_date=dt.date(1982, 6, 6))
    Enrollment.objects.create(person=payer, year=2026, scheme=Scheme.EMPLOYEE,
                              pooling_region_id=factories.COUNTY, status="active",
                              cover_start=dt.date(2020, 1, 1), channel="employer")
    return person, {"payer": payer, "payer_relation": "spouse"}


ALL = ["form", "admin", "import", "command"]
CASES = [
    Case("general_on_time", 2027, dt.date(2026, 11, 10), general_on_time,
         ALL + ["batch"], expect=lambda e, p: e.waiting_months == 0
         and e.benefit_start == dt.date(2027, 1, 1)),
    Case("late_with_gap", 2026, dt.date(2026, 3, 15), late_with_gap, ALL + ["batch"],
         expect=lambda e, p: e.waiting_months == 4 and "R-DUE-LATE" in e.rule_ids),
    Case("newborn_by_birth_certificate", 2026, dt.date(2026, 11, 20), newborn,
         ALL + ["batch", "special", "newborn"], special="newborn",
         expect=lambda e, p: e.waiting_months == 0 and e.benefit_start == p.birth_date
         and "R-NB-90" in e.rule_ids),
    Case("welfare_child", 2026, dt.date(2026, 9, 15), welfare_child,
         ALL + ["batch", "special"], special="welfare",
         special_data={"welfare_entry_on": "2026-08-01"},
         expect=lambda e, p: e.waiting_months == 0
         and e.benefit_start == dt.date(2026, 8, 1)),
    Case("employee_transfer", 2026, dt.date(2026, 8, 15), employee_transfer,
         ALL + ["batch", "special"], special="transfer",
         special_data={"employee_ended_on": "2026-07-01"},
         expect=lambda e, p: e.waiting_months == 0
         and e.benefit_start == dt.date(2026, 7, 1) and "R-EMP-3M" in e.rule_ids),
    Case("hardship", 2027, dt.date(2026, 11, 10), hardship, ALL + ["batch", "special"],
         special="hardship", expect=lambda e, p: e.subsidy > 0),
    Case("relative_payer", 2027, dt.date(2026, 11, 10), relative_payer, ALL + ["special"],
         special="relative", expect=lambda e, p: e.payer is not None),
]


# --- The doors ---------------------------------------------------------------------------


def door_form(client, user, person, case, extra):
    data = {"year": case.year, "scheme": "resident", "paid_on": case.paid_on.isoformat(),
            "amount_paid": "", "channel": "individual",
            "repair_years": extra.get("repair_years", 0)}
    if extra.get("payer"):
        data.update(channel="relative_account", payer_id_number=extra["payer"].id_number,
                    payer_relation=extra["payer_relation"])
    if extra.get("tier"):
        data["tier"] = extra["tier"]
    return client.post(f"/persons/{person.pk}/enroll/", data)


def door_special(client, user, person, case, extra):
    data = {"year": "" if case.special == "newborn" else case.year,
            "paid_on": case.paid_on.isoformat(), "amount_paid": "", "channel": "individual",
            **case.special_data,
            **({"repair_years": extra["repair_years"]} if extra.get("repair_years") else {})}
    if extra.get("payer"):
        data.update(payer_id_number=extra["payer"].id_number,
                    payer_relation=extra["payer_relation"])
    if extra.get("tier"):
        data["tier"] = extra["tier"]
    return client.post(f"/benefits/persons/{person.pk}/special/?category={case.special}", data)


def door_newborn(client, user, person, case, extra):
    return client.post("/benefits/newborn/", {
        "p-name": person.name, "p-sex": person.sex, "p-birth_date": person.birth_date.isoformat(),
        "p-birth_cert_number": person.birth_cert_number,
        "p-residence_region": person.residence_region_id,
        "year": "", "paid_on": case.paid_on.isoformat(), "amount_paid": "",
        "channel": "individual", **({"tier": extra["tier"]} if extra.get("tier") else {})})


def door_batch(client, user, person, case, extra):
    params = {"year": case.year, "unit": f"region:{factories.VILLAGE}",
              "paid_on": case.paid_on.isoformat(), "channel": "village_batch"}
    if extra.get("tier"):
        params["tier"] = extra["tier"]
    return client.post("/enrollments/batch/", {**params, "person": [person.pk]})


def door_admin(client, user, person, case, extra):
    # The admin is read-only for staff: only the superuser records an enrollment there, and
    # still through the one door.
    from tests.conftest import _verify_second_factor

    root = User.objects.filter(username="root").first() or User.objects.create_superuser(
        "root", password=factories.PASSWORD)
    client.force_login(root)
    _verify_second_factor(client, root)
    data = {"person": person.pk, "year": case.year, "scheme": "resident", "pooling_region": "",
            "paid_on": case.paid_on.isoformat(), "amount_paid": "", "channel": "individual",
            "payer": "", "payer_relation": "", "employer": "", "cover_start": "",
            "cover_end": "", "repair_years": extra.get("repair_years", 0),
            "tier_code": extra.get("tier", ""), "_save": "保存"}
    if extra.get("payer"):
        data.update(channel="relative_account", payer=extra["payer"].pk,
                    payer_relation=extra["payer_relation"])
    try:
        return client.post("/admin/enrollment/enrollment/add/", data)
    finally:
        client.force_login(user)


def door_import(client, user, person, case, extra):
    payer = extra.get("payer")
    dataset = tablib.Dataset(headers=["证件号码", "year", "scheme", "paid_on", "channel",
                                      "repair_years", "代缴亲属证件号码", "payer_relation",
                                      "tier"])
    dataset.append([person.id_number or person.birth_cert_number, case.year, "resident",
                    case.paid_on.isoformat(),
                    "relative_account" if payer else "individual",
                    extra.get("repair_years", 0),
                    payer.id_number if payer else "", extra.get("payer_relation", ""),
                    extra.get("tier", "")])
    result = EnrollmentResource(user=user).import_data(dataset, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), [
        r.error_dict if hasattr(r, "error_dict") else r for r in result.invalid_rows]
    return result


def door_command(client, user, person, case, extra):
    out = io.StringIO()
    args = ["enroll", "--as", user.username, "--person", str(person.pk), "--year",
            str(case.year), "--paid-on", case.paid_on.isoformat()]
    if extra.get("payer"):
        args += ["--payer", str(extra["payer"].pk), "--payer-relation", extra["payer_relation"],
                 "--channel", "relative_account"]
    if extra.get("tier"):
        args += ["--tier", extra["tier"]]
    if extra.get("repair_years"):
        args += ["--repair-years", str(extra["repair_years"])]
    call_command(*args, stdout=out)
    printed = json.loads(out.getvalue())
    stored = Enrollment.objects.get(pk=printed.pop("enrollment"))
    assert printed == stored.determination
    return printed


DOORS = {"form": door_form, "special": door_special, "newborn": door_newborn,
         "batch": door_batch, "admin": door_admin, "import": door_import,
         "command": door_command}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_every_door_stores_the_same_determination(case, village_clerk, client, time_machine):
    time_machine.move_to(TODAY, tick=False)
    client.force_login(village_clerk)
    results = {}
    for door in case.doors:
        person, extra = case.setup()
        response = DOORS[door](client, village_clerk, person, case, extra)
        status = getattr(response, "status_code", 302)
        assert status == 302, (door, _errors(response))
        enrollment = Enrollment.objects.get(person=person, year=case.year, scheme="resident",
                                            status="active")
        actor = "root" if door == "admin" else village_clerk.username
        assert enrollment.created_by.username == actor, door
        assert case.expect(enrollment, person), (door, enrollment.determination)
        results[door] = {name: getattr(enrollment, name) for name in STORED}
    first = results[case.doors[0]]
    for door, stored in results.items():
        assert stored == first, f"{door} stored {stored}, {case.doors[0]} stored {first}"


def _errors(response):
    context = getattr(response, "context", None)
    if not context:
        return response
    for key in ("form", "adminform", "person_form"):
        form = context.get(key)
        form = getattr(form, "form", form)
        if form is not None and getattr(form, "errors", None):
            return form.errors
    return context.get("problems")
