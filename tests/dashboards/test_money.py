"""Money on the dashboards (docs/payments.md): contributions collected, hardship subsidies,
sponsorship received, what wallets and third-party payers paid, credit owed and overdue, per
region and year from the rollup rows the same refresh fills; equal to the sums of the ledger and
the enrollments of a hand-made village pair; on the page (资金, drilling down), in the Excel
export, and not to the neighbour."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db.models import Sum
from openpyxl import load_workbook

from dashboards import regional, rollups
from dashboards.models import CoverageRollup
from enrollment import services as registry
from enrollment.models import Enrollment, PersonGroup, Region
from payments import payers, services
from payments.models import Entry, TransferKind
from tests import factories
from tests.test_one_door import TODAY, _history

pytestmark = pytest.mark.django_db

YEAR = 2027
AFTER_DUE = dt.date(2027, 1, 5)  # the credit enrollment below was due on 2026-12-31


@pytest.fixture
def money(village_clerk, neighbour_clerk, county_admin, time_machine):
    """东山村: A pays 440 from a sponsored wallet (1000 in), B (low income, half subsidised)
    pays 220, E's 500 sponsorship is reversed. 西湖社区: C enrolled on credit (440 owed), the
    union pays D's 440."""
    time_machine.move_to(TODAY, tick=False)
    paid_on = dt.date(2026, 11, 20)
    a, b, e = (factories.make_person(factories.GRID, name=n) for n in ("甲", "乙", "戊"))
    c, d = (factories.make_person(factories.NEIGHBOUR_GRID, name=n) for n in ("丙", "丁"))
    for p in (a, b, c, d):
        _history(p, 2026)
    PersonGroup.objects.create(person=b, group="low_income", start_date=dt.date(2020, 1, 1))
    services.wallet_credit(actor=village_clerk, person=a, amount="1000", source="charity",
                           sponsor="慈善总会")
    services.wallet_pay(actor=village_clerk, person=a, year=YEAR, paid_on=paid_on)
    registry.enrollment_record(actor=village_clerk, person=b, year=YEAR, paid_on=paid_on,
                               channel="individual")
    gift = services.wallet_credit(actor=village_clerk, person=e, amount="500",
                                  source="enterprise", sponsor="某企业")
    services.wallet_reverse(actor=village_clerk, transfer=gift, reason="重复转入")
    registry.enrollment_record(actor=neighbour_clerk, person=c, year=YEAR,
                               paid_on=dt.date(2026, 11, 10), on_credit=True)
    union = payers.payer_create(actor=county_admin, name="县总工会", kind="trade_union",
                                region=Region.objects.get(code=factories.COUNTY))
    payers.payer_add_members(actor=county_admin, payer=union, year=YEAR, persons=[d])
    payers.payer_batch_pay(actor=county_admin, payer=union, year=YEAR, paid_on=paid_on)
    rollups.refresh(years=[YEAR], today=AFTER_DUE)


def _row(code):
    return CoverageRollup.objects.get(year=YEAR, region_id=code)


EXPECTED = {
    factories.VILLAGE: dict(collected=660, subsidies=220, sponsorship_in=1000, wallet_paid=440,
                            payer_paid=0, credit_outstanding=0, credit_overdue=0,
                            credit_overdue_amount=0),
    factories.NEIGHBOUR_VILLAGE: dict(collected=440, subsidies=0, sponsorship_in=0,
                                      wallet_paid=0, payer_paid=440, credit_outstanding=440,
                                      credit_overdue=1, credit_overdue_amount=440),
    factories.TOWNSHIP: dict(collected=1100, subsidies=220, sponsorship_in=1000,
                             wallet_paid=440, payer_paid=440, credit_outstanding=440,
                             credit_overdue=1, credit_overdue_amount=440),
}


@pytest.mark.parametrize("code", list(EXPECTED))
def test_the_money_columns_are_the_hand_computed_sums(money, code):
    row = _row(code)
    assert {k: getattr(row, k) for k in EXPECTED[code]} == {
        k: Decimal(v) if k != "credit_overdue" else v for k, v in EXPECTED[code].items()}


