"""The determination of one person, one coverage year and one payment.

`determine()` combines the rule families: which special case governs the payment (special.py),
the gap years and continuity (history.py), what is due (due.py), the waiting and benefit period
(waiting.py) and the catastrophic-illness cap (catastrophic.py). Each rule applied adds its id to
`rules` and one Chinese line, ending with the id, to `explanation`.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Mapping

from enrollment import relations

from . import credit as on_credit_rules
from . import plans, special, transfers
from .catastrophic import catastrophic_cap
from .dates import year_end, year_start
from .due import contribution_due, repair_due, repair_price_standard
from .errors import CaseError
from .history import YearStatus, history_notes, parse_status, summarize
from .types import (
    CATEGORIES,
    HARDSHIP_GROUPS,
    Claim,
    Determination,
    Enrollment,
    Person,
    Profile,
    Unemployment,
    Waiting,
    YearStandard,
    money,
)
from .waiting import waiting_benefit_period, waiting_period


def _check_date(value: object, field: str, *, required: bool) -> None:
    if value is None:
        if required:
            raise CaseError(field, "缺少日期，请按YYYY-MM-DD填写")
        return
    if isinstance(value, datetime) or not isinstance(value, date):
        raise CaseError(field, f"“{value}”不是有效日期，请按YYYY-MM-DD填写")
    # Periods are added to these dates; far-off years would overflow and are never real.
    if not date(1900, 1, 1) <= value <= date(2200, 12, 31):
        raise CaseError(field, f"日期{value.isoformat()}超出可计算范围（1900年至2200年）")


def _validate(
    profile: object, year: object, person: Person, enrollment: Enrollment
) -> None:
    if not isinstance(profile, Profile):
        raise CaseError("profile", "未指定有效的政策方案")
    if isinstance(year, bool) or not isinstance(year, int):
        raise CaseError("year", f"待遇年度“{year}”无效，应为四位年份")
    _check_date(person.birth_date, "person.birth_date", required=True)
    if person.category not in CATEGORIES:
        raise CaseError("person.category", f"人员类别“{person.category}”无效，应为：" + "、".join(CATEGORIES))
    if person.group is not None and person.group not in HARDSHIP_GROUPS:
        raise CaseError("person.group", f"困难群体类别“{person.group}”无效，应为：" + "、".join(HARDSHIP_GROUPS))
    _check_date(enrollment.paid_on, "enrollment.paid_on", required=True)
    for name in ("welfare_entry_on", "employee_ended_on", "exited_on", "course_paid_until"):
        _check_date(getattr(enrollment, name), f"enrollment.{name}", required=False)
    repair = enrollment.repair_years
    if isinstance(repair, bool) or not isinstance(repair, int) or repair < 0:
        raise CaseError("enrollment.repair_years", f"修复年数“{repair}”无效，应为0或正整数")
    years = enrollment.paid_years
    if isinstance(years, bool) or not isinstance(years, int) or years < 1:
        raise CaseError("enrollment.paid_years", f"缴费年数“{years}”无效，应为正整数")
    if not 1900 <= year <= 2200:
        raise CaseError("year", f"待遇年度“{year}”无效，应为四位年份")
    if enrollment.tier is not None and not isinstance(enrollment.tier, str):
        raise CaseError("enrollment.tier", f"缴费档次“{enrollment.tier}”无效")
    if enrollment.paid_on < person.birth_date:
        raise CaseError(
            "enrollment.paid_on",
            f"缴费日期{enrollment.paid_on.isoformat()}早于出生日期{person.birth_date.isoformat()}，请核对",
        )
    if year < person.birth_date.year:
        raise CaseError("year", f"待遇年度{year}早于出生年份{person.birth_date.year}")


def _parse_history(history: Mapping[int, YearStatus | str]) -> dict[int, YearStatus]:
    parsed: dict[int, YearStatus] = {}
    for y, raw in (history or {}).items():
        try:
            parsed[int(y)] = parse_status(raw)
        except ValueError as exc:
            raise CaseError(f"history.{y}", str(exc)) from exc
    return parsed


def _tag(notes: list[tuple[str, str]]) -> tuple[list[str], list[str]]:
    # The ids stay in `rules` (same order); the lines are for the resident and carry none.
    return [rule for rule, _ in notes], [line for _, line in notes]


def unemployment_months(unemployment: Unemployment, profile: Profile, year: int) -> int:
    """Implements R-UNEMP: months of `year` with employee cover paid by the unemployment fund,
    from the end of employment where the profile bridges the months before the fund's first
    payment (`unemployment_bridge`), else from the first benefit month."""
    first = unemployment.employment_ended_on if profile.unemployment_bridge else unemployment.benefit_from
    start = max(first, year_start(year))
    end = min(unemployment.benefit_until, year_end(year))
    if end < start:
        return 0
    return end.month - start.month + 1


def with_unemployment(
    profile: Profile, year: int, history: dict[int, YearStatus], unemployment: Unemployment | None
) -> tuple[dict[int, YearStatus], list[tuple[str, str]]]:
    """Implements R-UNEMP: the fund's months are employee months of their years (R-EMP-NEUTRAL
    then decides whether a year is neutral), added to any employee months the history names."""
    if unemployment is None:
        return history, []
    history = dict(history)
    parts = []
    for y in range(unemployment.employment_ended_on.year, min(unemployment.benefit_until.year, year - 1) + 1):
        months = unemployment_months(unemployment, profile, y)
        if not months:
            continue
        status = history.get(y)
        if status is not None and status.is_resident:
            continue
        before = status.employee_months if status is not None and status.kind == "employee" else 0
        history[y] = YearStatus("employee", min(12, before + months))
        parts.append(f"{y}年{months}个月")
    notes = []
    if parts:
        bridge = "（含失业后到首次代缴前的月份）" if profile.unemployment_bridge else ""
        notes.append(
            (
                "R-UNEMP",
                f"您领取失业保险金期间{bridge}由失业保险基金代缴职工医保："
                + "、".join(parts) + "，按参加职工医保计算，不算断缴",
            )
        )
    return history, notes


def relative_payer(relation: str | None) -> list[tuple[str, str]]:
    """Implements R-RELATIVES: an employee's personal account pays only for a close relative
    (the one list in enrollment/relations.py)."""
    if relation is None:
        return []
    if not relations.is_close_relative(relation):
        raise CaseError(
            "enrollment.payer_relation",
            f"职工医保个人账户只能为近亲属（{relations.close_relative_labels()}）缴纳居民医保费",
            rule="R-RELATIVES",
        )
    return [("R-RELATIVES", f"由您的近亲属（{relations.RELATIONS[relation]}）用职工医保个人账户代缴")]


def employee_year_credit(
    profile: Profile, summary_history: Mapping[int, YearStatus], year: int
) -> tuple[int | None, list[tuple[str, str]]]:
    """Implements R-EMP-CONVERT: the resident years paid (the history's resident years and this
    payment) converted to employee contribution years; None where the profile has no such rule."""
    per = profile.employee_convert_years_per_year
    if not per:
        return None, []
    paid = 1 + sum(1 for y, s in summary_history.items() if y < year and s.is_resident)
    credit = transfers.employee_years_from_resident(profile, paid)
    if not credit:
        return 0, []
    line = f"您已缴纳居民医保{paid}年，转入本省职工医保时每{per}年折算1年，可折算职工医保缴费年限{credit}年"
    return credit, [("R-EMP-CONVERT", line)]


def determine(
    profile: Profile,
    year: int,
    person: Person,
    history: Mapping[int, YearStatus | str],
    enrollment: Enrollment,
    claims: Mapping[int, Claim] | None,
    standards: Mapping[int, YearStandard],
    unemployment: Unemployment | None = None,
) -> Determination:
    """Determine what a payment for coverage year `year` costs and buys.

    `history` maps years before Y to 'resident', 'resident_late', 'employee:N' or 'gap' (missing
    years are gaps); `claims` maps years to what the fund paid; `standards` maps years to their
    YearStandard (Y, and the year of a repair payment, must be there).
    Raises CaseError(field, message) for bad input.
    """
    _validate(profile, year, person, enrollment)
    standard = (standards or {}).get(year)
    if standard is None:
        raise CaseError(f"standards.{year}", f"缺少{year}年的缴费标准，请先维护该年度标准")
    tier_code = enrollment.tier
    if tier_code is not None and tier_code not in standard.tiers:
        known = "、".join(standard.tiers) or "无"
        raise CaseError("enrollment.tier", f"{year}年没有“{tier_code}”这个缴费档次，可选：{known}", rule="R-TIER")
    year_standard = standard
    standard = standard.for_tier(tier_code)
    if unemployment is not None and enrollment.employee_ended_on is None and person.category in (
        "employee_transfer", "exit_other_scheme"
    ):
        # The employee cover the fund paid ends the day after the last benefit day.
        enrollment = dataclasses.replace(
            enrollment, employee_ended_on=unemployment.benefit_until + timedelta(days=1)
        )
    parsed_history = {y: s for y, s in _parse_history(history).items() if y < year}
    parsed_history, unemployment_notes = with_unemployment(profile, year, parsed_history, unemployment)
    claims = {int(y): c for y, c in (claims or {}).items()}
    paid_on = enrollment.paid_on
    in_period = standard.in_concentrated_period(paid_on)

    plan = special.plan(profile, year, person, enrollment, standard, parsed_history)
    summary = summarize(profile, year, person.birth_date, parsed_history, plan.not_gap_years)
    gaps = summary.gap_years
    repair_years = enrollment.repair_years
    if repair_years > gaps:
        raise CaseError(
            "enrollment.repair_years", f"申请修复{repair_years}年，但{year}年前只断缴{gaps}年，修复年数不能超过断缴年数"
        )

    special_notes = list(plan.notes)
    due = contribution_due(profile, standard, rate=plan.rate, group=person.group, in_period=in_period)

    # Who waits, and from when (section 3 and the special cases that change it).
    if plan.wait == plans.WAIT_NONE:
        must_wait, from_year_start = False, False
        no_wait_start = plan.cover_start
    elif plan.wait == plans.WAIT_ORDINARY:
        must_wait = not (in_period and gaps == 0)
        if person.group and not profile.hardship_waits:
            must_wait = False
        from_year_start = in_period and profile.ontime_wait_from_year_start
        no_wait_start = year_start(year) if in_period else max(paid_on, year_start(year))
    else:
        must_wait = gaps >= 1
        from_year_start = plan.wait == plans.WAIT_IF_GAP_FROM_YEAR_START
        no_wait_start = plan.cover_start
        rule, line = special_notes[-1]
        suffix = plan.gap_note.format(gap_years=gaps) if must_wait else plan.no_gap_note
        special_notes[-1] = (rule, line + suffix)

    wait_notes: list[tuple[str, str]] = []
    charged = 0
    if must_wait:
        reasons = []
        if plan.wait == plans.WAIT_ORDINARY and not in_period:
            reasons.append("没有在集中参保缴费期内缴费")
        if gaps:
            reasons.append("、".join(str(y) for y in summary.gap_year_list) + "年未参保")
        result = waiting_period(
            profile, gap_years=gaps, repair_years=repair_years, reason="您" + "，且".join(reasons)
        )
        waiting, charged = result.waiting, result.repair_years_charged
        period = waiting_benefit_period(
            year, months=waiting.total, paid_on=paid_on, from_year_start=from_year_start
        )
        wait_notes += result.notes + period.notes
        start, end = period.start, period.end
    else:
        waiting = Waiting()
        if repair_years:
            wait_notes.append(
                ("R-WAIT-REPAIR", f"这次缴费没有等待期，补缴{repair_years}年也不能再缩短，所以不收补缴费用")
            )
        start = no_wait_start
        end = plan.cover_end or year_end(year)
        if start is None or start > end:
            start, end = None, None

    repair_notes: list[tuple[str, str]] = []
    repair_cost = money(0)
    if charged:
        payment_standard = (standards or {}).get(paid_on.year)
        if payment_standard is not None:
            payment_standard = payment_standard.for_tier(tier_code)
        price = repair_price_standard(profile, coverage=standard, payment=payment_standard)
        if price is None:
            raise CaseError(
                f"standards.{paid_on.year}", f"缺少{paid_on.year}年的缴费标准，无法计算修复费用"
            )
        repair_cost, repair_notes = repair_due(charged, price)

    cat, cat_notes = catastrophic_cap(
        profile,
        standard=standard,
        summary=summary,
        claims=claims,
        current_on_time=plan.on_time,
        repaired_gap_years=charged,
    )

    payer_notes = relative_payer(enrollment.payer_relation)
    credit_out, on_credit_notes = None, []
    if enrollment.on_credit:
        due_on, on_credit_notes = on_credit_rules.credit_terms(profile, standard, paid_on)
        credit_out = {"cover": profile.credit_cover, "due_on": due_on.isoformat()}
        if profile.credit_cover == on_credit_rules.COVER_FROM_PAYMENT:
            start, end = None, None  # no cover until the debt is paid
    credit, credit_notes = employee_year_credit(profile, parsed_history, year)
    tier_notes, tier_out = tier_result(year_standard, tier_code)
    notes = (
        special_notes
        + tier_notes
        + due.notes
        + payer_notes
        + on_credit_notes
        + repair_notes
        + history_notes(summary, profile)
        + unemployment_notes
        + wait_notes
        + cat_notes
        + credit_notes
    )
    rules, explanation = _tag(notes)
    return Determination(
        year=year,
        profile=profile.code,
        in_concentrated_period=in_period,
        amount_due=due.amount_due,
        subsidy=due.subsidy,
        repair_due=repair_cost,
        repair_years_charged=charged,
        gap_years=gaps,
        continuity_years=summary.continuity_years,
        waiting=waiting,
        benefit_start=start,
        benefit_end=end,
        catastrophic=cat,
        rules=rules,
        explanation=explanation,
        employee_year_credit=credit,
        tier=tier_out,
        credit=credit_out,
    )


def tier_result(
    standard: YearStandard, code: str | None
) -> tuple[list[tuple[str, str]], dict | None]:
    """Implements R-TIER: which tier applied (None: the year has no tiers; code None: the year's
    own standard, no tier chosen)."""
    if not standard.tiers:
        return [], None
    if code is None:
        return [], {"code": None, "individual": f"{standard.individual:.2f}",
                    "catastrophic_cap": _number(standard.catastrophic_cap), "reimbursement_ratio": None}
    tier = standard.tiers[code]
    cap = tier.catastrophic_cap if tier.catastrophic_cap is not None else standard.catastrophic_cap
    ratio = tier.reimbursement_ratio
    label = tier.name or code
    line = f"您选择{label}档次缴费：个人缴费{tier.individual}元，大病保险最高支付限额{_number(cap)}元"
    if ratio is not None:
        line += f"，报销比例{ratio * 100:.0f}%"
    return [("R-TIER", line)], {
        "code": code, "individual": f"{tier.individual:.2f}", "catastrophic_cap": _number(cap),
        "reimbursement_ratio": None if ratio is None else float(ratio),
    }


def _number(amount: Decimal) -> int | float:
    return int(amount) if amount == amount.to_integral_value() else float(amount)
