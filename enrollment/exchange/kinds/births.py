"""卫健 出生医学证明 (出生一件事): each birth opens the newborn's file in the mother's household (or
links the file already opened for that certificate or ID number), through the person services.
The newborn is then on the village's lists: the deadline radar and the newborn counts read
persons by birth date, and the enrollment goes through the one door with cover from birth
(R-NB-90 / R-NB-FREE) as for any newborn. Re-sending a birth changes nothing."""
from __future__ import annotations

import re

from ... import idnumbers, scope
from ...models import IdType, Person, Region, Sex
from ...services import person_link_id_number, person_register, person_update
from ..base import Column, Feed, Outcome, register
from ..cells import Persons, RowReader, Rows

CERT, NAME, SEX, BIRTH, MOTHER, FATHER, HUKOU, BABY_ID = (
    "出生医学证明编号", "新生儿姓名", "性别", "出生日期", "母亲证件号码", "父亲证件号码",
    "户籍地区划代码", "新生儿证件号码")
SEXES = {"男": Sex.MALE, "女": Sex.FEMALE}
# The child's relation to the head of the household, from the mother's.
CHILD_RELATION = {"head": "child", "spouse": "child", "child": "grandchild",
                  "grandchild": "other", "parent": "sibling", "sibling": "other", "other": "other"}


def _cert(reader: RowReader) -> str | None:
    value = reader.text(CERT, max_length=20)
    if value is None:
        return None
    value = value.upper().replace(" ", "")
    if not re.fullmatch(r"[A-Z0-9]{6,20}", value):
        reader.problem(CERT, f"出生医学证明编号“{value}”格式不对（应为字母和数字）。",
                       "请对照出生医学证明核对编号。")
        return None
    return value


