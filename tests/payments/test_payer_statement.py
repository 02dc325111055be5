"""A payer's statement for a year (年度代缴对账单), Excel and print: who was on its list, who it
covered, amounts, receipts and totals; read within the reader's scope, and a neighbour cannot
open another region's payer statement by URL."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from enrollment import services as registry
from enrollment.models import Enrollment, Region
from payments import payers
from payments.models import Receipt
from tests import factories

pytestmark = pytest.mark.django_db

PAID_ON = dt.date(2026, 11, 20)


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 1, 10, 0, tzinfo=dt.timezone.utc), tick=False)


@pytest.fixture
def union(county_admin, village_clerk, neighbour_clerk):
    union = payers.payer_create(actor=county_admin, name="长沙县总工会", kind="trade_union",
                                region=Region.objects.get(code=factories.COUNTY))
    kid = dict(birth_date=dt.date(2014, 5, 1))
    a, b, c, d = (factories.make_person(name=n, **kid) for n in ("甲", "乙", "丙", "丁"))
    e = factories.make_person(factories.NEIGHBOUR_GRID, name="戊", **kid)
    payers.payer_add_members(actor=county_admin, payer=union, year=2027, persons=[a, b, c, d],
                             note="职工子女")
    registry.enrollment_record(actor=village_clerk, person=a, year=2027, paid_on=PAID_ON)
    registry.enrollment_record(actor=village_clerk, person=d, year=2027, paid_on=PAID_ON,
                               on_credit=True)
    payers.payer_batch_pay(actor=county_admin, payer=union, year=2027, paid_on=PAID_ON)
    payers.payer_add_members(actor=county_admin, payer=union, year=2027, persons=[e])
    return union


def _rows(response):
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_the_excel_statement_lists_the_year_with_amounts_receipts_and_totals(
        union, township_officer, as_user):
    response = as_user(township_officer).get(f"/payments/payers/{union.pk}/statement/?year=2027&format=xlsx")
    rows = _rows(response)
    assert "长沙县总工会（工会）2027年度代缴对账单" in rows[0][0]
    assert "名单5人，本单位代缴2人" in rows[1][0] and "信用参保欠费1人" in rows[1][0]
    lines = {r[1]: r for r in rows if isinstance(r[0], int)}
    assert {n: r[6] for n, r in lines.items()} == {
        "甲": "其他方式参保", "乙": "本单位代缴", "丙": "本单位代缴", "丁": "信用参保欠费", "戊": "未缴"}
    for name in ("乙", "丙"):
        e = Enrollment.objects.get(person__name=name, year=2027)
        assert Decimal(str(lines[name][7])) == e.amount_paid
        assert lines[name][9] == Receipt.objects.get(enrollment=e).number
    assert lines["甲"][7] is None and lines["甲"][9] is None
    total = rows[-1]
    assert total[1] == "合计" and Decimal(str(total[7])) == sum(
        Enrollment.objects.get(person__name=n, year=2027).amount_paid for n in ("乙", "丙"))


def test_the_print_view_has_title_date_totals_page_numbers_and_signature_lines(
        union, township_officer, as_user):
    page = as_user(township_officer).get(f"/payments/payers/{union.pk}/statement/?year=2027").content.decode()
    assert "<h1>长沙县总工会2027年度代缴对账单</h1>" in page and "打印日期：2026年12月1日" in page
    assert 'class="people-print"' in page  # print.css numbers its pages
    assert "经办人：" in page and "审核人：" in page and "合计：本单位代缴2人" in page
    assert Receipt.objects.get(enrollment__person__name="乙").number in page


def test_a_village_reads_its_own_people_of_a_county_payer(union, village_clerk, as_user):
    rows = _rows(as_user(village_clerk).get(f"/payments/payers/{union.pk}/statement/?year=2027&format=xlsx"))
    names = {r[1] for r in rows if isinstance(r[0], int)}
    assert names == {"甲", "乙", "丙", "丁"}  # 戊 lives in the neighbouring village


def test_a_neighbour_cannot_open_another_regions_payer_statement(county_admin, village_clerk,
                                                                  as_user):
    theirs = payers.payer_create(actor=county_admin, name="西湖社区村集体",
                                 kind="village_collective",
                                 region=Region.objects.get(code=factories.NEIGHBOUR_VILLAGE))
    client = as_user(village_clerk)
    assert client.get(f"/payments/payers/{theirs.pk}/statement/?year=2027").status_code == 404
    assert client.get(f"/payments/payers/{theirs.pk}/statement/?year=2027&format=xlsx").status_code == 404

