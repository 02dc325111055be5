"""Pinyin search knows family names: 曾 is read zēng, 单 shàn, 解 xiè as surnames."""
import pytest

from enrollment.pinyin import initials


@pytest.mark.parametrize("name, expected", [
    ("曾刚刚", "zgg"), ("单田芳", "stf"), ("解放", "xf"), ("仇英", "qy"), ("区小明", "oxm"),
    ("查良镛", "zly"), ("万俟卨", "mqx"), ("尉迟恭", "ycg"), ("张三", "zs"), ("欧阳修", "oyx"),
])
def test_family_names_are_read_as_surnames(name, expected):
    assert initials(name) == expected


def test_a_surname_character_later_in_the_name_keeps_its_usual_reading():
    assert initials("李曾经") == "lcj"


@pytest.mark.django_db
def test_search_finds_zeng_by_z(as_user, village_clerk, make_person):
    make_person(name="曾刚刚")
    assert "曾刚刚" in as_user(village_clerk).get("/persons/", {"q": "zgg"}).content.decode()
