"""What the one door refuses: a message naming the field, and nothing written."""
import datetime as dt
import io
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import connection

from enrollment import idnumbers, services
from enrollment.services import enrollments
from enrollment.models import AuditEntry, Enrollment, Household, Person, PersonGroup, Scheme
from tests import factories

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(TODAY, tick=False)


def snapshot():
    return (list(Enrollment.objects.order_by("pk").values()),
            AuditEntry.objects.count(), Person.objects.count())


def refused(field, **kw):
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        services.enrollment_record(**kw)
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    assert snapshot() == before, "a refusal wrote something"
    return excinfo.value.message_dict[field][0]


def employee(person, **kw):
    return Enrollment.objects.create(**{
        "person": person, "year": 2026, "scheme": Scheme.EMPLOYEE, "status": "active",
        "pooling_region_id": factories.COUNTY, "cover_start": dt.date(2020, 1, 1),
        "channel": "employer", **kw})


def test_second_live_resident_enrollment_of_the_year(village_clerk, make_person):
    person = make_person()
    services.enrollment_record(actor=village_clerk, person=person, year=2027,
                               paid_on=dt.date(2026, 11, 1))
    message = refused("year", actor=village_clerk, person=person, year=2027,
                      paid_on=dt.date(2026, 11, 2))
    assert "2027年已有城乡居民医保参保登记" in message


def test_resident_enrollment_overlapping_live_employee_cover(village_clerk, make_person):
    person = make_person()
    employee(person)
    message = refused("transfer", actor=village_clerk, person=person, year=2027,
                      paid_on=dt.date(2026, 11, 10))
    assert "职工医保" in message and "重叠" in message and "职工医保转居民医保" in message


def test_transfer_stops_the_employee_cover_and_finds_the_transfer_case(village_clerk,
                                                                      make_person):
    person = make_person()
    Enrollment.objects.create(person=person, year=2025, pooling_region_id=factories.COUNTY,
                              status="active", paid_on=dt.date(2024, 10, 10))
    job = employee(person)
    e = services.enrollment_record(actor=village_clerk, person=person, year=2026,
                                   paid_on=dt.date(2026, 9, 10), transfer=True)
    job.refresh_from_db()
    assert job.status == "stopped" and job.cover_end == dt.date(2026, 9, 9)
    assert "R-AUTO-STOP" in job.stop_reason
    assert e.case_details["category"] == "employee_transfer"
    assert e.benefit_start == dt.date(2026, 9, 10) and e.waiting_months == 0
    assert AuditEntry.objects.filter(action="stop", user=village_clerk).exists()


def test_enrollment_after_death(village_clerk, make_person):
    person = make_person(life_status="deceased", life_status_date=dt.date(2026, 5, 1))
    assert "死亡" in refused("year", actor=village_clerk, person=person, year=2027,
                           paid_on=dt.date(2026, 4, 1))
    assert "死亡" in refused("paid_on", actor=village_clerk, person=person, year=2026,
                           paid_on=dt.date(2026, 6, 1))


def test_enrollment_before_birth(village_clerk, make_person):
    person = make_person(birth_date=dt.date(2026, 6, 1))
    assert "出生" in refused("year", actor=village_clerk, person=person, year=2025,
                           paid_on=dt.date(2026, 7, 1))
    assert "出生" in refused("paid_on", actor=village_clerk, person=person, year=2026,
                           paid_on=dt.date(2026, 5, 1))


def test_payer_must_be_a_close_relative(village_clerk, make_person):
    person, payer = make_person(), make_person(name="邻居")
    employee(payer)
    message = refused("payer_relation", actor=village_clerk, person=person, year=2027,
                      paid_on=dt.date(2026, 11, 10), channel="relative_account", payer=payer,
                      payer_relation="other")
    assert "R-RELATIVES" in message or "配偶" in message


def test_payer_needs_a_live_employee_account(village_clerk, make_person):
    person, payer = make_person(), make_person(name="妻子", sex="F")
    employee(payer, status="stopped", cover_end=dt.date(2025, 12, 31))
    message = refused("payer", actor=village_clerk, person=person, year=2027,
                      paid_on=dt.date(2026, 11, 10), channel="relative_account", payer=payer,
                      payer_relation="spouse")
    assert "没有有效的职工医保" in message


