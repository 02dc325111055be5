"""综合评价 and renewal: the scorecard is made of weighted indicators from the rollups, the
weights are data, siblings get a funds coefficient that averages 1, renewal is counted on time,
late and not yet, and every figure stays inside the user's region."""
import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import evaluation, renewals, rollups
from dashboards.models import CoverageRollup, EvaluationWeight, Indicator
from enrollment.models import Region
from tests import factories as f
from tests.dashboards.test_dashboards import TODAY, YEAR, enroll, registry  # noqa: F401


@pytest.fixture
def renewing(registry, make_person):
    """On top of the registry (甲 insured 2025 and renewed on time in October 2025):
    续一 renewed late (paid February 2026), 续二 did not renew, 续三 registered for 2026 but has
    not paid, 邻续 in the neighbouring village renewed on time."""
    p = dict(registry)
    for key, region in (("r1", f.GRID), ("r2", f.GRID), ("r3", f.GRID_2),
                        ("nr", f.NEIGHBOUR_GRID)):
        p[key] = make_person(region, name={"r1": "续一", "r2": "续二", "r3": "续三",
                                           "nr": "邻续"}[key])
        enroll(p[key], year=2025, paid_on=dt.date(2024, 11, 1))
    enroll(p["r1"], paid_on=dt.date(2026, 2, 1))
    enroll(p["r3"], status="awaiting", paid_on=None)
    enroll(p["nr"], paid_on=dt.date(2025, 12, 1))
    rollups.refresh(years=[2025, YEAR], today=TODAY)
    return p


def rollup(code, year=YEAR):
    return CoverageRollup.objects.get(region_id=code, year=year)


# --- Renewal ---------------------------------------------------------------------------------

def test_renewal_is_counted_on_time_late_and_not_yet(renewing):
    grid = rollup(f.GRID)
    assert (grid.renew_base, grid.renewed_on_time, grid.renewed_late, grid.not_renewed) == \
        (3, 1, 1, 1)  # 甲 on time, 续一 late, 续二 not; 故 (died) is not counted
    village = rollup(f.VILLAGE)
    # 续三 registered but has not paid: not renewed yet
    assert (village.renew_base, village.renewed_on_time, village.renewed_late,
            village.not_renewed) == (4, 1, 1, 2)
    assert rollup(f.TOWNSHIP).renew_base == 5


def test_money_collected_is_the_resident_payments(renewing):
    # 甲 400 and 丙 400 (resident elsewhere) in 2026; 乙's employee cover is not resident money
    assert rollup(f.GRID).collected == Decimal("800.00") + Decimal("400.00")  # + 续一


def test_renewal_trend_per_year(renewing):
    trend = renewals.trend(f.VILLAGE, YEAR)
    assert [r["year"] for r in trend] == [2025, YEAR]
    assert trend[-1]["renewal_rate"] == pytest.approx(50.0)
    children = renewals.children_trend(f.TOWNSHIP, YEAR)
    assert {r["code"] for r in children["rows"]} == {f.VILLAGE, f.NEIGHBOUR_VILLAGE}


def test_dashboard_shows_and_exports_renewal(renewing, as_user, village_clerk):
    client = as_user(village_clerk)
    body = client.get(reverse("dashboards:dashboard"), {"year": YEAR}).content.decode()
    assert "续保与断保" in body and "逾期续保" in body
    response = client.get(reverse("dashboards:export"), {"year": YEAR})
    book = load_workbook(io.BytesIO(response.content))
    rows = list(book["续保情况"].iter_rows(min_row=4, values_only=True))
    assert rows[-1][:7] == (f.VILLAGE, "东山村（本级）", YEAR, 4, 1, 1, 2) or \
        (f.VILLAGE, "东山村（本级）", YEAR, 4, 1, 1, 2) in [r[:7] for r in rows]
    assert not any(r[1] == "西湖社区" for r in rows)


# --- The scorecard --------------------------------------------------------------------------

def test_scorecard_measures_each_indicator(renewing):
    card = evaluation.evaluation(Region.objects.get(code=f.VILLAGE), YEAR)["card"]
    ratios = {ln.indicator: ln.ratio for ln in card.lines}
    village = rollup(f.VILLAGE)
    assert (village.persons, village.covered) == (12, 8)
    assert ratios[Indicator.COVERAGE] == pytest.approx(8 / 12)  # target ceil(12 × 95%) = 12
    assert ratios[Indicator.HARDSHIP] == pytest.approx(0.5)
    assert ratios[Indicator.NEWBORNS] == pytest.approx(0.5)
    assert ratios[Indicator.STUDENTS] == 0
    assert ratios[Indicator.CONTINUITY] == pytest.approx(0.5)
    assert ratios[Indicator.RECONCILIATION] is None
    hardship = next(ln for ln in card.lines if ln.indicator == Indicator.HARDSHIP)
    assert hardship.alert and "100%" in hardship.note


def test_score_is_weighted_and_leaves_out_indicators_without_data(renewing):
    EvaluationWeight.objects.exclude(indicator__in=["hardship", "continuity",
                                                    "reconciliation"]).update(weight=0)
    EvaluationWeight.objects.filter(indicator="hardship").update(weight=30)
    EvaluationWeight.objects.filter(indicator="continuity").update(weight=10)
    card = evaluation.evaluation(Region.objects.get(code=f.VILLAGE), YEAR)["card"]
    # (30 × 0.5 + 10 × 0.5) / 40 × 100; the reconciliation weight (no data) is left out
    assert card.score == pytest.approx(50.0)
    EvaluationWeight.objects.filter(indicator="continuity").update(weight=0)
    card = evaluation.evaluation(Region.objects.get(code=f.VILLAGE), YEAR)["card"]
    assert card.score == pytest.approx(50.0) and card.weight_counted == 30


