"""R-CREDIT (信用参保) at the registry: a credit enrollment through every door that offers it
(form, command, the one-door service) stores the same thing; it is refused, naming 信用参保,
where the profile does not allow it (shanxi); the cover follows the profile's rule; a later
payment settles it with a receipt; a partial payment is refused."""
from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from benefits.models import PolicyProfile, PoolingRegionProfile
from enrollment import services
from enrollment.models import Enrollment
from payments.models import Receipt
from tests import factories
from tests.test_one_door import TODAY, _history

pytestmark = pytest.mark.django_db

YEAR = 2027  # concentrated period 2026-09-01 … 2026-12-31 (shipped standards), I = 440
ENROLLED_ON = dt.date(2026, 11, 10)
STORED = ["status", "paid_on", "amount_paid", "credit_since", "credit_due_on",
          "credit_outstanding", "amount_due", "benefit_start", "benefit_end", "rule_ids"]


def _person(region=factories.GRID, **kw):
    person = factories.make_person(region, **kw)
    _history(person, 2026)
    return person


def _shanxi(client):
    """Someone living in the other county, whose pooling region follows shanxi, and the clerk
    of that village (logged in)."""
    PoolingRegionProfile.objects.create(region_id=factories.OTHER_COUNTY,
                                        profile=PolicyProfile.objects.get(code="shanxi"))
    clerk = factories.make_user("shanxi_clerk", "village_clerk", factories.OTHER_VILLAGE)
    client.force_login(clerk)
    return clerk, _person(factories.OTHER_GRID, name="山西人")


def by_service(client, clerk, person):
    return services.enrollment_record(actor=clerk, person=person, year=YEAR,
                                      paid_on=ENROLLED_ON, on_credit=True)


def by_form(client, clerk, person):
    return client.post(f"/persons/{person.pk}/enroll/", {
        "year": YEAR, "scheme": "resident", "paid_on": ENROLLED_ON.isoformat(),
        "amount_paid": "", "channel": "individual", "repair_years": 0, "on_credit": "on"})


def by_command(client, clerk, person, err=None):
    out = io.StringIO()
    call_command("enroll", "--as", clerk.username, "--person", str(person.pk), "--year",
                 str(YEAR), "--paid-on", ENROLLED_ON.isoformat(), "--on-credit", stdout=out,
                 stderr=err or io.StringIO())
    return json.loads(out.getvalue())


DOORS = {"service": by_service, "form": by_form, "command": by_command}


@pytest.fixture
def clerk(village_clerk, client, time_machine):
    time_machine.move_to(TODAY, tick=False)
    client.force_login(village_clerk)
    return village_clerk


def test_every_door_enrolls_on_credit_with_the_same_debt_and_cover(clerk, client):
    stored = {}
    for door, enroll in DOORS.items():
        person = _person(name=f"信用{door}")
        response = enroll(client, clerk, person)
        assert getattr(response, "status_code", 302) == 302, door
        e = Enrollment.objects.get(person=person, year=YEAR)
        # hunan: owed by the end of the concentrated period, the cover from the enrollment
        assert e.status == "awaiting" and e.paid_on is None and e.amount_paid is None, door
        assert e.credit_since == ENROLLED_ON and e.credit_due_on == dt.date(2026, 12, 31)
        assert e.credit_outstanding == Decimal("440.00") == e.amount_due
        assert e.benefit_start == dt.date(2027, 1, 1) and "R-CREDIT" in e.rule_ids
        assert e.determination["credit"] == {"cover": "enrollment", "due_on": "2026-12-31"}
        assert not Receipt.objects.filter(enrollment=e).exists(), "nothing paid, no receipt"
        stored[door] = {name: getattr(e, name) for name in STORED}
    first = stored["service"]
    assert all(s == first for s in stored.values()), stored


def test_the_command_prints_what_is_owed_and_by_when(clerk, client):
    printed = by_command(client, clerk, _person())
    assert printed["credit_outstanding"] == "440.00" and printed["credit_due_on"] == "2026-12-31"


