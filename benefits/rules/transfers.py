"""People moving in from the employee scheme or another system (RULES.md section 5): R-EMP-3M
(hunan), R-EXIT-3M (shanxi), and the R-EMP-CONVERT helper for the way back into the employee
scheme."""

from __future__ import annotations

from datetime import date
from typing import Mapping

from .dates import months_deadline, year_start
from .due import RATE_LATE, RATE_ONTIME
from .errors import CaseError
from .history import YearStatus
from .plans import (
    WAIT_IF_GAP_FROM_PAYMENT,
    WAIT_IF_GAP_FROM_YEAR_START,
    WAIT_NONE,
    Plan,
    option_day,
    ordinary_plan,
)
from .types import EXIT_REASONS, Enrollment, Profile, YearStandard

EXIT_REASON_LABELS = {
    "insured_2y": "连续2年以上参加基本医保后中断职工医保缴费的人员",
    "veteran": "当年退出现役的军人",
    "veteran_spouse": "随军未就业配偶",
    "released_prisoner": "刑满释放人员",
}



def employee_transfer_plan(
    profile: Profile, year: int, enrollment: Enrollment, in_period: bool
) -> Plan | None:
    """Implements R-EMP-3M (hunan): a payment outside the concentrated period by someone whose
    employee cover ended on E (the first uncovered day)."""
    if not profile.employee_3m_rule:
        return None
    ended = enrollment.employee_ended_on
    if ended is None:
        raise CaseError("enrollment.employee_ended_on", "职工医保转居民医保，请填写职工医保停保日期")
    if in_period:
        return None  # inside the concentrated period the ordinary rules apply
    months = profile.transfer_window_months
    deadline = months_deadline(ended, months)
    if enrollment.paid_on <= deadline:
        head = f"职工医保{ended.isoformat()}停保，{months}个月内（截至{deadline.isoformat()}）转居民医保"
        if year == ended.year:
            start = max(ended, year_start(year))
            return Plan(
                rate=RATE_ONTIME,
                wait=WAIT_IF_GAP_FROM_PAYMENT,
                on_time=True,
                cover_start=start,
                special=True,
                notes=[("R-EMP-3M", f"{head}，按个人缴费标准缴费")],
                no_gap_note=f"；缴费前无居民医保断缴，自职工医保停保之日{start.isoformat()}起享受待遇",
                gap_note="；缴费前有居民医保断缴{gap_years}年，自缴费之日起设等待期",
            )
        if year == ended.year + 1 and ended >= option_day(profile, ended.year):
            return Plan(
                rate=RATE_ONTIME,
                wait=WAIT_IF_GAP_FROM_YEAR_START,
                on_time=True,
                cover_start=year_start(year),
                special=True,
                notes=[
                    (
                        "R-EMP-3M",
                        f"{head}（{profile.next_year_option_month}月1日及以后停保），选择只缴纳"
                        f"{year}年居民医保费，{ended.year}年不享受居民医保待遇",
                    )
                ],
                no_gap_note=f"；缴费前无居民医保断缴，{year}年1月1日起享受待遇",
                gap_note=f"；缴费前有居民医保断缴{{gap_years}}年，等待期自{year}年1月1日起算",
            )
        return None
    return ordinary_plan(
        in_period,
        notes=[
            (
                "R-EMP-3M",
                f"职工医保{ended.isoformat()}停保后超过{months}个月（{deadline.isoformat()}之后）"
                "才转居民医保，按集中参保缴费期外缴费办理，自缴费之日起设等待期",
            )
        ],
    )


