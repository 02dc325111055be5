"""From one person's fetched inputs to the row of PersonYearStatus, with the pure engine.

The answer is computed by `benefits.rules` exactly as the registration flow and the policy_case
command compute it: the fetched inputs are turned into the case object of RULES.md section 7 (the
shape `benefits.inputs.case_inputs_for` builds) and evaluated with `parse_case` + `determine`.

What makes a million persons fast is memoisation: most people share their history pattern, so the
answer is cached on the inputs that decide it. Two normalisations widen the cache without
changing any answer (the property test in tests/benefits/test_recalc_property.py checks it):

- an ordinary ("general") person born before the counting start year: the birth date only matters
  through max(counting start, birth year), which is the counting start for all of them;
- such a person paying inside the concentrated period, in a profile whose on-time waiting period
  runs from 1 January: the exact day inside the period changes nothing (the wait, if any, counts
  from 1 January; the repair price follows the payment's calendar year, which is kept);
- such a person paying outside the period (and waiting like anyone, R-DUE-HARDSHIP's choice):
  the ordinary rules make them wait from the payment date, so one answer per payment year is
  computed and only the benefit dates are recomputed for the real date (R-WAIT-DATES, the
  engine's own `waiting_benefit_period`);
- employee months only matter as neutral (at least `employee_neutral_min_months`) or not.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Mapping, NamedTuple

from enrollment.models import POLICY_GROUP_OF, POLICY_GROUP_PRIORITY

from ..rules.case import parse_case
from ..rules.engine import determine
from ..rules.errors import CaseError
from ..rules.history import parse_status
from ..rules.types import Claim, Enrollment, Person, Profile, YearStandard
from ..rules.waiting import waiting_benefit_period

# The value columns of PersonYearStatus written by the recalculation, in this order.
VALUE_COLUMNS = (
    "profile_code", "in_concentrated_period", "gap_years", "continuity_years",
    "continuity_bonus", "zero_claim_credit", "gap_penalty", "effective_cap",
    "amount_due", "subsidy", "repair_due",
    "waiting_fixed", "waiting_variable", "waiting_repaired", "waiting_months",
    "benefit_start", "benefit_end", "rule_ids", "error",
)

_WAITING = VALUE_COLUMNS.index("waiting_months")
_START = VALUE_COLUMNS.index("benefit_start")
_EMPLOYEE = re.compile(r"employee:(\d+)")

NO_PROFILE = "profile：该统筹区尚未配置政策方案，请联系县级管理员在管理后台设置"


class PersonInput(NamedTuple):
    """Everything the engine needs about one person's enrollment for year Y, as fetched (a
    named tuple: built once per person, four times cheaper than a frozen dataclass)."""

    person_id: int
    enrollment_id: int
    birth_date: date
    paid_on: date
    repair_years: int
    case_details: str  # the enrollment's case_details as JSON text ('{}' for most)
    history: str  # "2025=resident,2026=gap,2027=employee:5" (years before Y; missing = gap)
    claims: str  # "2025=10,2026=01": fund paid > 0, used incentive (counted years before Y)
    groups: str  # registry hardship groups active on paid_on, comma-separated
    tier: str = ""  # R-TIER: the contribution tier chosen at payment ('' for none)


@dataclass(frozen=True)
class Policy:
    """The profile and standards a pooling region follows (None: no profile configured)."""

    profile: Profile | None
    standards: Mapping[int, YearStandard]

    @property
    def code(self) -> str:
        return self.profile.code if self.profile else ""

    def fingerprint(self) -> str:
        if self.profile is None:
            return ""
        return repr((self.profile, sorted(self.standards.items())))


def policy_group(groups: str) -> str | None:
    """The engine's hardship group for the registry groups (highest priority wins), as
    benefits.inputs.policy_group_on decides it."""
    if not groups:
        return None
    found = {POLICY_GROUP_OF[g] for g in groups.split(",") if g in POLICY_GROUP_OF}
    return next((g for g in POLICY_GROUP_PRIORITY if g in found), None)


def _options(case_details: str) -> dict:
    if not case_details or case_details == "{}":
        return {}
    data = json.loads(case_details)
    return data if isinstance(data, dict) else {}


def _enrollment_options(options: Mapping) -> dict:
    out: dict = {}
    for name in ("newborn_next_year_only", "first_at_school"):
        if options.get(name):
            out[name] = True
    for name in ("welfare_entry_on", "employee_ended_on", "exited_on"):
        value = options.get(name)
        if value:
            out[name] = value.isoformat() if isinstance(value, date) else value
    if options.get("exit_reason"):
        out["exit_reason"] = options["exit_reason"]
    return out


def _history(text: str) -> dict[str, str]:
    if not text:
        return {}
    return dict(item.split("=", 1) for item in text.split(","))


def _claims(text: str) -> dict[str, dict]:
    out = {}
    for item in text.split(",") if text else ():
        year, flags = item.split("=", 1)
        out[year] = {"fund_paid": flags[0], "used_incentive": flags[1] == "1"}
    return out


def _claims_that_matter(history: str, claims: str) -> str:
    """The claims as the cap rules read them (R-CAT-ZERO, R-CAT-ZERO-RESET): what the fund paid
    counts only in resident years; in any other year only a used incentive does (it resets the
    credit), and a year with neither is the same as no claims record. Normalising the rest
    away lets persons who differ only there share one cached answer."""
    out = []
    for item in claims.split(","):
        if f"{item[:4]}=resident" in history:  # resident and resident_late
            out.append(item)
        elif item[6] == "1":
            out.append(item[:5] + "01")
    return ",".join(out)


def error_row(message: str, code: str = "") -> tuple:
    return (code, None, None, None, None, None, None, None, None, None, None,
            None, None, None, None, None, None, "[]", message[:300])


class Calculator:
    """Computes rows for one policy and year; the cache lives as long as the calculator (the
    module keeps one per policy fingerprint, so a whole job shares it)."""

    def __init__(self, policy: Policy, year: int):
        self.policy = policy
        self.year = year
        self.cache: dict[tuple, tuple] = {}
        self.misses = 0
        profile = policy.profile
        self.standard = policy.standards.get(year) if profile else None
        self.count_start = profile.counting_start_year if profile else 0
        self.ontime_from_jan = bool(profile and profile.ontime_wait_from_year_start)

    def row(self, p: PersonInput) -> tuple:
        """The VALUE_COLUMNS of PersonYearStatus for one person (rule_ids as JSON text)."""
        profile = self.policy.profile
        if profile is None:
            return error_row(NO_PROFILE)
        year = self.year
        options = _options(p.case_details)
        plain = not options or (
            (options.get("category") or "general") == "general"
            and not _enrollment_options(options))
        birth, paid, history = p.birth_date, p.paid_on, p.history
        birth_key: object = birth
        paid_key: object = paid
        group = policy_group(p.groups)
        late = False
        if plain and birth.year < self.count_start and birth.year < paid.year and birth.year <= year:
            birth_key, birth = None, date(1900, 1, 1)
            std = self.standard
            if std is not None and std.in_concentrated_period(paid):
                if self.ontime_from_jan:
                    paid_key = ("in_period", paid.year)
                    paid = max(std.concentrated_start, date(paid.year, 1, 1))
            elif std is not None and (group is None or profile.hardship_waits):
                # Late: the ordinary rules make everyone wait from the payment date; the answer
                # differs only in the benefit dates, recomputed below for the real date.
                late, paid_key = True, ("late", paid.year)
            if "employee:" in history:
                history = _EMPLOYEE.sub(self._employee_class, history)
        claims = p.claims
        if plain and claims and not p.repair_years:
            claims = _claims_that_matter(history, claims)
        # The tier changes the amounts and the cap, never the dates: it only joins the key.
        key = (birth_key, paid_key, p.repair_years, group,
               "" if plain else p.case_details, history, claims, p.tier)
        found = self.cache.get(key)
        if found is None:
            self.misses += 1
            found = self._evaluate(birth, paid, p.repair_years, group, options, history, claims,
                                   p.tier)
            self.cache[key] = found
        if late and not found[-1]:
            found = self._late_dates(found, p.paid_on)
        return found

    def _employee_class(self, match) -> str:
        """Employee months matter only as neutral (≥ the minimum) or not (R-EMP-NEUTRAL)."""
        minimum = self.policy.profile.employee_neutral_min_months
        return "employee:" + str(minimum if int(match.group(1)) >= minimum else 0)

    def _late_dates(self, found: tuple, paid_on: date) -> tuple:
        period = waiting_benefit_period(self.year, months=found[_WAITING], paid_on=paid_on,
                                        from_year_start=False)
        return found[:_START] + (period.start, period.end) + found[_START + 2:]

    def _evaluate(self, birth: date, paid: date, repair_years: int, group: str | None,
                  options: Mapping, history: str, claims: str, tier: str = "") -> tuple:
        profile = self.policy.profile
        try:
            if options:
                # Special cases carry dates and flags from case_details: parse them exactly as
                # the policy_case command does (CaseError for a bad one).
                case = {
                    "profile": profile.code, "year": self.year,
                    "person": {"birth_date": birth.isoformat(), "group": group,
                               "category": options.get("category") or "general"},
                    "history": _history(history),
                    "enrollment": {"paid_on": paid.isoformat(), "repair_years": repair_years or 0,
                                   **_enrollment_options(options),
                                   **({"tier": tier} if tier else {})},
                    "claims": _claims(claims),
                }
                args = parse_case(case, {profile.code: profile},
                                  dict(self.policy.standards)).args()
            else:
                # An ordinary case: the same inputs, built directly (what parse_case would give).
                args = (
                    profile, self.year, Person(birth_date=birth, group=group),
                    {int(y): parse_status(s) for y, s in _history(history).items()},
                    Enrollment(paid_on=paid, repair_years=repair_years or 0, tier=tier or None),
                    {int(y): Claim(fund_paid=Decimal(c["fund_paid"]),
                                   used_incentive=c["used_incentive"])
                     for y, c in _claims(claims).items()},
                    self.policy.standards,
                )
            d = determine(*args)
        except CaseError as exc:
            return error_row(f"{exc.field}：{exc.message}", profile.code)
        cat = d.catastrophic
        return (
            profile.code, d.in_concentrated_period, d.gap_years, d.continuity_years,
            _money(cat.continuity_bonus), _money(cat.zero_claim_bonus), _money(cat.gap_penalty),
            _money(cat.effective_cap), d.amount_due, d.subsidy, d.repair_due,
            d.waiting.fixed, d.waiting.variable, d.waiting.repaired, d.waiting.total,
            d.benefit_start, d.benefit_end, json.dumps(list(d.rules)), "",
        )


def _money(value: Decimal) -> Decimal:
    return Decimal(value).quantize(Decimal("0.01"))


_CALCULATORS: dict[tuple, Calculator] = {}


def calculator(policy: Policy, year: int) -> Calculator:
    """A calculator shared by every chunk of the same policy and year in this process."""
    key = (policy.fingerprint(), year)
    calc = _CALCULATORS.get(key)
    if calc is None or len(calc.cache) > 500_000:
        if len(_CALCULATORS) > 50:
            _CALCULATORS.clear()
        calc = _CALCULATORS[key] = Calculator(policy, year)
    return calc

