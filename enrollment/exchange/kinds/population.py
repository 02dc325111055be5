"""统计 常住人口: the official resident population per region and year, the denominator the
dashboards report coverage against (enrollment's OfficialPopulation, which dashboards read).
County administrators import it for regions in their scope, as in the admin."""
from __future__ import annotations

from ... import scope
from ...models import OfficialPopulation, Region
from ..base import CheckedRow, Column, Feed, Outcome, register
from ..rows import RowReader


@register
class Population(Feed):
    kind = "population"
    title = "常住人口统计"
    department = "统计"
    columns = (
        Column("区划代码", example="430121000000", note="12位区划代码，须在本辖区"),
        Column("年度", example="2026", note="如 2026"),
        Column("常住人口", example="1050000", note="整数"),
        Column("数据来源", required=False, example="统计局年度人口抽样调查", note="可不填"),
    )

    def may_import(self, user) -> bool:
        return scope.can_import_population(user)

    def check_rows(self, rows, ctx):
        readers = [RowReader(n, v) for n, v in rows]
        codes = {str(r.values.get("区划代码") or "").strip() for r in readers}
        known = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
        checked, problems = [], []
        for r in readers:
            code = r.region_code("区划代码")
            year = r.year("年度", today=ctx.today)
            population = r.integer("常住人口")
            source = r.text("数据来源", required=False)
            if code and code not in known:
                r.problem("区划代码", f"区划{code}不在本系统中", "请核对区划代码")
            elif code and not scope.region_in_scope(ctx.actor, code):
                r.problem("区划代码", f"区划{code}不在您的辖区内", "只能导入本辖区的常住人口")
            if r.ok:
                checked.append(CheckedRow(r.row, f"{code}:{year}", {
                    "code": code, "year": year, "population": population,
                    "source": source or ctx.source}))
            problems.extend(r.problems)
        return checked, problems

    def apply(self, rows, ctx):
        outcome = Outcome()
        existing = {(p.region_id, p.year): p for p in OfficialPopulation.objects.filter(
            region_id__in={r.values["code"] for r in rows},
            year__in={r.values["year"] for r in rows})}
        for row in rows:
            v = row.values
            old = existing.get((v["code"], v["year"]))
            if old is None:
                OfficialPopulation.objects.create(region_id=v["code"], year=v["year"],
                                                  population=v["population"], source=v["source"])
                outcome.created += 1
                outcome.note(f"{v['code']} {v['year']}年常住人口：{v['population']}")
            elif old.population != v["population"]:
                outcome.note(f"{v['code']} {v['year']}年常住人口：{old.population}→{v['population']}")
                old.population, old.source = v["population"], v["source"]
                old.save(update_fields=["population", "source", "updated_at"])
                outcome.updated += 1
            else:
                outcome.unchanged += 1
        return outcome
