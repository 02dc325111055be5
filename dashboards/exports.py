"""The dashboard table as an Excel workbook (staff live in Excel)."""
from __future__ import annotations

from core.exports import Sheet, as_of_line
from enrollment import scope

HEADERS = ["区划代码", "区划名称", "在册人口", "常住人口", "已参保", "参保率（在册）",
           "参保率（常住）", "目标人数", "目标来源", "距目标差额", "困难群体", "困难群体未参保",
           "较上年（百分点）"]


def _pct(value):
    return round(value / 100, 4) if value is not None else None


def _line(code, name, f):
    return [code, name, f["persons"], f["official"], f["covered"], _pct(f["rate"]),
            _pct(f["rate_official"]), f["target"], f["target_source"], f["gap"],
            f["hardship"], f["hardship_uncovered"],
            round(f["trend"], 2) if f["trend"] is not None else None]


def _remainder_line(rest):
    # Targets and official populations are set per region and do not add up: left empty.
    return ["", f"未划入下级（{rest['reason']}）", rest["persons"], None, rest["covered"],
            _pct(rest["rate"]), None, None, "", None, rest["hardship"],
            rest["hardship_uncovered"], None]


def dashboard_sheet(data: dict) -> Sheet:
    region, year = data["region"], data["year"]
    refreshed = data["refreshed_at"]
    rows = [_line(child["code"], child["name"], child) for child in data["children"]]
    if data.get("remainder"):
        rows.append(_remainder_line(data["remainder"]))
    rows.append(_line(region.code, f"{region.name}（合计）", data["summary"]))
    return Sheet(
        title=f"{year}年参保情况",
        caption=[f"{region.name} {year}年度基本医保参保情况（按{data['child_level'] or '区划'}）",
                 as_of_line(refreshed) if refreshed else "数据尚未汇总"],
        header=HEADERS, rows=rows, number_formats={5: "0.00%", 6: "0.00%"},
        header_fill="DDEBF7", bold_last_row=True, freeze="C4",
        widths=[16, 16, 10, 10, 10, 12, 12, 10, 14, 10, 10, 14, 12])


MONEY_HEADERS = ["区划代码", "区划名称", "居民医保已征缴（元）", "困难群体资助参保（元）",
                 "社会资助转入钱包（元）", "医保钱包缴费（元）", "第三方代缴（元）",
                 "信用参保欠缴（元）", "信用参保逾期人数", "信用参保逾期金额（元）"]
MONEY_COLUMNS = ("collected", "subsidies", "sponsorship_in", "wallet_paid", "payer_paid",
                 "credit_outstanding", "credit_overdue", "credit_overdue_amount")


def money_sheet(data: dict) -> Sheet:
    """The 资金 table of the page: the same rollup rows, children, remainder and total."""
    region, year = data["region"], data["year"]
    rows = [[c["code"], c["name"], *[c[k] for k in MONEY_COLUMNS]] for c in data["children"]]
    if data.get("remainder"):
        rows.append(["", "未划入下级", *[data["remainder"][k] for k in MONEY_COLUMNS]])
    rows.append([region.code, f"{region.name}（合计）",
                 *[data["summary"][k] for k in MONEY_COLUMNS]])
    money = {i: "#,##0.00" for i in range(2, len(MONEY_HEADERS)) if i != 8}
    return Sheet(
        title=f"{year}年资金", header=MONEY_HEADERS, rows=rows, number_formats=money,
        caption=[f"{region.name} {year}年度参保资金（按{data['child_level'] or '区划'}）",
                 as_of_line(data["refreshed_at"]) if data["refreshed_at"] else "数据尚未汇总"],
        header_fill="DDEBF7", bold_last_row=True, freeze="C4",
        widths=[16, 16, 16, 16, 16, 14, 14, 14, 12, 16])


