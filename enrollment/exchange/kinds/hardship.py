"""民政 / 乡村振兴 / 残联: hardship groups with the dates of recognition and of exit. A row is a
period of one group (PersonGroup): the same period again changes nothing, an exit date closes
it. The engine reads the groups on the payment date (subsidy), the radar and the ledger read
them for 应保尽保."""
from __future__ import annotations

from ...models import HardshipGroup
from ..base import Column, register
from ..periods import ID, NAME, PeriodFeed

G = HardshipGroup
CATEGORIES = {
    # The registry's own labels first (the template lists them), then the departments' short forms.
    G.SPECIAL_HARDSHIP.label: G.SPECIAL_HARDSHIP,
    G.ORPHAN.label: G.ORPHAN,
    G.LOW_INCOME.label: G.LOW_INCOME,
    G.MONITORED.label: G.MONITORED,
    G.DISABILITY.label: G.DISABILITY,
    G.VETERAN.label: G.VETERAN,
    "儿童福利机构儿童": G.WELFARE_CHILD,
    "特困供养人员": G.SPECIAL_HARDSHIP,
    "孤儿": G.ORPHAN,
    "事实无人抚养儿童": G.ORPHAN,
    "低保": G.LOW_INCOME,
    "最低生活保障对象": G.LOW_INCOME,
    "监测对象": G.MONITORED,
    "重度残疾": G.DISABILITY,
}


@register
class HardshipFeed(PeriodFeed):
    kind = "hardship"
    title = "困难群体认定名单"
    department = "民政、乡村振兴、残联"
    start_header, end_header = "认定日期", "退出日期"
    category_header, categories = "困难类别", CATEGORIES
    source_header = "认定部门"
    columns = (
        Column(ID, example="430121198005010034", note="18位身份证号码"),
        Column(NAME, example="张三"),
        Column("困难类别", example="低保对象",
               note="填写：" + "、".join(list(CATEGORIES)[:7])),
        Column("认定日期", example="2026-01-15", note="如2026-01-15"),
        Column("退出日期", required=False, example="",
               note="仍在册的留空；填写后该身份于当日结束"),
        Column("认定部门", required=False, example="长沙县民政局"),
    )
