"""The wallet page: money in, a payment and a reversal through the page, the statement in Excel
and print, the receipt."""
import datetime as dt
from decimal import Decimal

import pytest

from payments.models import Receipt, Transfer
from payments.selectors import person_balance
from tests.scope_audit.common import xlsx_text

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc), tick=False)


def test_a_clerk_credits_pays_and_reverses_on_the_page(as_user, village_clerk, make_person):
    person = make_person(name="赵六")
    client = as_user(village_clerk)
    url = f"/payments/persons/{person.pk}/wallet/"
    page = client.get(url).content.decode()
    assert 'value="2026-12-01"' in page  # the payment date is filled in
    response = client.post(url, {"action": "credit", "credit-source": "enterprise",
                                 "credit-sponsor": "星沙制造", "credit-amount": "900"})
    assert response.status_code == 302 and person_balance(person) == Decimal("900")
    response = client.post(url, {"action": "pay", "pay-year": 2027,
                                 "pay-paid_on": "2026-11-20", "pay-repair_years": 0},
                           follow=True)
    page = response.content.decode()
    assert "已从医保钱包缴纳2027年居民医保费" in page
    receipt = Receipt.objects.get(enrollment__person=person)
    assert receipt.number in page
    assert "城乡居民基本医疗保险缴费收据" in client.get(f"/payments/receipts/{receipt.pk}/"
                                                     ).content.decode()
    sponsorship = Transfer.objects.get(kind="sponsorship")
    response = client.post(f"{url}reverse/", {"transfer": sponsorship.pk, "reason": "撤回"},
                           follow=True)
    assert "不足以冲正退回" in response.content.decode()  # already spent on the payment
    workbook = xlsx_text(client.get(f"/payments/persons/{person.pk}/wallet/statement/"
                                    "?year=2026&format=xlsx").content)
    assert "社会资助转入" in workbook and "钱包缴费" in workbook and "期末余额" in workbook
    printed = client.get(f"/payments/persons/{person.pk}/wallet/statement/?year=2026")
    assert "经办人" in printed.content.decode()


def test_the_person_page_links_to_the_wallet(as_user, village_clerk, make_person):
    person = make_person()
    page = as_user(village_clerk).get(f"/persons/{person.pk}/").content.decode()
    assert f"/payments/persons/{person.pk}/wallet/" in page
