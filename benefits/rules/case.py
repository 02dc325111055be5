"""The JSON case adapter (RULES.md section 7).

`evaluate_case(data)` parses one case (profile, year, person, history, enrollment, claims,
standards), runs the engine and returns the output object of section 7. Bad input raises
CaseError naming the field (the policy_case command prints it and exits with status 2).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, Union

from .engine import determine
from .errors import CaseError
from .history import YearStatus, parse_status
from .profiles import PROFILES
from .types import (
    Claim,
    Determination,
    Enrollment,
    HardshipRate,
    Person,
    Profile,
    Tier,
    Unemployment,
    YearStandard,
    money,
)

StoredStandards = Union[
    Mapping[int, YearStandard], Callable[[Profile], Mapping[int, YearStandard]], None
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_YEAR = re.compile(r"^[0-9]{1,4}$")
MIN_DATE, MAX_DATE = date(1900, 1, 1), date(2200, 12, 31)


@dataclass(frozen=True)
class ParsedCase:
    profile: Profile
    year: int
    person: Person
    history: dict[int, YearStatus]
    enrollment: Enrollment
    claims: dict[int, Claim]
    standards: dict[int, YearStandard]
    unemployment: Unemployment | None = None

    def args(self) -> tuple:
        return (
            self.profile,
            self.year,
            self.person,
            self.history,
            self.enrollment,
            self.claims,
            self.standards,
            self.unemployment,
        )


def _date(value: Any, field: str, *, required: bool = False) -> date | None:
    if value is None:
        if required:
            raise CaseError(field, "缺少日期，请按YYYY-MM-DD填写")
        return None
    if isinstance(value, date):
        return value
    if isinstance(value, str) and _ISO_DATE.match(value.strip()):
        try:
            day = date.fromisoformat(value.strip())
        except ValueError:
            pass
        else:
            # Periods are added to these dates: a far-off year would overflow and is never real.
            if not MIN_DATE <= day <= MAX_DATE:
                raise CaseError(field, f"日期{day.isoformat()}超出可计算范围（1900年至2200年）")
            return day
    raise CaseError(field, f"“{_show(value)}”不是有效日期，请按YYYY-MM-DD填写")


def _key(key: Any) -> str:
    """A JSON key as part of a field name: one line, short."""
    text = " ".join(str(key).split())
    return text if len(text) <= 20 else text[:20] + "…"


def _show(value: Any) -> str:
    """A value as a message may quote it: one line, short (a 10 MB string is not echoed)."""
    try:
        text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    except (RecursionError, ValueError):
        text = type(value).__name__
    text = " ".join(text.split())
    return text if len(text) <= 40 else text[:40] + "…"


def _year(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise CaseError(field, f"“{_show(value)}”不是有效年份")
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and _YEAR.match(value.strip()):
        year = int(value.strip())
    else:
        raise CaseError(field, f"“{_show(value)}”不是有效年份")
    if not 1900 <= year <= 2200:
        raise CaseError(field, f"“{_show(value)}”不是有效年份")
    return year


def _amount(value: Any, field: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise CaseError(field, f"“{_show(value)}”不是有效金额")
    try:
        amount = money(value)
    except ValueError as exc:
        raise CaseError(field, f"“{_show(value)}”不是有效金额") from exc
    if amount < 0:
        raise CaseError(field, "金额不能为负数")
    return amount


def _bool(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise CaseError(field, f"“{_show(value)}”应为 true 或 false")
    return value


def _object(value: Any, field: str, *, required: bool = True) -> Mapping[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise CaseError(field, "应为一个 JSON 对象")
    return value


def _text(value: Any, field: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > 40:
        raise CaseError(field, f"“{_show(value)}”无效，应为一个代码")
    return value


def _unemployment(value: Any) -> Unemployment | None:
    """R-UNEMP input: {"employment_ended_on", "benefit_from", "benefit_until"} (dates)."""
    if value is None:
        return None
    data = _object(value, "unemployment")
    ended = _date(data.get("employment_ended_on"), "unemployment.employment_ended_on", required=True)
    start = _date(data.get("benefit_from"), "unemployment.benefit_from", required=True)
    until = _date(data.get("benefit_until"), "unemployment.benefit_until", required=True)
    if start < ended:
        raise CaseError("unemployment.benefit_from", "领取失业保险金的开始日期早于失业日期，请核对")
    if until < start:
        raise CaseError("unemployment.benefit_until", "领取失业保险金的结束日期早于开始日期，请核对")
    return Unemployment(employment_ended_on=ended, benefit_from=start, benefit_until=until)


def _tiers(value: Any, field: str) -> dict[str, Tier]:
    tiers: dict[str, Tier] = {}
    for code, raw in _object(value, field, required=False).items():
        tier_field = f"{field}.{_key(code)}"
        raw = _object(raw, tier_field)
        if "individual" not in raw:
            raise CaseError(f"{tier_field}.individual", "缺少该项")
        ratio = raw.get("reimbursement_ratio")
        if ratio is not None and (isinstance(ratio, bool) or not isinstance(ratio, (int, float, str))):
            raise CaseError(f"{tier_field}.reimbursement_ratio", f"“{_show(ratio)}”不是0到1之间的比例")
        name = raw.get("name") or ""
        if not isinstance(name, str):
            raise CaseError(f"{tier_field}.name", f"“{_show(name)}”无效")
        try:
            tiers[code] = Tier(
                code=code,
                name=name[:40],
                individual=_amount(raw["individual"], f"{tier_field}.individual"),
                catastrophic_cap=_amount(raw.get("catastrophic_cap"), f"{tier_field}.catastrophic_cap", allow_none=True),
                reimbursement_ratio=ratio,
            )
        except ValueError as exc:
            raise CaseError(f"{tier_field}.reimbursement_ratio", "报销比例应为0到1之间的数") from exc
    return tiers


def parse_standard(year: int, data: Any, field: str) -> YearStandard:
    """One year's standards from the case format; errors name e.g. `standards.2026.individual`."""
    data = _object(data, field)
    for key in ("individual", "subsidy", "concentrated_start", "concentrated_end", "catastrophic_cap"):
        if key not in data:
            raise CaseError(f"{field}.{key}", "缺少该项")
    hardship: dict[str, HardshipRate] = {}
    for group, rate in _object(data.get("hardship"), f"{field}.hardship", required=False).items():
        rate_field = f"{field}.hardship.{_key(group)}"
        rate = _object(rate, rate_field)
        try:
            hardship[group] = HardshipRate(
                share=rate.get("share"), amount=_amount(rate.get("amount"), rate_field, allow_none=True)
            )
        except (ValueError, ArithmeticError) as exc:
            raise CaseError(rate_field, "资助标准应为 share（0到1之间的比例）或 amount（金额）其中之一") from exc
    start = _date(data["concentrated_start"], f"{field}.concentrated_start", required=True)
    end = _date(data["concentrated_end"], f"{field}.concentrated_end", required=True)
    if end < start:
        raise CaseError(f"{field}.concentrated_end", "集中参保缴费期结束日期早于开始日期")
    return YearStandard(
        year=year,
        individual=_amount(data["individual"], f"{field}.individual"),
        subsidy=_amount(data["subsidy"], f"{field}.subsidy"),
        concentrated_start=start,
        concentrated_end=end,
        catastrophic_cap=_amount(data["catastrophic_cap"], f"{field}.catastrophic_cap"),
        hardship=hardship,
        tiers=_tiers(data.get("tiers"), f"{field}.tiers"),
    )