@register
class BirthsFeed(Feed):
    kind = "births"
    title = "出生医学证明信息"
    department = "卫健"
    columns = (
        Column(CERT, example="R430123456", note="出生医学证明上的编号"),
        Column(NAME, example="张小宝"),
        Column(SEX, example="女", note="男或女"),
        Column(BIRTH, example="2026-10-20", note="如2026-10-20"),
        Column(MOTHER, example="430121198203080041", note="母亲的18位身份证号码"),
        Column(FATHER, required=False, example="430121198005010034"),
        Column(HUKOU, example="430121100001", note="新生儿户籍所在村（社区）的12位区划代码"),
        Column(BABY_ID, required=False, example="", note="已申领身份证号码的填写"),
    )

    def check_rows(self, rows, ctx):
        batch = Rows(rows, ctx)
        cells = {}
        for r in batch.readers:
            cells[r.number] = {"cert": _cert(r), "mother": r.id_number(MOTHER),
                               "father": r.id_number(FATHER, required=False),
                               "baby_id": r.id_number(BABY_ID, required=False)}
        parents = Persons([n for c in cells.values() for n in (c["mother"], c["father"])],
                          ctx.actor)
        certs = {c["cert"] for c in cells.values() if c["cert"]}
        ids = {c["baby_id"] for c in cells.values() if c["baby_id"]}
        files = [*(Person.objects.filter(birth_cert_number__in=certs) if certs else []),
                 *(Person.objects.filter(id_number__in=ids) if ids else [])]
        visible = set(scope.filter_persons(ctx.actor, Person.objects.filter(
            pk__in=[p.pk for p in files])).values_list("pk", flat=True))
        by_cert = {p.birth_cert_number: p for p in files if p.birth_cert_number}
        by_id = {p.id_number: p for p in files if p.id_number}
        regions = set(Region.objects.filter(code__in={r.raw(HUKOU) for r in batch.readers})
                      .values_list("code", flat=True))
        found = {}
        for reader in batch.readers:
            c = cells[reader.number]
            values = self._read(reader, ctx, c, regions, parents)
            existing = self._existing(reader, c, by_cert, by_id, visible, values)
            if reader.problems or batch.duplicate(reader, c["cert"], CERT) or (
                    c["baby_id"] and batch.duplicate(reader, f"id:{c['baby_id']}", BABY_ID)):
                continue
            values["person_id"] = existing.pk if existing else None
            found[reader.number] = (c["cert"], values)
        return batch.result(found)

    def _read(self, reader, ctx, c, regions, parents) -> dict:
        values = {"cert": c["cert"], "baby_id": c["baby_id"],
                  "name": reader.text(NAME, max_length=50),
                  "sex": reader.choice(SEX, SEXES), "birth": reader.date(BIRTH)}
        code = reader.raw(HUKOU)
        if not code:
            reader.problem(HUKOU, "户籍地区划代码未填写。", "请填写12位村（社区）区划代码。")
        elif code not in regions:
            reader.problem(HUKOU, f"户籍地区划代码“{code}”不是本系统的区划。",
                           "请填写新生儿户籍所在村（社区）的12位区划代码。")
        elif not scope.region_in_scope(ctx.actor, code):
            reader.problem(HUKOU, f"户籍地{code}不在您的辖区内。", "请由新生儿户籍所在地导入。")
        values["hukou"] = code
        if c["baby_id"] and values["birth"] and values["sex"]:
            parsed = idnumbers.parse(c["baby_id"])
            if (parsed.birth_date, parsed.sex) != (values["birth"], values["sex"]):
                reader.problem(BABY_ID, "新生儿证件号码中的出生日期或性别与本行不符。",
                               "请核对新生儿证件号码、出生日期和性别。")
        mother = parents.find(reader, c["mother"], MOTHER, name_header=None, who="母亲")
        father = parents.by_number.get(c["father"]) if c["father"] else None
        if father is not None and father.pk not in parents.visible:
            father = None  # a father registered elsewhere is not named (no oracle)
        values["mother_id"] = mother.pk if mother else None
        values["father_id"] = father.pk if father else None
        return values

    @staticmethod
    def _existing(reader, c, by_cert, by_id, visible, values) -> Person | None:
        files = {p.pk: p for p in (by_cert.get(c["cert"]), by_id.get(c["baby_id"])) if p}
        if len(files) > 1:
            reader.problem(BABY_ID, "出生医学证明编号和新生儿证件号码分别对应两份不同的档案。",
                           "请先在人员查询中核实并合并重复档案。")
            return None
        person = next(iter(files.values()), None)
        if person is None:
            return None
        if person.pk not in visible:
            reader.problem(CERT, "该新生儿已在其他辖区建档。", "请联系其所在村（社区）办理。")
            return None
        if values["birth"] and person.birth_date != values["birth"]:
            reader.problem(BIRTH, f"出生日期与已建档案（{person.birth_date:%Y-%m-%d}）不符。",
                           "请核对出生日期。")
        return person

    def apply(self, rows, ctx):
        people = Person.objects.select_related("household").in_bulk(
            {pk for r in rows for pk in (r.values["person_id"], r.values["mother_id"],
                                         r.values["father_id"]) if pk})
        regions = Region.objects.in_bulk({r.values["hukou"] for r in rows})
        outcome = Outcome()
        for row in rows:
            v = row.values
            parent = next((people[pk] for pk in (v["mother_id"], v["father_id"])
                           if pk and people[pk].household_id), people.get(v["mother_id"]))
            if v["person_id"]:
                changed = self._link(ctx, people[v["person_id"]], v, parent)
                if changed:
                    outcome.updated += 1
                    outcome.note(f"{v['name']}：关联已有档案（{changed}）")
                else:
                    outcome.unchanged += 1
                continue
            hukou = regions[v["hukou"]]
            residence = (parent.residence_region if parent and scope.region_in_scope(
                ctx.actor, parent.residence_region_id) else hukou)
            person_register(actor=ctx.actor, request=ctx.request, data={
                "id_type": IdType.RESIDENT_ID if v["baby_id"] else IdType.BIRTH_CERT,
                "id_number": v["baby_id"], "birth_cert_number": v["cert"], "name": v["name"],
                "sex": v["sex"], "birth_date": v["birth"], "hukou_region": hukou,
                "residence_region": residence, "household": parent.household if parent else None,
                "relation_to_head": CHILD_RELATION.get(parent.relation_to_head, "other")
                if parent and parent.household_id else ""})
            outcome.created += 1
            outcome.note(f"{v['name']}：新生儿建档（{v['birth']:%Y-%m-%d}出生"
                         + (f"，{parent.household}" if parent and parent.household_id else "")
                         + "）")
        return outcome

    @staticmethod
    def _link(ctx, person, v, parent) -> str:
        """Complete an existing file from the birth record; what changed, or ''."""
        done = []
        if v["baby_id"] and not person.id_number:
            person_link_id_number(actor=ctx.actor, person=person, id_number=v["baby_id"],
                                  request=ctx.request)
            done.append("补录身份证号码")
        data = {}
        if not person.birth_cert_number:
            data["birth_cert_number"] = v["cert"]
        if person.household_id is None and parent is not None and parent.household_id:
            data["household"] = parent.household
            data["relation_to_head"] = CHILD_RELATION.get(parent.relation_to_head, "other")
        if data:
            person_update(actor=ctx.actor, person=person, data=data, request=ctx.request)
            done.append("补录出生医学证明编号" if "birth_cert_number" in data else "加入家庭户")
        return "、".join(done)
