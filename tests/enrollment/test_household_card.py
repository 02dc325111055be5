"""The household card (一户一档): each member's state for the coming year, what they owe from the
engine, hardship subsidies, who can pay for whom (R-RELATIVES), one payment for the household
through the one door, and one printable receipt list; nothing of a neighbour's household."""
import datetime as dt

import pytest
from django.urls import reverse

from enrollment import relations
from enrollment.models import Enrollment, Household, PersonGroup
from tests import factories as f

TODAY = dt.datetime(2025, 10, 10, 10, 0, tzinfo=dt.timezone.utc)
YEAR = 2026  # collection in October is for next year


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def family(make_person):
    """户主 张父 (employee cover), his wife, two children, his mother (low income), and a
    lodger (other); 张女 is already enrolled for 2026."""
    house = Household.objects.create(number="H-001", head_name="张父", region_id=f.VILLAGE)
    p = {}
    for key, name, relation, born in (
            ("head", "张父", "head", dt.date(1980, 1, 1)),
            ("wife", "李母", "spouse", dt.date(1982, 1, 1)),
            ("son", "张子", "child", dt.date(2008, 1, 1)),
            ("daughter", "张女", "child", dt.date(2010, 1, 1)),
            ("grandma", "王奶", "parent", dt.date(1950, 1, 1)),
            ("lodger", "赵客", "other", dt.date(1990, 1, 1))):
        p[key] = make_person(f.GRID, name=name, birth_date=born, household=house,
                             relation_to_head=relation)
    Enrollment.objects.create(person=p["head"], year=YEAR, scheme="employee",
                              pooling_region_id=f.COUNTY, status="active",
                              cover_start=dt.date(2020, 1, 1))
    Enrollment.objects.create(person=p["daughter"], year=YEAR, pooling_region_id=f.COUNTY,
                              status="active", paid_on=dt.date(2025, 9, 20))
    PersonGroup.objects.create(person=p["grandma"], group="low_income",
                               start_date=dt.date(2024, 1, 1))
    p["house"] = house
    return p


def card(client, house):
    return client.get(reverse("household_detail", args=[house.pk]))


def lines_by_name(response):
    return {ln.person.name: ln for ln in response.context["lines"]}


def test_card_shows_every_members_state_and_what_they_owe(family, as_user, village_clerk):
    response = card(as_user(village_clerk), family["house"])
    assert response.status_code == 200 and response.context["year"] == YEAR
    lines = lines_by_name(response)
    assert set(lines) == {"张父", "李母", "张子", "张女", "王奶", "赵客"}
    assert lines["张父"].status.startswith("已参保（职工医保")
    assert lines["张女"].status.startswith("已参保（居民医保") and not lines["张女"].can_pay
    assert lines["李母"].due is not None and lines["李母"].due > 0 and lines["李母"].can_pay
    assert lines["张父"].due is None  # already covered: nothing to pay
    body = response.content.decode()
    assert "今日缴费应缴" in body and str(lines["李母"].due) in body


def test_payment_date_is_filled_with_today(family, as_user, village_clerk):
    body = card(as_user(village_clerk), family["house"]).content.decode()
    assert 'type="date" name="paid_on" value="2025-10-10"' in body


def test_owed_amount_is_what_the_one_door_would_store(family, as_user, village_clerk):
    from enrollment import services

    expected = services.enrollment_preview(actor=village_clerk, person=family["wife"], year=YEAR,
                                           paid_on=TODAY.date()).enrollment
    line = lines_by_name(card(as_user(village_clerk), family["house"]))["李母"]
    assert line.due == expected.amount_due + (expected.repair_due or 0)


def test_hardship_groups_and_subsidy_are_shown(family, as_user, village_clerk):
    line = lines_by_name(card(as_user(village_clerk), family["house"]))["王奶"]
    assert line.groups == ["低保对象"]
    assert line.subsidy is not None and line.subsidy > 0


