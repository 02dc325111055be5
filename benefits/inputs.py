"""ORM → engine inputs: the one place that turns a person's file into a policy case.

The registration flow (services.enrollment_apply_determination), the calculator page, the
policy_case command and the January recalculation all build their case here, as a case object
in the format of RULES.md section 7, and evaluate it with the same engine. Reads only.
"""
from __future__ import annotations

import datetime as dt
from typing import Any, Mapping

from core.run_memo import per_run
from enrollment.models import (
    POLICY_GROUP_OF,
    POLICY_GROUP_PRIORITY,
    Enrollment,
    EnrollmentStatus,
    Person,
    Scheme,
)

from .models import ClaimSummary, PolicyProfile, PoolingRegionProfile, YearStandard
from .rules.case import ParsedCase, parse_case
from .rules.engine import determine
from .rules.errors import CaseError
from .rules.types import Determination, Profile
from .rules.types import YearStandard as RulesYearStandard

# Keys of Enrollment.case_details that are engine inputs (RULES.md section 7, `enrollment`).
OPTION_DATES = ("welfare_entry_on", "employee_ended_on", "exited_on")
OPTION_FLAGS = ("newborn_next_year_only", "first_at_school")


# --- Profiles and standards -----------------------------------------------------------------


@per_run
def stored_profiles() -> dict[str, Profile]:
    return {row.code: row.to_rules() for row in PolicyProfile.objects.all()}


@per_run
def stored_standards(profile_code: str) -> dict[int, RulesYearStandard]:
    rows = YearStandard.objects.filter(profile__code=profile_code).prefetch_related("tiers")
    return {row.year: row.to_rules() for row in rows}


@per_run
def profile_for_region(region_code: str) -> PolicyProfile | None:
    """The profile of the nearest mapped ancestor of a region (itself included)."""
    codes = PoolingRegionProfile.ancestor_codes(region_code)
    rows = {m.region_id: m for m in
            PoolingRegionProfile.objects.filter(region_id__in=codes).select_related("profile")}
    for code in codes:
        if code in rows:
            return rows[code].profile
    return None


# --- The person's history ---------------------------------------------------------------------


def _iso(day: dt.date | None) -> str | None:
    return day.isoformat() if day else None


def _employee_months(e: Enrollment, year: int, today: dt.date) -> int:
    start = max(e.cover_start or dt.date(year, 1, 1), dt.date(year, 1, 1))
    end = min(e.cover_end or min(today, dt.date(year, 12, 31)), dt.date(year, 12, 31))
    if end < start:
        return 0
    return min(12, (end.year - start.year) * 12 + end.month - start.month + 1)


def _on_time(e: Enrollment, standards: Mapping[int, RulesYearStandard]) -> bool:
    if e.rule_ids:  # determined by the engine: it said whether the payment was on time
        return e.in_concentrated_period
    standard = standards.get(e.year)
    return standard.in_concentrated_period(e.paid_on) if standard else e.in_concentrated_period


def history_for(person: Person, year: int, *, standards: Mapping[int, RulesYearStandard],
                exclude_pk=None, today: dt.date | None = None) -> dict[str, str]:
    """Year statuses of the years before `year` (years not named are gaps)."""
    today = today or dt.date.today()
    qs = person.enrollments.filter(year__lt=year).exclude(status=EnrollmentStatus.AWAITING_PAYMENT)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    by_year: dict[int, list[Enrollment]] = {}
    for e in qs.order_by("year", "pk"):
        by_year.setdefault(e.year, []).append(e)
    history: dict[str, str] = {}
    for y, rows in sorted(by_year.items()):
        residents = [e for e in rows if e.scheme == Scheme.RESIDENT and e.paid_on]
        if residents:
            on_time = any(_on_time(e, standards) for e in residents)
            history[str(y)] = "resident" if on_time else "resident_late"
            continue
        months = max((_employee_months(e, y, today) for e in rows if e.scheme == Scheme.EMPLOYEE),
                     default=0)
        history[str(y)] = f"employee:{months}" if months else "gap"
    return history