def test_overriding_the_found_case_needs_a_reason_and_is_audited(village_clerk, make_person):
    person = make_person()
    override = {"category": "exit_other_scheme", "exited_on": "2026-10-01",
                "exit_reason": "veteran"}
    assert "原因" in refused("override_reason", actor=village_clerk, person=person, year=2026,
                           paid_on=dt.date(2026, 11, 10), case_override=override)
    e = services.enrollment_record(actor=village_clerk, person=person, year=2026,
                                   paid_on=dt.date(2026, 11, 10), case_override=override,
                                   override_reason="退役证明已核验")
    assert e.case_details["category"] == "exit_other_scheme"
    assert e.case_details["override_reason"] == "退役证明已核验"
    entry = AuditEntry.objects.get(action="enroll", person=person)
    assert "退役证明已核验" in entry.detail and entry.user == village_clerk


def test_preview_writes_nothing(village_clerk, make_person):
    person = make_person(birth_date=dt.date(2026, 10, 20))
    before = snapshot()
    plan = services.enrollment_preview(actor=village_clerk, person=person, year=2026,
                                       paid_on=dt.date(2026, 11, 20))
    assert plan.ok and plan.found_case["category"] == "newborn"
    assert plan.determination["waiting"]["total"] == 0
    assert plan.determination["benefit_start"] == "2026-10-20"
    assert snapshot() == before


def test_welfare_and_exit_are_found_from_recorded_groups(village_clerk, make_person):
    child = make_person(birth_date=dt.date(2016, 1, 1))
    PersonGroup.objects.create(person=child, group="welfare_child", start_date=dt.date(2026, 8, 1))
    plan = services.enrollment_preview(actor=village_clerk, person=child, year=2026,
                                       paid_on=dt.date(2026, 9, 1))
    assert plan.case == {"category": "welfare_child", "welfare_entry_on": "2026-08-01"}


def test_form_shows_the_overlap_on_the_transfer_field(as_user, village_clerk, make_person):
    person = make_person()
    employee(person)
    response = as_user(village_clerk).post(f"/persons/{person.pk}/enroll/", {
        "year": 2027, "scheme": "resident", "paid_on": "2026-11-10", "channel": "individual",
        "repair_years": 0})
    assert "重叠" in str(response.context["form"].errors["transfer"])
    assert not Enrollment.objects.filter(scheme="resident").exists()


def test_admin_refusal_is_a_form_error(as_user, superuser, make_person):
    # Only the superuser writes enrollments in the admin, and still through the one door.
    person = make_person()
    employee(person)
    response = as_user(superuser).post("/admin/enrollment/enrollment/add/", {
        "person": person.pk, "year": 2027, "scheme": "resident", "pooling_region": "",
        "paid_on": "2026-11-10", "channel": "individual", "repair_years": 0, "_save": "1"})
    assert response.status_code == 200
    assert "重叠" in str(response.context["adminform"].form.errors)
    assert not Enrollment.objects.filter(scheme="resident").exists()


