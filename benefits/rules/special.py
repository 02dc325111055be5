"""Special cases (RULES.md section 5): newborns, welfare children, students, people moving in
from the employee scheme or another system (the last two in `transfers.py`).

`plan()` decides, before any amount or date is computed, which special rule governs a payment
and what it changes: the rate, whether and from when the person waits, the cover dates, and
which years are not gap years. `None` from a family function means the ordinary rules apply.

Implements R-NB-90, R-NB-OCT, R-NB-LATE, R-NB-FREE, R-NB-NEXT, R-WELFARE, R-STU-HN and
R-STU-SX; helpers for R-STU-TERM and R-STU-ONCE.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Iterable, Mapping, Sequence

from .dates import days_deadline, year_end, year_start
from .due import RATE_FREE, RATE_NEWBORN, RATE_ONTIME
from .errors import CaseError
from .history import YearStatus
from .plans import WAIT_NONE, Plan, option_day, ordinary_plan
from .types import Enrollment, Person, Profile, YearStandard
from .transfers import employee_transfer_plan, exit_plan


def newborn_plan(
    profile: Profile, year: int, person: Person, enrollment: Enrollment, in_period: bool
) -> Plan | None:
    """Implements R-NB-90, R-NB-OCT, R-NB-LATE (hunan) and R-NB-FREE, R-NB-NEXT (shanxi)."""
    birth = person.birth_date
    paid_on = enrollment.paid_on
    days = profile.newborn_days
    deadline = days_deadline(birth, days)
    within = paid_on <= deadline

    if enrollment.newborn_next_year_only:
        if not profile.newborn_october_option:
            raise CaseError(
                "enrollment.newborn_next_year_only", f"“{profile.code}”方案没有新生儿只缴纳次年的选项"
            )
        option_from = option_day(profile, birth.year)
        if birth < option_from:
            raise CaseError(
                "enrollment.newborn_next_year_only",
                f"{option_from.isoformat()}之前出生的新生儿不能选择只缴纳次年居民医保费",
            )
        if year != birth.year + 1:
            raise CaseError("year", f"选择只缴纳次年时，待遇年度应为出生次年（{birth.year + 1}年）")
        if within or not profile.newborn_october_within_days:
            return Plan(
                rate=RATE_ONTIME,
                wait=WAIT_NONE,
                on_time=True,
                cover_start=year_start(year),
                not_gap_years=frozenset({birth.year}),
                special=True,
                notes=[
                    (
                        "R-NB-OCT",
                        f"{birth.isoformat()}出生（{profile.next_year_option_month}月1日及以后），"
                        f"选择只缴纳{year}年居民医保费：出生当年不享受待遇、不算断缴，"
                        f"{year}年1月1日起享受待遇，不设等待期",
                    )
                ],
            )
        # The option (and with it the excused birth year) exists only inside the window: paid
        # later, the birth year counts as a gap year like anyone else's (R-NB-OCT, R-NB-LATE).
        return ordinary_plan(
            in_period,
            notes=[
                (
                    "R-NB-LATE",
                    f"孩子出生后{days}天内（{deadline.isoformat()}前）没有缴费，不能再选择只缴次年，"
                    f"按一般规定办理，出生当年（{birth.year}年）算未参保",
                )
            ],
        )

    if profile.newborn_90_day_rule and year == birth.year:
        if within:
            return Plan(
                rate=RATE_NEWBORN,
                wait=WAIT_NONE,
                on_time=True,
                cover_start=birth,
                special=True,
                notes=[
                    (
                        "R-NB-90",
                        f"新生儿出生后{days}天内（截至{deadline.isoformat()}）缴费，不受集中参保缴费期限制，"
                        f"自出生之日{birth.isoformat()}起享受待遇，不设等待期",
                    )
                ],
            )
        return ordinary_plan(
            in_period,
            notes=[
                (
                    "R-NB-LATE",
                    f"新生儿出生后{days}天内（截至{deadline.isoformat()}）未缴费，按一般规则办理"
                    "（出生前的年份不算断缴）",
                )
            ],
        )

    if profile.newborn_birth_year_free and year == birth.year:
        # Free whenever registered in the birth year, and also within the window when that runs
        # into the next calendar year (born in December, registered in January).
        if paid_on.year == birth.year or within:
            return Plan(
                rate=RATE_FREE,
                wait=WAIT_NONE,
                on_time=True,
                cover_start=birth,
                special=True,
                notes=[
                    (
                        "R-NB-FREE",
                        f"新生儿出生当年（{year}年）登记参保，出生当年不缴费，"
                        f"自出生之日{birth.isoformat()}起享受待遇",
                    )
                ],
            )
        return None

    if profile.newborn_next_year_window and year == birth.year + 1:
        if within:
            return Plan(
                rate=RATE_ONTIME,
                wait=WAIT_NONE,
                on_time=True,
                cover_start=year_start(year),
                not_gap_years=frozenset({birth.year}),
                special=True,
                notes=[
                    (
                        "R-NB-NEXT",
                        f"出生次年（{year}年）正常缴费；出生后{days}天内（截至{deadline.isoformat()}）缴费，"
                        "不受集中参保缴费期限制，不设等待期",
                    )
                ],
            )
        return ordinary_plan(
            in_period,
            notes=[
                (
                    "R-NB-NEXT",
                    f"出生次年（{year}年）正常缴费；出生后{days}天后缴费，按一般规则办理",
                )
            ],
        )
    return None


def welfare_plan(profile: Profile, year: int, enrollment: Enrollment) -> Plan | None:
    """Implements R-WELFARE: pays I(Y) at any time, covered from the day of entry (1 January of Y
    at the earliest), no waiting period."""
    if not profile.welfare_child_anytime:
        return None
    entry = enrollment.welfare_entry_on
    if entry is None:
        raise CaseError("enrollment.welfare_entry_on", "请填写儿童进入儿童福利机构的日期")
    start = max(entry, year_start(year))
    return Plan(
        rate=RATE_ONTIME,
        wait=WAIT_NONE,
        on_time=True,
        cover_start=start,
        special=True,
        notes=[
            (
                "R-WELFARE",
                f"儿童福利机构{entry.isoformat()}接收的未参保儿童，按个人缴费标准随时缴费，"
                f"自{start.isoformat()}起享受待遇，不设等待期",
            )
        ],
    )


def whole_course_plan(year: int, enrollment: Enrollment) -> Plan | None:
    """Implements R-STU-TERM: a student who paid once for the whole course is covered, with
    nothing more to pay, to 31 December of the current year, or to the end of the prepaid period
    where that is later; from the year after, the ordinary yearly payment."""
    paid_until = enrollment.course_paid_until
    if paid_until is None:
        return None
    end = whole_course_cover_end(paid_until, year)
    if end < year_start(year):
        return None
    start = max(year_start(year), min(enrollment.paid_on, end))
    return Plan(
        rate=RATE_FREE,
        wait=WAIT_NONE,
        on_time=False,
        cover_start=start,
        cover_end=end,
        special=True,
        notes=[
            (
                "R-STU-TERM",
                f"您已按学制一次缴费至{paid_until.isoformat()}，{year}年不用再缴费，"
                f"待遇享受到{end.isoformat()}；之后每年在学校缴费一次",
            )
        ],
    )


def student_plan(
    profile: Profile, year: int, enrollment: Enrollment, history: Mapping[int, YearStatus]
) -> Plan | None:
    """Implements R-STU-HN and R-STU-SX for a new student paying at the school for the first
    time, and R-STU-TERM for one who paid for the whole course under the old practice."""
    term = whole_course_plan(year, enrollment)
    if term is not None:
        return term
    if not enrollment.first_at_school:
        return None
    paid_on = enrollment.paid_on
    entry_year = paid_on.year
    if year != entry_year + 1:
        return None  # a payment made in P+1 (or for another year) follows the ordinary rules
    if profile.student_rule == "hunan":
        status = history.get(entry_year)
        if status is None or not status.is_resident:
            return None
        start = date(entry_year, 9, 1)
        return Plan(
            rate=RATE_ONTIME,
            wait=WAIT_NONE,
            on_time=True,
            cover_start=start,
            cover_end=year_end(year),
            special=True,
            notes=[
                (
                    "R-STU-HN",
                    f"新入学大中专学生，入学当年（{entry_year}年）已参加居民医保，在校缴纳{year}年"
                    f"居民医保费，待遇期{start.isoformat()}至{year}-12-31，不设等待期",
                )
            ],
        )
    if profile.student_rule == "shanxi":
        return Plan(
            rate=RATE_ONTIME,
            wait=WAIT_NONE,
            on_time=True,
            cover_start=paid_on,
            cover_end=year_end(year),
            special=True,
            notes=[
                (
                    "R-STU-SX",
                    f"新入学大中专学生首次在学校参保，自缴费之日{paid_on.isoformat()}起享受待遇"
                    f"至{year}-12-31，不设等待期",
                )
            ],
        )
    return None


def plan(
    profile: Profile,
    year: int,
    person: Person,
    enrollment: Enrollment,
    standard: YearStandard,
    history: Mapping[int, YearStatus],
) -> Plan:
    """Which rules govern this payment: a special case of section 5, or the ordinary rules."""
    in_period = standard.in_concentrated_period(enrollment.paid_on)
    category = person.category
    check_one_year(person, enrollment)
    found: Plan | None = None
    if category == "newborn":
        found = newborn_plan(profile, year, person, enrollment, in_period)
    elif category == "welfare_child":
        found = welfare_plan(profile, year, enrollment)
    elif category == "college_student":
        found = student_plan(profile, year, enrollment, history)
    elif category == "employee_transfer" and profile.exit_3m_rule and not profile.employee_3m_rule:
        found = exit_plan(profile, year, enrollment, standard, history, category=category)
    elif category == "employee_transfer":
        found = employee_transfer_plan(profile, year, enrollment, in_period)
    elif category == "exit_other_scheme":
        found = exit_plan(profile, year, enrollment, standard, history, category=category)
    elif enrollment.newborn_next_year_only:
        raise CaseError("enrollment.newborn_next_year_only", "只有新生儿可以选择只缴纳次年居民医保费")
    if found is None:
        return ordinary_plan(in_period)
    # A special case lifts the concentrated period's limit and the wait, not the privileges of
    # paying on time: hardship subsidy and zero-claim credit (hunan) follow the real date, so
    # that the next year's history (which records the payment as late) agrees.
    return replace(found, on_time=in_period)


def check_one_year(person: Person, enrollment: Enrollment) -> None:
    """Implements R-STU-ONCE: one payment is for one year; a student never pays for the length
    of the course at once (the school collects each year)."""
    years = enrollment.paid_years
    if years == 1:
        return
    if person.category == "college_student":
        message = f"学生参保每年缴费一次，不能按学制一次缴纳{years}年，请只缴纳本年度"
    else:
        message = f"一次缴费只能缴纳一个年度，不能一次缴纳{years}年"
    raise CaseError("enrollment.paid_years", message, rule="R-STU-ONCE")


# --- helpers that are not case rules ------------------------------------------------------


def whole_course_cover_end(course_paid_until: date, migration_year: int) -> date:
    """Implements R-STU-TERM (a registry migration rule): a student who paid once for the whole
    course (the old practice, graduating students included) is covered to 31 December of the
    migration year (or to the end of the prepaid period where that is later: the extension never
    shortens), and pays yearly from then on. Cover that had already ended before that year is
    left as it was."""
    if course_paid_until < year_start(migration_year):
        return course_paid_until
    # Extended to December, never shortened: a course prepaid beyond this year keeps its cover.
    return max(course_paid_until, year_end(migration_year))


def student_enrollment_problems(
    *,
    years: Sequence[int],
    channel: str,
    existing: Iterable[tuple[int, str]] = (),
) -> list[str]:
    """Implements R-STU-ONCE: students enroll through the school (`channel` "school"), once a
    year, never for several years at once, and never again at the home address for a year already
    enrolled. `existing` holds (year, channel) of the student's enrollments. Returns the problems
    in Chinese; an empty list means the enrollment may go ahead."""
    problems: list[str] = []
    if channel != "school":
        problems.append("大中专院校和技工学校学生应通过学校参保缴费")
    distinct = sorted(set(years))
    if len(years) != 1:
        problems.append("学生每年参保缴费一次，不能一次缴纳多个年度")
    taken = {}
    for y, where in existing:
        taken.setdefault(y, where)
    for y in distinct:
        if y in taken:
            where = "学校" if taken[y] == "school" else "户籍地或常住地"
            problems.append(f"该学生{y}年已在{where}参保，不能重复参保")
    return problems
