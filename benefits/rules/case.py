"""The JSON case adapter (RULES.md section 7).

`evaluate_case(data)` parses one case (profile, year, person, history, enrollment, claims,
standards), runs the engine and returns the output object of section 7. Bad input raises
CaseError naming the field (the policy_case command prints it and exits with status 2).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Callable, Mapping, Union

from .engine import determine
from .errors import CaseError
from .history import YearStatus, parse_status
from .profiles import PROFILES
from .types import Claim, Determination, Enrollment, HardshipRate, Person, Profile, YearStandard, money

StoredStandards = Union[
    Mapping[int, YearStandard], Callable[[Profile], Mapping[int, YearStandard]], None
]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class ParsedCase:
    profile: Profile
    year: int
    person: Person
    history: dict[int, YearStatus]
    enrollment: Enrollment
    claims: dict[int, Claim]
    standards: dict[int, YearStandard]

    def args(self) -> tuple:
        return (
            self.profile,
            self.year,
            self.person,
            self.history,
            self.enrollment,
            self.claims,
            self.standards,
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
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise CaseError(field, f"“{value}”不是有效日期，请按YYYY-MM-DD填写")


def _year(value: Any, field: str) -> int:
    if isinstance(value, bool):
        raise CaseError(field, f"“{value}”不是有效年份")
    if isinstance(value, int):
        year = value
    elif isinstance(value, str) and value.strip().isdigit():
        year = int(value.strip())
    else:
        raise CaseError(field, f"“{value}”不是有效年份")
    if not 1900 <= year <= 2200:
        raise CaseError(field, f"“{value}”不是有效年份")
    return year


def _amount(value: Any, field: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, str, Decimal)):
        raise CaseError(field, f"“{value}”不是有效金额")
    try:
        amount = money(value)
    except ValueError as exc:
        raise CaseError(field, f"“{value}”不是有效金额") from exc
    if amount < 0:
        raise CaseError(field, "金额不能为负数")
    return amount


def _bool(value: Any, field: str) -> bool:
    if value is None:
        return False
    if not isinstance(value, bool):
        raise CaseError(field, f"“{value}”应为 true 或 false")
    return value


def _object(value: Any, field: str, *, required: bool = True) -> Mapping[str, Any]:
    if value is None and not required:
        return {}
    if not isinstance(value, Mapping):
        raise CaseError(field, "应为一个 JSON 对象")
    return value


def parse_standard(year: int, data: Any, field: str) -> YearStandard:
    """One year's standards from the case format; errors name e.g. `standards.2026.individual`."""
    data = _object(data, field)
    for key in ("individual", "subsidy", "concentrated_start", "concentrated_end", "catastrophic_cap"):
        if key not in data:
            raise CaseError(f"{field}.{key}", "缺少该项")
    hardship: dict[str, HardshipRate] = {}
    for group, rate in _object(data.get("hardship"), f"{field}.hardship", required=False).items():
        rate_field = f"{field}.hardship.{group}"
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
        group=person_data.get("group"),
        category=person_data.get("category") or "general",
    )

    history: dict[int, YearStatus] = {}
    for key, raw in _object(data.get("history"), "history", required=False).items():
        y = _year(key, f"history.{key}")
        try:
            history[y] = parse_status(raw)
        except ValueError as exc:
            raise CaseError(f"history.{key}", str(exc)) from exc

    e = _object(data.get("enrollment"), "enrollment")
    repair = e.get("repair_years", 0)
    if repair is None:
        repair = 0
    if isinstance(repair, bool) or not isinstance(repair, int) or repair < 0:
        raise CaseError("enrollment.repair_years", f"修复年数“{repair}”无效，应为0或正整数")
    reason = e.get("exit_reason")
    if reason is not None and not isinstance(reason, str):
        raise CaseError("enrollment.exit_reason", f"“{reason}”无效")
    enrollment = Enrollment(
        paid_on=_date(e.get("paid_on"), "enrollment.paid_on", required=True),
        repair_years=repair,
        newborn_next_year_only=_bool(e.get("newborn_next_year_only"), "enrollment.newborn_next_year_only"),
        first_at_school=_bool(e.get("first_at_school"), "enrollment.first_at_school"),
        welfare_entry_on=_date(e.get("welfare_entry_on"), "enrollment.welfare_entry_on"),
        employee_ended_on=_date(e.get("employee_ended_on"), "enrollment.employee_ended_on"),
        exited_on=_date(e.get("exited_on"), "enrollment.exited_on"),
        exit_reason=reason,
    )

    claims: dict[int, Claim] = {}
    for key, raw in _object(data.get("claims"), "claims", required=False).items():
        field = f"claims.{key}"
        y = _year(key, field)
        raw = _object(raw, field)
        claims[y] = Claim(
            fund_paid=_amount(raw.get("fund_paid", 0), f"{field}.fund_paid"),
            used_incentive=_bool(raw.get("used_incentive"), f"{field}.used_incentive"),
        )

    stored = stored_standards(profile) if callable(stored_standards) else stored_standards
    standards: dict[int, YearStandard] = dict(stored or {})
    for key, raw in _object(data.get("standards"), "standards", required=False).items():
        y = _year(key, f"standards.{key}")
        standards[y] = parse_standard(y, raw, f"standards.{key}")

    return ParsedCase(profile, year, person, history, enrollment, claims, standards)


def _whole(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def determination_to_dict(d: Determination) -> dict[str, Any]:
    """The output object of RULES.md section 7."""
    return {
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
    }


def evaluate_case(
    data: Any,
    profiles: Mapping[str, Profile] | None = None,
    stored_standards: StoredStandards = None,
) -> dict[str, Any]:
    """Evaluate one case object and return the output object of section 7 (raises CaseError)."""
    parsed = parse_case(data, profiles, stored_standards)
    return determination_to_dict(determine(*parsed.args()))
