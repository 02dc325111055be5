"""Persons per township, the one count the ledger (by residence) and the monthly comparison (by
hukou) size their parts by."""
from enrollment import region_counts
from enrollment.models import Person, Region
from tests.factories import CITY, COUNTY, GRID, OTHER_GRID, OTHER_VILLAGE, VILLAGE

HERE, THERE = VILLAGE[:9], OTHER_VILLAGE[:9]


def test_counts_by_the_field_asked_under_the_region(make_person):
    make_person(GRID)
    make_person(GRID, hukou_code=OTHER_VILLAGE)
    make_person(OTHER_GRID)
    city, county = Region.objects.get(code=CITY), Region.objects.get(code=COUNTY)

    assert region_counts.persons_by_township(city, "residence_region_id") == {HERE: 2, THERE: 1}
    assert region_counts.persons_by_township(city, "hukou_region_id") == {HERE: 1, THERE: 2}
    assert region_counts.persons_by_township(county, "hukou_region_id") == {HERE: 1}
    assert region_counts.persons_by_township(None, "hukou_region_id") == {HERE: 1, THERE: 2}


def test_counts_only_the_persons_given(make_person):
    chosen = make_person(GRID)
    make_person(GRID)
    city = Region.objects.get(code=CITY)

    among = Person.objects.filter(pk=chosen.pk)
    assert region_counts.persons_by_township(city, "residence_region_id", among) == {HERE: 1}
