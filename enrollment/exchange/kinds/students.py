"""教育 学籍名单 (一校一档): each school kept once by its code (created, or renamed by the list), each
student linked to the school (Person.school) with the grade and class the roster gives. The
school's batch collection and the engine's college case (R-STU-ONCE, benefits/determination.py)
read that link; the grade and class let the school's collector find the student's class."""
from __future__ import annotations

from ... import scope
from ...models import Person, Region, School
from ...services import person_update, school_save
from ..base import Column, Feed, Outcome, register
from ..cells import Persons, Rows

CODE, SCHOOL, KIND, ID, NAME, GRADE, CLASS, WHERE = (
    "学校代码", "学校名称", "学校类型", "学生证件号码", "姓名", "年级", "班级", "学校所在区划代码")
K = School.Kind
KINDS = {"中小学": K.PRIMARY, "幼儿园": K.KINDERGARTEN, "大中专": K.COLLEGE, "技工": K.VOCATIONAL,
         "小学": K.PRIMARY, "初中": K.PRIMARY, "高中": K.PRIMARY, "中学": K.PRIMARY,
         "高等院校": K.COLLEGE, "大学": K.COLLEGE, "职业院校": K.VOCATIONAL, "中专": K.VOCATIONAL,
         "技工学校": K.VOCATIONAL, "技工院校": K.VOCATIONAL}


@register
class StudentsFeed(Feed):
    kind = "students"
    title = "在校学生名单"
    department = "教育"
    columns = (
        Column(CODE, example="4343012101", note="教育部门的学校标识码"),
        Column(SCHOOL, example="星沙第一小学"),
        Column(KIND, example="中小学", note="中小学、幼儿园、大中专或技工"),
        Column(ID, example="430121201009010116", note="学生的18位身份证号码"),
        Column(NAME, example="张小明"),
        Column(GRADE, required=False, example="十年级"),
        Column(CLASS, required=False, example="3班"),
        Column(WHERE, required=False, example="430121100001",
               note="新学校填写其所在地12位区划代码；留空为导入人所在区划"),
    )

    def check_rows(self, rows, ctx):
        batch = Rows(rows, ctx)
        numbers = {r.number: r.id_number(ID) for r in batch.readers}
        persons = Persons(numbers.values(), ctx.actor)
        schools = {s.code: s for s in School.objects.filter(
            code__in={r.raw(CODE) for r in batch.readers})}
        regions = set(Region.objects.filter(code__in={r.raw(WHERE) or ctx.actor.region_id or ""
                                                      for r in batch.readers})
                      .values_list("code", flat=True))
        named: dict[str, tuple[int, str, str]] = {}
        found = {}
        for reader in batch.readers:
            values = {"code": reader.text(CODE, max_length=20),
                      "school": reader.text(SCHOOL, max_length=100),
                      "kind": reader.choice(KIND, KINDS)}
            values["grade"] = reader.text(GRADE, required=False, max_length=20) or ""
            values["class"] = reader.text(CLASS, required=False, max_length=20) or ""
            values["region"] = self._region(reader, ctx, regions, schools.get(values["code"]))
            self._same_school(reader, ctx, values, named, schools.get(values["code"]))
            person = persons.find(reader, numbers[reader.number], ID)
            values["person_id"] = person.pk if person else None
            if not reader.problems and not batch.duplicate(reader, numbers[reader.number], ID):
                found[reader.number] = (numbers[reader.number], values)
        return batch.result(found)

    @staticmethod
    def _region(reader, ctx, regions, school) -> str | None:
        code = reader.raw(WHERE) or ctx.actor.region_id or ""
        if school is not None:
            return school.region_id
        if not code:
            reader.problem(WHERE, "新学校未填写所在区划代码。", "请填写学校所在地的12位区划代码。")
        elif code not in regions:
            reader.problem(WHERE, f"区划代码“{code}”不是本系统的区划。", "请填写12位区划代码。")
        elif not scope.region_in_scope(ctx.actor, code):
            reader.problem(WHERE, f"学校所在地{code}不在您的辖区内。", "请由学校所在地导入。")
        return code

    @staticmethod
    def _same_school(reader, ctx, values, named, school) -> None:
        """One code, one school: the rows of a file agree, and a school of another region is
        not renamed from here."""
        if values["code"] is None or values["school"] is None or values["kind"] is None:
            return
        first = named.setdefault(values["code"], (reader.number, values["school"], values["kind"]))
        if first[1:] != (values["school"], values["kind"]):
            reader.problem(SCHOOL, f"学校代码{values['code']}在第{first[0]}行的学校名称或类型"
                                   "与本行不同。",
                           "同一学校代码请填写相同的学校名称和类型。")
        elif school is not None and (school.name, school.kind) != (
                values["school"], values["kind"]) and not scope.region_in_scope(
                ctx.actor, school.region_id):
            reader.problem(SCHOOL, f"学校代码{values['code']}已登记为“{school.name}”"
                                   f"（{school.get_kind_display()}），不在您的辖区内。",
                           "请核对学校代码；学校信息请由其所在地更新。")

    def apply(self, rows, ctx):
        people = Person.objects.in_bulk({r.values["person_id"] for r in rows})
        regions = Region.objects.in_bulk({r.values["region"] for r in rows})
        outcome, schools = Outcome(), {}
        for row in rows:
            v = row.values
            if v["code"] not in schools:
                school, state = school_save(actor=ctx.actor, code=v["code"], name=v["school"],
                                            kind=v["kind"], region=regions[v["region"]],
                                            request=ctx.request)
                schools[v["code"]] = school
                if state != "unchanged":
                    outcome.note(f"{'新建' if state == 'created' else '更新'}学校档案："
                                 f"{school.name}（{school.get_kind_display()}）")
            school, person = schools[v["code"]], people[v["person_id"]]
            # .get: rows staged before the grade was kept carry no grade or class.
            grade, klass = v.get("grade", ""), v.get("class", "")
            if (person.school_id, person.school_grade, person.school_class) == (
                    school.pk, grade, klass):
                outcome.unchanged += 1
                continue
            moved = person.school_id != school.pk
            person_update(actor=ctx.actor, person=person, request=ctx.request,
                          data={"school": school, "school_grade": grade, "school_class": klass})
            outcome.updated += 1
            where = "".join(p for p in (grade, klass) if p)
            outcome.note(f"{person.name}：就读学校 → {school.name}{where}" if moved
                         else f"{person.name}：{school.name}年级班级 → {where or '（空）'}")
        return outcome
