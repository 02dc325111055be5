"""教育 rosters (一校一档): schools kept once, students linked to their school."""
from __future__ import annotations

import datetime as dt

import pytest

from benefits.determination import case_from_registry
from enrollment.models import AuditEntry, Person, School
from tests import factories
from tests.enrollment.feedkit import example_passes, problems_of, run

pytestmark = pytest.mark.django_db

PUPIL = "430121201009010116"
ADULT = "430121198005010034"


@pytest.fixture
def pupils(region_tree):
    return (factories.make_person(id_number=PUPIL, name="张小明",
                                  birth_date=dt.date(2010, 9, 1)),
            factories.make_person(id_number=ADULT, name="张三"))


def roster(**kw):
    row = {"学校代码": "4343012101", "学校名称": "星沙第一小学", "学校类型": "中小学",
           "学生证件号码": PUPIL, "姓名": "张小明", "年级": "十年级", "班级": "3班",
           "学校所在区划代码": ""}
    return {**row, **kw}


def test_the_template_example_row_passes(village_clerk, pupils):
    example_passes("students", village_clerk)


def test_a_roster_creates_the_school_and_links_its_students(village_clerk, pupils):
    outcome = run("students", village_clerk, roster(),
                  roster(**{"学生证件号码": ADULT, "姓名": "张三"}))
    assert (outcome.created, outcome.updated, outcome.unchanged) == (0, 2, 0)
    school = School.objects.get(code="4343012101")
    assert (school.name, school.kind, school.region_id) == (
        "星沙第一小学", "primary", factories.VILLAGE)
    assert set(school.students.values_list("name", flat=True)) == {"张小明", "张三"}
    assert "新建学校档案" in outcome.changes[0]
    assert AuditEntry.objects.filter(person=pupils[0], action="update").exists()
    again = run("students", village_clerk, roster(),
                roster(**{"学生证件号码": ADULT, "姓名": "张三"}))
    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)


def test_the_grade_and_class_are_kept_and_a_new_class_is_an_update(village_clerk, pupils):
    run("students", village_clerk, roster())
    pupil = Person.objects.get(id_number=PUPIL)
    assert (pupil.school_grade, pupil.school_class) == ("十年级", "3班")
    outcome = run("students", village_clerk, roster(**{"年级": "十一年级", "班级": "1班"}))
    assert (outcome.updated, outcome.unchanged) == (1, 0)
    pupil.refresh_from_db()
    assert (pupil.school_grade, pupil.school_class) == ("十一年级", "1班")
    assert "十一年级1班" in outcome.changes[-1]
    again = run("students", village_clerk, roster(**{"年级": "十一年级", "班级": "1班"}))
    assert (again.updated, again.unchanged) == (0, 1)


def test_a_college_roster_makes_the_engine_find_the_college_case(village_clerk, pupils,
                                                                 shipped_policies):
    run("students", village_clerk, roster(**{"学生证件号码": ADULT, "姓名": "张三",
                                             "学校代码": "4143010532", "学校名称": "长沙职业技术学院",
                                             "学校类型": "大中专"}))
    case = case_from_registry(person=Person.objects.get(id_number=ADULT), year=2027,
                              paid_on=dt.date(2026, 10, 1), pooling_region_code=factories.COUNTY)
    assert (case["category"], case["school"]) == ("college_student", "4143010532")


def test_a_renamed_school_is_updated(village_clerk, pupils):
    run("students", village_clerk, roster())
    outcome = run("students", village_clerk, roster(**{"学校名称": "星沙实验小学"}))
    assert School.objects.get().name == "星沙实验小学"
    assert outcome.unchanged == 1 and "更新学校档案" in outcome.changes[0]


def test_every_bad_row_is_named(village_clerk, pupils, region_tree):
    neighbour = factories.make_person(factories.NEIGHBOUR_GRID, name="赵六")
    found = problems_of(
        "students", village_clerk,
        roster(**{"学生证件号码": PUPIL[:-1] + "9"}),
        roster(**{"学生证件号码": "430121201009020034", "姓名": "无名"}),
        roster(**{"学校类型": "培训班"}),
        roster(**{"学校名称": "另一个名字", "学生证件号码": ADULT, "姓名": "张三"}),
        roster(**{"学生证件号码": neighbour.id_number, "姓名": "赵六"}),
        roster(**{"学校代码": "X1", "学校所在区划代码": factories.OTHER_VILLAGE}),
        roster(**{"班级": "班" * 30}),
        roster(), roster(),
    )
    columns = {row: column for row, column, _ in found}
    assert columns == {2: "学生证件号码", 3: "学生证件号码", 4: "学校类型", 5: "学校名称",
                       6: "学生证件号码", 7: "学校所在区划代码", 8: "班级", 10: "学生证件号码"}
    assert not School.objects.exists()


def test_a_school_of_another_village_is_not_renamed_from_here(village_clerk, neighbour_clerk,
                                                              pupils):
    run("students", village_clerk, roster())
    pupil = factories.make_person(factories.NEIGHBOUR_GRID, name="赵小六",
                                  birth_date=dt.date(2012, 2, 2))
    row = roster(**{"学生证件号码": pupil.id_number, "姓名": "赵小六"})
    found = problems_of("students", neighbour_clerk, {**row, "学校名称": "改名小学"})
    assert found[0][1] == "学校名称" and "不在您的辖区内" in found[0][2]
    assert run("students", neighbour_clerk, row).updated == 1  # linking to it is fine
    assert School.objects.get().name == "星沙第一小学"


def test_the_person_file_shows_the_school_with_grade_and_class(client, village_clerk, pupils):
    run("students", village_clerk, roster())
    client.force_login(village_clerk)
    page = client.get(f"/persons/{pupils[0].pk}/").content.decode()
    assert "星沙第一小学 · 十年级3班" in page
