"""The dashboard table as an Excel workbook (staff live in Excel)."""
from __future__ import annotations

from core.exports import Sheet, as_of_line

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


def dashboard_sheet(data: dict) -> Sheet:
    region, year = data["region"], data["year"]
    refreshed = data["refreshed_at"]
    rows = [_line(child["code"], child["name"], child) for child in data["children"]]
    rows.append(_line(region.code, f"{region.name}（合计）", data["summary"]))
    return Sheet(
        title=f"{year}年参保情况",
        caption=[f"{region.name} {year}年度基本医保参保情况（按{data['child_level'] or '区划'}）",
                 as_of_line(refreshed) if refreshed else "数据尚未汇总"],
        header=HEADERS, rows=rows, number_formats={5: "0.00%", 6: "0.00%"},
        header_fill="DDEBF7", bold_last_row=True, freeze="C4",
        widths=[16, 16, 10, 10, 10, 12, 12, 10, 14, 10, 10, 14, 12])


PEOPLE_HEADER = ["姓名", "证件号码", "性别", "出生日期", "常住地", "联系电话", "住址"]


def people_sheet(region, year: int, label: str, qs) -> Sheet:
    """The persons behind one number, masked as on the page."""
    rows = ([p.name, p.masked_id, p.get_sex_display(), p.birth_date, p.residence_region.name,
             p.masked_phone, p.address]
            for p in qs.iterator(chunk_size=2000))
    return Sheet(title=label[:31], header=PEOPLE_HEADER, rows=rows,
                 caption=[f"{region.name} {year}年度 {label}名单", as_of_line()],
                 number_formats={3: "yyyy-mm-dd"})
