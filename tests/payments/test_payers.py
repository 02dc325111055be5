"""Third-party payers: a payer's batch covers its list through the one door, all or nothing;
the report counts who was covered, how much was paid and who is still unpaid."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from enrollment import services as registry
from enrollment.models import Enrollment, LifeStatus, Region
from payments import payers
from payments.models import Account, AccountKind, Receipt, Transfer
from payments.selectors import balance
from tests.factories import COUNTY

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc), tick=False)


@pytest.fixture
def union(county_admin):
    return payers.payer_create(actor=county_admin, name="长沙县总工会", kind="trade_union",
                               region=Region.objects.get(code=COUNTY))


def test_a_payers_batch_covers_its_list_through_the_one_door(county_admin, village_clerk,
                                                             make_person, union):
    kids = [make_person(name=n, birth_date=dt.date(2014, 5, 1)) for n in ("甲", "乙", "丙")]
    payers.payer_add_members(actor=county_admin, payer=union, year=2027, persons=kids)
    # One child's parent paid already: the union pays for the other two only.
    registry.enrollment_record(actor=village_clerk, person=kids[0], year=2027, paid_on=PAID_ON)
    paid = payers.payer_batch_pay(actor=county_admin, payer=union, year=2027, paid_on=PAID_ON)
    assert sorted(e.person.name for e in paid) == ["丙", "乙"]
    assert all(e.channel == "third_party" and e.determination for e in paid)
    assert Receipt.objects.filter(enrollment__in=paid).count() == 2
    report = payers.payer_report(actor=county_admin, payer=union, year=2027)
    assert (report.listed, report.paid_by_payer, report.enrolled_otherwise,
            len(report.unpaid)) == (3, 2, 1, 0)
    assert report.amount == sum(e.amount_paid for e in paid)
    payer_account = Account.objects.get(kind=AccountKind.PAYER, name="长沙县总工会")
    assert balance(payer_account) == -report.amount
    with pytest.raises(ValidationError, match="都已参保"):
        payers.payer_batch_pay(actor=county_admin, payer=union, year=2027, paid_on=PAID_ON)


def test_a_batch_with_one_problem_pays_nobody(county_admin, make_person, union):
    ok, dead = make_person(name="甲"), make_person(name="乙")
    payers.payer_add_members(actor=county_admin, payer=union, year=2027, persons=[ok, dead])
    registry.person_mark_life_status(actor=county_admin, person=dead,
                                     status=LifeStatus.DECEASED, on=dt.date(2026, 6, 1),
                                     source="公安")
    before = Enrollment.objects.count(), Transfer.objects.count(), Receipt.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        payers.payer_batch_pay(actor=county_admin, payer=union, year=2027, paid_on=PAID_ON)
    assert "乙" in str(excinfo.value)
    assert (Enrollment.objects.count(), Transfer.objects.count(),
            Receipt.objects.count()) == before


def test_village_clerks_do_not_manage_payers(village_clerk, make_person, union):
    with pytest.raises(PermissionDenied):
        payers.payer_add_members(actor=village_clerk, payer=union, year=2027,
                                 persons=[make_person()])
    with pytest.raises(PermissionDenied):
        payers.payer_batch_pay(actor=village_clerk, payer=union, year=2027, paid_on=PAID_ON)


def test_a_payer_report_counts_only_people_in_the_users_scope(township_officer, village_clerk,
                                                             county_admin, make_person, union):
    from tests.factories import NEIGHBOUR_GRID

    ours, theirs = make_person(name="甲"), make_person(NEIGHBOUR_GRID, name="乙")
    payers.payer_add_members(actor=county_admin, payer=union, year=2027, persons=[ours, theirs])
    assert union in payers.visible_payers(township_officer)  # the county's union, seen below
    assert payers.payer_report(actor=township_officer, payer=union, year=2027).listed == 2
    assert payers.payer_report(actor=village_clerk, payer=union, year=2027).listed == 1


def test_payer_pages(as_user, county_admin, neighbour_clerk, make_person):
    client = as_user(county_admin)
    response = client.post("/payments/payers/", {"name": "县红十字会", "kind": "red_cross",
                                                 "region": COUNTY, "contact": "张三 0731"})
    assert response.status_code == 302
    url = response["Location"]
    kid = make_person(name="丁", birth_date=dt.date(2014, 5, 1))
    response = client.post(url, {"action": "members", "m-year": 2027,
                                 "m-people": f"{kid.pk}\n{kid.id_number}\n"}, follow=True)
    assert "已列入1人" in response.content.decode()
    response = client.post(url, {"action": "pay", "p-year": 2027,
                                 "p-paid_on": PAID_ON.isoformat()}, follow=True)
    assert "已代缴1人" in response.content.decode()
    response = client.post(url, {"action": "members", "m-year": 2027, "m-people": "99999999"})
    assert "未找到或不在您的辖区内：99999999" in response.content.decode()
    assert client.get(url + "?year=2027&format=xlsx")["Content-Type"].startswith(
        "application/vnd.openxml")
    assert Decimal(Transfer.objects.get(kind="payer_payment").amount) > 0
