"""Targets set by the level above: a child below the parent's share is flagged, 层层加码 (a
child's target above its population or well above the parent's rate) is warned against on the
target page, and the page shows nothing of a neighbour's targets."""
from decimal import Decimal

from django.urls import reverse

from outreach import target_checks
from outreach.models import EnrollmentTarget
from tests import factories as f

Y = 2026


def target(code, *, count=None, rate=None, population=100):
    return EnrollmentTarget.objects.create(region_id=code, year=Y, target_count=count,
                                           target_rate=rate, resident_population=population)


def kinds(t):
    return [flag.kind for flag in target_checks.check([t])[t.pk]]


def test_child_at_the_parents_rate_is_fine(region_tree):
    target(f.TOWNSHIP, rate=Decimal("95"), population=1000)
    assert kinds(target(f.VILLAGE, count=96, population=100)) == []


def test_child_below_the_parents_share_is_flagged(region_tree):
    target(f.COUNTY, rate=Decimal("95"), population=5000)
    # no township target: the county is the nearest ancestor with one
    assert kinds(target(f.VILLAGE, count=90, population=100)) == ["below"]


def test_child_raised_well_above_the_parent_is_layered_pressure(region_tree):
    target(f.TOWNSHIP, rate=Decimal("95"), population=1000)
    village = target(f.VILLAGE, rate=Decimal("98"), population=100)
    assert kinds(village) == ["raised"]
    flags = target_checks.check([village])[village.pk]
    assert "层层加码" in flags[0].message and "星沙街道" in flags[0].message


def test_target_above_the_population_is_layered_pressure(region_tree):
    assert kinds(target(f.VILLAGE, count=120, population=100)) == ["raised"]


def test_parent_whose_children_add_up_short_is_flagged(region_tree):
    township = target(f.TOWNSHIP, count=190, population=200)
    target(f.VILLAGE, count=95, population=100)
    target(f.NEIGHBOUR_VILLAGE, count=90, population=100)
    assert "children_short" in kinds(township)
    message = target_checks.check([township])[township.pk][-1].message
    assert message == "已下达的下级目标合计185人，少于本级目标190人。"


def test_children_short_names_the_children_without_a_target(region_tree):
    township = target(f.TOWNSHIP, count=190, population=200)
    target(f.VILLAGE, count=95, population=100)
    message = target_checks.check([township])[township.pk][-1].message
    assert "另有1个下级尚未下达目标" in message


def test_target_page_warns(region_tree, as_user, county_admin):
    target(f.TOWNSHIP, rate=Decimal("95"), population=1000)
    target(f.VILLAGE, count=120, population=100)
    target(f.NEIGHBOUR_VILLAGE, rate=Decimal("90"), population=100)
    body = as_user(county_admin).get(reverse("outreach_targets")).content.decode()
    assert "东山村：层层加码" in body
    assert "西湖社区：低于上级份额" in body


def test_setting_a_raised_target_warns_after_saving(region_tree, as_user, county_admin):
    target(f.TOWNSHIP, rate=Decimal("95"), population=1000)
    response = as_user(county_admin).post(reverse("outreach_targets"), {
        "region": f.VILLAGE, "year": Y, "target_rate": "99.5", "note": ""}, follow=True)
    assert EnrollmentTarget.objects.filter(region_id=f.VILLAGE).exists()
    assert "层层加码" in response.content.decode()


def test_neighbours_targets_are_not_shown(region_tree, as_user, village_clerk):
    target(f.NEIGHBOUR_VILLAGE, count=120, population=100)
    body = as_user(village_clerk).get(reverse("outreach_targets")).content.decode()
    assert "西湖社区" not in body


def test_township_cannot_set_a_target_outside_its_region(region_tree, as_user, township_officer):
    other = f.OTHER_VILLAGE
    as_user(township_officer).post(reverse("outreach_targets"),
                                   {"region": other, "year": Y, "target_count": 5})
    assert not EnrollmentTarget.objects.filter(region_id=other).exists()
