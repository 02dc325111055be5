"""统计 常住人口: the dashboards' denominator, kept by enrollment."""
import pytest

from enrollment.exchange import flow
from enrollment.models import OfficialPopulation
from tests import factories

from .conftest import csv_bytes, problems_of

pytestmark = pytest.mark.django_db
HEADER = ["区划代码", "年度", "常住人口"]


def test_good_rows_then_the_same_file_then_a_correction(county_admin, run_feed):
    rows = [[factories.VILLAGE, "2026", "1200"], [factories.COUNTY, "2026", "1,050,000"]]
    imp = run_feed(county_admin, "population", csv_bytes(HEADER, rows))
    assert (imp.status, imp.created, imp.updated) == ("done", 2, 0)
    assert OfficialPopulation.objects.get(region_id=factories.COUNTY).population == 1050000
    again = run_feed(county_admin, "population", csv_bytes(HEADER, rows))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    fixed = run_feed(county_admin, "population",
                     csv_bytes(HEADER, [[factories.VILLAGE, "2026", "1300"]]))
    assert fixed.updated == 1 and "1200→1300" in fixed.changes


def test_the_dashboard_reads_the_fed_population(county_admin, run_feed):
    from dashboards import selectors

    run_feed(county_admin, "population", csv_bytes(HEADER, [[factories.VILLAGE, "2026", "777"]]))
    assert selectors.populations([factories.VILLAGE], 2026) == {factories.VILLAGE: 777}


def test_bad_rows(county_admin, run_feed):
    rows = [["4301", "2026", "100"],                          # code format
            ["430199000000", "2026", "100"],                  # not in the region list
            [factories.OTHER_COUNTY, "2026", "100"],          # outside scope
            [factories.VILLAGE, "二〇二六", "100"],            # year
            [factories.VILLAGE, "2026", "-5"]]                # population
    imp = run_feed(county_admin, "population", csv_bytes(HEADER, rows))
    assert problems_of(imp) == [(2, "区划代码"), (3, "区划代码"), (4, "区划代码"), (5, "年度"),
                                (6, "常住人口")]
    assert "不在您的辖区内" in imp.problems[2]["message"]


@pytest.mark.parametrize("encoding", ["gb18030", "utf-8-sig"])
def test_gb18030_and_bom_files(county_admin, run_feed, encoding):
    imp = run_feed(county_admin, "population",
                   csv_bytes(HEADER + ["数据来源"], [[factories.VILLAGE, "2026", "9", "统计局"]],
                             encoding))
    assert imp.status == "done"
    assert OfficialPopulation.objects.get(region_id=factories.VILLAGE).source == "统计局"


def test_only_administrators_import_populations(township_officer, county_admin):
    assert "population" not in [f.kind for f in flow.feeds_for(township_officer)]
    assert "population" in [f.kind for f in flow.feeds_for(county_admin)]
    with pytest.raises(Exception, match="不能导入"):
        flow.stage(actor=township_officer, kind="population", name="p.csv",
                   content=csv_bytes(HEADER, [[factories.VILLAGE, "2026", "9"]]))
