"""Demo registry: one city, two counties, townships, villages and grids with real-shaped codes,
~20,000 persons with 2023-2026 histories that exercise the policy rules, and the demo users.

Used by `manage.py seed_demo`; other apps add their own demo data in their `demo.py`
(called after this one, in INSTALLED_APPS order).
"""
from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.db import transaction

from core.calendar import collection_period

from . import idnumbers, regions
from .models import (
    Channel,
    Enrollment,
    EnrollmentStatus,
    Enterprise,
    Household,
    IdType,
    LifeStatus,
    Person,
    PersonGroup,
    Region,
    Relation,
    Role,
    Scheme,
    School,
    User,
)
from .pinyin import initials

DEMO_PASSWORD = "canbao-demo"
PROVINCE = ("430000000000", "湖南省")
CITY = ("430100000000", "长沙市")
COUNTIES = {
    "430121000000": ("长沙县", ["星沙街道", "黄兴镇", "江背镇"]),
    "430181000000": ("浏阳市", ["集里街道", "大瑶镇", "永安镇"]),
}
VILLAGE_NAMES = ["东山村", "西湖社区", "南塘村", "北岭村", "青山村", "白沙社区", "金桥村",
                 "花园社区", "石门村", "柳林村", "荷塘村", "枫树村"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰志红建国文斌宇浩然欣怡子轩梓涵"
# Individual contributions by coverage year (demo values; the benefits profile holds the real
# standards) and the concentrated period: 1 September to 31 December of the year before.
INDIVIDUAL = {2023: Decimal("380"), 2024: Decimal("400"), 2025: Decimal("400"),
              2026: Decimal("420"), 2027: Decimal("440")}

DEMO_USERS = [
    # username, surname, given name, role, region code
    ("city_leader", "周", "市长", Role.CITY_LEADER, CITY[0]),
    ("county_admin", "陈", "管理", Role.COUNTY_ADMIN, "430121000000"),
    ("township_staff", "李", "经办", Role.TOWNSHIP_OFFICER, "430121100000"),
    ("village_staff", "王", "村干", Role.VILLAGE_CLERK, "430121100001"),
    ("village_staff_2", "刘", "村干", Role.VILLAGE_CLERK, "430121100002"),
    ("grid_worker", "张", "网格", Role.GRID_WORKER, "430121100001001"),
]


def build_regions() -> list[Region]:
    rows = [Region(code=PROVINCE[0], name=PROVINCE[1]),
            Region(code=CITY[0], name=CITY[1], parent_id=PROVINCE[0])]
    villages = []
    names = iter(VILLAGE_NAMES * 10)
    for county_code, (county_name, townships) in COUNTIES.items():
        rows.append(Region(code=county_code, name=county_name, parent_id=CITY[0]))
        for t_index, township_name in enumerate(townships):
            township_code = f"{regions.prefix_of(county_code)}{100 + t_index:03d}000"
            rows.append(Region(code=township_code, name=township_name, parent_id=county_code))
            for v_index in range(1, 5):
                village_code = f"{regions.prefix_of(township_code)}{v_index:03d}"
                village = Region(code=village_code, name=next(names), parent_id=township_code)
                rows.append(village)
                villages.append(village)
                for g_index in range(1, 3):
                    rows.append(Region(code=f"{village_code}{g_index:03d}",
                                       name=f"{village.name}第{g_index}网格",
                                       parent_id=village_code))
    for region in rows:  # bulk_create skips save(): fill the derived columns here
        region.level = regions.level_of(region.code)
        region.path = regions.prefix_of(region.code)
    Region.objects.bulk_create(rows)
    return villages


def build_users() -> None:
    for username, surname, given, role, region_code in DEMO_USERS:
        user = User(username=username, last_name=surname, first_name=given, role=role,
                    region_id=region_code, is_staff=role != Role.GRID_WORKER)
        user.set_password(DEMO_PASSWORD)
        user.save()
    admin = User(username="admin", last_name="系统", first_name="管理员", is_staff=True,
                 is_superuser=True)
    admin.set_password(DEMO_PASSWORD)
    admin.save()


class PersonFactory:
    """Makes plausible families with valid ID numbers, deterministic for a seed."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.sequence = 0

    def name(self, surname=None):
        surname = surname or self.rng.choice(SURNAMES)
        return surname + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice([1, 2])))

    def person(self, *, surname, birth, sex, village: Region, grid_code: str, household,
               relation, newborn_without_id=False) -> Person:
        self.sequence += 1
        name = self.name(surname)
        p = Person(name=name, name_initials=initials(name), sex=sex, birth_date=birth,
                   hukou_region_id=village.code, residence_region_id=grid_code,
                   household=household, relation_to_head=relation,
                   phone=f"13{self.rng.randint(100000000, 999999999)}",
                   address=household.address)
        if newborn_without_id:
            p.id_type = IdType.BIRTH_CERT
            p.birth_cert_number = f"R{430000000 + self.sequence:09d}"
        else:
            p.id_number = idnumbers.make_unique_id(self.sequence, birth, sex)
        return p


def _birth(rng, age_min, age_max, today):
    days = rng.randint(age_min * 365, age_max * 365 + 364)
    return today - dt.timedelta(days=days)


def build_persons(villages, target: int, rng: random.Random, today: dt.date) -> list[Person]:
    factory = PersonFactory(rng)
    persons: list[Person] = []
    households: list[Household] = []
    per_village = max(1, target // len(villages))
    hh_number = 0
    for village in villages:
        grids = [f"{village.code}001", f"{village.code}002"]
        count = 0
        while count < per_village:
            hh_number += 1
            grid = rng.choice(grids)
            surname = rng.choice(SURNAMES)
            head_name = factory.name(surname)
            household = Household(number=f"{village.code}{hh_number:05d}", head_name=head_name,
                                  region=village,
                                  address=f"{village.name}{rng.randint(1, 30)}组"
                                          f"{rng.randint(1, 99)}号")
            households.append(household)
            members = _family(rng, today)
            for relation, birth, sex, no_id in members:
                persons.append(factory.person(surname=surname, birth=birth, sex=sex,
                                              village=village, grid_code=grid,
                                              household=household, relation=relation,
                                              newborn_without_id=no_id))
                count += 1
    Household.objects.bulk_create(households, batch_size=2000)
    # Some people live away from their household registration (人户分离).
    for p in persons:
        p.household_id = p.household.pk
        if rng.random() < 0.04:
            other = rng.choice(villages)
            p.residence_region_id = f"{other.code}00{rng.randint(1, 2)}"
    Person.objects.bulk_create(persons, batch_size=2000)
    return list(Person.objects.order_by("pk"))


def _family(rng, today):
    head_sex = rng.choice("MF")
    members = [(Relation.HEAD, _birth(rng, 30, 75, today), head_sex, False)]
    if rng.random() < 0.85:
        members.append((Relation.SPOUSE, _birth(rng, 28, 72, today),
                        "F" if head_sex == "M" else "M", False))
    for _ in range(rng.choice([0, 1, 1, 2, 2, 3])):
        members.append((Relation.CHILD, _birth(rng, 0, 25, today), rng.choice("MF"), False))
    if rng.random() < 0.08:  # a newborn, some still known only by birth certificate
        birth = today - dt.timedelta(days=rng.randint(5, 600))
        members.append((Relation.CHILD, birth, rng.choice("MF"), rng.random() < 0.3))
    if rng.random() < 0.2:
        members.append((Relation.PARENT, _birth(rng, 65, 90, today), rng.choice("MF"), False))
    return members


def _concentrated(year: int) -> tuple[dt.date, dt.date]:
    return collection_period(year)


def _pattern(rng) -> str:
    r = rng.random()
    if r < 0.70:
        return "steady"
    if r < 0.80:
        return "late"
    if r < 0.90:
        return "gaps"
    if r < 0.96:
        return "employee"
    return "never"


def build_enrollments(persons, rng: random.Random, today: dt.date, *, enterprise, schools):
    enrollments = []
    groups = []
    # During the concentrated period (from September) next year's collection is under way:
    # payments dated after today are left out, so the demo shows a collection in progress.
    first_year, last_year = 2023, today.year if today.month < 9 else today.year + 1
    for person in persons:
        pooling = regions.ancestor_code(person.residence_region_id, regions.COUNTY)
        pattern = _pattern(rng)
        if person.birth_date.year >= 2004 and person.birth_date.year <= 2008 and rng.random() < .5:
            person.school = rng.choice(schools)
        if rng.random() < 0.06:
            group = rng.choice(["special_hardship", "low_income", "monitored", "orphan",
                                "disability"])
            groups.append(PersonGroup(person=person, group=group,
                                      start_date=dt.date(rng.choice([2022, 2023, 2024, 2025]),
                                                         rng.randint(1, 12), 1),
                                      source="民政局" if group != "monitored" else "乡村振兴局"))
            pattern = "steady"  # hardship groups are enrolled by the government's subsidy
        for year in range(max(first_year, person.birth_date.year), last_year + 1):
            start, end = _concentrated(year)
            if person.birth_date.year == year:
                # Newborn: paid within 90 days of birth (R-NB-90) most of the time.
                if rng.random() < 0.8:
                    paid = person.birth_date + dt.timedelta(days=rng.randint(3, 80))
                    if paid <= today:
                        enrollments.append(_resident(person, year, pooling, paid, False,
                                                     Channel.INDIVIDUAL))
                continue
            if pattern == "never":
                continue
            if pattern == "gaps" and rng.random() < 0.5:
                continue
            if pattern == "employee" and year >= 2024:
                if year > today.year:
                    continue  # employee cover is recorded as it runs, not in advance
                enrollments.append(Enrollment(
                    person=person, year=year, scheme=Scheme.EMPLOYEE, pooling_region_id=pooling,
                    status=EnrollmentStatus.ACTIVE, channel=Channel.EMPLOYER,
                    employer=enterprise, cover_start=dt.date(year, 1, 1),
                    cover_end=dt.date(year, 12, 31) if year < today.year else None))
                continue
            late = pattern == "late" and rng.random() < 0.6
            if late:
                paid = dt.date(year, rng.randint(1, 6), rng.randint(1, 28))
            else:
                paid = start + dt.timedelta(days=rng.randint(0, (end - start).days))
            if paid > today or paid < person.birth_date:
                continue  # not yet paid, or a baby born after the collection period
            channel = (Channel.SCHOOL_BATCH if person.school_id else
                       rng.choice([Channel.INDIVIDUAL, Channel.INDIVIDUAL, Channel.WALLET,
                                   Channel.VILLAGE_BATCH, Channel.TAX_RECORD]))
            enrollments.append(_resident(person, year, pooling, paid, not late, channel))
    Enrollment.objects.bulk_create(enrollments, batch_size=2000)
    PersonGroup.objects.bulk_create(groups, batch_size=2000)
    Person.objects.bulk_update([p for p in persons if p.school_id], ["school"], batch_size=2000)
    return len(enrollments)


def _resident(person, year, pooling, paid, on_time, channel):
    return Enrollment(person=person, year=year, scheme=Scheme.RESIDENT, pooling_region_id=pooling,
                      status=EnrollmentStatus.ACTIVE, paid_on=paid,
                      amount_paid=INDIVIDUAL.get(year, Decimal("420")), channel=channel,
                      in_concentrated_period=on_time)


def mark_life_events(persons, rng, today):
    """About 1% deceased (from the civil affairs list) and a few emigrated."""
    changed = []
    for p in rng.sample(persons, k=max(1, len(persons) // 100)):
        p.life_status = LifeStatus.DECEASED
        p.life_status_date = today - dt.timedelta(days=rng.randint(10, 700))
        p.life_status_source = "民政火化数据比对"
        changed.append(p)
    for p in rng.sample(persons, k=max(1, len(persons) // 500)):
        if p.life_status == LifeStatus.ALIVE:
            p.life_status = LifeStatus.EMIGRATED
            p.life_status_date = today - dt.timedelta(days=rng.randint(10, 700))
            p.life_status_source = "公安出入境数据"
            changed.append(p)
    Person.objects.bulk_update(changed, ["life_status", "life_status_date", "life_status_source"],
                               batch_size=2000)


@transaction.atomic
def seed(*, persons: int = 20000, seed: int = 20260901, today: dt.date | None = None,
         stdout=None) -> dict:
    today = today or dt.date.today()
    rng = random.Random(seed)
    villages = build_regions()
    build_users()
    schools = [
        School(code="4301001", name="长沙县第一中学", kind=School.Kind.PRIMARY,
               region_id="430121100001"),
        School(code="4301002", name="湖南某职业技术学院", kind=School.Kind.VOCATIONAL,
               region_id="430121100003"),
        School(code="4301003", name="浏阳市第一中学", kind=School.Kind.PRIMARY,
               region_id="430181100001"),
    ]
    School.objects.bulk_create(schools)
    enterprise = Enterprise.objects.create(credit_code="91430121MA4L000001",
                                           name="星沙机械制造有限公司",
                                           region_id="430121100001")
    people = build_persons(villages, persons, rng, today)
    enrollment_count = build_enrollments(people, rng, today, enterprise=enterprise,
                                         schools=schools)
    mark_life_events(people, rng, today)
    return {"regions": Region.objects.count(), "persons": len(people),
            "enrollments": enrollment_count}
