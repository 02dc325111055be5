"""人社 职工参保: employee-scheme enrollments with the months covered, through the one door (which
ends a resident enrollment of the same year, R-AUTO-STOP, and refuses overlapping employee
cover). The employer is kept once (一企一档, by its unified social credit code) and the person
is linked to the employer whose cover is still running. An enrollment already recorded for the
same months and employer is unchanged; a new end month or employer revises it."""
from __future__ import annotations

import calendar
import datetime as dt

from django.core.exceptions import ValidationError
from stdnum.cn import uscc

from core.run_memo import run_memo

from ... import scope
from ...models import Channel, Enterprise, Person, Region, Scheme
from ...services import enrollment_record, enterprise_save, person_update, pooling_region_of
from ..base import Column, Feed, Outcome, register
from ..cells import Persons, RowReader, Rows
from ..oneway import live_enrollments, preview_problems, refused

ID, NAME, UNIT, CODE, YEAR, START, END, MONTHS = (
    "证件号码", "姓名", "单位名称", "统一社会信用代码", "年度", "参保起始月", "参保终止月", "缴费月数")
COLUMNS_OF = {"cover_start": START, "cover_end": END, "year": YEAR, "person": ID}


def _month_end(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _credit_code(reader: RowReader) -> str | None:
    value = reader.text(CODE, max_length=30)
    if value is None:
        return None
    value = value.upper().replace(" ", "")
    if not uscc.is_valid(value):
        reader.problem(CODE, f"统一社会信用代码“{value}”有误（应为18位，校验位正确）。",
                       "请对照营业执照逐位核对。")
        return None
    return value


def _cover(reader: RowReader, year: int | None) -> tuple[dt.date | None, dt.date | None]:
    start, end = reader.month(START), reader.month(END, required=False)
    months = reader.integer(MONTHS, required=False, low=1, high=12)
    if year and start and start.year != year:
        reader.problem(START, f"参保起始月{start:%Y-%m}不在{year}年度内。", "请按年度分行填写。")
        return None, None
    if start and months:
        index = start.month - 1 + months - 1
        if index > 11:
            reader.problem(MONTHS, f"从{start:%Y-%m}起缴费{months}个月超出{start.year}年度。",
                           "请核对缴费月数，跨年度的请按年度分行填写。")
            return None, None
        by_months = dt.date(start.year, index + 1, 1)
        if end and end != by_months:
            reader.problem(MONTHS, f"缴费月数{months}与参保起止月（{start:%Y-%m}至{end:%Y-%m}）不符。",
                           "参保终止月和缴费月数只需填写一项。")
            return None, None
        end = by_months
    if start and end:
        if end < start or end.year != start.year:
            reader.problem(END, f"参保终止月{end:%Y-%m}应在参保起始月{start:%Y-%m}之后的同一年度内。",
                           "请核对参保终止月。")
            return None, None
        return start, _month_end(end)
    if start and start > reader.ctx.today:
        reader.problem(START, f"参保起始月{start:%Y-%m}晚于本月。", "请核对参保起始月。")
        return None, None
    return start, None


def _same(e, values, employer_id) -> bool:
    return (e.cover_start == values["start"] and e.cover_end == values["end"]
            and e.employer_id == employer_id)


@register
class EmployeeFeed(Feed):
    kind = "employee"
    title = "职工医保参保名单"
    department = "人社"
    columns = (
        Column(ID, example="430121198005010034", note="18位身份证号码"),
        Column(NAME, example="张三"),
        Column(UNIT, example="长沙星沙机械有限公司"),
        Column(CODE, example="91430121MA4L16JQ38", note="18位"),
        Column(YEAR, example="2026"),
        Column(START, example="2026-03", note="如2026-03"),
        Column(END, required=False, example="2026-08", note="仍在参保的留空"),
        Column(MONTHS, required=False, example="6", note="与参保终止月填一项即可"),
    )

    @run_memo()  # the policy and pooling-region reads, once per batch
    def check_rows(self, rows, ctx):
        batch = Rows(rows, ctx)
        numbers = {r.number: r.id_number(ID) for r in batch.readers}
        persons = Persons(numbers.values(), ctx.actor)
        read = {}
        for reader in batch.readers:
            year = reader.integer(YEAR, low=2000, high=ctx.today.year + 1)
            start, end = _cover(reader, year)
            values = {"year": year, "start": start, "end": end,
                      "unit": reader.text(UNIT), "code": _credit_code(reader)}
            person = persons.find(reader, numbers[reader.number], ID)
            values["person_id"] = person.pk if person else None
            if not reader.problems:
                read[reader.number] = (reader, person, values)
        units = {u.credit_code: u for u in Enterprise.objects.filter(
            credit_code__in={v["code"] for _, _, v in read.values()})}
        live = live_enrollments([v["person_id"] for _, _, v in read.values()],
                                [v["year"] for _, _, v in read.values()], Scheme.EMPLOYEE)
        found, spans = {}, {}
        for reader, person, values in read.values():
            key = f"{numbers[reader.number]}|{values['year']}|{values['start']}"
            if batch.duplicate(reader, key, ID) or self._overlaps(reader, spans, person, values):
                continue
            unit = units.get(values["code"])
            if unit is not None and unit.name != values["unit"] \
                    and not scope.region_in_scope(ctx.actor, unit.region_id):
                reader.problem(UNIT, f"单位名称“{values['unit']}”与该信用代码已登记的"
                                     f"“{unit.name}”不符。", "请核对单位名称和统一社会信用代码。")
                continue
            mine = self._existing(live, person, values)
            if mine is not None and _same(mine, values, unit.pk if unit else None):
                found[reader.number] = (key, values)
                continue
            preview_problems(reader, COLUMNS_OF, actor=ctx.actor, person=person,
                             year=values["year"], scheme=Scheme.EMPLOYEE, confirmed=True,
                             channel=Channel.EMPLOYER, cover_start=values["start"],
                             cover_end=values["end"], instance=mine)
            if not reader.problems:
                found[reader.number] = (key, values)
        return batch.result(found)

    @staticmethod
    def _overlaps(reader, spans, person, values) -> bool:
        """Two rows of one file whose months overlap (the one door would refuse the second
        only while writing, stopping the whole file)."""
        start, end = values["start"], values["end"] or dt.date.max
        for row, other_start, other_end in spans.get(person.pk, []):
            if other_start <= end and start <= other_end:
                reader.problem(START, f"与第{row}行的参保月份重叠（同一人同一时期只能有一份职工医保）。",
                               "请核对两行的参保起止月，删除或改正其中一行。")
                return True
        spans.setdefault(person.pk, []).append((reader.number, start, end))
        return False

    @staticmethod
    def _existing(live, person, values):
        return next((e for e in live.get((person.pk, values["year"]), [])
                     if e.cover_start == values["start"]), None)

    @run_memo()
    def apply(self, rows, ctx):
        people = Person.objects.in_bulk({r.values["person_id"] for r in rows})
        live = live_enrollments(people, {r.values["year"] for r in rows}, Scheme.EMPLOYEE)
        outcome, units = Outcome(), {}
        for row in rows:
            v = row.values
            person = people[v["person_id"]]
            if v["code"] not in units:
                units[v["code"]] = self._unit(ctx, v, person)
            unit = units[v["code"]]
            mine = self._existing(live, person, v)
            if mine is not None and _same(mine, v, unit.pk):
                outcome.unchanged += 1
                continue
            try:
                e = enrollment_record(actor=ctx.actor, person=person, year=v["year"],
                                      scheme=Scheme.EMPLOYEE, confirmed=True,
                                      channel=Channel.EMPLOYER, employer=unit,
                                      cover_start=v["start"], cover_end=v["end"], instance=mine,
                                      request=ctx.request)
                if (v["end"] is None or v["end"] >= ctx.today) and person.employer_id != unit.pk:
                    person_update(actor=ctx.actor, person=person, data={"employer": unit},
                                  request=ctx.request)
            except ValidationError as exc:
                raise refused(row, exc) from None
            live.setdefault((person.pk, v["year"]), []).append(e)
            if mine is None:
                outcome.created += 1
            else:
                outcome.updated += 1
            until = f"至{v['end']:%Y-%m}" if v["end"] else "起"
            outcome.note(f"{person.name}：{unit.name} 职工医保 {v['start']:%Y-%m}{until}")
        return outcome

    @staticmethod
    def _unit(ctx, values, person) -> Enterprise:
        region = (Region.objects.get(code=ctx.actor.region_id) if ctx.actor.region_id
                  else pooling_region_of(person))
        unit, _ = enterprise_save(actor=ctx.actor, credit_code=values["code"],
                                  name=values["unit"], region=region, request=ctx.request)
        return unit
