"""Two payments at the same moment, on PostgreSQL: the wallet is never overdrawn and receipt
numbers neither repeat nor skip."""
import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from enrollment import services as registry
from payments import services
from payments.models import Receipt
from payments.selectors import person_balance

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locking"),
]

PAID_ON = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen(time_machine, shipped_policies):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc), tick=False)


def run_together(*calls):
    outcomes = []

    def worker(call):
        from django.db import connection as conn

        try:
            call()
            outcomes.append("ok")
        except ValidationError as exc:
            outcomes.append("；".join(m for ms in exc.message_dict.values() for m in ms))
        except Exception as exc:  # noqa: BLE001 - reported in the assertion, not lost in a thread
            outcomes.append(repr(exc))
        finally:
            conn.close()

    threads = [threading.Thread(target=worker, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return outcomes


def test_two_movements_out_of_one_wallet_never_overdraw_it(village_clerk, make_person,
                                                           monkeypatch):
    mother = make_person(name="王芳")
    kids = [make_person(name=n, birth_date=dt.date(2015, 1, 1)) for n in ("李一", "李二")]
    services.wallet_credit(actor=village_clerk, person=mother, amount="500",
                           source="charity", sponsor="红十字会")
    # Both movements read the balance before either writes, unless the wallet row is locked:
    # then the second waits for the first to commit and reads the smaller balance.
    barrier = threading.Barrier(2, timeout=3)
    spend = services._spend

    def both_read(account, amount, what):
        try:
            barrier.wait()
        except threading.BrokenBarrierError:
            pass
        return spend(account, amount, what)

    monkeypatch.setattr(services, "_spend", both_read)
    outcomes = run_together(*[
        lambda kid=kid: services.wallet_transfer_from_relative(
            actor=village_clerk, person=kid, relative=mother, relation="parent",
            evidence="户口簿", amount="300")
        for kid in kids])
    assert outcomes.count("ok") == 1, outcomes
    assert "不足以转出" in [o for o in outcomes if o != "ok"][0]
    assert person_balance(mother) == Decimal("200.00")


def test_two_wallet_payments_at_once_pay_only_what_the_wallet_holds(village_clerk,
                                                                    make_person):
    mother = make_person(name="王芳")
    kids = [make_person(name=n, birth_date=dt.date(2015, 1, 1)) for n in ("李一", "李二")]
    one = registry.enrollment_preview(actor=village_clerk, person=kids[0], year=2027,
                                      paid_on=PAID_ON).enrollment.amount_due
    services.wallet_credit(actor=village_clerk, person=mother, amount=one + Decimal("1"),
                           source="charity", sponsor="红十字会")
    outcomes = run_together(*[
        lambda kid=kid: services.wallet_pay(actor=village_clerk, person=kid, year=2027,
                                            paid_on=PAID_ON, owner=mother, relation="parent",
                                            evidence="户口簿")
        for kid in kids])
    assert outcomes.count("ok") == 1, outcomes
    assert person_balance(mother) == Decimal("1.00")
    assert Receipt.objects.count() == 1  # the refused payment's enrollment and receipt rolled back


def test_receipt_numbers_have_no_gaps_under_concurrency(village_clerk, make_person):
    people = [make_person(name=f"缴费人{i}") for i in range(4)]
    outcomes = run_together(*[
        lambda p=p: registry.enrollment_record(actor=village_clerk, person=p, year=2027,
                                               paid_on=PAID_ON)
        for p in people])
    assert outcomes == ["ok"] * 4
    assert sorted(Receipt.objects.values_list("sequence", flat=True)) == [1, 2, 3, 4]
