"""Dashboard rollups and pages: numbers match a direct count, scope holds by URL, city leaders
only read, refreshes are debounced and set-based."""
import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse
from openpyxl import load_workbook

from dashboards import rollups, selectors, tasks
from dashboards.models import CoverageRollup, DailyCollection, OfficialPopulation, RefreshRun
from enrollment.models import Enrollment, LifeStatus, PersonGroup, Region, School
from tests import factories as f

YEAR = 2026
TODAY = dt.date(2026, 11, 23)


def enroll(person, year=YEAR, scheme="resident", status="active", paid_on=dt.date(2025, 10, 8),
           elsewhere=False, benefit_start=None):
    return Enrollment.objects.create(person=person, year=year, scheme=scheme,
                                     pooling_region_id=f.COUNTY, status=status, paid_on=paid_on,
                                     elsewhere=elsewhere, benefit_start=benefit_start,
                                     amount_paid=Decimal("400") if paid_on else None)


@pytest.fixture
def registry(make_person):
    """A registry with known enrollments:

    Grid 1 (东山村第1网格): 6 alive persons + 1 deceased
      a: resident 2026 (paid), also resident 2025
      b: employee 2026
      c: enrolled elsewhere 2026
      d: low-income (hardship), resident 2026 awaiting payment, waiting period into 2027
      e: special hardship, NOT enrolled
      f: not enrolled, born 2026-03-01, newborn
      x: deceased, enrolled (not counted)
    Grid 2: g newborn born 2026-02-01 paid within 90 days; h student not enrolled.
    Village level (no grid): i resident 2026.
    Neighbour grid: n1 enrolled, n2 not.
    Other county grid: o1 not enrolled.
    """
    p = {}
    p["a"] = make_person(f.GRID, name="甲")
    p["b"] = make_person(f.GRID, name="乙")
    p["c"] = make_person(f.GRID, name="丙")
    p["d"] = make_person(f.GRID, name="丁")
    p["e"] = make_person(f.GRID, name="戊")
    p["f"] = make_person(f.GRID, name="己", birth_date=dt.date(2026, 3, 1))
    p["x"] = make_person(f.GRID, name="故", life_status=LifeStatus.DECEASED)
    p["g"] = make_person(f.GRID_2, name="庚", birth_date=dt.date(2026, 2, 1))
    school = School.objects.create(code="S1", name="一中", kind="primary", region_id=f.VILLAGE)
    p["h"] = make_person(f.GRID_2, name="辛", birth_date=dt.date(2010, 1, 1), school=school)
    p["i"] = make_person(f.VILLAGE, name="壬")
    p["n1"] = make_person(f.NEIGHBOUR_GRID, name="邻一")
    p["n2"] = make_person(f.NEIGHBOUR_GRID, name="邻二")
    p["o1"] = make_person(f.OTHER_GRID, name="外一")
    enroll(p["a"])
    enroll(p["a"], year=2025, paid_on=dt.date(2024, 10, 8))
    enroll(p["b"], scheme="employee", paid_on=None)
    enroll(p["c"], elsewhere=True)
    enroll(p["d"], status="awaiting", paid_on=None, benefit_start=dt.date(2027, 1, 1))
    PersonGroup.objects.create(person=p["d"], group="low_income", start_date=dt.date(2024, 1, 1))
    PersonGroup.objects.create(person=p["e"], group="special_hardship",
                               start_date=dt.date(2023, 1, 1))
    enroll(p["x"])
    enroll(p["g"], paid_on=dt.date(2026, 3, 15))
    enroll(p["i"], paid_on=dt.date(2025, 12, 30))
    enroll(p["n1"])
    return p


@pytest.fixture
def refreshed(registry):
    rollups.refresh(years=[2025, YEAR], today=TODAY)
    return registry


def row(code, year=YEAR):
    return CoverageRollup.objects.get(region_id=code, year=year)


def test_grid_numbers_match_what_we_registered(refreshed):
    r = row(f.GRID)
    assert (r.persons, r.covered, r.resident, r.employee, r.elsewhere, r.paid) == (6, 4, 2, 1, 1, 3)
    assert (r.hardship, r.hardship_covered) == (2, 1)
    assert (r.newborns, r.newborns_90) == (1, 0)
    assert r.waiting == 1


def test_village_adds_its_grids_and_persons_living_at_village_level(refreshed):
    r = row(f.VILLAGE)
    assert (r.persons, r.covered) == (9, 6)
    assert (r.newborns, r.newborns_90, r.students, r.students_covered) == (2, 1, 1, 0)
    assert r.parent_code == f.TOWNSHIP and r.depth == 12


