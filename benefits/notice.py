"""The door-step notice (参保告知书, "参保受益、不参受损"): what one person gains by paying on
time and loses by paying late, from the same engine as every registration.

Three payments are asked of the engine for the coming coverage year: on time (inside the
collection period), late (the day after it closes, or today when it has closed), and late with
every gap year repaired. Nothing here writes.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from core.calendar import collection_period, coverage_year_for
from enrollment import regions, scope
from enrollment.models import LIVE_STATUSES, Person, Region

from . import inputs
from .rules.errors import CaseError
from .rules.types import Determination


@dataclass
class Notice:
    person: Person
    year: int
    period: tuple[dt.date, dt.date] | None = None
    on_time: Determination | None = None
    late: Determination | None = None
    repaired: Determination | None = None
    late_day: dt.date | None = None
    enrolled: bool = False
    error: str = ""
    repair_months_per_year: int = 1

    @property
    def cap_lost(self):
        if self.on_time is None or self.late is None:
            return None
        return self.on_time.catastrophic.effective_cap - self.late.catastrophic.effective_cap

    @property
    def credit(self):
        """The catastrophic-cap credit earned so far (continuity and zero-claim bonuses)."""
        if self.on_time is None:
            return None
        c = self.on_time.catastrophic
        return c.continuity_bonus + c.zero_claim_bonus

    @property
    def extra_pay(self):
        if self.on_time is None or self.late is None:
            return None
        return self.late.amount_due - self.on_time.amount_due

    @property
    def extra_wait(self):
        if self.on_time is None or self.late is None:
            return None
        return self.late.waiting.total - self.on_time.waiting.total


def _evaluate(person: Person, year: int, paid_on: dt.date, today: dt.date,
              repair_years: int = 0):
    case = inputs.case_inputs_for(person=person, year=year, paid_on=paid_on,
                                  pooling_region_code=person.residence_region_id,
                                  repair_years=repair_years, today=today)
    return inputs.evaluate(case)


def notice_for(person: Person, *, today: dt.date) -> Notice:
    year = coverage_year_for(today)
    notice = Notice(person=person, year=year, enrolled=person.enrollments.filter(
        year=year, status__in=LIVE_STATUSES).exists())
    profile = inputs.profile_for_region(person.residence_region_id)
    if profile is None:
        notice.error = "本地尚未配置参保政策，请向村（社区）经办人员咨询。"
        return notice
    notice.repair_months_per_year = profile.variable_wait_months_per_gap_year
    standard = inputs.stored_standards(profile.code).get(year)
    start, end = notice.period = collection_period(year, standard)
    notice.late_day = max(today, end + dt.timedelta(days=1))
    try:
        notice.on_time = _evaluate(person, year, min(max(today, start), end), today)
        notice.late = _evaluate(person, year, notice.late_day, today)
        if notice.late.gap_years:
            notice.repaired = _evaluate(person, year, notice.late_day, today,
                                        repair_years=notice.late.gap_years)
    except CaseError as exc:
        notice.error = exc.message
    return notice


def contact_for(person: Person) -> dict:
    """Whom a villager calls: the village (by name) and its clerk (enrollment/scope.py decides
    who that is)."""
    code = person.residence_region_id
    village_code = regions.ancestor_code(code, regions.VILLAGE) if len(
        regions.prefix_of(code)) >= regions.LEVEL_LENGTH[regions.VILLAGE] else code
    village = Region.objects.filter(code=village_code).first()
    return {"place": village.name if village else person.residence_region.name,
            "clerk": scope.village_contacts(code).first()}
