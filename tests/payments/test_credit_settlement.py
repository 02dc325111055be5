"""A credit enrollment (R-CREDIT) settled by a later payment from the wallet: through the one
door, the debt to 0, the ledger balanced, one receipt; a wallet short of the debt pays nothing."""
import datetime as dt
from decimal import Decimal

import pytest

from enrollment import services as registry
from enrollment.models import Enrollment
from payments import services
from payments.models import Receipt, TransferKind
from payments.selectors import person_balance
from tests.payments.test_wallet import TODAY, books_balance, credit, refused

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(TODAY, tick=False)


def _on_credit(clerk, person):
    return registry.enrollment_record(actor=clerk, person=person, year=2027,
                                      paid_on=dt.date(2026, 11, 10), on_credit=True)


def test_a_wallet_payment_settles_the_debt_with_its_receipt(village_clerk, make_person):
    person = make_person()
    owed = _on_credit(village_clerk, person).credit_outstanding
    assert owed > 0 and not Receipt.objects.exists()
    credit(village_clerk, person, amount="1000")
    paid = services.wallet_pay(actor=village_clerk, person=person, year=2027,
                               paid_on=dt.date(2026, 12, 1))
    paid.refresh_from_db()
    assert Enrollment.objects.filter(person=person).count() == 1
    assert paid.credit_outstanding == 0 and paid.status == "active" and paid.amount_paid == owed
    assert paid.wallet_transfers.get().kind == TransferKind.PAYMENT
    assert Receipt.objects.get(enrollment=paid).amount == owed
    assert person_balance(person) == Decimal("1000") - owed
    books_balance()


def test_a_wallet_short_of_the_debt_pays_nothing(village_clerk, make_person):
    person = make_person()
    owed = _on_credit(village_clerk, person).credit_outstanding
    credit(village_clerk, person, amount="100")
    refused("amount", services.wallet_pay, actor=village_clerk, person=person, year=2027,
            paid_on=dt.date(2026, 12, 1))
    e = Enrollment.objects.get(person=person)
    assert e.credit_outstanding == owed and e.paid_on is None