def test_weights_are_data_shipped_with_the_table(db):
    weights = evaluation.weights()
    assert set(weights) == set(Indicator.values)
    assert sum(weights.values()) == 100


def test_sibling_coefficients_average_one(renewing):
    data = evaluation.evaluation(Region.objects.get(code=f.TOWNSHIP), YEAR)
    children = {c.code: c for c in data["children"]}
    assert set(children) == {f.VILLAGE, f.NEIGHBOUR_VILLAGE}
    mean = sum(c.score for c in children.values()) / 2
    for c in children.values():
        assert c.coefficient == pytest.approx(c.score / mean)
    assert sum(c.coefficient for c in children.values()) == pytest.approx(2.0)


def test_outreach_closure_and_visits(renewing):
    from outreach.models import Batch, LedgerEntry, Task, Visit

    batch = Batch.objects.create(year=YEAR, pushed_by_region_id=f.COUNTY,
                                 township_id=f.TOWNSHIP)
    for key, finished in (("e", True), ("f", False)):
        entry = LedgerEntry.objects.create(year=YEAR, person=renewing[key], region_id=f.VILLAGE,
                                           grid_id=f.GRID, name=renewing[key].name)
        task = Task.objects.create(entry=entry, batch=batch, region_id=f.VILLAGE, grid_id=f.GRID,
                                   finished_at=dt.datetime(2026, 10, 2, tzinfo=dt.timezone.utc)
                                   if finished else None)
        for day in range(3 if finished else 0):
            Visit.objects.create(task=task, visited_on=dt.date(2026, 10, 1 + day),
                                 method="door", outcome="contacted")
    rollups.refresh(years=[YEAR], today=TODAY)
    card = evaluation.evaluation(Region.objects.get(code=f.VILLAGE), YEAR)["card"]
    assert card.ratio(Indicator.CLOSURE) == pytest.approx(0.5)
    assert card.ratio(Indicator.VISITS) == pytest.approx(3 / (2 * 2))  # 1.5 per entry of 2


# --- Pages and export ------------------------------------------------------------------------

def test_county_admin_sees_how_the_score_is_made(renewing, as_user, county_admin):
    body = as_user(county_admin).get(reverse("dashboards:evaluation"),
                                     {"region": f.VILLAGE, "year": YEAR}).content.decode()
    for label in Indicator.labels:
        assert label in body
    assert "权重" in body and "暂无数据" in body and "调节系数 = 本地区综合得分" in body


def test_city_leader_drills_down_the_evaluation(renewing, as_user, city_leader):
    client = as_user(city_leader)
    response = client.get(reverse("dashboards:evaluation"), {"year": YEAR})
    assert response.status_code == 200 and response.context["region"].code == f.CITY
    body = response.content.decode()
    assert f"?region={f.COUNTY}&year={YEAR}" in body
    assert client.get(reverse("dashboards:evaluation"),
                      {"region": f.VILLAGE, "year": YEAR}).status_code == 200


@pytest.mark.parametrize("name", ["dashboards:evaluation", "dashboards:evaluation_export"])
def test_neighbour_cannot_open_our_evaluation(renewing, as_user, neighbour_clerk, name):
    client = as_user(neighbour_clerk)
    for code in (f.VILLAGE, f.GRID, f.TOWNSHIP):
        assert client.get(reverse(name), {"region": code, "year": YEAR}).status_code == 404
    body = client.get(reverse("dashboards:evaluation"), {"year": YEAR}).content.decode()
    assert "东山村" not in body


def test_export_carries_scores_coefficients_and_the_formula(renewing, as_user,
                                                             township_officer):
    response = as_user(township_officer).get(reverse("dashboards:evaluation_export"),
                                             {"year": YEAR})
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["下级地区得分与系数", "本级得分构成", "续保情况", "说明"]
    sheet = book["下级地区得分与系数"]
    header = [c.value for c in sheet[3]]
    assert header[-2:] == ["综合得分", "调节系数"]
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert {r[1] for r in rows} == {"东山村", "西湖社区"}
    assert sum(r[-1] for r in rows) == pytest.approx(2.0, abs=1e-3)
    assert "暂无数据" in rows[0]
    notes = [c.value for c in book["说明"]["A"]]
    assert any("调节系数 = 本地区综合得分 ÷ 同级地区综合得分的算术平均值" in (n or "")
               for n in notes)


def test_only_the_superuser_changes_weights(db, region_tree, as_user, county_admin, client):
    weight = EvaluationWeight.objects.get(indicator="coverage")
    url = f"/admin/dashboards/evaluationweight/{weight.pk}/change/"
    admin_client = as_user(county_admin)
    assert admin_client.get("/admin/dashboards/evaluationweight/").status_code == 200
    admin_client.post(url, {"weight": "99", "note": ""})
    weight.refresh_from_db()
    assert weight.weight == 30
    root = f.make_user("root", "", f.CITY, is_superuser=True)
    client.logout()
    as_user(root).post(url, {"weight": "40", "note": "省方案"})
    weight.refresh_from_db()
    assert weight.weight == 40


def test_a_grid_has_a_scorecard_and_no_siblings_table(renewing, as_user, village_clerk):
    response = as_user(village_clerk).get(reverse("dashboards:evaluation"),
                                          {"region": f.GRID, "year": YEAR})
    assert response.status_code == 200 and response.context["children"] == []
    assert response.context["card"].score is not None


def test_a_year_without_rollups_scores_nothing(renewing, as_user, village_clerk):
    response = as_user(village_clerk).get(reverse("dashboards:evaluation"), {"year": 2030})
    assert response.status_code == 200
    card = response.context["card"]
    assert card.score is None and "暂无" in response.content.decode()
