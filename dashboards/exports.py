"""The dashboard table as an Excel workbook (staff live in Excel)."""
from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

HEADERS = ["区划代码", "区划名称", "在册人口", "常住人口", "已参保", "参保率（在册）",
           "参保率（常住）", "目标人数", "目标来源", "距目标差额", "困难群体", "困难群体未参保",
           "较上年（百分点）"]


def _pct(value):
    return round(value / 100, 4) if value is not None else None


def _line(code, name, f):
    row = f["row"]
    return [code, name, f["persons"], f["official"], f["covered"], _pct(f["rate"]),
            _pct(f["rate_official"]), f["target"], f["target_source"], f["gap"],
            row.hardship if row else 0, f["hardship_uncovered"],
            round(f["trend"], 2) if f["trend"] is not None else None]


def dashboard_workbook(data: dict) -> bytes:
    wb = Workbook()
    ws = wb.active
    region, year = data["region"], data["year"]
    ws.title = f"{year}年参保情况"[:31]
    ws.append([f"{region.name} {year}年度基本医保参保情况（按{data['child_level'] or '区划'}）"])
    ws["A1"].font = Font(bold=True, size=13)
    refreshed = data["refreshed_at"]
    ws.append([f"数据截至：{refreshed:%Y-%m-%d %H:%M}" if refreshed else "数据尚未汇总"])
    ws.append(HEADERS)
    for cell in ws[3]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        cell.alignment = Alignment(horizontal="center", wrap_text=True)
    for child in data["children"]:
        ws.append(_line(child["code"], child["name"], child))
    ws.append(_line(region.code, f"{region.name}（合计）", data["summary"]))
    for cell in ws[ws.max_row]:
        cell.font = Font(bold=True)
    for row in ws.iter_rows(min_row=4):
        for index in (5, 6):
            row[index].number_format = "0.00%"
    for index, width in enumerate([16, 16, 10, 10, 10, 12, 12, 10, 14, 10, 10, 14, 12], 1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "C4"
    buffer = io.BytesIO()
    wb.save(buffer)
    return buffer.getvalue()