EVALUATION_NOTES = [
    "综合得分 = Σ(权重 × 完成率) ÷ Σ(有数据指标的权重) × 100；无数据的指标不计分，其权重不计入满分。",
    "调节系数 = 本地区综合得分 ÷ 同级地区综合得分的算术平均值（同级各地区系数平均为1），"
    "供分配医疗服务与保障能力提升补助资金（医疗保障服务能力建设部分）参考。",
]


def evaluation_sheets(data: dict, indicators: list[tuple[str, str]]) -> list[Sheet]:
    """The children's scores and coefficients, then how the region's own score is made."""
    region, year, card = data["region"], data["year"], data["card"]
    header = ["区划代码", "区划名称", *[label for _, label in indicators], "综合得分", "调节系数"]
    rows = []
    for c in data["children"]:
        rows.append([c.code, c.name,
                     *[round(c.ratio(key), 4) if c.ratio(key) is not None else "暂无数据"
                       for key, _ in indicators],
                     round(c.score, 2) if c.score is not None else None,
                     round(c.coefficient, 4) if c.coefficient is not None else None])
    ratio_columns = {i: "0.00%" for i in range(2, 2 + len(indicators))}
    summary = Sheet(
        title="下级地区得分与系数",
        caption=[f"{region.name} {year}年度参保工作综合评价（下级地区）",
                 as_of_line(data["refreshed_at"]) if data["refreshed_at"] else "数据尚未汇总"],
        header=header, rows=rows, number_formats={**ratio_columns, len(header) - 1: "0.0000"},
        header_fill="DDEBF7", freeze="C4")
    breakdown = Sheet(
        title="本级得分构成",
        caption=[f"{region.name} {year}年度综合评价得分构成",
                 f"综合得分：{round(card.score, 2) if card.score is not None else '暂无'}"],
        header=["指标", "测算值", "完成率", "权重（分）", "得分", "说明"],
        rows=[[ln.label, ln.value, round(ln.ratio, 4) if ln.ratio is not None else "暂无数据",
               float(ln.weight), round(ln.points, 2) if ln.points is not None else None, ln.note]
              for ln in card.lines],
        number_formats={2: "0.00%"}, header_fill="DDEBF7")
    return [summary, breakdown]


RENEWAL_HEADERS = ["区划代码", "区划名称", "年度", "上年参保人数", "按期续保", "逾期续保",
                   "尚未续保", "续保率"]


def renewal_sheet(region, year: int, own: list[dict], children: dict, as_of) -> Sheet:
    """Renewal per year: the region's own trend, then each child's."""
    rows = [[region.code, f"{region.name}（本级）", r["year"], r["base"], r["on_time"],
             r["late"], r["not_renewed"], _pct(r["renewal_rate"])] for r in own]
    for child in children["rows"]:
        for y in children["years"]:
            r = child["by_year"].get(y)
            if r:
                rows.append([child["code"], child["name"], y, r["base"], r["on_time"],
                             r["late"], r["not_renewed"], _pct(r["renewal_rate"])])
    return Sheet(title="续保情况",
                 caption=[f"{region.name} 截至{year}年度续保与断保情况",
                          as_of_line(as_of) if as_of else "数据尚未汇总"],
                 header=RENEWAL_HEADERS, rows=rows, number_formats={7: "0.00%"},
                 header_fill="DDEBF7")


PEOPLE_HEADER = ["姓名", "证件号码", "性别", "出生日期", "常住地", "联系电话", "住址"]


def people_sheet(region, year: int, label: str, qs, user) -> Sheet:
    """The persons behind one number, masked as on the page (phone numbers whole only where
    `user` calls them: enrollment.scope.sees_whole_phone)."""
    rows = ([p.name, p.masked_id, p.get_sex_display(), p.birth_date, p.residence_region.name,
             scope.shown_phone(user, p, p.phone), p.address]
            for p in qs.iterator(chunk_size=2000))
    return Sheet(title=label[:31], header=PEOPLE_HEADER, rows=rows,
                 caption=[f"{region.name} {year}年度 {label}名单", as_of_line()],
                 number_formats={3: "yyyy-mm-dd"})