def test_refused_where_the_profile_does_not_allow_it_naming_the_field(clerk, client):
    clerk, person = _shanxi(client)
    with pytest.raises(ValidationError) as refused:
        by_service(client, clerk, person)
    assert "信用参保" in " ".join(refused.value.message_dict["on_credit"])
    response = by_form(client, clerk, person)
    assert response.status_code == 200
    assert "信用参保" in " ".join(response.context["form"].errors["on_credit"])
    err = io.StringIO()
    with pytest.raises(SystemExit) as exit_:
        by_command(client, clerk, person, err)
    assert exit_.value.code == 2
    assert err.getvalue().startswith("信用参保（--on-credit）：") and "未开展信用参保" in err.getvalue()
    assert not Enrollment.objects.filter(person=person, year=YEAR).exists()


def test_after_the_concentrated_period_credit_is_refused(clerk):
    with pytest.raises(ValidationError) as refused:
        services.enrollment_record(actor=clerk, person=factories.make_person(), year=2026,
                                   paid_on=dt.date(2026, 3, 1), on_credit=True)
    assert "集中参保缴费期" in refused.value.message_dict["on_credit"][0]


def test_the_form_offers_the_box_only_where_the_profile_allows_it(clerk, client):
    assert 'name="on_credit"' in client.get(f"/persons/{_person().pk}/enroll/").content.decode()
    _, person = _shanxi(client)
    page = client.get(f"/persons/{person.pk}/enroll/").content.decode()
    assert 'name="on_credit"' not in page


def test_a_later_payment_settles_it_with_a_receipt_and_keeps_the_cover(clerk):
    person = _person()
    credit = by_service(None, clerk, person)
    paid = services.enrollment_record(actor=clerk, person=person, year=YEAR,
                                      paid_on=dt.date(2026, 12, 1), channel="individual")
    assert paid.pk == credit.pk
    paid.refresh_from_db()
    assert paid.status == "active" and paid.credit_outstanding == 0
    assert paid.amount_paid == Decimal("440.00") and paid.credit_settled_on == dt.date(2026, 12, 1)
    # the guaranteed cover keeps its enrollment date: the payment counts from it
    assert paid.paid_on == ENROLLED_ON and paid.benefit_start == dt.date(2027, 1, 1)
    assert Receipt.objects.get(enrollment=paid).amount == Decimal("440.00")


def test_under_the_from_payment_rule_the_cover_waits_for_the_money(clerk, time_machine):
    PolicyProfile.objects.filter(code="hunan").update(credit_cover="payment")
    person = _person()
    credit = by_service(None, clerk, person)
    assert credit.benefit_start is None and credit.credit_outstanding == Decimal("440.00")
    time_machine.move_to(dt.datetime(2027, 2, 1, 10, tzinfo=TODAY.tzinfo), tick=False)
    paid = services.enrollment_record(actor=clerk, person=person, year=YEAR,
                                      paid_on=dt.date(2027, 2, 1), channel="individual")
    # paid after the concentrated period: counted from the payment, late, with a waiting period
    assert paid.paid_on == dt.date(2027, 2, 1) and paid.waiting_months == 3
    assert paid.benefit_start == dt.date(2027, 5, 2) and paid.credit_outstanding == 0


def test_a_partial_payment_is_refused_and_the_debt_stays(clerk):
    person = _person()
    by_service(None, clerk, person)
    with pytest.raises(ValidationError) as refused:
        services.enrollment_record(actor=clerk, person=person, year=YEAR,
                                   paid_on=dt.date(2026, 12, 1), amount_paid=Decimal("100"),
                                   channel="individual")
    assert "一次缴清440.00元" in refused.value.message_dict["amount_paid"][0]
    e = Enrollment.objects.get(person=person, year=YEAR)
    assert e.credit_outstanding == Decimal("440.00") and e.paid_on is None
    assert not Receipt.objects.filter(enrollment=e).exists()


def test_the_person_file_shows_the_debt_and_then_its_settlement(clerk, client):
    person = _person()
    by_service(None, clerk, person)
    page = client.get(f"/persons/{person.pk}/").content.decode()
    assert "信用参保（2026-11-10登记）" in page and "欠缴440.00元，2026-12-31前缴清" in page
    services.enrollment_record(actor=clerk, person=person, year=YEAR,
                               paid_on=dt.date(2026, 12, 1), channel="individual")
    page = client.get(f"/persons/{person.pk}/").content.decode()
    assert "2026-12-01缴清" in page and "欠缴440.00元" not in page
