"""公安 户籍迁入迁出名单: household registrations moving in or out, with the date and the place.

- 迁出: the person leaves this register (life status 迁出, through `person_mark_life_status`);
  the place moved to is kept as the status source.
- 迁入: a person whose file is in the importer's region registers their household here: the
  household registration (户籍地) becomes the village given (in the importer's region), and a
  file marked 迁出 earlier is alive again. A person without a file here is a problem (register
  them, or ask for the file with 申请转入).
"""
from __future__ import annotations

from ... import scope, services
from ...models import LifeStatus, Region
from ..base import CheckedRow, Column, Feed, Outcome, register
from ..rows import RowReader, match_person, persons_in_scope

IN, OUT = "迁入", "迁出"


@register
class Moves(Feed):
    kind = "moves"
    title = "户籍迁入迁出名单"
    department = "公安"
    columns = (
        Column("证件号码", example="430121199003070038", note="18位居民身份证号码"),
        Column("姓名", example="李四"),
        Column("迁移类型", example=OUT, note="迁入 或 迁出"),
        Column("迁移日期", example="2026-05-10", note="如 2026-05-10"),
        Column("区划代码", required=False, example="440304000000",
               note="迁入：迁入的村（社区）代码，须在本辖区；迁出：迁往地代码，可不填"),
        Column("地名", required=False, example="广东省深圳市福田区",
               note="迁出：迁往地名称；迁入：迁出地名称"),
    )

    def check_rows(self, rows, ctx):
        readers = [RowReader(n, v) for n, v in rows]
        numbers = {r.row: r.id_number() for r in readers}
        persons = persons_in_scope(ctx.actor, numbers.values())
        codes = {str(r.values.get("区划代码") or "").strip() for r in readers}
        known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
        checked, problems = [], []
        for r in readers:
            direction = r.choice("迁移类型", {IN: IN, OUT: OUT})
            day = r.date("迁移日期", today=ctx.today)
            code = r.region_code("区划代码") if r.values.get("区划代码") else ""
            place = r.text("地名", required=False)
            if direction == IN and r.ok:
                if not code:
                    r.problem("区划代码", "迁入时须填写迁入的村（社区）代码",
                              "请填写本辖区内的12位村（社区）代码")
                elif code not in known or not scope.region_in_scope(ctx.actor, code):
                    r.problem("区划代码", f"迁入地{code}不在您的辖区内",
                              "迁入地须为本辖区的村（社区）；其他地区的由其所在地导入")
            person = match_person(r, numbers[r.row], persons) if r.ok else None
            if person is not None and day and day < person.birth_date:
                r.problem("迁移日期", f"迁移日期早于出生日期（{person.birth_date}）", "请核对日期")
            if r.ok:
                checked.append(CheckedRow(r.row, numbers[r.row], {
                    "person": person, "direction": direction, "on": day, "code": code,
                    "place": place or code}))
            problems.extend(r.problems)
        return checked, problems

    def apply(self, rows, ctx):
        outcome = Outcome()
        for row in rows:
            v = row.values
            person = v["person"]
            person.refresh_from_db()
            if v["direction"] == OUT:
                if person.life_status == LifeStatus.MOVED_OUT and person.life_status_date == v["on"]:
                    outcome.unchanged += 1
                    continue
                if person.life_status != LifeStatus.ALIVE:  # death or deregistration stays
                    outcome.unchanged += 1
                    continue
                services.person_mark_life_status(
                    actor=ctx.actor, person=person, status=LifeStatus.MOVED_OUT, on=v["on"],
                    source=f"户籍迁出至{v['place']}"[:100], request=ctx.request)
                outcome.updated += 1
                outcome.note(f"{person.name}（{person.masked_id}）：户籍迁出至{v['place']}（{v['on']}）")
                continue
            moved_back = person.life_status == LifeStatus.MOVED_OUT
            if person.hukou_region_id == v["code"] and not moved_back:
                outcome.unchanged += 1
                continue
            if person.hukou_region_id != v["code"]:
                services.person_update(actor=ctx.actor, person=person, request=ctx.request,
                                       data={"hukou_region": Region.objects.get(code=v["code"])})
            if moved_back:
                services.person_mark_life_status(
                    actor=ctx.actor, person=person, status=LifeStatus.ALIVE, on=v["on"],
                    source=f"户籍迁入（自{v['place'] or '外地'}）"[:100], request=ctx.request)
            outcome.updated += 1
            outcome.note(f"{person.name}（{person.masked_id}）：户籍迁入{v['code']}（{v['on']}）")
        return outcome