def parse_case(
    data: Any,
    profiles: Mapping[str, Profile] | None = None,
    stored_standards: StoredStandards = None,
) -> ParsedCase:
    """Parse a case object into engine inputs, raising CaseError naming the bad field.

    `profiles` defaults to the built-in PROFILES. `stored_standards` is the profile's stored
    standards (a mapping year -> YearStandard, or a callable taking the Profile); the case's own
    `standards` override them for the years it names.
    """
    data = _object(data, "case")
    profiles = PROFILES if profiles is None else profiles
    code = data.get("profile")
    if not isinstance(code, str) or code not in profiles:
        known = "、".join(sorted(profiles))
        raise CaseError("profile", f"未知的政策方案“{code}”，可选：{known}")
    profile = profiles[code]
    if "year" not in data:
        raise CaseError("year", "缺少待遇年度")
    year = _year(data["year"], "year")

    person_data = _object(data.get("person"), "person")
    person = Person(
        birth_date=_date(person_data.get("birth_date"), "person.birth_date", required=True),
        group=_text(person_data.get("group"), "person.group"),
        category=_text(person_data.get("category"), "person.category") or "general",
    )

    history: dict[int, YearStatus] = {}
    for key, raw in _object(data.get("history"), "history", required=False).items():
        y = _year(key, f"history.{_key(key)}")
        try:
            history[y] = parse_status(raw)
        except ValueError as exc:
            raise CaseError(f"history.{_key(key)}", str(exc)) from exc

    e = _object(data.get("enrollment"), "enrollment")
    repair = e.get("repair_years", 0)
    if repair is None:
        repair = 0
    if isinstance(repair, bool) or not isinstance(repair, int) or not 0 <= repair <= 200:
        raise CaseError("enrollment.repair_years", f"修复年数“{_show(repair)}”无效，应为0或正整数")
    paid_years = e.get("paid_years", 1)
    if paid_years is None:
        paid_years = 1
    if isinstance(paid_years, bool) or not isinstance(paid_years, int) or not 1 <= paid_years <= 200:
        raise CaseError("enrollment.paid_years", f"缴费年数“{_show(paid_years)}”无效，应为正整数")
    reason = _text(e.get("exit_reason"), "enrollment.exit_reason")
    enrollment = Enrollment(
        paid_on=_date(e.get("paid_on"), "enrollment.paid_on", required=True),
        repair_years=repair,
        newborn_next_year_only=_bool(e.get("newborn_next_year_only"), "enrollment.newborn_next_year_only"),
        first_at_school=_bool(e.get("first_at_school"), "enrollment.first_at_school"),
        welfare_entry_on=_date(e.get("welfare_entry_on"), "enrollment.welfare_entry_on"),
        employee_ended_on=_date(e.get("employee_ended_on"), "enrollment.employee_ended_on"),
        exited_on=_date(e.get("exited_on"), "enrollment.exited_on"),
        exit_reason=reason,
        course_paid_until=_date(e.get("course_paid_until"), "enrollment.course_paid_until"),
        paid_years=paid_years,
        tier=_text(e.get("tier"), "enrollment.tier"),
        payer_relation=_text(e.get("payer_relation"), "enrollment.payer_relation"),
        on_credit=_bool(e.get("on_credit"), "enrollment.on_credit"),
    )
    unemployment = _unemployment(data.get("unemployment"))

    claims: dict[int, Claim] = {}
    for key, raw in _object(data.get("claims"), "claims", required=False).items():
        field = f"claims.{_key(key)}"
        y = _year(key, field)
        raw = _object(raw, field)
        claims[y] = Claim(
            fund_paid=_amount(raw.get("fund_paid", 0), f"{field}.fund_paid"),
            used_incentive=_bool(raw.get("used_incentive"), f"{field}.used_incentive"),
        )

    stored = stored_standards(profile) if callable(stored_standards) else stored_standards
    standards: dict[int, YearStandard] = dict(stored or {})
    for key, raw in _object(data.get("standards"), "standards", required=False).items():
        y = _year(key, f"standards.{_key(key)}")
        standards[y] = parse_standard(y, raw, f"standards.{_key(key)}")

    return ParsedCase(profile, year, person, history, enrollment, claims, standards, unemployment)


