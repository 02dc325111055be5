"""The deadline radar: per village and township, the people whose window to enroll closes soon.

It lives in `dashboards` because it reads all three apps: the registry (persons, enrollments,
groups), the policy profiles and the January recalculation results (benefits), and nothing here
writes; `outreach` and `benefits` never import each other, and the radar needs both. It is
mounted at /outreach/radar/, where the clerks look for it (config/urls.py).

Every window comes from the profile the person's region follows (newborn days, the 3-month
transfer window, the collection period of the year standard), never from a number written here;
what a person stands to lose comes from the stored recalculation (`PersonYearStatus`).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, Q

from benefits.models import PersonYearStatus, PolicyProfile, PoolingRegionProfile, YearStandard
from benefits.rules.dates import add_months, days_deadline, months_deadline
from core.calendar import collection_period, coverage_year_for
from enrollment import regions, scope
from enrollment.models import (
    Enrollment,
    HardshipGroup,
    LifeStatus,
    LIVE_STATUSES,
    POLICY_GROUP_OF,
    Person,
    PersonGroup,
    Scheme,
)

# A line appears this many days before its window closes: the first newborn flag (day 60 of a
# 90-day window) is 30 days before the deadline, and every other window is watched as long.
HORIZON_DAYS = 30
# The newborn flags, as days before the end of the profile's window (90 days: 60, 80, 90).
NEWBORN_FLAGS = (0, 10, 30)
# A region the size of a county can hold hundreds of thousands of renewals: the page and the
# export hold the most urgent lines and say so.
LIMIT = 5000

EXIT_GROUPS = {HardshipGroup.EXIT_INSURED_2Y, HardshipGroup.EXIT_VETERAN,
               HardshipGroup.EXIT_VETERAN_SPOUSE, HardshipGroup.EXIT_RELEASED}

KINDS = {
    "newborn": "新生儿",
    "employee": "职工医保中断",
    "exit": "退出其他保障",
    "hardship": "困难群体未参保",
    "renewal": "去年参保今年未缴",
    "credit_overdue": "信用参保逾期",
    "credit_due": "信用参保将到期",
}


@dataclass
class Line:
    person: Person
    kind: str
    reason: str
    deadline: dt.date
    days_left: int
    flag: str = ""
    stake: Decimal = Decimal(0)
    stake_text: str = ""
    year: int = 0
    also: list[str] = field(default_factory=list)

    @property
    def kind_label(self) -> str:
        return KINDS[self.kind]

    @property
    def is_credit(self) -> bool:
        return self.kind.startswith("credit")

    @property
    def overdue_days(self) -> int:
        return max(-self.days_left, 0)


class Profiles:
    """The profile of a residence code: its nearest mapped ancestor's (as the engine finds it),
    else the profile defaults; read once per page."""

    def __init__(self):
        rows = {p.pk: p for p in PolicyProfile.objects.all()}
        self.mapped = sorted(((regions.prefix_of(code), rows[pk]) for code, pk in
                              PoolingRegionProfile.objects.values_list("region_id", "profile_id")),
                             key=lambda pair: len(pair[0]), reverse=True)
        self.default = PolicyProfile()
        self.standards = {(s.profile_id, s.year): s for s in YearStandard.objects.all()}

    def of(self, code: str) -> PolicyProfile:
        return next((p for prefix, p in self.mapped if code.startswith(prefix)), self.default)

    def period(self, code: str, year: int) -> tuple[dt.date, dt.date]:
        profile = self.of(code)
        return collection_period(year, self.standards.get((profile.pk, year)))

    def all(self) -> list[PolicyProfile]:
        return [p for _, p in self.mapped] or [self.default]


def _persons(user, region_code: str):
    qs = scope.filter_persons(user, Person.objects.filter(life_status=LifeStatus.ALIVE))
    if region_code and scope.region_in_scope(user, region_code):
        qs = qs.filter(scope.region_q_prefix(regions.prefix_of(region_code),
                                             "residence_region_id"))
    return qs.select_related("residence_region")


def _enrolled(year_from: int):
    return Exists(Enrollment.objects.filter(person=OuterRef("pk"), year__gte=year_from,
                                            status__in=LIVE_STATUSES))


def _covered_now(today: dt.date):
    """A resident enrollment for this year or later, or employee cover that has not ended."""
    live = Enrollment.objects.filter(person=OuterRef("pk"), year__gte=today.year,
                                     status__in=LIVE_STATUSES)
    return Exists(live.filter(Q(scheme=Scheme.RESIDENT) | Q(cover_end__isnull=True)
                              | Q(cover_end__gte=today)))


def _flag(days_left: int, window: int) -> str:
    for before in NEWBORN_FLAGS:
        if days_left <= before:
            return f"已满{window - before}天"
    return ""


def newborns(persons, profiles: Profiles, today: dt.date) -> list[Line]:
    """Newborns not enrolled whose newborn window (the profile's `newborn_days`) ends within
    the horizon."""
    longest = max(p.newborn_days for p in profiles.all())
    lines = []
    for p in persons.filter(birth_date__gte=today - dt.timedelta(days=longest),
                            birth_date__lte=today).exclude(_enrolled_in_birth_year()):
        window = profiles.of(p.residence_region_id).newborn_days
        deadline = days_deadline(p.birth_date, window)
        days_left = (deadline - today).days
        if 0 <= days_left <= HORIZON_DAYS:
            lines.append(Line(p, "newborn", f"出生第{(today - p.birth_date).days}天，"
                                            f"{window}天内参保可从出生之日起享受待遇",
                              deadline, days_left, _flag(days_left, window),
                              year=p.birth_date.year))
    return lines


def _enrolled_in_birth_year():
    return Exists(Enrollment.objects.filter(person=OuterRef("pk"),
                                            year__gte=OuterRef("birth_date__year"),
                                            status__in=LIVE_STATUSES))


def _window_opens(profiles: Profiles) -> int:
    return max(p.transfer_window_months for p in profiles.all())


def employees(persons, profiles: Profiles, today: dt.date) -> list[Line]:
    """Employees whose cover ended: within the transfer window (R-EMP-3M, and R-EXIT-3M for
    the insured-two-years leavers) they enroll as residents without a waiting period."""
    since = add_months(today, -_window_opens(profiles)) - dt.timedelta(days=1)
    ended = Enrollment.objects.filter(person=OuterRef("pk"), scheme=Scheme.EMPLOYEE,
                                      cover_end__gte=since, cover_end__lt=today)
    lines = []
    for p in persons.filter(Exists(ended)).exclude(_covered_now(today)):
        profile = profiles.of(p.residence_region_id)
        if not (profile.employee_3m_rule or profile.exit_3m_rule):
            continue
        cover_end = (Enrollment.objects.filter(person=p, scheme=Scheme.EMPLOYEE)
                     .order_by("-cover_end").values_list("cover_end", flat=True).first())
        first_uncovered = cover_end + dt.timedelta(days=1)
        deadline = months_deadline(first_uncovered, profile.transfer_window_months)
        days_left = (deadline - today).days
        if 0 <= days_left <= HORIZON_DAYS:
            lines.append(Line(p, "employee", f"职工医保{cover_end:%Y-%m-%d}终止，"
                                             f"{profile.transfer_window_months}个月内参加居民医保"
                                             "不设等待期", deadline, days_left, year=today.year))
    return lines


def leavers(persons, profiles: Profiles, today: dt.date) -> list[Line]:
    """People leaving another scheme (R-EXIT-3M, profiles with `exit_3m_rule`): discharged
    soldiers and spouses, released prisoners, employees insured two years."""
    since = add_months(today, -_window_opens(profiles))
    groups = PersonGroup.objects.filter(person=OuterRef("pk"), group__in=EXIT_GROUPS,
                                        start_date__gte=since, start_date__lte=today)
    lines = []
    for p in persons.filter(Exists(groups)).exclude(_covered_now(today)) \
            .prefetch_related("groups"):
        profile = profiles.of(p.residence_region_id)
        if not profile.exit_3m_rule:
            continue
        group = max((g for g in p.groups.all() if g.group in EXIT_GROUPS),
                    key=lambda g: g.start_date)
        deadline = months_deadline(group.start_date, profile.transfer_window_months)
        days_left = (deadline - today).days
        if 0 <= days_left <= HORIZON_DAYS:
            lines.append(Line(p, "exit", f"{group.get_group_display().split('（')[0]}，"
                                         f"{group.start_date:%Y-%m-%d}退出，"
                                         f"{profile.transfer_window_months}个月内参保不设等待期",
                              deadline, days_left, year=today.year))
    return lines


def hardship(persons, profiles: Profiles, today: dt.date) -> list[Line]:
    """Hardship people (应保尽保) not enrolled for the coming year, until the collection
    period closes (their subsidy is paid only inside it where the profile says so)."""
    year = coverage_year_for(today)
    groups = PersonGroup.objects.filter(Q(end_date__isnull=True) | Q(end_date__gte=today),
                                        person=OuterRef("pk"), start_date__lte=today,
                                        group__in=list(POLICY_GROUP_OF))
    lines = []
    for p in persons.filter(Exists(groups)).exclude(_enrolled(year)).prefetch_related("groups"):
        start, end = profiles.period(p.residence_region_id, year)
        days_left = (end - today).days
        if days_left < 0:
            continue
        label = next((g.get_group_display() for g in p.groups.all()
                      if g.group in POLICY_GROUP_OF and g.active_on(today)), "困难群体")
        lines.append(Line(p, "hardship", f"{label}，{year}年度尚未参保，集中缴费期内缴费可享受资助",
                          end, days_left, year=year))
    return lines


def renewals(persons, profiles: Profiles, today: dt.date) -> list[Line]:
    """In the collection period: everyone insured last year who has not paid for the coming
    year, with what they stand to lose from the stored January recalculation."""
    year = coverage_year_for(today)
    start, end = collection_period(year)
    if not (start <= today <= end + dt.timedelta(days=1)):
        return []
    last = Enrollment.objects.filter(person=OuterRef("pk"), year=year - 1,
                                     status__in=LIVE_STATUSES)
    qs = persons.filter(Exists(last)).exclude(_enrolled(year))[:LIMIT]
    people = list(qs)
    statuses = {s.person_id: s for s in PersonYearStatus.objects.filter(
        person_id__in=[p.pk for p in people], year=year - 1)}
    lines = []
    for p in people:
        p_start, p_end = profiles.period(p.residence_region_id, year)
        if not (p_start <= today <= p_end):
            continue
        line = Line(p, "renewal", f"{year - 1}年已参保，{year}年度尚未缴费", p_end,
                    (p_end - today).days, year=year)
        _stake(line, statuses.get(p.pk), profiles.of(p.residence_region_id))
        lines.append(line)
    return lines


def credit_debts(persons, profiles: Profiles, today: dt.date) -> list[Line]:
    """R-CREDIT: people enrolled on credit whose debt is past its due date (信用参保逾期), or
    falls due within the horizon; the due date and the amount are the enrollment's own."""
    owed = (Enrollment.objects.filter(
        person__in=persons.values("pk"), scheme=Scheme.RESIDENT, status__in=LIVE_STATUSES,
        paid_on__isnull=True, credit_outstanding__gt=0,
        credit_due_on__lte=today + dt.timedelta(days=HORIZON_DAYS))
        .select_related("person__residence_region").order_by("credit_due_on", "pk")[:LIMIT])
    lines = []
    for e in owed:
        days_left = (e.credit_due_on - today).days
        when = f"已逾期{-days_left}天" if days_left < 0 else f"{e.credit_due_on:%m月%d日}前须缴清"
        lines.append(Line(e.person, "credit_overdue" if days_left < 0 else "credit_due",
                          f"{e.year}年度信用参保，欠缴{e.credit_outstanding}元，{when}",
                          e.credit_due_on, days_left, stake=e.credit_outstanding,
                          stake_text=f"欠缴{e.credit_outstanding}元", year=e.year))
    return lines


def _stake(line: Line, status: PersonYearStatus | None, profile: PolicyProfile) -> None:
    """What a renewal that lapses loses: the cap credit earned (continuity, zero-claim) and the
    waiting months a gap year adds."""
    parts = []
    if status is not None:
        credit = (status.continuity_bonus or 0) + (status.zero_claim_credit or 0)
        line.stake = Decimal(credit)
        if status.continuity_bonus:
            parts.append(f"连续参保激励{status.continuity_bonus:.0f}元")
        if status.zero_claim_credit:
            parts.append(f"零报销激励{status.zero_claim_credit:.0f}元")
    wait = profile.fixed_wait_months + (
        profile.variable_wait_months_per_gap_year if profile.variable_wait_free_gap_years == 0
        else 0)
    parts.append(f"断缴后等待期{wait}个月")
    line.stake_text = "；".join(parts)


def lines(user, *, region_code: str = "", today: dt.date | None = None,
          kind: str = "") -> list[Line]:
    """The radar of the user's scope (or a region under it): one line per person, the nearest
    deadline first, then what they stand to lose."""
    from core.calendar import today as beijing_today

    today = today or beijing_today()
    persons = _persons(user, region_code)
    profiles = Profiles()
    found: dict[int, Line] = {}
    for select in (credit_debts, newborns, employees, leavers, hardship, renewals):
        for line in select(persons, profiles, today):
            if line.person.pk in found:
                found[line.person.pk].also.append(line.kind_label)
            else:
                found[line.person.pk] = line
    result = [line for line in found.values() if not kind or line.kind == kind]
    result.sort(key=lambda line: (line.days_left, -line.stake, line.person.residence_region_id,
                                  line.person.name))
    return result[:LIMIT]


def by_village(found: list[Line]) -> list[dict]:
    """Lines per village (and the days to the nearest deadline), for the summary."""
    rows: dict[str, dict] = {}
    for line in found:
        code = regions.ancestor_code(line.person.residence_region_id, regions.VILLAGE)
        row = rows.setdefault(code, {"code": code, "count": 0, "soonest": line.days_left})
        row["count"] += 1
        row["soonest"] = min(row["soonest"], line.days_left)
    return sorted(rows.values(), key=lambda r: (r["soonest"], -r["count"]))
