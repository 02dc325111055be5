"""综合评价: the scorecard a region's enrollment work is judged by (004 §14–15, 001 六), and the
coefficient that allocates the capacity-building funds among sibling regions.

Each indicator is a ratio between 0 and 1 measured from the rollups (the same figures as the
dashboard); its points are `weight × ratio`. Weights are data (`EvaluationWeight`, kept by the
superuser). An indicator without data (no denominator, or no source in the system) scores
nothing and its weight is left out, so

    综合得分 = Σ(权重 × 完成率) ÷ Σ(有数据指标的权重) × 100

and a region is not marked down for what it has no cases of. Among sibling regions (the
children of one region):

    调节系数 = 本地区综合得分 ÷ 同级地区综合得分的算术平均值

so the coefficients average 1. Written down for readers in docs/evaluation.md and on the page.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from enrollment.models import Region

from . import selectors, targets
from .models import CoverageRollup, EvaluationWeight, FunnelRollup, Indicator

# Two visits per ledger entry earn the full points of the visits indicator.
VISITS_FOR_FULL_POINTS = 2
NO_RECONCILIATION_DATA = ("暂无数据：部门比对名单在导入时逐条处理并直接写入档案，系统未保存比对疑点"
                          "及其核实状态，无法计算销号率；本项不计分，权重不计入满分。")


@dataclass
class Line:
    indicator: str
    label: str
    value: str  # what was measured, in words and numbers
    ratio: float | None  # 0..1, None: no data
    weight: Decimal
    note: str = ""
    alert: bool = False  # a red line: 应保尽保 below 100 %

    @property
    def ratio_percent(self) -> float | None:
        return self.ratio * 100 if self.ratio is not None else None

    @property
    def points(self) -> float | None:
        return float(self.weight) * self.ratio if self.ratio is not None else None


@dataclass
class Scorecard:
    code: str
    name: str
    lines: list[Line] = field(default_factory=list)
    coefficient: float | None = None

    @property
    def weight_counted(self) -> Decimal:
        return sum((ln.weight for ln in self.lines if ln.ratio is not None), Decimal(0))

    @property
    def score(self) -> float | None:
        counted = self.weight_counted
        if not counted:
            return None
        return sum(ln.points for ln in self.lines if ln.points is not None) \
            / float(counted) * 100

    def ratio(self, indicator: str) -> float | None:
        return next((ln.ratio for ln in self.lines if ln.indicator == indicator), None)


def weights() -> dict[str, Decimal]:
    found = dict(EvaluationWeight.objects.values_list("indicator", "weight"))
    return {key: found.get(key, Decimal(0)) for key in Indicator.values}


def _share(part, whole) -> float | None:
    return min(part / whole, 1.0) if whole else None


def _pct(ratio) -> str:
    return "—" if ratio is None else f"{ratio * 100:.2f}%"


def _lines(row: CoverageRollup | None, stages: dict[str, int], target: int | None,
           target_source: str, w: dict[str, Decimal]) -> list[Line]:
    g = (lambda name: getattr(row, name) if row else 0)
    renewed = g("renewed_on_time") + g("renewed_late")
    ledger, visits = stages.get("ledger", 0), stages.get("visits", 0)
    hardship = _share(g("hardship_covered"), g("hardship"))
    lines = [
        (Indicator.COVERAGE, f"已参保 {g('covered')} 人 / 目标 {target or '—'} 人（{target_source or '无目标'}）",
         _share(g("covered"), target), ""),
        (Indicator.HARDSHIP, f"困难群体已参保 {g('hardship_covered')} / {g('hardship')} 人",
         hardship, "须达100%" if hardship is not None and hardship < 1 else ""),
        (Indicator.NEWBORNS, f"期限内参保 {g('newborns_90')} / 当年新生儿 {g('newborns')} 人",
         _share(g("newborns_90"), g("newborns")), "期限按所在地政策档案（新生儿参保天数）"),
        (Indicator.STUDENTS, f"已参保 {g('students_covered')} / 在校学生 {g('students')} 人",
         _share(g("students_covered"), g("students")), ""),
        (Indicator.CONTINUITY,
         f"按期 {g('renewed_on_time')}、逾期 {g('renewed_late')}、未续 "
         f"{max(g('renew_base') - renewed, 0)} / 上年参保 {g('renew_base')} 人",
         _share(renewed, g("renew_base")), ""),
        (Indicator.COLLECTION,
         f"已征缴 {g('collected') or 0:,.2f} 元；已缴费 {g('paid')} / 已参保 {g('covered')} 人",
         _share(g("paid"), g("covered")), ""),
        (Indicator.CLOSURE, f"已办结 {stages.get('finished', 0)} / 已下发任务 "
                            f"{stages.get('tasked', 0)} 条",
         _share(stages.get("finished", 0), stages.get("tasked", 0)), ""),
        (Indicator.VISITS, f"走访 {visits} 次 / 台账 {ledger} 条"
                           f"（平均 {visits / ledger if ledger else 0:.2f} 次）",
         _share(visits, ledger * VISITS_FOR_FULL_POINTS),
         f"平均每条{VISITS_FOR_FULL_POINTS}次得满分"),
        (Indicator.RECONCILIATION, "暂无数据", None, NO_RECONCILIATION_DATA),
    ]
    result = []
    for indicator, value, ratio, note in lines:
        if ratio is None and not note:
            note = "无此类人员或事项，本项不计分，权重不计入满分。"
        result.append(Line(indicator=indicator, label=Indicator(indicator).label, value=value,
                           ratio=ratio, weight=w[indicator], note=note,
                           alert=indicator == Indicator.HARDSHIP and ratio is not None
                           and ratio < 1))
    return result


def scorecards(codes: list[str], names: dict[str, str], year: int) -> list[Scorecard]:
    """The scorecards of the given regions for a year, from the rollups."""
    w = weights()
    rows = {r.region_id: r for r in CoverageRollup.objects.filter(region_id__in=codes,
                                                                  year=year)}
    stages: dict[str, dict[str, int]] = {}
    for code, stage, count in FunnelRollup.objects.filter(region_id__in=codes, year=year) \
            .values_list("region_id", "stage", "count"):
        stages.setdefault(code, {})[stage] = count
    official = selectors.populations(codes, year)
    recorded = targets.recorded_targets(codes, year)
    cards = []
    for code in codes:
        row = rows.get(code)
        target, source = targets.target_for(recorded=recorded.get(code),
                                            official=official.get(code),
                                            persons=row.persons if row else 0)
        cards.append(Scorecard(code=code, name=names.get(code, code),
                               lines=_lines(row, stages.get(code, {}), target, source, w)))
    return cards


def with_coefficients(cards: list[Scorecard]) -> list[Scorecard]:
    """Set each card's funds coefficient: its score over the mean score of the cards (the
    siblings); None for a card without a score, or when no sibling has one."""
    scores = [c.score for c in cards if c.score is not None]
    mean = sum(scores) / len(scores) if scores else 0
    for card in cards:
        card.coefficient = card.score / mean if mean and card.score is not None else None
    return cards


def evaluation(region, year: int) -> dict:
    """The region's own scorecard, and its children's with their coefficients."""
    child_codes = list(CoverageRollup.objects.filter(parent_code=region.code, year=year)
                       .order_by("region_id").values_list("region_id", flat=True))
    names = dict(Region.objects.filter(code__in=child_codes).values_list("code", "name"))
    names[region.code] = region.name
    own = scorecards([region.code], names, year)[0]
    children = with_coefficients(scorecards(child_codes, names, year))
    refreshed = selectors.data_as_of(
        CoverageRollup.objects.filter(region_id=region.code, year=year).first(), year)
    return {"region": region, "year": year, "card": own, "children": children,
            "indicators": Indicator.choices, "refreshed_at": refreshed}