# --- The commands ------------------------------------------------------------------------


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command(*args, stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, out.getvalue(), err.getvalue()
    return 0, out.getvalue(), err.getvalue()


def test_enroll_command_refusal_is_one_line_and_exit_2(village_clerk, make_person):
    person = make_person()
    employee(person)
    before = snapshot()
    code, out, err = run("enroll", "--as", "village_clerk", "--person", str(person.pk),
                         "--year", "2027", "--paid-on", "2026-11-10")
    assert code == 2 and out == ""
    assert err.strip().count("\n") == 0 and "--transfer" in err and "重叠" in err
    assert snapshot() == before


def test_enroll_command_neighbour_person_is_refused(neighbour_clerk, make_person):
    person = make_person()
    code, _, err = run("enroll", "--as", "neighbour_clerk", "--person", str(person.pk),
                       "--year", "2027", "--paid-on", "2026-11-10")
    assert code == 2 and "--person" in err
    assert not Enrollment.objects.exists()


def register(*extra, number=None, name="王五", birth="1990-03-04", region=factories.VILLAGE):
    number = number or idnumbers.make_id("430121", dt.date(1990, 3, 4), 17, "M")
    return run("register_person", "--as", "village_clerk", "--id-type", "resident_id",
               "--number", number, "--name", name, "--sex", "M", "--birth-date", birth,
               "--region", region, *extra)


def test_register_person_prints_the_person(village_clerk):
    code, out, _ = register()
    assert code == 0 and out.strip() == f"person={Person.objects.get().pk}"
    assert AuditEntry.objects.get(action="create").user == village_clerk


@pytest.mark.parametrize("args, kwargs, option", [
    ((), {"number": "430121199003040358"}, "--number"),  # check digit
    ((), {"region": factories.NEIGHBOUR_VILLAGE}, "--region"),
], ids=["check_digit", "outside_scope"])
def test_register_person_refusals(village_clerk, args, kwargs, option):
    # Creating the clerk's account is itself audited (a role given); the refusal adds nothing.
    audited = AuditEntry.objects.count()
    code, out, err = register(*args, **kwargs)
    assert code == 2 and out == "" and option in err and err.strip().count("\n") == 0
    assert not Person.objects.exists() and AuditEntry.objects.count() == audited


def test_register_person_refuses_a_duplicate_id(village_clerk):
    register()
    before = snapshot()
    code, _, err = register(name="王五五")
    assert code == 2 and "--number" in err and "已登记" in err
    assert snapshot() == before


def test_register_person_likely_duplicate_needs_a_reason(village_clerk):
    Household.objects.create(number="H001", head_name="周大", region_id=factories.VILLAGE)
    args = ("--household", "H001", "--relation", "child")
    first = run("register_person", "--as", "village_clerk", "--id-type", "birth_cert",
                "--number", "R430001", "--name", "周小宝", "--sex", "F",
                "--birth-date", "2026-10-20", "--region", factories.GRID, *args)
    assert first[0] == 0
    second = ("register_person", "--as", "village_clerk", "--id-type", "resident_id",
              "--number", idnumbers.make_id("430121", dt.date(2026, 10, 20), 3, "F"),
              "--name", "周小宝", "--sex", "F", "--birth-date", "2026-10-20",
              "--region", factories.GRID, *args)
    before = snapshot()
    code, _, err = run(*second)
    assert code == 2 and "--reason" in err and "疑似重复" in err
    assert snapshot() == before
    code, out, _ = run(*second, "--reason", "双胞胎，另一人")
    assert code == 0 and Person.objects.count() == 2
    twin = Person.objects.get(id_number__isnull=False)
    assert "双胞胎" in AuditEntry.objects.get(action="create", person=twin).detail


# --- Two clerks at the same moment ----------------------------------------------------------


def _ship_policies_again() -> None:
    """A transactional test before this one may have flushed the profiles that the data
    migrations ship; put them back the way the migrations do."""
    import importlib

    from django.apps import apps as django_apps

    from benefits.models import PoolingRegionProfile

    if PoolingRegionProfile.objects.exists():
        return
    for name in ("0002_ship_hunan_shanxi", "0005_second_pass_pilots"):
        importlib.import_module(f"benefits.migrations.{name}").ship(django_apps, None)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking")
def test_two_clerks_enrolling_the_same_person_year_one_wins(village_clerk, township_officer,
                                                            make_person, monkeypatch):
    _ship_policies_again()
    person = make_person()
    barrier = threading.Barrier(2, timeout=60)  # generous: a loaded CI machine is slow
    original = enrollments._existing_live_resident

    def both_checked(*args, **kwargs):
        found = original(*args, **kwargs)
        if not getattr(local, "waited", False):
            local.waited = True
            barrier.wait()  # both clerks have seen "no enrollment yet"
        return found

    local = threading.local()
    monkeypatch.setattr(enrollments, "_existing_live_resident", both_checked)
    outcomes = []

    def clerk(actor):
        from django.db import connection as conn

        try:
            services.enrollment_record(actor=actor, person=person, year=2027,
                                       paid_on=dt.date(2026, 11, 10))
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["year"][0])
        finally:
            conn.close()

    threads = [threading.Thread(target=clerk, args=(u,)) for u in (village_clerk,
                                                                   township_officer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert outcomes.count("ok") == 1, outcomes
    assert "2027年已有城乡居民医保参保登记" in [o for o in outcomes if o != "ok"][0]
    assert Enrollment.objects.filter(person=person, year=2027).count() == 1
    assert AuditEntry.objects.filter(action="enroll").count() == 1


def test_admin_change_goes_through_the_service(as_user, village_clerk, superuser, make_person):
    person = make_person()
    e = services.enrollment_record(actor=village_clerk, person=person, year=2026,
                                   paid_on=dt.date(2025, 11, 1))
    assert e.in_concentrated_period
    before = e.benefit_start
    response = as_user(superuser).post(f"/admin/enrollment/enrollment/{e.pk}/change/", {
        "person": person.pk, "year": 2026, "scheme": "resident", "pooling_region": "",
        "paid_on": "2026-03-15", "channel": "individual", "repair_years": 0, "_save": "1"})
    assert response.status_code == 302, response.context["adminform"].form.errors
    e.refresh_from_db()
    assert not e.in_concentrated_period and e.benefit_start > before  # determined again
    assert AuditEntry.objects.filter(action="update", person=person,
                                     user=superuser).exists()
