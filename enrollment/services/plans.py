"""What recording an enrollment would do, and the refusals worked out before anything is written:
the plan `enrollment_preview` returns and `enrollment_record` writes, life and death, overlapping
employee cover, and the payer of a relative's account (R-RELATIVES)."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils import timezone

from ..models import (
    CLOSE_RELATIVES,
    Enrollment,
    EnrollmentStatus,
    LIVE_STATUSES,
    LifeStatus,
    Person,
    Scheme,
)


@dataclass
class EnrollmentPlan:
    """What recording an enrollment would do, worked out without writing anything: the case
    found from the registry (and the clerk's override), the engine's determination, what would
    be refused and what would be stopped. `enrollment_preview` returns it for the preview;
    `enrollment_record` writes it when `errors` is empty."""

    enrollment: Enrollment
    found_case: dict
    case: dict
    overridden: bool = False
    override_reason: str = ""
    errors: dict[str, list[str]] = field(default_factory=dict)
    employee_to_stop: list[tuple[Enrollment, dt.date]] = field(default_factory=list)
    settling: bool = False  # a payment settling a credit enrollment (R-CREDIT)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def determination(self) -> dict:
        return self.enrollment.determination or {}

    def refuse(self, name: str, message: str) -> None:
        self.errors.setdefault(name, []).append(message)

    def raise_errors(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


def employee_cover(e: Enrollment) -> tuple[dt.date, dt.date | None]:
    start = e.cover_start or dt.date(e.year, 1, 1)
    end = e.cover_end
    if e.status == EnrollmentStatus.STOPPED and e.stopped_on:
        end = min(end or dt.date.max, e.stopped_on - dt.timedelta(days=1))
    return start, end


def live_employee(person: Person, year: int, exclude_pk=None) -> list[Enrollment]:
    qs = Enrollment.objects.filter(person=person, scheme=Scheme.EMPLOYEE,
                                   status__in=LIVE_STATUSES, year__lte=year)
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    first = dt.date(year, 1, 1)
    return [e for e in qs.order_by("cover_start", "pk")
            if (employee_cover(e)[1] or dt.date.max) >= first]


def employee_clash(person: Person, year: int, cover_start, cover_end, exclude_pk=None):
    """One employee insurance at a time: the message refusing a live employee enrollment of
    the same year whose months overlap these (a replayed list, a double submit), or None."""
    start, end = cover_start or dt.date(year, 1, 1), cover_end or dt.date.max
    for e in Enrollment.objects.filter(person=person, year=year, scheme=Scheme.EMPLOYEE,
                                       status__in=LIVE_STATUSES).exclude(pk=exclude_pk):
        e_start, e_end = employee_cover(e)
        if e_start <= end and start <= (e_end or dt.date.max):
            return (f"{person.name}在{year}年已有职工医保参保登记（{e_start:%Y年%m月%d日}起），"
                    "与本次登记的参保月份重叠；同一时期只能有一份职工医保登记。")
    return None


def overlap_message(person: Person, e: Enrollment, start: dt.date, end: dt.date) -> str:
    cover_start, cover_end = employee_cover(e)
    until = f"至{cover_end:%Y年%m月%d日}" if cover_end else "起，尚未终止"
    return (f"{person.name}的职工医保（{cover_start:%Y年%m月%d日}{until}）与本次居民医保待遇期"
            f"（{start:%Y年%m月%d日}至{end:%Y年%m月%d日}）重叠，同一时期不能重复参保"
            "（R-ONE-ENROLLMENT）。如已离职转入居民医保，请选择“职工医保转居民医保”"
            "（transfer），职工医保将在居民医保开始前一日终止（R-AUTO-STOP）。")


def check_life(plan: EnrollmentPlan, person: Person, year: int, paid_on) -> None:
    birth = person.birth_date
    if year < birth.year:
        plan.refuse("year", f"待遇年度{year}年早于{person.name}的出生年份"
                            f"（{birth:%Y年%m月%d日}出生），不能登记出生前的参保。")
    if paid_on and paid_on < birth:
        plan.refuse("paid_on", f"缴费日期{paid_on:%Y年%m月%d日}早于{person.name}的出生日期"
                               f"（{birth:%Y年%m月%d日}），请核对。")
    if person.merged_into_id:
        plan.refuse("person", f"{person.name}的本档案已合并至档案{person.merged_into_id}，"
                              "请在保留的档案上登记。")
    if person.life_status == LifeStatus.DECEASED and person.life_status_date:
        died = person.life_status_date
        if year > died.year:
            plan.refuse("year", f"{person.name}已于{died:%Y年%m月%d日}死亡，"
                                f"不能登记{year}年的参保。")
        elif paid_on and paid_on > died:
            plan.refuse("paid_on", f"{person.name}已于{died:%Y年%m月%d日}死亡，"
                                   f"缴费日期{paid_on:%Y年%m月%d日}在死亡之后，请核对。")


def check_payer(plan: EnrollmentPlan, person: Person, payer, relation: str, channel: str,
                 paid_on) -> None:
    """R-RELATIVES: only a close relative's live employee personal account may pay."""
    if payer is None or "payer" in plan.errors:
        return  # the model's clean() already asked for the payer of a relative account
    if payer.pk == person.pk:
        plan.refuse("payer", "代缴人不能是参保人本人。")
        return
    if relation not in CLOSE_RELATIVES and "payer_relation" not in plan.errors:
        plan.refuse("payer_relation",
                    "代缴人与参保人关系：职工医保个人账户只能为配偶、父母、子女、兄弟姐妹、祖父母、"
                    "外祖父母、孙子女、外孙子女代缴居民医保（R-RELATIVES）。")
    day = paid_on or timezone.localdate()
    has_account = any(
        employee_cover(e)[0] <= day <= (employee_cover(e)[1] or dt.date.max)
        for e in Enrollment.objects.filter(person=payer, scheme=Scheme.EMPLOYEE,
                                           status__in=LIVE_STATUSES))
    if not has_account:
        plan.refuse("payer", f"代缴亲属{payer.name}在{day:%Y年%m月%d日}没有有效的职工医保参保"
                             "（个人账户），不能代缴（R-RELATIVES）。")
