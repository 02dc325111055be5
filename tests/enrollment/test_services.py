"""Registry services: one resident enrollment a year, automatic stop, relatives, races."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enrollment import services
from enrollment.models import AuditEntry, Enrollment, Person
from tests import factories

pytestmark = pytest.mark.django_db


def enroll(actor, person, **kw):
    defaults = {"year": 2026, "paid_on": dt.date(2025, 10, 8), "amount_paid": Decimal("400"),
                "channel": "individual"}
    return services.enrollment_record(actor=actor, person=person, **{**defaults, **kw})


def test_second_resident_enrollment_same_year_is_refused_naming_the_first(village_clerk,
                                                                          make_person):
    person = make_person()
    first = enroll(village_clerk, person)
    with pytest.raises(ValidationError) as excinfo:
        enroll(village_clerk, person, paid_on=dt.date(2025, 11, 1))
    message = excinfo.value.message_dict["year"][0]
    assert "2026年已有城乡居民医保参保登记" in message and "长沙县" in message
    assert list(Enrollment.objects.all()) == [first]


def test_database_refuses_a_second_live_resident_enrollment(make_person):
    from django.db import IntegrityError

    person = make_person()
    Enrollment.objects.create(person=person, year=2026, pooling_region_id=factories.COUNTY,
                              status="active")
    with pytest.raises(IntegrityError):
        Enrollment.objects.create(person=person, year=2026, pooling_region_id=factories.COUNTY,
                                  status="awaiting")


def test_employee_enrollment_stops_the_resident_one(village_clerk, make_person):
    """R-AUTO-STOP"""
    person = make_person()
    resident = enroll(village_clerk, person)
    services.enrollment_record(actor=village_clerk, person=person, year=2026,
                               scheme="employee", cover_start=dt.date(2026, 4, 1),
                               channel="employer")
    resident.refresh_from_db()
    assert resident.status == "stopped" and "R-AUTO-STOP" in resident.stop_reason
    assert resident.stopped_on == dt.date(2026, 4, 1)


def test_resident_enrollment_elsewhere_stops_the_local_one(village_clerk, make_person):
    """R-AUTO-STOP"""
    person = make_person()
    resident = enroll(village_clerk, person)
    enroll(village_clerk, person, elsewhere=True,
           pooling_region=factories_region(factories.OTHER_COUNTY))
    resident.refresh_from_db()
    assert resident.status == "stopped"


def factories_region(code):
    from enrollment.models import Region

    return Region.objects.get(code=code)


def test_relative_account_only_for_close_relatives(village_clerk, make_person):
    """R-RELATIVES"""
    person = make_person()
    cousin = make_person(name="表哥")
    # The payer needs a live employee personal account (R-RELATIVES).
    Enrollment.objects.create(person=cousin, year=2025, scheme="employee",
                              pooling_region_id=factories.COUNTY, status="active",
                              cover_start=dt.date(2020, 1, 1))
    with pytest.raises(ValidationError) as excinfo:
        enroll(village_clerk, person, channel="relative_account", payer=cousin,
               payer_relation="other")
    assert "payer_relation" in excinfo.value.message_dict
    ok = enroll(village_clerk, person, channel="relative_account", payer=cousin,
                payer_relation="sibling")
    assert ok.payer == cousin


def test_enrollment_is_audited_with_the_actor(village_clerk, make_person):
    person = make_person()
    enroll(village_clerk, person)
    entry = AuditEntry.objects.get(action="enroll")
    assert entry.user == village_clerk and entry.person == person


def test_neighbour_cannot_enroll_my_person(neighbour_clerk, make_person):
    with pytest.raises(PermissionDenied):
        enroll(neighbour_clerk, make_person())


def test_two_registrations_of_one_id_one_wins(village_clerk, township_officer):
    data = {"id_type": "resident_id", "name": "赵六", "sex": "F",
            "birth_date": dt.date(1990, 3, 4),
            "hukou_region": factories_region(factories.VILLAGE),
            "residence_region": factories_region(factories.GRID)}
    from enrollment import idnumbers

    data["id_number"] = idnumbers.make_id("430121", dt.date(1990, 3, 4), 10, "F")
    services.person_register(actor=village_clerk, data=data)
    with pytest.raises(ValidationError) as excinfo:
        services.person_register(actor=township_officer, data=dict(data, name="赵六六"))
    assert "已登记" in excinfo.value.message_dict["id_number"][0]
    assert Person.objects.get().name == "赵六"


def test_newborn_by_birth_certificate_then_linked_to_id(village_clerk):
    from enrollment import idnumbers

    baby = services.person_register(actor=village_clerk, data={
        "id_type": "birth_cert", "birth_cert_number": "R430000123", "name": "小宝",
        "sex": "M", "birth_date": dt.date(2026, 10, 2),
        "hukou_region": factories_region(factories.VILLAGE),
        "residence_region": factories_region(factories.GRID)})
    number = idnumbers.make_id("430121", dt.date(2026, 10, 2), 5, "M")
    services.person_link_id_number(actor=village_clerk, person=baby, id_number=number)
    baby.refresh_from_db()
    assert baby.id_number == number and baby.birth_cert_number == "R430000123"
    assert Person.objects.get(birth_cert_number="R430000123") == Person.objects.get(
        id_number=number)


def test_empty_amount_is_recorded_as_the_amount_due(village_clerk, make_person):
    enrollment = enroll(village_clerk, make_person(), amount_paid=None)
    assert enrollment.amount_due is not None
    assert enrollment.amount_paid == enrollment.amount_due