def _whole(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def determination_to_dict(d: Determination) -> dict[str, Any]:
    """The output object of RULES.md section 7, plus `employee_year_credit` (R-EMP-CONVERT) and,
    where the year has contribution tiers, `tier` (R-TIER)."""
    out = {
        "year": d.year,
        "in_concentrated_period": d.in_concentrated_period,
        "amount_due": f"{d.amount_due:.2f}",
        "subsidy": f"{d.subsidy:.2f}",
        "repair_due": f"{d.repair_due:.2f}",
        "gap_years": d.gap_years,
        "continuity_years": d.continuity_years,
        "waiting": {
            "fixed": d.waiting.fixed,
            "variable": d.waiting.variable,
            "repaired": d.waiting.repaired,
            "total": d.waiting.total,
        },
        "benefit_start": _iso(d.benefit_start),
        "benefit_end": _iso(d.benefit_end),
        "catastrophic": {
            "continuity_bonus": _whole(d.catastrophic.continuity_bonus),
            "zero_claim_bonus": _whole(d.catastrophic.zero_claim_bonus),
            "gap_penalty": _whole(d.catastrophic.gap_penalty),
            "effective_cap": _whole(d.catastrophic.effective_cap),
        },
        "rules": list(d.rules),
        "explanation": list(d.explanation),
        "employee_year_credit": d.employee_year_credit,
    }
    if d.tier is not None:
        out["tier"] = dict(d.tier)
    if d.credit is not None:
        out["credit"] = dict(d.credit)
    return out


def evaluate_case(
    data: Any,
    profiles: Mapping[str, Profile] | None = None,
    stored_standards: StoredStandards = None,
) -> dict[str, Any]:
    """Evaluate one case object and return the output object of section 7 (raises CaseError)."""
    parsed = parse_case(data, profiles, stored_standards)
    return determination_to_dict(determine(*parsed.args()))
