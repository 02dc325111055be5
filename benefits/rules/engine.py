"""The determination of one person, one coverage year and one payment.

`determine()` combines the rule families: which special case governs the payment (special.py),
the gap years and continuity (history.py), what is due (due.py), the waiting and benefit period
(waiting.py) and the catastrophic-illness cap (catastrophic.py). Each rule applied adds its id to
`rules` and one Chinese line, ending with the id, to `explanation`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Mapping

from . import special
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
    for name in ("welfare_entry_on", "employee_ended_on", "exited_on"):
        _check_date(getattr(enrollment, name), f"enrollment.{name}", required=False)
    repair = enrollment.repair_years
    if isinstance(repair, bool) or not isinstance(repair, int) or repair < 0:
        raise CaseError("enrollment.repair_years", f"修复年数“{repair}”无效，应为0或正整数")
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
    return [rule for rule, _ in notes], [f"{line}（{rule}）" for rule, line in notes]


def determine(
    profile: Profile,
    year: int,
    person: Person,
    history: Mapping[int, YearStatus | str],
    enrollment: Enrollment,
    claims: Mapping[int, Claim] | None,
    standards: Mapping[int, YearStandard],
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
    parsed_history = {y: s for y, s in _parse_history(history).items() if y < year}
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
    if plan.wait == special.WAIT_NONE:
        must_wait, from_year_start = False, False
        no_wait_start = plan.cover_start
    elif plan.wait == special.WAIT_ORDINARY:
        must_wait = not (in_period and gaps == 0)
        if person.group and not profile.hardship_waits:
            must_wait = False
        from_year_start = in_period and profile.ontime_wait_from_year_start
        no_wait_start = year_start(year) if in_period else max(paid_on, year_start(year))
    else:
        must_wait = gaps >= 1
        from_year_start = plan.wait == special.WAIT_IF_GAP_FROM_YEAR_START
        no_wait_start = plan.cover_start
        rule, line = special_notes[-1]
        suffix = plan.gap_note.format(gap_years=gaps) if must_wait else plan.no_gap_note
        special_notes[-1] = (rule, line + suffix)

    wait_notes: list[tuple[str, str]] = []
    charged = 0
    if must_wait:
        reasons = []
        if plan.wait == special.WAIT_ORDINARY and not in_period:
            reasons.append("未在集中参保缴费期内缴费")
        if gaps:
            reasons.append(f"未连续参保（断缴{gaps}年）")
        result = waiting_period(
            profile, gap_years=gaps, repair_years=repair_years, reason="且".join(reasons)
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
                ("R-WAIT-REPAIR", f"本次缴费不设等待期，修复断缴{repair_years}年不能缩短等待期，不收取修复费用")
            )
        start = no_wait_start
        end = plan.cover_end or year_end(year)
        if start is None or start > end:
            start, end = None, None

    repair_notes: list[tuple[str, str]] = []
    repair_cost = money(0)
    if charged:
        price = repair_price_standard(
            profile, coverage=standard, payment=(standards or {}).get(paid_on.year)
        )
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

    notes = (
        special_notes
        + due.notes
        + repair_notes
        + history_notes(summary, profile)
        + wait_notes
        + cat_notes
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
    )