def test_the_county_total_equals_the_ledger_and_the_enrollments(money):
    row = _row(factories.COUNTY)
    wallets = Entry.objects.filter(account__kind="wallet", transfer__kind__in=[
        TransferKind.SPONSORSHIP, TransferKind.REVERSAL]).aggregate(s=Sum("amount"))["s"]
    live = Enrollment.objects.filter(year=YEAR, status__in=["awaiting", "active"])
    assert row.sponsorship_in == wallets == Decimal("1000")
    assert row.collected == live.aggregate(s=Sum("amount_paid"))["s"]
    assert row.subsidies == live.filter(status="active").aggregate(s=Sum("subsidy"))["s"]
    assert row.credit_outstanding == live.aggregate(s=Sum("credit_outstanding"))["s"]
    assert row.wallet_paid + row.payer_paid == Entry.objects.filter(
        account__kind="fund").aggregate(s=Sum("amount"))["s"]


def test_the_touched_village_refresh_gives_the_same_money(money, village_clerk, time_machine):
    before = {code: _row(code).wallet_paid for code in EXPECTED}
    time_machine.move_to(dt.datetime(2026, 12, 2, 10, tzinfo=TODAY.tzinfo), tick=False)
    f = factories.make_person(factories.GRID, name="己")
    _history(f, 2026)
    services.wallet_credit(actor=village_clerk, person=f, amount="440", source="charity",
                           sponsor="慈善总会")
    services.wallet_pay(actor=village_clerk, person=f, year=YEAR, paid_on=dt.date(2026, 12, 2))
    regional.refresh_touched(since=dt.datetime(2026, 12, 1, 12, tzinfo=TODAY.tzinfo),
                             years=[YEAR], today=AFTER_DUE)
    assert _row(factories.VILLAGE).wallet_paid == before[factories.VILLAGE] + 440
    assert _row(factories.TOWNSHIP).wallet_paid == before[factories.TOWNSHIP] + 440
    assert _row(factories.TOWNSHIP).sponsorship_in == Decimal("1440")


def test_the_dashboard_shows_the_money_and_drills_down(money, as_user, township_officer):
    page = as_user(township_officer).get(
        f"/dashboards/?region={factories.TOWNSHIP}&year={YEAR}").content.decode()
    assert 'id="money"' in page and "信用参保逾期" in page
    assert "1,100.00" in page and "1,000.00" in page  # collected, sponsorship
    assert f'href="?region={factories.NEIGHBOUR_VILLAGE}&year={YEAR}#money"' in page
    drill = as_user(township_officer).get(
        f"/dashboards/people/?region={factories.TOWNSHIP}&year={YEAR}&metric=credit_owed")
    assert "丙" in drill.content.decode() and "甲" not in drill.content.decode()


def test_the_excel_export_has_the_money_sheet(money, as_user, township_officer):
    response = as_user(township_officer).get(
        f"/dashboards/export.xlsx?region={factories.TOWNSHIP}&year={YEAR}")
    sheet = load_workbook(io.BytesIO(response.content))[f"{YEAR}年资金"]
    rows = {r[1]: r for r in sheet.iter_rows(values_only=True) if r[1]}
    total = rows["星沙街道（合计）"]
    assert [Decimal(str(v)) for v in total[2:]] == [
        Decimal(EXPECTED[factories.TOWNSHIP][k]) for k in (
            "collected", "subsidies", "sponsorship_in", "wallet_paid", "payer_paid",
            "credit_outstanding", "credit_overdue", "credit_overdue_amount")]
    assert rows["西湖社区"][7] == 440


def test_the_neighbour_cannot_open_our_village_money(money, as_user, neighbour_clerk):
    response = as_user(neighbour_clerk).get(f"/dashboards/?region={factories.VILLAGE}&year={YEAR}")
    assert response.status_code == 404
