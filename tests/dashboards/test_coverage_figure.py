"""参保率（在册口径） is one figure: the home page of a village desk and that village's dashboard
show the same number, from the same selector, for the same year; and the 95 % target is
written once."""
import io
import re
import tokenize
from decimal import Decimal
from pathlib import Path

from django.utils import timezone

from core.calendar import coverage_year_for
from dashboards import rollups
from enrollment.coverage import COVERAGE_TARGET_PERCENT
from enrollment.models import Enrollment
from tests import factories as f

ROOT = Path(__file__).resolve().parents[2]
FIGURE = re.compile(r"参保率（在册口径）</div>\s*<div[^>]*>([^<]+)</div>")


def enroll(person, year):
    return Enrollment.objects.create(person=person, year=year, scheme="resident",
                                     pooling_region_id=f.COUNTY, status="active",
                                     paid_on=timezone.localdate(), amount_paid=Decimal("400"))


def figure(client, url):
    match = FIGURE.search(client.get(url, follow=True).content.decode())
    assert match, f"{url} shows no 参保率（在册口径）"
    return match.group(1).strip()


def test_home_page_and_dashboard_show_the_same_rate(as_user, village_clerk, make_person):
    year = coverage_year_for(timezone.localdate())
    for i in range(11):
        person = make_person(f.GRID, name=f"住{i}")
        if i < 10:
            enroll(person, year)
    # Registered (户籍) in the village but living in the neighbour's: the dashboards count
    # persons where they live, and so must the home page.
    make_person(f.NEIGHBOUR_GRID, hukou_code=f.VILLAGE, name="人户分离")
    rollups.refresh(years=[year])
    client = as_user(village_clerk)
    assert figure(client, "/") == figure(client, "/dashboards/") == "90.91%"
    # A registration after the refresh shows on both at once (a desk counts live).
    enroll(make_person(f.GRID, name="新登记"), year)
    assert figure(client, "/") == figure(client, "/dashboards/") == "91.67%"


def test_home_page_states_the_target_from_the_constant(as_user, village_clerk, make_person):
    make_person(f.GRID)
    assert f"目标 ≥ {COVERAGE_TARGET_PERCENT}%" in as_user(village_clerk).get("/", follow=True).content.decode()


def test_the_coverage_target_is_written_once():
    sources = [ROOT / "enrollment" / "coverage.py", *sorted((ROOT / "dashboards").rglob("*.py")),
               ROOT / "enrollment" / "views.py", ROOT / "enrollment" / "selectors.py"]
    literals = []
    for path in sources:
        tokens = tokenize.generate_tokens(io.StringIO(path.read_text(encoding="utf-8")).readline)
        literals += [f"{path.name}:{t.start[0]}" for t in tokens
                     if t.type == tokenize.NUMBER and t.string == str(COVERAGE_TARGET_PERCENT)]
    assert len(literals) == 1 and literals[0].startswith("coverage.py:"), literals
    templates = [ROOT / "templates" / "enrollment" / "home.html",
                 ROOT / "templates" / "partials" / "coverage_numbers.html",
                 *sorted((ROOT / "templates" / "dashboards").glob("*.html"))]
    for path in templates:
        assert not re.search(rf"\b{COVERAGE_TARGET_PERCENT}\b", path.read_text(encoding="utf-8")), \
            path


def test_home_page_and_dashboard_share_one_formula_and_one_rounding(
        as_user, village_clerk, make_person, monkeypatch):
    from enrollment import coverage

    year = coverage_year_for(timezone.localdate())
    enroll(make_person(f.GRID), year)
    rollups.refresh(years=[year])
    # Both pages must go through coverage.rate (and its rounding): change it, both follow.
    monkeypatch.setattr(coverage, "rate", lambda covered, population: 91.2987)
    client = as_user(village_clerk)
    assert figure(client, "/") == figure(client, "/dashboards/") == "91.30%"
    monkeypatch.setattr(coverage, "RATE_DIGITS", 1)
    assert figure(client, "/") == figure(client, "/dashboards/") == "91.3%"


def test_every_template_shows_the_registry_rate_through_one_filter():
    # The pages that show 参保率 (campaign 完成率 and push feedback are other figures).
    for path in [ROOT / "templates" / "enrollment" / "home.html",
                 ROOT / "templates" / "partials" / "coverage_numbers.html",
                 *sorted((ROOT / "templates" / "dashboards").glob("*.html"))]:
        text = path.read_text(encoding="utf-8")
        # A sort key in data-value is not shown; every displayed rate is.
        shown = r'(?<!data-value=")\{\{\s*[\w.]*\brate(_official)?\|(\w+)'
        for match in re.finditer(shown, text):
            assert match.group(2) == "coverage_rate", f"{path.name}: {match.group(0)}"
