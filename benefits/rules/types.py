"""Inputs and outputs of the rules engine: frozen dataclasses, money as two-place Decimals.

A `Profile` is the data of one province's policy (RULES.md: "a profile is data, not code"). Every
**Choice:** of RULES.md is a field here, so a third province can differ without a code change.
The Django side stores profiles and yearly standards as rows and builds these dataclasses from
them with `Profile.from_dict` / `YearStandard.from_dict`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, Mapping

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("1e12")

CATEGORIES = (
    "general",
    "newborn",
    "welfare_child",
    "college_student",
    "exit_other_scheme",
    "employee_transfer",
)
HARDSHIP_GROUPS = ("special_hardship", "low_income", "monitored")
EXIT_REASONS = ("insured_2y", "veteran", "veteran_spouse", "released_prisoner")
STUDENT_RULES = ("hunan", "shanxi")


def money(value: Any) -> Decimal:
    """A yuan amount as a Decimal with two places (floats go through str, so 0.1 stays 0.10)."""
    if isinstance(value, bool):
        raise TypeError("money must be a number, not a bool")
    if isinstance(value, float):
        value = str(value)
    try:
        amount = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"not an amount: {value!r}") from exc
    # Beyond a trillion yuan no standard or claim is real, and quantizing 1e26 to cents would
    # overflow the decimal context: refuse it as not an amount.
    if not amount.is_finite() or abs(amount) >= MAX_AMOUNT:
        raise ValueError(f"not an amount: {value!r}")
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


def _decimal_or_none(value: Any) -> Decimal | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValueError("a share must be a number, not a bool")
    if isinstance(value, float):
        value = str(value)
    try:
        number = Decimal(value)
    except (InvalidOperation, TypeError, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc
    if not number.is_finite() or abs(number) >= MAX_AMOUNT:
        raise ValueError(f"not a number: {value!r}")
    return number


@dataclass(frozen=True)
class Profile:
    """One province's policy parameters (RULES.md names each one)."""

    code: str
    name: str = ""
    counting_start_year: int = 2025
    # Section 1: R-EMP-NEUTRAL.
    employee_neutral_min_months: int = 3
    # Section 2: what is due.
    late_pays_subsidy: bool = True  # R-DUE-LATE
    hardship_on_time_only: bool = True  # R-DUE-HARDSHIP
    repair_price_year: str = "payment"  # R-DUE-REPAIR: "payment" (year paid) or "coverage" (Y)
    # Section 3: waiting period.
    fixed_wait_months: int = 3  # R-WAIT-FIXED
    variable_wait_months_per_gap_year: int = 1  # R-WAIT-VARIABLE
    variable_wait_free_gap_years: int = 0  # Choice: the first gap year already adds a month
    repair_floor_gap_years: int = 4  # R-WAIT-FLOOR
    repair_floor_months: int = 6  # R-WAIT-FLOOR
    repair_charge_useful_only: bool = True  # Choice in R-WAIT-REPAIR
    ontime_wait_from_year_start: bool = True  # Choice in R-WAIT-DATES
    hardship_waits: bool = True  # Choice: hardship groups wait like anyone else
    # Section 4: catastrophic cap.
    continuity_free_years: int = 4  # R-CAT-CONT: bonus from the fifth continuous year
    step: Decimal = Decimal("5000")  # R-CAT-CONT, R-CAT-ZERO
    increase_cap_share: Decimal | None = None  # R-CAT-LIMIT (share of L(Y))
    increase_cap_amount: Decimal | None = None  # R-CAT-LIMIT (fixed amount)
    zero_claim_next_on_time: bool = True  # R-CAT-ZERO
    zero_claim_cleared_by_gap: bool = False  # Choice in R-CAT-ZERO-RESET
    gap_penalty_step: Decimal = Decimal("0")  # R-CAT-GAP-PENALTY
    gap_penalty_cap: Decimal | None = Decimal("0")  # R-CAT-GAP-PENALTY (None: no cap)
    gap_penalty_lifted_by_repair: bool = False  # Choice in R-CAT-GAP-PENALTY
    # Section 5: special cases.
    newborn_days: int = 90  # R-NB-90, R-NB-OCT, R-NB-NEXT
    newborn_90_day_rule: bool = False  # R-NB-90 / R-NB-LATE
    newborn_october_option: bool = False  # R-NB-OCT
    newborn_october_within_days: bool = True  # Choice in R-NB-OCT
    next_year_option_month: int = 10  # "on or after 1 October" (R-NB-OCT, R-EMP-3M), inclusive
    newborn_birth_year_free: bool = False  # R-NB-FREE
    newborn_next_year_window: bool = False  # R-NB-NEXT
    welfare_child_anytime: bool = False  # R-WELFARE
    student_rule: str | None = None  # "hunan" (R-STU-HN) or "shanxi" (R-STU-SX)
    employee_3m_rule: bool = False  # R-EMP-3M
    exit_3m_rule: bool = False  # R-EXIT-3M
    exit_insured_min_years: int = 2  # R-EXIT-3M: insured years that make an employee a leaver
    transfer_window_months: int = 3  # R-EMP-3M, R-EXIT-3M
    employee_convert_years_per_year: int | None = None  # R-EMP-CONVERT (None: no such rule)
    # Pilots of seed 000 (benefits/rules/CHOICES.md).
    newborn_birth_year_share: Decimal = Decimal("1")  # R-NB-DISCOUNT: share of I(birth year)
    unemployment_bridge: bool = True  # R-UNEMP: the months before the fund's first payment count
    # R-CREDIT (信用参保, CHOICES.md): allowed or not, the cover rule ("payment": cover from the
    # payment; "enrollment": from the enrollment, the debt guaranteed), the term (None: by the
    # end of the concentrated period; N: N days after the enrollment).
    credit_allowed: bool = False
    credit_cover: str = "payment"
    credit_term_days: int | None = None

    def __post_init__(self) -> None:
        # Accept ints, floats and strings from DB rows / JSON for the money and share fields.
        for name in ("step", "gap_penalty_step", "newborn_birth_year_share"):
            object.__setattr__(self, name, Decimal(str(getattr(self, name))))
        for name in ("increase_cap_share", "increase_cap_amount", "gap_penalty_cap"):
            object.__setattr__(self, name, _decimal_or_none(getattr(self, name)))
        if self.student_rule not in (None, *STUDENT_RULES):
            raise ValueError(f"student_rule must be one of {STUDENT_RULES} or None")
        if self.repair_price_year not in ("payment", "coverage"):
            raise ValueError("repair_price_year must be 'payment' or 'coverage'")
        if not 1 <= self.next_year_option_month <= 12:
            raise ValueError("next_year_option_month must be a month number")
        if not Decimal(0) <= self.newborn_birth_year_share <= Decimal(1):
            raise ValueError("newborn_birth_year_share is between 0 and 1")
        if self.credit_cover not in ("payment", "enrollment"):
            raise ValueError("credit_cover must be 'payment' or 'enrollment'")
        if self.credit_term_days is not None and self.credit_term_days < 1:
            raise ValueError("credit_term_days is at least one day (None: the concentrated period)")

    @classmethod
    def field_names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "Profile":
        """Build from a dict of fields (a DB row's values); keys that are not fields (id, …) are
        ignored, so `Profile.from_dict(model_to_dict(row))` works."""
        names = set(cls.field_names())
        return cls(**{k: v for k, v in data.items() if k in names})

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