def insured_months_before(exited: date, history: Mapping[int, YearStatus]) -> int:
    """Months of basic medical insurance running without a break up to `exited` (the first
    uncovered day), read from the year statuses: the months of the exit year before it (from
    the history where it names that year, else January up to the exit), then whole years back
    (a resident year or 12 employee months adds 12; fewer employee months add those and end the
    run; a gap ends it)."""
    status = history.get(exited.year)
    if status is None:
        months = exited.month - 1
    elif status.kind == "employee":
        months = status.employee_months
        if months < 12:
            return months
    elif status.is_resident:
        months = 12
    else:
        return 0
    y = exited.year - 1
    while y in history:
        status = history[y]
        if status.is_resident or (status.kind == "employee" and status.employee_months >= 12):
            months += 12
        elif status.kind == "employee":
            return months + status.employee_months
        else:
            break
        y -= 1
    return months


def exit_reason_for(
    profile: Profile, enrollment: Enrollment, history: Mapping[int, YearStatus], exited: date
) -> tuple[str | None, bool]:
    """The R-EXIT-3M group: the one the registrar named, or `insured_2y` derived from a history
    that shows two continuous years of basic medical insurance ending on the exit. Returns
    (reason, derived)."""
    if enrollment.exit_reason is not None:
        return enrollment.exit_reason, False
    if insured_months_before(exited, history) >= 12 * profile.exit_insured_min_years:
        return "insured_2y", True
    return None, False


def exit_plan(
    profile: Profile,
    year: int,
    enrollment: Enrollment,
    standard: YearStandard,
    history: Mapping[int, YearStatus],
    *,
    category: str,
) -> Plan | None:
    """Implements R-EXIT-3M (shanxi): people leaving another system who enroll after the
    concentrated period but within 3 months of leaving are covered from the payment date with no
    waiting period. The rate is unchanged (the rule lifts only the wait). An employee who stopped
    paying is such a leaver whichever path the clerk took (`employee_transfer` or
    `exit_other_scheme`); where the history shows the two insured years the group is derived."""
    if not profile.exit_3m_rule:
        return None
    exited = enrollment.exited_on or enrollment.employee_ended_on
    if exited is None:
        field_name = "employee_ended_on" if category == "employee_transfer" else "exited_on"
        raise CaseError(f"enrollment.{field_name}", "请填写退出原制度保障（职工医保停保）的日期")
    if enrollment.exit_reason is not None and enrollment.exit_reason not in EXIT_REASONS:
        raise CaseError(
            "enrollment.exit_reason",
            "退出原制度保障的类别应为：" + "、".join(EXIT_REASON_LABELS.values()),
        )
    reason, derived = exit_reason_for(profile, enrollment, history, exited)
    paid_on = enrollment.paid_on
    months = profile.transfer_window_months
    deadline = months_deadline(exited, months)
    if reason is None:
        if category == "exit_other_scheme" and standard.concentrated_end < paid_on <= deadline:
            raise CaseError(
                "enrollment.exit_reason",
                "参保记录不足以认定连续2年以上参加基本医保，请选择退出原制度保障的类别："
                + "、".join(EXIT_REASON_LABELS.values()),
            )
        return None
    if not (standard.concentrated_end < paid_on <= deadline):
        return None
    start = max(paid_on, year_start(year))
    label = EXIT_REASON_LABELS[reason]
    how = "（按参保记录认定）" if derived else ""
    return Plan(
        rate=RATE_LATE,
        wait=WAIT_NONE,
        on_time=False,
        cover_start=start,
        special=True,
        notes=[
            (
                "R-EXIT-3M",
                f"您属于{label}{how}，{exited.isoformat()}退出原保障后{months}个月内"
                f"（{deadline.isoformat()}前）参保，从缴费当天{start.isoformat()}起享受待遇，没有等待期",
            )
        ],
    )


def employee_years_from_resident(profile: Profile, resident_years: int) -> int:
    """Implements R-EMP-CONVERT: on moving into the employee scheme inside the province, every
    `employee_convert_years_per_year` resident years paid count as one employee contribution
    year (rounded down). A profile without the rule (None, e.g. hunan) converts nothing."""
    if resident_years < 0:
        raise ValueError("居民医保缴费年数不能为负数")
    per = profile.employee_convert_years_per_year
    if not per:
        return 0
    return resident_years // per
