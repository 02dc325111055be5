"""卫健 births (出生一件事): the newborn's file in the parents' household, on the village's lists,
then enrolled through the one door with cover from birth."""
from __future__ import annotations

import datetime as dt

import pytest

from dashboards import radar
from enrollment import idnumbers, services
from enrollment.models import AuditEntry, Household, Person
from tests import factories
from tests.enrollment.feedkit import TODAY, example_passes, problems_of, run

pytestmark = pytest.mark.django_db

MOTHER = "430121198203080041"
FATHER = "430121198005010034"


@pytest.fixture
def parents(region_tree, shipped_policies):
    household = Household.objects.create(number="4301211000010001", head_name="张三",
                                         region_id=factories.VILLAGE)
    father = factories.make_person(id_number=FATHER, name="张三", household=household,
                                   relation_to_head="head")
    mother = factories.make_person(id_number=MOTHER, name="李四", sex="F",
                                   birth_date=dt.date(1982, 3, 8), household=household,
                                   relation_to_head="spouse")
    return mother, father, household


def birth(**kw):
    row = {"出生医学证明编号": "R430123456", "新生儿姓名": "张小宝", "性别": "女",
           "出生日期": "2026-09-15", "母亲证件号码": MOTHER, "父亲证件号码": FATHER,
           "户籍地区划代码": factories.VILLAGE, "新生儿证件号码": ""}
    return {**row, **kw}


def test_the_template_example_row_passes(village_clerk, parents):
    example_passes("births", village_clerk)


def test_a_birth_opens_the_newborns_file_in_the_mothers_household(village_clerk, parents):
    mother, _, household = parents
    outcome = run("births", village_clerk, birth())
    assert (outcome.created, outcome.updated, outcome.unchanged) == (1, 0, 0)
    baby = Person.objects.get(birth_cert_number="R430123456")
    assert (baby.name, baby.sex, baby.birth_date, baby.id_type, baby.id_number) == (
        "张小宝", "F", dt.date(2026, 9, 15), "birth_cert", None)
    assert (baby.household, baby.relation_to_head) == (household, "child")
    assert baby.residence_region_id == mother.residence_region_id
    assert baby.hukou_region_id == factories.VILLAGE
    assert AuditEntry.objects.filter(person=baby, action="create").exists()
    again = run("births", village_clerk, birth())
    assert (again.created, again.updated, again.unchanged) == (0, 0, 1)
    assert Person.objects.filter(name="张小宝").count() == 1


def test_the_newborn_is_on_the_village_radar_then_enrolls_with_cover_from_birth(
        village_clerk, parents):
    run("births", village_clerk, birth())
    baby = Person.objects.get(birth_cert_number="R430123456")
    lines = radar.lines(village_clerk, today=TODAY, kind="newborn")
    assert [line.person for line in lines] == [baby]
    assert lines[0].deadline == dt.date(2026, 12, 14)
    e = services.enrollment_record(actor=village_clerk, person=baby, year=2026, paid_on=TODAY,
                                   channel="individual")
    assert e.case_details["found"]["category"] == "newborn"
    assert e.benefit_start == baby.birth_date and e.waiting_months == 0
    assert "R-NB-90" in e.rule_ids
    assert radar.lines(village_clerk, today=TODAY, kind="newborn") == []


def test_an_issued_id_number_links_to_the_same_file(village_clerk, parents):
    run("births", village_clerk, birth())
    number = idnumbers.make_id("430121", dt.date(2026, 9, 15), 8, "F")
    outcome = run("births", village_clerk, birth(**{"新生儿证件号码": number}))
    assert (outcome.created, outcome.updated) == (0, 1)
    baby = Person.objects.get(birth_cert_number="R430123456")
    assert (baby.id_number, baby.id_type) == (number, "resident_id")
    assert run("births", village_clerk, birth(**{"新生儿证件号码": number})).unchanged == 1


def test_every_bad_row_is_named(village_clerk, parents):
    found = problems_of(
        "births", village_clerk,
        birth(**{"母亲证件号码": MOTHER[:-1] + "9", "出生医学证明编号": "R1000001"}),
        birth(**{"母亲证件号码": idnumbers.make_id("430121", dt.date(1990, 1, 1), 5, "F"),
                 "出生医学证明编号": "R1000002"}),
        birth(**{"出生日期": "2026-02-30", "出生医学证明编号": "R1000003"}),
        birth(**{"性别": "未知", "出生医学证明编号": "R1000004"}),
        birth(**{"户籍地区划代码": factories.OTHER_VILLAGE, "出生医学证明编号": "R1000005"}),
        birth(**{"户籍地区划代码": "999999999999", "出生医学证明编号": "R1000006"}),
        birth(**{"新生儿证件号码": idnumbers.make_id("430121", dt.date(2026, 9, 16), 8, "F"),
                 "出生医学证明编号": "R1000007"}),
        birth(**{"出生医学证明编号": "R-1"}),
        birth(), birth(),
    )
    columns = {row: column for row, column, _ in found}
    assert columns == {2: "母亲证件号码", 3: "母亲证件号码", 4: "出生日期", 5: "性别",
                       6: "户籍地区划代码", 7: "户籍地区划代码", 8: "新生儿证件号码",
                       9: "出生医学证明编号", 11: "出生医学证明编号"}
    assert not Person.objects.filter(birth_cert_number__isnull=False).exists()


def test_a_newborn_registered_elsewhere_is_not_named(neighbour_clerk, village_clerk, parents):
    run("births", village_clerk, birth())
    found = problems_of("births", neighbour_clerk,
                        birth(**{"户籍地区划代码": factories.NEIGHBOUR_VILLAGE}))
    assert ("出生医学证明编号", "该新生儿已在其他辖区建档。") in [(c, m) for _, c, m in found]


def test_one_id_number_on_two_certificates_is_a_duplicate(village_clerk, parents):
    number = idnumbers.make_id("430121", dt.date(2026, 9, 15), 8, "F")
    found = problems_of("births", village_clerk, birth(**{"新生儿证件号码": number}),
                        birth(**{"新生儿证件号码": number, "出生医学证明编号": "R430123457"}))
    assert [(r, c) for r, c, _ in found] == [(3, "新生儿证件号码")]
