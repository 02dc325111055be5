"""The village clerk's world, which every module of the scope audit checks."""
import pytest

# The shared checks hold the assertions: rewrite them so failures show their values.
pytest.register_assert_rewrite("tests.scope_audit.checks")

from enrollment.models import Enrollment, Household, Region, School  # noqa: E402
from outreach import services as outreach_services  # noqa: E402
from outreach.models import Campaign, LedgerEntry, Task  # noqa: E402
from tests.factories import COUNTY, GRID, NEIGHBOUR_GRID, TOWNSHIP, VILLAGE  # noqa: E402

from .common import TODAY, Y  # noqa: E402


@pytest.fixture
def world(village_clerk, neighbour_clerk, county_admin, township_officer, grid_worker,
          make_person):
    """One of everything in the village clerk's village (東山村), and one neighbour person."""
    from outreach.models import GridAssignment

    GridAssignment.objects.create(grid_id=GRID, worker=grid_worker)
    household = Household.objects.create(number="4301211000010001", head_name="王小明",
                                         region_id=VILLAGE)
    person = make_person(GRID, name="王小明", phone="13900001111", household=household,
                         relation_to_head="head")
    theirs = make_person(NEIGHBOUR_GRID, name="刘小红")
    school = School.objects.create(code="S-EAST", name="东山小学", kind="primary",
                                   region_id=VILLAGE)
    outreach_services.ledger_generate(actor=county_admin, year=Y,
                                      region=Region.objects.get(code=COUNTY))
    batch = outreach_services.batch_push(actor=county_admin, year=Y,
                                         township=Region.objects.get(code=TOWNSHIP))
    outreach_services.batch_sign(actor=township_officer, batch=batch)
    entry = LedgerEntry.objects.get(person=person, year=Y)
    task = Task.objects.get(entry=entry)
    enrollment = Enrollment.objects.create(person=person, year=Y - 1, status="active",
                                           pooling_region_id=COUNTY, paid_on=TODAY)
    campaign = Campaign.objects.create(name="东山村集中宣传", year=Y, region_id=VILLAGE,
                                       start_date=TODAY, end_date=TODAY)
    return {"person": person, "theirs": theirs, "household": household, "school": school,
            "entry": entry, "task": task, "batch": batch, "enrollment": enrollment,
            "campaign": campaign, "VILLAGE": VILLAGE, "GRID": GRID}
