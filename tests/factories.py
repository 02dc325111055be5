"""Shared test data: a small region tree, the six personas and a person factory.

Tree (codes as in the demo city):
  430000000000 湖南省
    430100000000 长沙市
      430121000000 长沙县
        430121100000 星沙街道
          430121100001 东山村   (grids 430121100001001, 430121100001002)
          430121100002 西湖社区 (grid 430121100002001)
      430181000000 浏阳市
        430181100000 集里街道
          430181100001 南塘村   (grid 430181100001001)
"""
from __future__ import annotations

import datetime as dt
import itertools

from enrollment import idnumbers, regions
from enrollment.models import Person, Region, Role, User
from enrollment.pinyin import initials

VILLAGE = "430121100001"
NEIGHBOUR_VILLAGE = "430121100002"
TOWNSHIP = "430121100000"
COUNTY = "430121000000"
OTHER_COUNTY = "430181000000"
OTHER_VILLAGE = "430181100001"
CITY = "430100000000"
GRID = "430121100001001"
GRID_2 = "430121100001002"
NEIGHBOUR_GRID = "430121100002001"
OTHER_GRID = "430181100001001"

TREE = [
    ("430000000000", "湖南省"), (CITY, "长沙市"), (COUNTY, "长沙县"), (TOWNSHIP, "星沙街道"),
    (VILLAGE, "东山村"), (GRID, "东山村第1网格"), (GRID_2, "东山村第2网格"),
    (NEIGHBOUR_VILLAGE, "西湖社区"), (NEIGHBOUR_GRID, "西湖社区第1网格"),
    (OTHER_COUNTY, "浏阳市"), ("430181100000", "集里街道"), (OTHER_VILLAGE, "南塘村"),
    (OTHER_GRID, "南塘村第1网格"),
]

PERSONAS = {
    # fixture name: (role, region)
    "village_clerk": (Role.VILLAGE_CLERK, VILLAGE),
    "neighbour_clerk": (Role.VILLAGE_CLERK, NEIGHBOUR_VILLAGE),
    "township_officer": (Role.TOWNSHIP_OFFICER, TOWNSHIP),
    "county_admin": (Role.COUNTY_ADMIN, COUNTY),
    "city_leader": (Role.CITY_LEADER, CITY),
    "grid_worker": (Role.GRID_WORKER, GRID),
}
PASSWORD = "test-pass-123"


def build_regions() -> None:
    for code, name in TREE:
        Region.objects.get_or_create(code=code, defaults={
            "name": name, "parent_id": regions.parent_code(code)})


def make_user(username: str, role: str, region_code: str, **extra) -> User:
    user = User(username=username, role=role, region_id=region_code, is_staff=True,
                last_name=username, **extra)
    user.set_password(PASSWORD)
    user.save()
    return user


_serial = itertools.count(1)


def make_person(region_code: str = GRID, *, hukou_code: str | None = None,
                birth_date: dt.date = dt.date(1980, 5, 1), sex: str = "M", name: str = "张三",
                **fields) -> Person:
    """A valid person living in `region_code` (a grid or village code)."""
    serial = next(_serial)
    hukou = hukou_code or region_code[:12]
    person = Person(
        id_number=fields.pop("id_number", None)
        or idnumbers.make_unique_id(serial + 700000, birth_date, sex),
        name=name, name_initials=initials(name), sex=sex, birth_date=birth_date,
        hukou_region_id=hukou, residence_region_id=region_code, **fields)
    person.save()
    return person
