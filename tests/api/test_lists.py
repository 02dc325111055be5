"""GET /api/v1/coverage/ (the dashboard's figures per child region) and /api/v1/unenrolled/
(the open ledger of a region, keyset-paged, with the fields the token may see)."""
import pytest

from dashboards import selectors as dashboard_selectors
from enrollment import idnumbers
from enrollment.models import AuditEntry, Region
from tests import factories as f

from .conftest import YEAR

COVERAGE = "/api/v1/coverage/"
UNENROLLED = "/api/v1/unenrolled/"
pytestmark = pytest.mark.django_db


def test_coverage_per_township_matches_the_dashboard(issue, call, world):
    _, key = issue(region=f.CITY)
    body = call(COVERAGE, key, region=f.COUNTY, year=YEAR).json()
    county = Region.objects.get(code=f.COUNTY)
    page = dashboard_selectors.dashboard(county, YEAR)
    assert body["region"] == {"code": f.COUNTY, "name": "长沙县"} and body["year"] == YEAR
    assert [(c["code"], c["persons"], c["enrolled"], c["hardship"]) for c in body["children"]] \
        == [(c["code"], c["persons"], c["covered"], c["hardship"]) for c in page["children"]]
    assert body["total"]["persons"] == page["summary"]["persons"] == 5
    assert body["total"]["enrolled"] == page["summary"]["covered"] == 2
    assert body["total"]["rate"] == 40.0 and body["total"]["hardship"] == 1


def test_coverage_of_a_village_gives_its_grids(issue, call, world):
    _, key = issue(region=f.VILLAGE)
    body = call(COVERAGE, key, year=YEAR).json()  # no region: the token's own
    grids = {c["code"]: c for c in body["children"]}
    assert set(grids) == {f.GRID, f.GRID_2}
    assert (grids[f.GRID]["persons"], grids[f.GRID]["enrolled"]) == (3, 2)
    assert grids[f.GRID]["rate"] == round(200 / 3, 2)
    assert body["refreshed_at"] is not None


def test_coverage_outside_the_tokens_region_is_404(issue, call, world):
    _, key = issue(region=f.VILLAGE)
    assert call(COVERAGE, key, region=f.NEIGHBOUR_VILLAGE, year=YEAR).status_code == 404
    assert call(COVERAGE, key, region=f.COUNTY, year=YEAR).status_code == 404


def test_a_malformed_region_code_is_400_naming_the_field(issue, call, world):
    _, key = issue()
    response = call(COVERAGE, key, region="4301", year=YEAR)
    assert response.status_code == 400
    assert "区划代码（region）" in response.json()["region"][0]


def test_coverage_call_is_audited_with_its_row_count(issue, call, world):
    _, key = issue(region=f.VILLAGE)
    call(COVERAGE, key, year=YEAR)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API)
    assert entry.object_repr == "GET coverage" and "返回 3 行" in entry.detail


def test_unenrolled_lists_the_open_ledger_of_the_region_only(issue, call, world):
    _, key = issue(region=f.VILLAGE, fields=["name"])
    body = call(UNENROLLED, key, year=YEAR).json()
    assert sorted(r["name"] for r in body["results"]) == ["丁", "丙"]
    assert {r["region"]["code"] for r in body["results"]} == {f.VILLAGE}
    assert body["next_cursor"] is None and body["page"] == 1


def test_unenrolled_masks_the_id_and_leaves_out_phone_without_the_fields(issue, call, world):
    _, key = issue(region=f.VILLAGE)
    rows = call(UNENROLLED, key, year=YEAR).json()["results"]
    person = world["open1"]
    assert idnumbers.mask(person.id_number) in [r["id_number"] for r in rows]
    assert person.id_number not in str(rows)
    assert all("name" not in r and "phone" not in r for r in rows)


def test_unenrolled_gives_whole_fields_the_token_may_see(issue, call, world):
    _, key = issue(region=f.VILLAGE, fields=["id_number", "name", "phone"])
    rows = call(UNENROLLED, key, year=YEAR).json()["results"]
    row = next(r for r in rows if r["name"] == "丙")
    person = world["open1"]
    assert (row["id_number"], row["name"], row["phone"]) == (
        person.id_number, "丙", "13900002222")


def test_unenrolled_pages_by_cursor(issue, call, world):
    _, key = issue(region=f.TOWNSHIP, fields=["name"])
    first = call(UNENROLLED, key, year=YEAR, page_size=2).json()
    assert len(first["results"]) == 2 and first["next_cursor"]
    second = call(UNENROLLED, key, year=YEAR, page_size=2, after=first["next_cursor"]).json()
    assert second["page"] == 2 and second["next_cursor"] is None
    names = [r["name"] for r in first["results"] + second["results"]]
    assert sorted(names) == ["丁", "丙", "戊"] and len(set(names)) == 3
    back = call(UNENROLLED, key, year=YEAR, page_size=2,
                before=second["previous_cursor"]).json()
    assert back["results"] == first["results"]


def test_unenrolled_outside_the_region_is_404(issue, call, world):
    _, key = issue(region=f.VILLAGE)
    assert call(UNENROLLED, key, region=f.OTHER_VILLAGE, year=YEAR).status_code == 404


def test_unenrolled_page_size_is_bounded(issue, call, world):
    _, key = issue()
    response = call(UNENROLLED, key, year=YEAR, page_size=501)
    assert response.status_code == 400 and "每页条数（page_size）" in response.json()["page_size"][0]


def test_unenrolled_call_is_audited_with_the_rows_returned(issue, call, world):
    _, key = issue(region=f.TOWNSHIP)
    call(UNENROLLED, key, year=YEAR, page_size=2)
    entry = AuditEntry.objects.get(action=AuditEntry.Action.API)
    assert entry.object_repr == "GET unenrolled" and "返回 2 行" in entry.detail
