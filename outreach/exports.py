"""Excel workbooks for the ledger and the feedback rollup (built by core.exports): staff live in
Excel."""
from __future__ import annotations

from django.http import HttpResponse

from core.exports import Sheet, xlsx_response
from enrollment import scope


def workbook_response(filename: str, title: str, header: list[str], rows) -> HttpResponse:
    return xlsx_response(filename, Sheet(title=title, header=header, rows=rows))


def ledger_rows(qs, user):
    """The ledger as Excel; phone numbers whole only where `user` calls them
    (enrollment.scope.sees_whole_phone)."""
    for e in qs.iterator(chunk_size=2000):
        yield [e.year, e.name, e.masked_id, scope.shown_phone(user, e, e.phone), e.region.name,
               e.grid.name if e.grid_id else "", e.get_side_display(),
               "是" if e.separated else "", e.get_reason_display(), e.reason_note,
               e.get_status_display(),
               e.task.get_status_display() if hasattr(e, "task") else "未下发"]


LEDGER_HEADER = ["年度", "姓名", "证件号码", "联系方式", "所在村（社区）", "网格", "台账所在",
                 "人户分离", "未参保原因", "原因说明", "状态", "任务状态"]
# Enrolled of those pushed: not the registry's 参保率, so it carries its own label.
FEEDBACK_HEADER = ["单位", "下发", "签领", "已走访", "已动员", "已参保", "无法参保", "逾期",
                   "下发人员参保率"]


def feedback_rows(rows):
    for r in rows:
        yield [r["name"], r["pushed"], r["signed"], r["visited"], r["mobilised"], r["enrolled"],
               r["cannot"], r["overdue"],
               f"{r['enrol_rate']:.1f}%" if r["enrol_rate"] is not None else ""]
