"""The dashboard in a real browser (Debian Chromium through Playwright): every chart with a
legend draws its bars in the colour the legend shows."""
import shutil

import pytest
from django.conf import settings
from django.test import Client

from tests.dashboards.test_dashboards import YEAR, refreshed, registry  # noqa: F401

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed"),
]

# For each series of a chart: the colour its legend entry takes (the series' own visual) and
# the colour of each of its bars or points.
SERIES_COLOURS = """(id) => {
  const chart = echarts.getInstanceByDom(document.getElementById(id));
  const found = [];
  chart.getModel().eachSeries((s) => {
    const data = s.getData();
    const items = [];
    for (let i = 0; i < data.count(); i++) items.push(data.getItemVisual(i, "style").fill);
    found.push({name: s.name, legend: data.getVisual("style").fill, items: items});
  });
  return found;
}"""


@pytest.fixture
def audit_rows_removed(db):
    """The flush after a transactional test deletes every row, which the append-only audit
    table refuses on SQLite: remove the rows the set-up wrote (user creation is audited) the
    way the archive job does, before the flush."""
    yield
    from django.db import transaction

    from enrollment.audit import _delete_archived
    from enrollment.models import AuditEntry

    with transaction.atomic():
        _delete_archived(AuditEntry.objects.all())


def _session_cookie(user) -> str:
    """A logged-in session without an audit row: a flush after a transactional test cannot
    delete audit rows (they are append-only)."""
    from django.contrib.auth.signals import user_logged_in

    from accounts.signals import audit_login

    client = Client()
    user_logged_in.disconnect(audit_login)
    try:
        client.force_login(user)
    finally:
        user_logged_in.connect(audit_login)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


def test_legend_colour_matches_its_bars(audit_rows_removed, refreshed, live_server,
                                        township_officer):
    from playwright.sync_api import sync_playwright

    cookie = _session_cookie(township_officer)  # before Playwright's event loop starts
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            context.add_cookies([{"name": settings.SESSION_COOKIE_NAME,
                                  "value": cookie,
                                  "url": live_server.url}])
            page = context.new_page()
            page.goto(f"{live_server.url}/dashboards/?year={YEAR}")
            page.wait_for_function("() => window.echarts && echarts.getInstanceByDom("
                                   "document.getElementById('chart-children'))")
            for chart in ("chart-children", "chart-daily"):
                for series in page.evaluate(SERIES_COLOURS, chart):
                    assert series["items"], (chart, series["name"])
                    assert set(series["items"]) == {series["legend"]}, (chart, series)
        finally:
            browser.close()