def claims_for(person: Person) -> dict[str, dict]:
    """Claims per year (a year without a record is a year in which the fund paid nothing)."""
    claims = {}
    for row in ClaimSummary.objects.filter(person=person):
        # A zero amount is written "0" in the case (as the calculator page shows it), not "0.00".
        claims[str(row.year)] = {"fund_paid": str(row.fund_paid or 0),
                                 "used_incentive": row.used_incentive}
    return claims


def policy_group_on(person: Person, day: dt.date) -> str | None:
    """The person's hardship group for the engine on a day (highest priority wins)."""
    found = {POLICY_GROUP_OF[g.group] for g in person.groups.all()
             if g.group in POLICY_GROUP_OF and g.active_on(day)}
    return next((g for g in POLICY_GROUP_PRIORITY if g in found), None)


# --- The case ---------------------------------------------------------------------------------


def enrollment_options(options: Mapping[str, Any] | None) -> dict[str, Any]:
    """The engine's `enrollment` extras from case_details / form data (dates as ISO strings)."""
    options = options or {}
    out: dict[str, Any] = {}
    for name in OPTION_FLAGS:
        if options.get(name):
            out[name] = True
    for name in OPTION_DATES:
        value = options.get(name)
        if value:
            out[name] = value.isoformat() if isinstance(value, dt.date) else value
    if options.get("exit_reason"):
        out["exit_reason"] = options["exit_reason"]
    if options.get("tier"):  # R-TIER: the tier chosen at payment (Enrollment.tier_code)
        out["tier"] = options["tier"]
    return out


def case_inputs_for(*, person: Person, year: int, paid_on: dt.date, pooling_region_code: str,
                    repair_years: int = 0, options: Mapping[str, Any] | None = None,
                    exclude_enrollment_pk=None, history: Mapping[str, str] | None = None,
                    group: str | None | bool = False, today: dt.date | None = None,
                    tier: str = "", on_credit: bool = False) -> dict:
    """The case object (RULES.md section 7) for a payment by `person` for coverage `year`.

    `history` and `group` override what the registry says (the calculator's "what if");
    `group=False` means "from the registry"; `tier` is the contribution tier chosen at payment
    (R-TIER; empty: none). Raises CaseError("profile") when the region has no profile.
    """
    profile = profile_for_region(pooling_region_code)
    if profile is None:
        raise CaseError("profile", "该统筹区尚未配置政策方案，请联系县级管理员在管理后台设置。")
    standards = stored_standards(profile.code)
    options = dict(options or {})
    if tier:
        options["tier"] = tier
    if history is None:
        history = history_for(person, year, standards=standards,
                              exclude_pk=exclude_enrollment_pk, today=today)
    if group is False:
        group = policy_group_on(person, paid_on)
    return {
        "profile": profile.code,
        "year": year,
        "person": {"birth_date": _iso(person.birth_date), "group": group,
                   "category": options.get("category") or "general"},
        "history": dict(history),
        "enrollment": {"paid_on": _iso(paid_on), "repair_years": repair_years or 0,
                       **enrollment_options(options), **({"on_credit": True} if on_credit else {})},
        "claims": claims_for(person),
    }


def parse(case: Mapping[str, Any]) -> ParsedCase:
    """Parse a case against the stored profiles; the case's own `standards` override the stored
    ones for the years it names."""
    return parse_case(case, stored_profiles(), lambda p: stored_standards(p.code))


def evaluate(case: Mapping[str, Any]) -> Determination:
    return determine(*parse(case).args())


def case_for_enrollment(enrollment: Enrollment, *, today: dt.date | None = None) -> dict:
    """The case of a recorded (or about to be recorded) resident enrollment; one enrolled on
    credit and not yet paid is a credit case on its enrollment day (R-CREDIT)."""
    on_credit = enrollment.paid_on is None and enrollment.credit_since is not None
    return case_inputs_for(
        person=enrollment.person, year=enrollment.year, on_credit=on_credit,
        paid_on=enrollment.credit_since if on_credit else enrollment.paid_on,
        pooling_region_code=enrollment.pooling_region_id, repair_years=enrollment.repair_years,
        options=enrollment.case_details, exclude_enrollment_pk=enrollment.pk, today=today,
        tier=enrollment.tier_code)
