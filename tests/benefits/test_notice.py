"""The door-step notice (参保告知书): the engine's figures, on time against late, per person and
per household, scoped like the person file."""
import datetime as dt

import pytest

from benefits import inputs
from enrollment.models import Household
from tests import factories as f
from tests.outreach.factories import enroll

TODAY = dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture(autouse=True)
def frozen(time_machine):
    time_machine.move_to(TODAY, tick=False)


def _determine(person, paid_on):
    return inputs.evaluate(inputs.case_inputs_for(
        person=person, year=2027, paid_on=paid_on, pooling_region_code=person.residence_region_id))


def test_notice_shows_what_the_engine_says_on_time_and_late(as_user, village_clerk, make_person):
    village_clerk.phone = "0731-8888666"
    village_clerk.save(update_fields=["phone"])
    person = make_person(name="王大妈")
    for year in (2024, 2025, 2026):
        enroll(person, year)
    on_time = _determine(person, dt.date(2026, 11, 20))
    late = _determine(person, dt.date(2027, 1, 1))
    page = as_user(village_clerk).get(f"/persons/{person.pk}/notice/").content.decode()
    assert "参保受益" in page and "王大妈" in page
    assert f"{on_time.amount_due}元" in page and f"{late.amount_due}元" in page
    assert f"等待期{late.waiting.total}个月" in page
    assert late.waiting.total > on_time.waiting.total  # missing the period costs months
    assert "0731-8888666" in page  # the village's contact
    assert "R-" not in page and "policy_case" not in page


def test_notice_explains_repair_from_the_engine(as_user, village_clerk, make_person):
    person = make_person(name="断缴户")
    enroll(person, 2024)  # 2025 and 2026 are gap years
    late = _determine(person, dt.date(2027, 1, 1))
    assert late.gap_years == 2
    page = as_user(village_clerk).get(f"/persons/{person.pk}/notice/").content.decode()
    assert "您之前有2年没有参保" in page


def test_household_notice_has_every_member_and_the_neighbour_finds_none(
        as_user, village_clerk, neighbour_clerk, make_person):
    household = Household.objects.create(number="H-1", head_name="张户主", region_id=f.VILLAGE)
    for name in ("张户主", "张小孩"):
        make_person(name=name, household=household)
    page = as_user(village_clerk).get(f"/households/{household.pk}/notice/").content.decode()
    assert page.count("城乡居民医保参保告知书") == 2 and "张小孩" in page
    assert as_user(neighbour_clerk).get(f"/households/{household.pk}/notice/").status_code == 404
    person = household.members.first()
    assert as_user(neighbour_clerk).get(f"/persons/{person.pk}/notice/").status_code == 404