@dataclass(frozen=True)
class HardshipRate:
    """R-DUE-HARDSHIP: a share of I(Y) or a fixed amount, never more than the payment."""

    share: Decimal | None = None
    amount: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "share", _decimal_or_none(self.share))
        object.__setattr__(self, "amount", None if self.amount is None else money(self.amount))
        if (self.share is None) == (self.amount is None):
            raise ValueError("a hardship rate has either a share or an amount")
        if self.share is not None and not Decimal(0) <= self.share <= Decimal(1):
            raise ValueError("a hardship share is between 0 and 1")
        if self.amount is not None and self.amount < 0:
            raise ValueError("a hardship amount is not negative")

    def subsidy(self, individual: Decimal) -> Decimal:
        if self.share is not None:
            value = money(individual * self.share)
        else:
            value = self.amount
        return min(value, individual)


@dataclass(frozen=True)
class Tier:
    """R-TIER: one contribution tier (档次) of a year: the individual amount, and the catastrophic
    cap and/or reimbursement ratio that go with it (None: the year's own)."""

    code: str
    individual: Decimal
    name: str = ""
    catastrophic_cap: Decimal | None = None
    reimbursement_ratio: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "individual", money(self.individual))
        if self.catastrophic_cap is not None:
            object.__setattr__(self, "catastrophic_cap", money(self.catastrophic_cap))
        ratio = _decimal_or_none(self.reimbursement_ratio)
        if ratio is not None and not (ratio.is_finite() and Decimal(0) <= ratio <= Decimal(1)):
            raise ValueError("a reimbursement ratio is between 0 and 1")
        object.__setattr__(self, "reimbursement_ratio", ratio)
        if self.individual < 0 or (self.catastrophic_cap is not None and self.catastrophic_cap < 0):
            raise ValueError("tier amounts are not negative")


