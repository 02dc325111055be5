"""Three roles' days walked in Chromium, counting the clicks each needs:
- a grid worker records a visit in three taps on a 375 px phone;
- a city leader reaches a village's un-enrolled people in two clicks from the login form and
  downloads them as Excel;
- a village clerk works one line of the deadline radar into an enrollment.

Live-server tests are transactional: `serialized_rollback` puts the shipped policy profiles
back after each, so the tests after these still find them.
"""
import datetime as dt

import pytest
from playwright.sync_api import expect

from core.calendar import coverage_year_for
from dashboards import rollups
from enrollment.models import Enrollment, Region
from outreach.models import Visit
from outreach.services import ledger as ledger_services
from outreach.services import tasks as task_services
from tests import factories as f
from tests.outreach.factories import assign, enroll

pytestmark = [pytest.mark.browser,
              pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_grid_worker_records_a_visit_in_three_taps(page, sign_in, clicks, county_admin,
                                                   township_officer, grid_worker, make_person):
    assign(grid_worker, f.GRID)
    make_person(f.GRID, name="王小明", phone="13900001111")
    year = coverage_year_for()
    ledger_services.ledger_generate(actor=county_admin, year=year,
                                    region=Region.objects.get(code=f.COUNTY))
    batch = task_services.batch_push(actor=county_admin, year=year,
                                     township=Region.objects.get(code=f.TOWNSHIP))
    task_services.batch_sign(actor=township_officer, batch=batch)

    page.set_viewport_size({"width": 375, "height": 800})
    sign_in(grid_worker, f.PASSWORD).click()
    expect(page.get_by_role("heading", name="我的任务")).to_be_visible()
    card = page.locator(".task-card", has_text="王小明")
    expect(card.locator('a[href="tel:13900001111"]')).to_be_visible()

    clicks(card.locator("summary", has_text="记录走访"))
    clicks(card.get_by_text("已宣传政策"))
    clicks(card.get_by_role("button", name="保存"))

    expect(page.get_by_text("已记录对王小明的走访")).to_be_visible()
    assert clicks.count == 3
    assert Visit.objects.get().outcome == Visit.Outcome.INFORMED


def test_city_leader_reaches_a_villages_un_enrolled_in_two_clicks(page, sign_in, clicks,
                                                                 city_leader, make_person):
    year = coverage_year_for()
    enroll(make_person(f.GRID, name="已参保"), year)
    make_person(f.GRID, name="未参保甲")
    make_person(f.NEIGHBOUR_GRID, name="邻村未参保")
    rollups.refresh(years=[year])

    clicks(sign_in(city_leader, f.PASSWORD))
    expect(page.locator("#village-ranking")).to_be_visible()
    clicks(page.locator("#village-ranking").get_by_role("link", name="东山村"))

    expect(page.get_by_role("heading", name=f"东山村 · {year}年度 · 未参保")).to_be_visible()
    expect(page.get_by_text("未参保甲")).to_be_visible()
    expect(page.get_by_text("邻村未参保")).to_have_count(0)
    assert clicks.count == 2
    with page.expect_download() as download:
        page.get_by_role("link", name="导出Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    assert "未参保" in download.value.suggested_filename


def test_clerk_works_a_radar_line_into_an_enrollment(page, sign_in, clicks, village_clerk,
                                                     make_person):
    born = dt.date.today() - dt.timedelta(days=85)  # five days left of the newborn window
    baby = make_person(f.GRID, name="新生儿小宝", birth_date=born)

    clicks(sign_in(village_clerk, f.PASSWORD))
    radar = page.locator("section", has_text="参保预警")
    line = radar.locator("tr", has_text="新生儿小宝")
    expect(line).to_contain_text("还剩5天")
    clicks(line.get_by_role("link", name="登记参保"))

    expect(page.get_by_role("heading", name="参保登记：新生儿小宝")).to_be_visible()
    expect(page.locator("input[name=year]")).to_have_value(str(born.year))
    clicks(page.get_by_role("button", name="登记"))

    expect(page.get_by_text("已登记")).to_be_visible()
    assert Enrollment.objects.filter(person=baby, year=born.year).exists()
    assert clicks.count == 3
