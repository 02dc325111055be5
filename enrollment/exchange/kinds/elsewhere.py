"""Other pooling regions' enrollment lists (异地参保名单), inside or outside the province.

Each row becomes an enrollment elsewhere through the one door (`enrollment_record`, elsewhere,
confirmed without a payment here), which ends the local resident enrollment of that year
(R-AUTO-STOP). A region code of this deployment is the enrollment's pooling region; a code
outside it (Shenzhen, 440300…) is accepted as "elsewhere" with the name the list gives, kept on
the enrollment. The one door is asked first (`enrollment_preview`), so whatever it would refuse
is a problem of the row, never a failed job.
"""
from __future__ import annotations

import datetime as dt

from django.db.models import Q

from ... import services
from ...models import LIVE_STATUSES, Enrollment, Region, Scheme
from ..base import CheckedRow, Column, Feed, Outcome, register
from ..rows import RowReader, match_person, persons_in_scope

SCHEMES = {"居民": Scheme.RESIDENT, "城乡居民医保": Scheme.RESIDENT,
           "职工": Scheme.EMPLOYEE, "职工医保": Scheme.EMPLOYEE}


def _already(person, year, scheme, code) -> bool:
    return Enrollment.objects.filter(
        person=person, year=year, scheme=scheme, elsewhere=True, status__in=LIVE_STATUSES,
    ).filter(Q(pooling_region_id=code) | Q(pooling_region__isnull=True,
                                          elsewhere_code=code)).exists()


@register
class Elsewhere(Feed):
    kind = "elsewhere"
    title = "异地参保名单"
    department = "外地医保"
    columns = (
        Column("证件号码", example="430121198506150043", note="18位居民身份证号码"),
        Column("姓名", example="张三"),
        Column("年度", example="2026", note="待遇年度，如 2026"),
        Column("险种", example="居民", note="居民 或 职工"),
        Column("参保地区划代码", example="440300000000", note="12位区划代码，省外也可"),
        Column("参保地名称", example="广东省深圳市", note="参保地不在本系统区划内时必填"),
    )

    def check_rows(self, rows, ctx):
        readers = [RowReader(n, v) for n, v in rows]
        numbers = {r.row: r.id_number() for r in readers}
        persons = persons_in_scope(ctx.actor, numbers.values())
        codes = {str(r.values.get("参保地区划代码") or "").strip() for r in readers}
        regions = {g.code: g for g in Region.objects.filter(code__in=codes)}
        checked, problems = [], []
        for r in readers:
            year = r.year("年度", today=ctx.today)
            scheme = r.choice("险种", SCHEMES)
            code = r.region_code("参保地区划代码")
            name = r.text("参保地名称", required=False)
            if code and code not in regions and not name:
                r.problem("参保地名称", f"区划{code}不在本系统中，须填写参保地名称",
                          "请填写参保地名称，如 广东省深圳市")
            person = match_person(r, numbers[r.row], persons) if r.ok else None
            values = {"person": person, "year": year, "scheme": scheme, "code": code,
                      "name": name, "region": regions.get(code)}
            if person is not None:
                self._ask_the_door(r, values, ctx)
            if r.ok:
                checked.append(CheckedRow(r.row, f"{numbers[r.row]}:{year}:{scheme}", values))
            problems.extend(r.problems)
        return checked, problems

    def _ask_the_door(self, r: RowReader, v: dict, ctx) -> None:
        person = v["person"]
        if v["region"] is not None and v["region"].code == services.pooling_region_of(
                person).code:
            r.problem("参保地区划代码", "参保地是此人的本地统筹区，不是异地参保",
                      "本地参保请在参保登记中办理")
            return
        if _already(person, v["year"], v["scheme"], v["code"]):
            return  # recorded before: unchanged
        plan = services.enrollment_preview(actor=ctx.actor, person=person, **self._args(v))
        for field, messages in plan.errors.items():
            for message in messages:
                r.problem("年度" if field == "year" else "", str(message), "请核对此人的参保情况")

    @staticmethod
    def _args(v: dict) -> dict:
        outside = v["region"] is None
        return dict(year=v["year"], scheme=v["scheme"], pooling_region=v["region"],
                    elsewhere=True, confirmed=True, channel="", cover_start=dt.date(v["year"], 1, 1),
                    elsewhere_code=v["code"] if outside else "",
                    elsewhere_name=(v["name"] or v["code"]) if outside else "")

    def apply(self, rows, ctx):
        outcome = Outcome()
        for row in rows:
            v = row.values
            person = v["person"]
            if _already(person, v["year"], v["scheme"], v["code"]):
                outcome.unchanged += 1
                continue
            services.enrollment_record(actor=ctx.actor, person=person, request=ctx.request,
                                       **self._args(v))
            where = v["region"].name if v["region"] is not None else (v["name"] or v["code"])
            outcome.created += 1
            outcome.note(f"{person.name}（{person.masked_id}）：登记{v['year']}年在{where}的"
                         f"{'职工' if v['scheme'] == Scheme.EMPLOYEE else '居民'}参保")
        return outcome
