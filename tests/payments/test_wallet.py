"""The wallet ledger: two entries per movement that balance, balances as sums, never negative,
payments through the one door with the enrollment and the entries written together or not at
all, reversals as new transfers."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from enrollment import services as registry
from enrollment.models import AuditEntry, Enrollment, LifeStatus
from payments import services
from payments.models import Account, AccountKind, Entry, Receipt, Transfer, TransferKind
from payments.selectors import balance, person_balance, statement

pytestmark = pytest.mark.django_db

TODAY = dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
PAID_ON = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(TODAY, tick=False)


def books_balance():
    """Every transfer's entries sum to zero, and so does the whole ledger."""
    for t in Transfer.objects.prefetch_related("entries"):
        assert len(t.entries.all()) == 2
        assert sum(e.amount for e in t.entries.all()) == 0, t
    assert (Entry.objects.aggregate(s=Sum("amount"))["s"] or 0) == 0


def snapshot():
    return (Enrollment.objects.count(), Transfer.objects.count(), Entry.objects.count(),
            Receipt.objects.count(), AuditEntry.objects.count())


def refused(field, call, **kw):
    before = snapshot()
    with pytest.raises(ValidationError) as excinfo:
        call(**kw)
    assert field in excinfo.value.message_dict, excinfo.value.message_dict
    assert snapshot() == before, "a refusal wrote something"
    return excinfo.value.message_dict[field][0]


def credit(actor, person, amount="500"):
    return services.wallet_credit(actor=actor, person=person, amount=amount, source="charity",
                                  sponsor="长沙慈善总会")


def test_sponsorship_credits_the_wallet_with_two_balancing_entries(village_clerk, make_person):
    person = make_person()
    t = credit(village_clerk, person, "500.00")
    assert person_balance(person) == Decimal("500.00")
    assert t.kind == TransferKind.SPONSORSHIP
    sponsor = Account.objects.get(kind=AccountKind.SPONSOR)
    assert sponsor.name == "长沙慈善总会" and balance(sponsor) == Decimal("-500.00")
    books_balance()
    assert AuditEntry.objects.filter(person=person, detail__contains="资助转入500").exists()


def test_paying_from_the_wallet_goes_through_the_one_door(village_clerk, make_person):
    person = make_person()
    credit(village_clerk, person, "1000")
    e = services.wallet_pay(actor=village_clerk, person=person, year=2027, paid_on=PAID_ON)
    assert e.channel == "wallet" and e.amount_due and e.amount_paid == e.amount_due
    assert e.determination["amount_due"]  # the engine was asked, as on every door
    assert person_balance(person) == Decimal("1000") - e.amount_paid
    fund = Account.objects.get(kind=AccountKind.FUND)
    assert balance(fund) == e.amount_paid
    assert Transfer.objects.get(kind=TransferKind.PAYMENT).enrollment == e
    assert e.receipt.sequence == 1 and e.receipt.amount == e.amount_paid
    books_balance()


def test_not_enough_in_the_wallet_writes_nothing(village_clerk, make_person):
    person = make_person()
    credit(village_clerk, person, "10")
    message = refused("amount", services.wallet_pay, actor=village_clerk, person=person,
                      year=2027, paid_on=PAID_ON)
    assert "余额10.00元，不足以缴纳" in message
    assert person_balance(person) == Decimal("10.00")


def test_a_refusal_of_the_one_door_takes_no_money(village_clerk, make_person):
    person = make_person()
    credit(village_clerk, person, "2000")
    services.wallet_pay(actor=village_clerk, person=person, year=2027, paid_on=PAID_ON)
    left = person_balance(person)
    message = refused("year", services.wallet_pay, actor=village_clerk, person=person,
                      year=2027, paid_on=PAID_ON)
    assert "已有城乡居民医保参保登记" in message
    assert person_balance(person) == left


def test_a_close_relative_pays_from_their_wallet_with_evidence(village_clerk, make_person):
    child, mother = make_person(name="李小", birth_date=dt.date(2015, 3, 1)), make_person()
    credit(village_clerk, mother, "1000")
    e = services.wallet_pay(actor=village_clerk, person=child, year=2027, paid_on=PAID_ON,
                            owner=mother, relation="parent", evidence="户口簿")
    assert person_balance(mother) == Decimal("1000") - e.amount_paid
    t = Transfer.objects.get(kind=TransferKind.PAYMENT)
    assert (t.relation, t.evidence) == ("parent", "户口簿")


@pytest.mark.parametrize("kw, field, words", [
    ({"relation": "other", "evidence": "口头"}, "relation", "近亲属"),
    ({"relation": "", "evidence": "户口簿"}, "relation", "近亲属"),
    ({"relation": "spouse", "evidence": ""}, "evidence", "关系证明"),
    ({"relation": "spouse", "evidence": "户口簿", "amount": "0"}, "amount", "大于0"),
    ({"relation": "spouse", "evidence": "户口簿", "amount": "-5"}, "amount", "大于0"),
    ({"relation": "spouse", "evidence": "户口簿", "amount": "1.005"}, "amount", "两位小数"),
    ({"relation": "spouse", "evidence": "户口簿", "amount": "abc"}, "amount", "不是有效金额"),
    ({"relation": "spouse", "evidence": "户口簿", "amount": "600"}, "amount", "不足以转出"),
])
def test_bad_relative_transfers_are_refused_naming_the_field(village_clerk, make_person, kw,
                                                            field, words):
    person, relative = make_person(), make_person(name="王五")
    credit(village_clerk, relative, "500")
    kw = {"amount": "100", **kw}
    message = refused(field, services.wallet_transfer_from_relative, actor=village_clerk,
                      person=person, relative=relative, **kw)
    assert words in message


