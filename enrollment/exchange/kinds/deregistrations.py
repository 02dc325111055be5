"""公安 户籍注销人员名单: deaths, settling abroad, missing persons and other deregistrations.

The person's life status changes through the registry's service (`person_mark_life_status`,
which stops live enrollments of the years after a death, as the hand comparison did); the other
deregistrations stop them the same way, since the person has left the register. A row already
recorded (same status and date) is unchanged; a later list never turns a death into another
deregistration.
"""
from __future__ import annotations

from ... import services
from ...models import LIVE_STATUSES, LifeStatus
from ..base import CheckedRow, Column, Feed, Outcome, register
from ..rows import RowReader, match_person, persons_in_scope

TYPES = {"死亡": LifeStatus.DECEASED, "出国定居": LifeStatus.EMIGRATED,
         "失踪": LifeStatus.MISSING, "注销": LifeStatus.DEREGISTERED}


@register
class Deregistrations(Feed):
    kind = "deregistrations"
    title = "户籍注销人员名单"
    department = "公安"
    columns = (
        Column("证件号码", example="430121195001010033", note="18位居民身份证号码"),
        Column("姓名", example="王老汉"),
        Column("注销类型", example="死亡", note="死亡、出国定居、失踪、注销 之一"),
        Column("注销日期", example="2026-03-02", note="如 2026-03-02"),
        Column("备注", required=False, example="", note="可不填"),
    )

    def check_rows(self, rows, ctx):
        readers = [RowReader(n, v) for n, v in rows]
        numbers = {r.row: r.id_number() for r in readers}
        persons = persons_in_scope(ctx.actor, numbers.values())
        checked, problems = [], []
        for r in readers:
            status = r.choice("注销类型", TYPES)
            day = r.date("注销日期", today=ctx.today)
            person = match_person(r, numbers[r.row], persons) if r.ok else None
            if person is not None and person.merged_into_id:
                r.problem("证件号码", f"此档案已合并至档案{person.merged_into_id}",
                          "请改用保留档案的证件号码")
            elif person is not None and day and day < person.birth_date:
                r.problem("注销日期", f"注销日期早于出生日期（{person.birth_date}）", "请核对日期")
            if r.ok:
                checked.append(CheckedRow(r.row, numbers[r.row], {
                    "person": person, "status": status, "on": day,
                    "note": r.values.get("备注", "")}))
            problems.extend(r.problems)
        return checked, problems

    def apply(self, rows, ctx):
        outcome = Outcome()
        for row in rows:
            person, status, on = row.values["person"], row.values["status"], row.values["on"]
            person.refresh_from_db()
            same = person.life_status == status and person.life_status_date == on
            if same or (person.life_status == LifeStatus.DECEASED and status != person.life_status):
                outcome.unchanged += 1
                continue
            was = person.get_life_status_display()
            services.person_mark_life_status(
                actor=ctx.actor, person=person, status=status, on=on,
                source=f"{ctx.source}{'：' + row.values['note'] if row.values['note'] else ''}"[:100],
                request=ctx.request)
            if status != LifeStatus.DECEASED:
                for enrollment in person.enrollments.filter(year__gt=on.year,
                                                            status__in=LIVE_STATUSES):
                    services.enrollment_stop(
                        actor=ctx.actor, enrollment=enrollment, on=on, request=ctx.request,
                        reason=f"户籍注销（{person.get_life_status_display()}），自动停保")
            outcome.updated += 1
            outcome.note(f"{person.name}（{person.masked_id}）：人员状态 {was}→"
                         f"{person.get_life_status_display()}（{on}）")
        return outcome
