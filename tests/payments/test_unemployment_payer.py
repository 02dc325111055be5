"""The unemployment fund pays for the people on the 人社 list of unemployment-benefit recipients
(the registry's UnemploymentBenefit, filled by the `unemployed` feed)."""
import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from enrollment.models import Region, UnemploymentBenefit
from payments import payers
from tests import factories
from tests.enrollment.feedkit import run

pytestmark = pytest.mark.django_db


def _recipient(name, start, end, region=factories.GRID):
    person = factories.make_person(region, name=name)
    UnemploymentBenefit.objects.create(person=person, start_date=start, end_date=end)
    return person


def test_the_fund_lists_those_receiving_benefit_in_the_year(county_admin, village_clerk):
    fund = payers.payer_create(actor=county_admin, name="长沙县失业保险基金",
                               kind="unemployment_fund",
                               region=Region.objects.get(code=factories.COUNTY))
    person = factories.make_person(name="李四")
    run("unemployed", village_clerk, {"证件号码": person.id_number, "姓名": "李四",
                                      "领取起始日期": "2026-03-01", "领取终止日期": "2027-02-28"})
    _recipient("已期满", dt.date(2025, 1, 1), dt.date(2026, 12, 31))
    _recipient("外县", dt.date(2026, 6, 1), None, region=factories.OTHER_GRID)
    factories.make_person(name="未领取")
    added = payers.payer_add_unemployed(actor=county_admin, payer=fund, year=2027)
    assert [m.person.name for m in added] == ["李四"]
    assert payers.payer_add_unemployed(actor=county_admin, payer=fund, year=2027) == []


def test_another_kind_of_payer_is_refused(county_admin):
    union = payers.payer_create(actor=county_admin, name="长沙县总工会", kind="trade_union",
                                region=Region.objects.get(code=factories.COUNTY))
    with pytest.raises(ValidationError):
        payers.payer_add_unemployed(actor=county_admin, payer=union, year=2027)