def test_every_ancestor_up_to_province_is_rolled_up(refreshed):
    assert (row(f.TOWNSHIP).persons, row(f.TOWNSHIP).covered) == (11, 7)
    assert (row(f.COUNTY).persons, row(f.CITY).persons, row("430000000000").persons) == (11, 12, 12)
    assert row(f.CITY).covered == 7
    assert row(f.GRID, 2025).covered == 1


@pytest.mark.parametrize("code", [f.GRID, f.GRID_2, f.VILLAGE, f.NEIGHBOUR_VILLAGE, f.TOWNSHIP,
                                  f.COUNTY, f.OTHER_COUNTY, f.CITY])
def test_rollup_matches_a_direct_count_over_persons(refreshed, code):
    live = selectors.live_counts(Region.objects.get(code=code), YEAR, today=TODAY)
    r = row(code)
    assert live == {
        "persons": r.persons, "covered": r.covered, "uncovered": r.uncovered,
        "resident": r.resident, "employee": r.employee, "elsewhere": r.elsewhere,
        "paid": r.paid, "hardship": r.hardship, "hardship_uncovered": r.hardship_uncovered,
        "newborns": r.newborns, "newborns_late": r.newborns - r.newborns_90,
        "students": r.students, "students_uncovered": r.students - r.students_covered,
        "waiting": r.waiting, "credit_overdue": r.credit_overdue,
    }


def test_refresh_drops_regions_that_no_longer_have_anyone(refreshed):
    refreshed["o1"].delete()
    rollups.refresh(years=[YEAR], today=TODAY)
    assert not CoverageRollup.objects.filter(region_id=f.OTHER_GRID, year=YEAR).exists()
    assert row(f.CITY).persons == 11


def test_refresh_twice_gives_the_same_rows(refreshed):
    before = list(CoverageRollup.objects.order_by("year", "region_id")
                  .values_list("region_id", "year", "persons", "covered"))
    rollups.refresh(years=[2025, YEAR], today=TODAY)
    after = list(CoverageRollup.objects.order_by("year", "region_id")
                 .values_list("region_id", "year", "persons", "covered"))
    assert before == after
    assert RefreshRun.objects.filter(finished_at__isnull=False).count() == 2


def test_daily_collection_counts_resident_payments_by_day(refreshed):
    days = dict(DailyCollection.objects.filter(region_id=f.VILLAGE, year=YEAR)
                .values_list("day", "enrolled"))
    assert days[dt.date(2025, 10, 8)] == 3  # a, c (elsewhere, still resident) and x (died later)
    assert days[dt.date(2025, 12, 30)] == 1
    assert sum(DailyCollection.objects.filter(region_id=f.CITY, year=YEAR)
               .values_list("enrolled", flat=True)) == 7  # a c d g i n1 x (x paid, then died)


# --- Pages ---------------------------------------------------------------------------------

def test_dashboard_opens_at_the_users_region(refreshed, as_user, village_clerk):
    response = as_user(village_clerk).get(reverse("dashboards:dashboard"), {"year": YEAR})
    assert response.status_code == 200
    assert response.context["region"].code == f.VILLAGE
    assert response.context["summary"]["covered"] == 6
    assert [c["code"] for c in response.context["children"]] == [f.GRID, f.GRID_2]


def test_village_clerk_sees_only_their_village(refreshed, as_user, village_clerk):
    client = as_user(village_clerk)
    url = reverse("dashboards:dashboard")
    assert client.get(url, {"region": f.GRID}).status_code == 200
    for code in (f.NEIGHBOUR_VILLAGE, f.NEIGHBOUR_GRID, f.TOWNSHIP, f.CITY, f.OTHER_VILLAGE):
        assert client.get(url, {"region": code}).status_code == 404
    for name in ("dashboards:people", "dashboards:export", "dashboards:print"):
        assert client.get(reverse(name), {"region": f.NEIGHBOUR_VILLAGE}).status_code == 404
    body = client.get(url, {"year": YEAR}).content.decode()
    assert "西湖社区" not in body and "邻一" not in body


def test_neighbour_clerk_cannot_drill_into_our_village(refreshed, as_user, neighbour_clerk):
    response = as_user(neighbour_clerk).get(reverse("dashboards:people"),
                                            {"region": f.VILLAGE, "metric": "uncovered"})
    assert response.status_code == 404