def test_who_can_pay_for_whom(family, as_user, village_clerk):
    lines = lines_by_name(card(as_user(village_clerk), family["house"]))
    payers = {name: [(p.name, rel) for p, rel in ln.payers] for name, ln in lines.items()}
    assert payers["李母"] == [("张父", "配偶")]
    assert payers["张子"] == [("张父", "父母")]
    assert payers["王奶"] == [("张父", "子女")]
    assert payers["赵客"] == []  # not a close relative: nobody's account may pay


def test_relation_between_members_from_the_booklet():
    assert relations.relation_between("head", "child") == "parent"
    assert relations.relation_between("child", "head") == "child"
    assert relations.relation_between("child", "child") == "sibling"
    assert relations.relation_between("parent", "child") == "grandparent"
    assert relations.relation_between("spouse", "child") is None  # may be a stepchild
    assert relations.relation_between("head", "other") is None


def test_household_pays_together_through_the_one_door(family, as_user, village_clerk):
    client = as_user(village_clerk)
    chosen = [family["wife"].pk, family["son"].pk, family["grandma"].pk]
    response = client.post(reverse("household_detail", args=[family["house"].pk]), {
        "year": YEAR, "paid_on": "2025-10-10", "channel": "village_batch", "person": chosen})
    assert response.status_code == 302 and "/receipt/" in response["Location"]
    rows = Enrollment.objects.filter(year=YEAR, person_id__in=chosen)
    assert rows.count() == 3
    # the one door stored the engine's determination and the amount it says
    assert all(e.determination and e.amount_paid == e.amount_due + (e.repair_due or 0)
               and e.created_by == village_clerk for e in rows)
    receipt = client.get(response["Location"])
    body = receipt.content.decode()
    assert "参保缴费回执" in body and "合计 3 人" in body
    assert str(sum(e.amount_paid for e in rows)) in body
    for e in rows:
        assert e.person.name in body and e.person.id_number not in body


def test_one_refusal_means_nobody_is_written(family, as_user, village_clerk):
    client = as_user(village_clerk)
    response = client.post(reverse("household_detail", args=[family["house"].pk]), {
        "year": YEAR, "paid_on": "2025-10-10", "channel": "village_batch",
        "person": [family["wife"].pk, family["daughter"].pk]})  # 张女 is already enrolled
    assert response.status_code == 200
    assert any("张女" in p for p in response.context["problems"])
    assert not Enrollment.objects.filter(person=family["wife"]).exists()


def test_neighbour_cannot_open_or_pay_for_our_household(family, as_user, neighbour_clerk):
    client = as_user(neighbour_clerk)
    url = reverse("household_detail", args=[family["house"].pk])
    assert client.get(url).status_code == 404
    assert client.post(url, {"year": YEAR, "paid_on": "2025-10-10", "channel": "individual",
                             "person": [family["wife"].pk]}).status_code == 404
    assert client.get(reverse("household_receipt", args=[family["house"].pk])).status_code == 404
    assert not Enrollment.objects.filter(person=family["wife"]).exists()


def test_receipt_shows_only_the_households_enrollments(family, as_user, village_clerk,
                                                       make_person):
    stranger = make_person(f.GRID, name="外人")
    theirs = Enrollment.objects.create(person=stranger, year=YEAR, pooling_region_id=f.COUNTY,
                                       status="active", paid_on=dt.date(2025, 9, 1))
    body = as_user(village_clerk).get(
        reverse("household_receipt", args=[family["house"].pk]),
        {"year": YEAR, "ids": str(theirs.pk)}).content.decode()
    assert "外人" not in body


def test_city_leader_reads_the_card_but_cannot_pay(family, as_user, city_leader):
    client = as_user(city_leader)
    response = card(client, family["house"])
    assert response.status_code == 200 and "一并登记" not in response.content.decode()
    client.post(reverse("household_detail", args=[family["house"].pk]), {
        "year": YEAR, "paid_on": "2025-10-10", "channel": "individual",
        "person": [family["wife"].pk]})
    assert not Enrollment.objects.filter(person=family["wife"]).exists()
