"""Dashboard polish: the 合计 row adds up (or says why not), grid-worker names are shown whole,
and the Excel says when its data is from in Beijing time."""
import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from dashboards.models import CoverageRollup, RefreshRun
from enrollment.models import Role
from tests import factories as f
from tests.dashboards.test_dashboards import YEAR, refreshed, registry  # noqa: F401


def _export_rows(client, region):
    response = client.get(reverse("dashboards:export"), {"region": region, "year": YEAR})
    sheet = load_workbook(io.BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


def test_excel_total_row_is_the_sum_of_its_rows(refreshed, as_user, village_clerk):
    # 壬 lives at the village level, in no grid: the rows must still add up to the total.
    rows = _export_rows(as_user(village_clerk), f.VILLAGE)
    body = [r for r in rows[3:] if r[1]]
    total, lines = body[-1], body[:-1]
    assert total[1] == "东山村（合计）"
    for column in (2, 4, 10, 11):  # 在册人口, 已参保, 困难群体, 困难群体未参保
        assert sum(r[column] or 0 for r in lines) == total[column], column
    assert any("未划入下级" in r[1] for r in lines)


def test_no_remainder_row_when_the_children_add_up(refreshed, as_user, county_admin):
    rows = _export_rows(as_user(county_admin), f.COUNTY)
    assert not any(r[1] and "未划入下级" in str(r[1]) for r in rows)


def test_page_shows_the_total_and_why_it_differs(refreshed, as_user, village_clerk):
    body = as_user(village_clerk).get(reverse("dashboards:dashboard"),
                                      {"year": YEAR}).content.decode()
    assert "合计（东山村）" in body
    assert "直接登记在本级、尚未划入下级区划的人员" in body


def test_print_view_total_adds_up(refreshed, as_user, village_clerk):
    body = as_user(village_clerk).get(reverse("dashboards:print"),
                                      {"year": YEAR}).content.decode()
    assert "未划入下级" in body


def test_grid_worker_names_are_shown_whole(refreshed, as_user, township_officer):
    long_name = "欧阳娜娜娜娜娜娜娜娜娜娜娜娜"
    f.make_user("gw_long", Role.GRID_WORKER, f.GRID, first_name=long_name[2:])
    f.make_user("gw_two", Role.GRID_WORKER, f.GRID)
    user = type(township_officer).objects.get(username="gw_long")
    user.last_name = long_name[:2]
    user.save()
    body = as_user(township_officer).get(reverse("dashboards:dashboard"),
                                         {"region": f.VILLAGE, "year": YEAR}).content.decode()
    # in the page's own table, not only inside the chart's data
    assert f'<td class="dash-worker-names">{long_name}、gw_two</td>' in body


def test_excel_as_of_is_beijing_time(refreshed, as_user, township_officer):
    # 16:30 UTC is half past midnight the next day in Beijing
    # 数据截至 is the start of the last finished refresh (the rows' own times are older)
    half_past = dt.datetime(2026, 11, 23, 16, 30, tzinfo=dt.timezone.utc)
    RefreshRun.objects.update(started_at=half_past)
    CoverageRollup.objects.update(refreshed_at=half_past - dt.timedelta(days=1))
    response = as_user(township_officer).get(reverse("dashboards:export"),
                                             {"region": f.TOWNSHIP, "year": YEAR})
    book = load_workbook(io.BytesIO(response.content))
    assert book.active.cell(2, 1).value == "数据截至 2026-11-24 00:30（北京时间）"
    assert book["说明"].cell(1, 1).value == "数据截至 2026-11-24 00:30（北京时间）"


@pytest.mark.parametrize("code", [f.NEIGHBOUR_VILLAGE, f.TOWNSHIP])
def test_neighbour_cannot_export_our_totals(refreshed, as_user, village_clerk, code):
    response = as_user(village_clerk).get(reverse("dashboards:export"),
                                          {"region": code, "year": YEAR})
    assert response.status_code == 404
