"""The catastrophic-illness cap for a resident enrolled in Y (RULES.md section 4).

Implements R-CAT-CONT, R-CAT-ZERO, R-CAT-ZERO-RESET, R-CAT-LIMIT and R-CAT-GAP-PENALTY.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Mapping

from .history import GAP, RESIDENT, HistorySummary
from .types import Catastrophic, Claim, Profile, YearStandard


def yuan(amount: Decimal) -> str:
    """Display form of an amount: whole yuan without decimals."""
    return str(int(amount)) if amount == amount.to_integral_value() else f"{amount:.2f}"


def continuity_bonus(profile: Profile, continuity_years: int) -> Decimal:
    """Implements R-CAT-CONT: max(0, C(Y) − 4) × step."""
    return max(0, continuity_years - profile.continuity_free_years) * profile.step


def zero_claim_credit(
    profile: Profile,
    summary: HistorySummary,
    claims: Mapping[int, Claim],
    *,
    current_on_time: bool,
) -> tuple[Decimal, list[int], list[int]]:
    """Implements R-CAT-ZERO and R-CAT-ZERO-RESET.

    Each resident year X from the first counted year to Y-1 in which the fund paid nothing (no
    claims record counts as nothing paid) adds `step` when the person is a resident in X+1 and,
    where `zero_claim_next_on_time`, X+1 was paid on time (`resident`; for X+1 = Y,
    `current_on_time`). A year Z whose catastrophic reimbursement used the incentive clears the
    credit earned up to Z; counting starts again with Z+1. Claims of Y itself are not looked at.

    Returns (credit, years that earned it, years that reset it).
    """
    year = summary.year
    credit = Decimal(0)
    earned: list[int] = []
    resets: list[int] = []
    for x in range(summary.first_counted_year, year):
        claim = claims.get(x)
        if claim is not None and claim.used_incentive:
            credit, earned = Decimal(0), []
            resets.append(x)
            continue
        if profile.zero_claim_cleared_by_gap and summary.classes[x] == GAP:
            credit, earned = Decimal(0), []
            continue
        if summary.classes[x] != RESIDENT:
            continue
        if claim is not None and claim.fund_paid > 0:
            continue
        nxt = x + 1
        if nxt == year:
            next_resident, next_on_time = True, current_on_time
        else:
            next_resident, next_on_time = summary.resident_in(nxt), summary.on_time_in(nxt)
        if not next_resident:
            continue
        if profile.zero_claim_next_on_time and not next_on_time:
            continue
        credit += profile.step
        earned.append(x)
    return credit, earned, resets


def increase_limit(profile: Profile, original_cap: Decimal) -> Decimal | None:
    """Implements R-CAT-LIMIT: the ceiling on continuity bonus + zero-claim credit."""
    limits = []
    if profile.increase_cap_share is not None:
        limits.append(original_cap * profile.increase_cap_share)
    if profile.increase_cap_amount is not None:
        limits.append(profile.increase_cap_amount)
    return min(limits) if limits else None


def gap_penalty(profile: Profile, gap_years: int) -> Decimal:
    """Implements R-CAT-GAP-PENALTY: each gap year since the counting start lowers the cap by
    `gap_penalty_step`, at most `gap_penalty_cap` in all (None: no ceiling)."""
    penalty = max(0, gap_years) * profile.gap_penalty_step
    if profile.gap_penalty_cap is not None:
        penalty = min(penalty, profile.gap_penalty_cap)
    return penalty


def catastrophic_cap(
    profile: Profile,
    *,
    standard: YearStandard,
    summary: HistorySummary,
    claims: Mapping[int, Claim],
    current_on_time: bool,
    repaired_gap_years: int = 0,
) -> tuple[Catastrophic, list[tuple[str, str]]]:
    """effective cap = L(Y) + min(bonuses, limit) − min(penalty, penalty cap)."""
    notes: list[tuple[str, str]] = []
    original = standard.catastrophic_cap

    bonus = continuity_bonus(profile, summary.continuity_years)
    if bonus:
        notes.append(
            (
                "R-CAT-CONT",
                f"连续参保{summary.continuity_years}年，满{profile.continuity_free_years}年后"
                f"每年提高{yuan(profile.step)}元，大病保险限额提高{yuan(bonus)}元",
            )
        )

    credit, earned, resets = zero_claim_credit(
        profile, summary, claims, current_on_time=current_on_time
    )
    if resets:
        notes.append(
            (
                "R-CAT-ZERO-RESET",
                "、".join(str(z) for z in resets)
                + "年大病保险报销使用了激励额度，此前累计的零报销激励清零",
            )
        )
    if credit:
        timing = "且次年集中参保缴费期按时参保" if profile.zero_claim_next_on_time else "且次年继续参保"
        notes.append(
            (
                "R-CAT-ZERO",
                "、".join(str(x) for x in earned)
                + f"年基金零报销{timing}，零报销激励累计{yuan(credit)}元",
            )
        )

    limit = increase_limit(profile, original)
    increase = bonus + credit
    applied = increase
    if limit is not None and increase > limit:
        applied = limit
        notes.append(
            ("R-CAT-LIMIT", f"激励合计{yuan(increase)}元，超过累计上限{yuan(limit)}元，按{yuan(limit)}元计")
        )

    counted_gaps = summary.total_gap_years
    if profile.gap_penalty_lifted_by_repair:
        counted_gaps = max(0, counted_gaps - repaired_gap_years)
    penalty = gap_penalty(profile, counted_gaps)
    if penalty:
        notes.append(
            (
                "R-CAT-GAP-PENALTY",
                f"自{profile.counting_start_year}年起断缴{counted_gaps}年，每年降低"
                f"{yuan(profile.gap_penalty_step)}元，大病保险限额降低{yuan(penalty)}元"
                + ("" if profile.gap_penalty_lifted_by_repair else "（修复缴费不恢复）"),
            )
        )

    result = Catastrophic(
        continuity_bonus=bonus,
        zero_claim_bonus=credit,
        gap_penalty=penalty,
        increase_limit=limit,
        effective_cap=original + applied - penalty,
    )
    return result, notes