def test_nothing_goes_into_the_wallet_of_a_deceased_person(village_clerk, make_person):
    person, relative = make_person(), make_person(name="王五")
    credit(village_clerk, relative, "500")
    registry.person_mark_life_status(actor=village_clerk, person=person,
                                     status=LifeStatus.DECEASED, on=dt.date(2026, 10, 1),
                                     source="公安")
    message = refused("person", services.wallet_transfer_from_relative, actor=village_clerk,
                      person=person, relative=relative, relation="spouse", evidence="户口簿",
                      amount="100")
    assert "死亡" in message or "已" in message
    refused("person", credit, actor=village_clerk, person=person)


def test_a_neighbour_cannot_touch_the_wallet(neighbour_clerk, village_clerk, make_person):
    person = make_person()
    credit(village_clerk, person, "100")
    with pytest.raises(PermissionDenied):
        credit(neighbour_clerk, person, "100")
    with pytest.raises(PermissionDenied):
        services.wallet_pay(actor=neighbour_clerk, person=person, year=2027, paid_on=PAID_ON)


def test_reversal_is_a_new_transfer_and_only_once(village_clerk, make_person):
    person = make_person()
    t = credit(village_clerk, person, "300")
    services.wallet_reverse(actor=village_clerk, transfer=t, reason="资助方撤回")
    assert person_balance(person) == Decimal("0.00")
    assert Transfer.objects.get(pk=t.pk).amount == Decimal("300")  # never edited
    books_balance()
    refused("reason", services.wallet_reverse, actor=village_clerk, transfer=t, reason="再来")


def test_a_sponsorship_already_spent_cannot_be_reversed_into_the_red(village_clerk, make_person):
    person = make_person()
    t = credit(village_clerk, person, "500")
    services.wallet_pay(actor=village_clerk, person=person, year=2027, paid_on=PAID_ON)
    refused("amount", services.wallet_reverse, actor=village_clerk, transfer=t, reason="撤回")


def test_a_payment_comes_back_only_when_its_enrollment_is_stopped(village_clerk, make_person):
    person = make_person()
    credit(village_clerk, person, "1000")
    e = services.wallet_pay(actor=village_clerk, person=person, year=2027, paid_on=PAID_ON)
    payment = Transfer.objects.get(kind=TransferKind.PAYMENT)
    message = refused("reason", services.wallet_reverse, actor=village_clerk, transfer=payment,
                      reason="退费")
    assert "先停保" in message
    registry.enrollment_stop(actor=village_clerk, enrollment=e, on=dt.date(2026, 12, 1),
                             reason="迁往外省")
    services.wallet_reverse(actor=village_clerk, transfer=payment, reason="迁往外省退费")
    assert person_balance(person) == Decimal("1000.00")
    books_balance()


def test_statement_has_opening_running_and_closing_balance(village_clerk, make_person):
    person = make_person()
    credit(village_clerk, person, "800")
    e = services.wallet_pay(actor=village_clerk, person=person, year=2027, paid_on=PAID_ON)
    opening, lines, closing = statement(person, 2026)
    assert opening == 0 and [line.running for line in lines] == [
        Decimal("800"), Decimal("800") - e.amount_paid]
    assert closing == person_balance(person)


OPS = st.lists(st.tuples(st.sampled_from(["credit", "move", "reverse", "pay"]),
                         st.integers(0, 2), st.integers(0, 2),
                         st.decimals("0.01", "900", places=2)), max_size=12)


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(ops=OPS)
def test_the_ledger_balances_after_any_sequence(village_clerk, region_tree, ops):
    from tests import factories

    sid = transaction.savepoint()
    try:
        people = [factories.make_person(name=n) for n in ("甲", "乙", "丙")]
        for op, a, b, amount in ops:
            try:
                with transaction.atomic():
                    if op == "credit":
                        credit(village_clerk, people[a], amount)
                    elif op == "move" and a != b:
                        services.wallet_transfer_from_relative(
                            actor=village_clerk, person=people[a], relative=people[b],
                            relation="sibling", evidence="户口簿", amount=amount)
                    elif op == "reverse":
                        t = Transfer.objects.exclude(kind=TransferKind.REVERSAL).order_by(
                            "pk")[b:b + 1].first()
                        if t:
                            services.wallet_reverse(actor=village_clerk, transfer=t, reason="测试")
                    elif op == "pay":
                        services.wallet_pay(actor=village_clerk, person=people[a],
                                            year=2025 + b, paid_on=PAID_ON)
            except ValidationError:
                pass  # a refusal is an allowed outcome; the invariants below must still hold
            books_balance()
            for p in people:
                assert person_balance(p) >= 0
    finally:
        transaction.savepoint_rollback(sid)


def test_staff_names_read_family_name_first(village_clerk):
    village_clerk.last_name, village_clerk.first_name = "王", "村干"
    assert str(village_clerk) == village_clerk.get_full_name() == "王村干"
