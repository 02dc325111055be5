import pytest

from enrollment import scope
from enrollment.models import Person
from tests import factories

pytestmark = pytest.mark.django_db


def test_village_clerk_sees_own_village_only(village_clerk, make_person):
    mine = make_person(factories.GRID)
    theirs = make_person(factories.NEIGHBOUR_GRID)
    visible = scope.filter_persons(village_clerk, Person.objects.all())
    assert mine in visible and theirs not in visible


def test_person_registered_here_but_living_elsewhere_is_visible_in_both(
        village_clerk, neighbour_clerk, make_person):
    separated = make_person(factories.NEIGHBOUR_GRID, hukou_code=factories.VILLAGE)
    assert scope.filter_persons(village_clerk, Person.objects.all()).get() == separated
    assert scope.filter_persons(neighbour_clerk, Person.objects.all()).get() == separated


def test_county_admin_sees_whole_county_not_the_other(county_admin, make_person):
    a = make_person(factories.GRID)
    b = make_person(factories.NEIGHBOUR_GRID)
    c = make_person(factories.OTHER_GRID)
    assert set(scope.filter_persons(county_admin, Person.objects.all())) == {a, b}


def test_city_leader_reads_but_cannot_write(city_leader):
    assert scope.region_prefix(city_leader) == "4301"
    assert not scope.can_write(city_leader)


def test_user_without_region_sees_nothing(region_tree, make_person):
    make_person()
    user = factories.make_user("noregion", "", None)
    assert not scope.filter_persons(user, Person.objects.all()).exists()


def test_living_in_a_grid_of_ones_own_village_is_not_separated(make_person):
    assert not make_person(factories.GRID, hukou_code=factories.VILLAGE).separated
    assert make_person(factories.NEIGHBOUR_GRID, hukou_code=factories.VILLAGE).separated
