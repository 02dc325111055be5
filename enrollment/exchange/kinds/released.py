"""司法 刑满释放: the release date is the day the person left another scheme; within the profile's
window (Shanxi's 3-month rule, R-EXIT-3M) they enroll without a waiting period. The engine and
the radar find it as a PersonGroup `exit_released_prisoner` starting on that day."""
from __future__ import annotations

from ...models import HardshipGroup
from ..base import Column, register
from ..periods import ID, NAME, PeriodFeed


@register
class ReleasedFeed(PeriodFeed):
    kind = "released"
    title = "刑满释放人员名单"
    department = "司法"
    start_header = "释放日期"
    group = HardshipGroup.EXIT_RELEASED
    period_label = "刑满释放"
    columns = (
        Column(ID, example="430121199507150074", note="18位身份证号码"),
        Column(NAME, example="王五"),
        Column("释放日期", example="2026-09-30", note="如2026-09-30"),
    )