@dataclass(frozen=True)
class YearStandard:
    """The standards of one coverage year Y for one profile."""

    year: int
    individual: Decimal
    subsidy: Decimal
    concentrated_start: date
    concentrated_end: date
    catastrophic_cap: Decimal
    hardship: Mapping[str, HardshipRate] = field(default_factory=dict)
    tiers: Mapping[str, Tier] = field(default_factory=dict)  # R-TIER: empty where none

    def __post_init__(self) -> None:
        tiers = {
            code: tier if isinstance(tier, Tier) else Tier(code=code, **tier)
            for code, tier in (self.tiers or {}).items()
        }
        object.__setattr__(self, "tiers", tiers)
        object.__setattr__(self, "individual", money(self.individual))
        object.__setattr__(self, "subsidy", money(self.subsidy))
        object.__setattr__(self, "catastrophic_cap", money(self.catastrophic_cap))
        hardship = {
            group: rate if isinstance(rate, HardshipRate) else HardshipRate(**rate)
            for group, rate in (self.hardship or {}).items()
        }
        object.__setattr__(self, "hardship", hardship)
        if self.concentrated_end < self.concentrated_start:
            raise ValueError("the concentrated period ends before it starts")

    def in_concentrated_period(self, day: date) -> bool:
        return self.concentrated_start <= day <= self.concentrated_end

    @classmethod
    def from_dict(cls, year: int, data: Mapping[str, Any]) -> "YearStandard":
        return cls(
            year=year,
            individual=data["individual"],
            subsidy=data["subsidy"],
            concentrated_start=data["concentrated_start"],
            concentrated_end=data["concentrated_end"],
            catastrophic_cap=data["catastrophic_cap"],
            hardship=data.get("hardship") or {},
            tiers=data.get("tiers") or {},
        )

    def for_tier(self, code: str | None) -> "YearStandard":
        """Implements R-TIER: the standard as the tier sees it (its I and cap replace the year's)."""
        if not code or code not in self.tiers:
            return self
        tier = self.tiers[code]
        cap = tier.catastrophic_cap if tier.catastrophic_cap is not None else self.catastrophic_cap
        return dataclasses.replace(self, individual=tier.individual, catastrophic_cap=cap)


@dataclass(frozen=True)
class Person:
    birth_date: date
    group: str | None = None  # None or one of HARDSHIP_GROUPS
    category: str = "general"  # one of CATEGORIES


@dataclass(frozen=True)
class Enrollment:
    """The payment being determined (for coverage year Y)."""

    paid_on: date
    repair_years: int = 0
    newborn_next_year_only: bool = False
    first_at_school: bool = False
    welfare_entry_on: date | None = None
    employee_ended_on: date | None = None  # E: the first day without employee cover
    exited_on: date | None = None
    exit_reason: str | None = None
    course_paid_until: date | None = None  # R-STU-TERM: end of a whole-course prepayment
    paid_years: int = 1  # R-STU-ONCE: how many years this one payment is for
    tier: str | None = None  # R-TIER: the contribution tier chosen at payment
    payer_relation: str | None = None  # R-RELATIVES: a relative's employee account pays
    on_credit: bool = False  # R-CREDIT: enrolled on `paid_on` with the contribution owed


@dataclass(frozen=True)
class Unemployment:
    """R-UNEMP: the unemployment fund pays employee cover while benefit is drawn.

    `employment_ended_on` is the first day without the employer's cover; the benefit (and the
    fund's payments) run from `benefit_from` to `benefit_until` inclusive."""

    employment_ended_on: date
    benefit_from: date
    benefit_until: date


@dataclass(frozen=True)
class Claim:
    """What the fund paid for a person in a year, and whether a catastrophic reimbursement used
    the incentive credit (R-CAT-ZERO-RESET)."""

    fund_paid: Decimal = Decimal("0.00")
    used_incentive: bool = False

    def __post_init__(self) -> None:
        object.__setattr__(self, "fund_paid", money(self.fund_paid))


@dataclass(frozen=True)
class Waiting:
    fixed: int = 0
    variable: int = 0
    repaired: int = 0
    total: int = 0


@dataclass(frozen=True)
class Catastrophic:
    continuity_bonus: Decimal = Decimal(0)
    zero_claim_bonus: Decimal = Decimal(0)
    gap_penalty: Decimal = Decimal(0)
    increase_limit: Decimal | None = None
    effective_cap: Decimal = Decimal(0)


@dataclass(frozen=True)
class Determination:
    """The engine's answer for one person, one coverage year and one payment."""

    year: int
    profile: str
    in_concentrated_period: bool
    amount_due: Decimal
    subsidy: Decimal
    repair_due: Decimal
    repair_years_charged: int
    gap_years: int
    continuity_years: int
    waiting: Waiting
    benefit_start: date | None  # None: no benefit in Y
    benefit_end: date | None
    catastrophic: Catastrophic
    rules: list[str]
    explanation: list[str]  # one plain Chinese line per entry of `rules`, same order
    employee_year_credit: int | None = None  # R-EMP-CONVERT; None where the profile has no rule
    tier: Mapping[str, Any] | None = None  # R-TIER: the tier applied, where the year has tiers
    credit: Mapping[str, Any] | None = None  # R-CREDIT: {"cover", "due_on"} of a credit enrollment