def test_city_leader_drills_down_to_a_grid(refreshed, as_user, city_leader):
    client = as_user(city_leader)
    response = client.get(reverse("dashboards:dashboard"), {"year": YEAR})
    assert response.context["region"].code == f.CITY
    assert {c["code"] for c in response.context["children"]} == {f.COUNTY, f.OTHER_COUNTY}
    response = client.get(reverse("dashboards:dashboard"), {"region": f.GRID, "year": YEAR})
    assert response.status_code == 200 and response.context["summary"]["persons"] == 6


def test_city_leader_cannot_change_anything(refreshed, as_user, city_leader):
    client = as_user(city_leader)
    page = client.get(reverse("dashboards:dashboard"), {"year": YEAR}).content.decode()
    assert "刷新数据" not in page
    runs = RefreshRun.objects.count()
    assert client.post(reverse("dashboards:refresh")).status_code == 403
    assert RefreshRun.objects.count() == runs
    # the admin: official populations and rollups read-only
    assert client.get("/admin/enrollment/officialpopulation/add/").status_code == 403
    assert client.get("/admin/dashboards/coveragerollup/").status_code == 200
    assert client.get("/admin/enrollment/officialpopulation/import/").status_code == 403


def test_county_admin_refreshes(registry, as_user, county_admin, django_capture_on_commit_callbacks):
    client = as_user(county_admin)
    assert "刷新数据" in client.get(reverse("dashboards:dashboard")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dashboards:refresh"), {"region": f.VILLAGE})
    assert response.status_code == 302 and f.VILLAGE in response["Location"]
    assert CoverageRollup.objects.filter(region_id=f.COUNTY).exists()


def test_drill_list_shows_the_persons_behind_the_number(refreshed, as_user, township_officer):
    client = as_user(township_officer)
    response = client.get(reverse("dashboards:people"),
                          {"region": f.VILLAGE, "year": YEAR, "metric": "hardship_uncovered"})
    assert [p.name for p in response.context["page"]["rows"]] == ["戊"]
    response = client.get(reverse("dashboards:people"),
                          {"region": f.GRID, "year": YEAR, "metric": "uncovered"})
    assert {p.name for p in response.context["page"]["rows"]} == {"戊", "己"}
    assert "110" not in response.content.decode().split("id-masked")[1][:30]  # ID masked
    assert client.get(reverse("dashboards:people"),
                      {"region": f.GRID, "metric": "nonsense"}).status_code == 404


def test_numbers_link_to_their_drill_list(refreshed, as_user, county_admin):
    body = as_user(county_admin).get(reverse("dashboards:dashboard"),
                                     {"region": f.VILLAGE, "year": YEAR}).content.decode()
    assert f"/dashboards/people/?region={f.VILLAGE}&year={YEAR}&metric=hardship_uncovered" in body
    assert f"/dashboards/people/?region={f.GRID}&year={YEAR}&metric=covered" in body


def test_targets_and_official_population(refreshed, as_user, county_admin):
    OfficialPopulation.objects.create(region_id=f.VILLAGE, year=YEAR, population=10)
    data = selectors.dashboard(Region.objects.get(code=f.VILLAGE), YEAR)
    s = data["summary"]
    assert s["official"] == 10 and s["rate_official"] == pytest.approx(60.0)
    assert (s["target"], s["gap"]) == (10, 4)  # ceil(10 × 95%) − 6 covered
    grid = next(c for c in data["children"] if c["code"] == f.GRID)
    assert (grid["target"], grid["target_source"]) == (6, "在册人口×95%")  # ceil(6 × .95)
    assert s["trend"] == pytest.approx(6 / 9 * 100 - 1 / 9 * 100)


def test_excel_export_has_the_child_table(refreshed, as_user, township_officer):
    import io

    response = as_user(township_officer).get(reverse("dashboards:export"),
                                             {"region": f.TOWNSHIP, "year": YEAR})
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = [r for r in sheet.iter_rows(min_row=4, values_only=True)]
    assert rows[0][:5] == (f.VILLAGE, "东山村", 9, None, 6)
    assert rows[-1][1] == "星沙街道（合计）" and rows[-1][4] == 7


def test_print_view(refreshed, as_user, township_officer):
    response = as_user(township_officer).get(reverse("dashboards:print"), {"year": YEAR})
    assert response.status_code == 200 and "东山村" in response.content.decode()


def test_page_reads_rollups_not_persons(refreshed, as_user, city_leader,
                                        django_assert_max_num_queries):
    client = as_user(city_leader)
    client.get(reverse("dashboards:dashboard"))  # warm the session
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        assert client.get(reverse("dashboards:dashboard"), {"year": YEAR}).status_code == 200
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    assert "enrollment_person" not in sql and "enrollment_enrollment" not in sql
    # one of them: the village ranking; another: the last finished refresh (数据截至)
    assert len(ctx.captured_queries) <= 22


# --- Refresh triggers ----------------------------------------------------------------------

def test_many_registrations_cause_one_refresh(registry, django_capture_on_commit_callbacks,
                                              make_person, monkeypatch):
    cache.delete(tasks.PENDING_KEY)
    calls = []
    monkeypatch.setattr(tasks.refresh_rollups, "apply_async",
                        lambda **kw: calls.append(kw))
    with django_capture_on_commit_callbacks(execute=True):
        for i in range(5):
            enroll(make_person(f.GRID, name=f"新{i}"))
    assert len(calls) == 1 and calls[0]["countdown"] == tasks.DEBOUNCE_SECONDS
    cache.delete(tasks.PENDING_KEY)


def test_refresh_task_clears_the_pending_flag_and_refreshes(registry):
    cache.set(tasks.PENDING_KEY, "registration")
    result = tasks.refresh_rollups.delay(years=[YEAR], reason="test").get()
    assert cache.get(tasks.PENDING_KEY) is None
    assert result["years"] == str(YEAR)
    assert row(f.CITY).persons == 12


def test_nightly_schedule_exists(db):
    from django_celery_beat.models import PeriodicTask

    task = PeriodicTask.objects.get(task="dashboards.refresh_rollups_nightly")
    assert task.enabled and task.crontab.hour == "2"


def test_demo_seed_imports_populations_and_refreshes(refreshed):
    from dashboards import demo

    result = demo.seed(seed=1)
    assert result["official_populations"] > 0
    assert OfficialPopulation.objects.filter(region_id=f.CITY).exists()


def test_official_population_import_refuses_regions_outside_scope(region_tree, county_admin):
    import tablib

    from dashboards.resources import OfficialPopulationResource

    data = tablib.Dataset(headers=["区划代码", "年度", "常住人口", "数据来源"])
    data.append([f.VILLAGE, YEAR, 1000, "统计局"])
    data.append([f.OTHER_VILLAGE, YEAR, 900, "统计局"])
    result = OfficialPopulationResource(user=county_admin).import_data(data, dry_run=False)
    assert result.has_validation_errors()
    assert not OfficialPopulation.objects.exists()  # all or nothing
    data = tablib.Dataset(headers=["区划代码", "年度", "常住人口", "数据来源"])
    data.append([f.VILLAGE, YEAR, 1000, "统计局"])
    result = OfficialPopulationResource(user=county_admin).import_data(data, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert OfficialPopulation.objects.get(region_id=f.VILLAGE).population == 1000


# --- Outreach (read when the outreach app has its ledger and targets) ----------------------

def test_outreach_funnel_and_recorded_target(registry, county_admin):
    from outreach.models import Batch, EnrollmentTarget, LedgerEntry, Task

    entries = [LedgerEntry.objects.create(year=YEAR, person=registry[k], region_id=f.VILLAGE,
                                          grid_id=f.GRID, name=registry[k].name,
                                          status=status)
               for k, status in (("e", "open"), ("f", "enrolled"))]
    LedgerEntry.objects.create(year=YEAR, person=registry["e"], side="hukou", region_id=f.VILLAGE,
                               name="戊")  # the hukou side of the same person: not counted twice
    batch = Batch.objects.create(year=YEAR, pushed_by_region_id=f.COUNTY, township_id=f.TOWNSHIP)
    Task.objects.create(entry=entries[0], batch=batch, region_id=f.VILLAGE, grid_id=f.GRID,
                        visited_at=dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc))
    EnrollmentTarget.objects.create(region_id=f.VILLAGE, year=YEAR, target_count=8)
    rollups.refresh(years=[YEAR], today=TODAY)
    data = selectors.dashboard(Region.objects.get(code=f.TOWNSHIP), YEAR)
    stages = {s["stage"]: s["count"] for s in data["funnel"]}
    assert stages == {"persons": 11, "covered": 7, "paid": 6, "ledger": 2, "tasked": 1,
                      "visited": 1, "mobilised": 0, "finished": 0, "converted": 1}
    village = next(c for c in data["children"] if c["code"] == f.VILLAGE)
    assert (village["target"], village["target_source"], village["gap"]) == (8, "下达目标", 2)


def test_refresh_command(registry, capsys):
    from django.core.management import call_command

    call_command("refresh_dashboards", str(YEAR))
    assert "2026" in capsys.readouterr().out
    assert row(f.CITY).persons == 12


def test_grid_page_shows_its_villages_collection_curve(refreshed):
    data = selectors.daily_curves(Region.objects.get(code=f.GRID), YEAR)
    assert data["village_curve"] and data["last"][-1] == 1  # a paid for 2025
    # 东山村 for 2026: a, c, x paid on 2025-10-08, i, g, and d (awaiting: counted on the
    # day it was registered)
    assert data["this"][-1] == 6


def test_closed_collection_curves_are_kept_unless_full(refreshed):
    DailyCollection.objects.filter(year=2025).update(enrolled=99)  # marker
    rollups.refresh(years=[2025, YEAR], today=dt.date(2027, 3, 1))
    assert set(DailyCollection.objects.filter(year=2025).values_list("enrolled", flat=True)) == {99}
    rollups.refresh(years=[2025], today=dt.date(2027, 3, 1), full=True)
    assert 99 not in set(DailyCollection.objects.filter(year=2025).values_list("enrolled", flat=True))


def test_an_earlier_year_shows_its_rates_up_to_it_and_every_year_in_the_menu(refreshed):
    # The yearly rates and the year menu share one read of the region's rows.
    data = selectors.dashboard(Region.objects.get(code=f.TOWNSHIP), 2025)
    assert [y["year"] for y in data["by_year"]] == [2025]
    assert data["years"] == [YEAR, 2025]
    assert data["daily"]["this_year"] == 2025 and data["daily"]["last_year"] == 2024
    assert data["daily"]["last"] == [0] * len(data["daily"]["last"])  # nothing for 2024


def test_the_users_own_region_costs_no_query(refreshed, as_user, township_officer):
    from django.db import connection

    client = as_user(township_officer)
    client.get(reverse("dashboards:dashboard"))
    sqls = []
    with connection.execute_wrapper(lambda execute, sql, params, many, ctx: (
            sqls.append(sql), execute(sql, params, many, ctx))[1]):
        response = client.get(reverse("dashboards:dashboard"))
    assert response.status_code == 200 and response.context["region"].code == f.TOWNSHIP
    assert not [q for q in sqls if 'FROM "enrollment_region" WHERE "enrollment_region"."code" = '
                in q]
    # the yearly rates, the year menu and both collection curves: two queries, not four
    assert len([q for q in sqls if 'FROM "dashboards_dailycollection"' in q]) == 1


def test_money_sums_keep_every_cent(registry):
    # The refresh sums money as whole cents (dashboards.sql.Dialect.cents): the totals must
    # still equal the enrollments' own decimal sums, to the cent.
    amounts = [Decimal("400.35"), Decimal("0.01"), Decimal("12345678.99")]
    for enrollment, amount in zip(Enrollment.objects.filter(
            year=YEAR, scheme="resident", person__residence_region__pk__startswith=f.VILLAGE,
            person__life_status="alive").order_by("pk"), amounts):
        Enrollment.objects.filter(pk=enrollment.pk).update(amount_paid=amount)
    rollups.refresh(years=[YEAR], today=TODAY)
    expected = sum(Enrollment.objects.filter(
        year=YEAR, scheme="resident", status__in=rollups.LIVE, person__life_status="alive",
        person__residence_region__pk__startswith=f.VILLAGE).values_list("amount_paid", flat=True)
        .exclude(amount_paid=None), Decimal("0"))
    assert row(f.VILLAGE).collected == expected
    assert expected % 1 == Decimal("0.35")


def test_daily_refresh_rewrites_only_the_days_that_changed(refreshed):
    def curve():
        return {(r.region_id, r.day): (r.enrolled, r.refresh_stamp)
                for r in DailyCollection.objects.filter(year=YEAR)}

    before = curve()
    enroll(refreshed["e"], paid_on=dt.date(2025, 11, 2))  # a new day on 东山村's curve
    rollups.refresh(years=[YEAR], today=TODAY)
    after = curve()
    changed = {k for k in after if after[k] != before.get(k)}
    assert {day for _, day in changed} == {dt.date(2025, 11, 2)}
    assert {code for code, _ in changed} == {f.VILLAGE, f.TOWNSHIP, f.COUNTY, f.CITY,
                                              "430000000000"}
    # The same rows as a year written from nothing.
    DailyCollection.objects.filter(year=YEAR).delete()
    rollups.refresh(years=[YEAR], today=TODAY)
    assert {k: v[0] for k, v in curve().items()} == {k: v[0] for k, v in after.items()}
