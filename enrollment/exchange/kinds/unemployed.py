"""人社 失业保险金领取: the periods in which a person receives unemployment benefit. During them
the unemployment-insurance fund pays the resident contribution (payments: a payer of kind
失业保险基金 reads `UnemploymentBenefit`); the registry records only the period."""
from __future__ import annotations

from ..base import Column, register
from ..periods import ID, NAME, PeriodFeed


@register
class UnemployedFeed(PeriodFeed):
    kind = "unemployed"
    title = "失业保险金领取人员名单"
    department = "人社"
    start_header, end_header, end_required = "领取起始日期", "领取终止日期", True
    group = "unemployment"
    unemployment = True
    period_label = "领取失业保险金"
    columns = (
        Column(ID, example="430121198203080041", note="18位身份证号码"),
        Column(NAME, example="李四"),
        Column("领取起始日期", example="2026-03-01", note="如2026-03-01"),
        Column("领取终止日期", example="2027-02-28", note="核定的领取期满日期"),
    )
