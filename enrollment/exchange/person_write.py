"""Writing checked person rows: the batched ORM path (SQLite, and small files anywhere) and what
it shares with the set-based path of `bulk.py`, which must leave the database the same.

What a row does, on both paths:
- a new ID number creates a person as `person_register` does: pinyin initials, the change marker
  (`inputs_changed_at`), the model history row naming the importer (`history_user`) with the
  import as its reason; 常住地 defaults to 户籍地;
- a known ID number updates the person where something differs, as `person_update` does (history
  row, change marker, initials again); an empty optional cell keeps what is recorded (the 公安
  file does not erase a phone number the clerk took down); nothing differing = unchanged;
- a 户号 not yet known creates the household, headed by the row whose relation is 户主, else by
  its first row, in the 户籍地.
One lookup query per batch, bulk_create / bulk_update, no query per row.
"""
from __future__ import annotations

import functools

from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from core import crypto

from ..models import Household, Person
from ..pinyin import initials
from .base import CheckedRow, Context, Outcome

DEFAULT_SOURCE = "公安户籍人员名单"
LABELS = {"name": "姓名", "sex": "性别", "birth_date": "出生日期", "hukou": "户籍地",
          "residence": "常住地", "household": "户号", "relation": "与户主关系",
          "address": "住址", "phone": "联系电话"}
SEX_LABELS = {"M": "男", "F": "女"}

name_initials = functools.lru_cache(maxsize=1 << 16)(initials)  # names repeat; pinyin is slow


def history_reason(ctx: Context) -> str:
    return f"导入：{ctx.source or DEFAULT_SOURCE}"[:100]


def change_note(name: str, diffs: list[tuple[str, object, object]]) -> str:
    """"张三：姓名 张三→张叁；联系电话 已更新" (phone numbers are not repeated in the report)."""
    parts = []
    for field, old, new in diffs:
        if field == "phone":
            parts.append("联系电话 已更新")
        elif field == "household":
            parts.append(f"户号 改为{new}")
        else:
            show = (lambda v: SEX_LABELS.get(v, v)) if field == "sex" else (lambda v: v)
            parts.append(f"{LABELS[field]} {show(old) or '（空）'}→{show(new)}")
    return f"{name}：" + "；".join(parts)


def _households(rows: list[CheckedRow], actor, reason: str, now) -> dict[str, int]:
    numbers = {r.values["household"] for r in rows if r.values["household"]}
    if not numbers:
        return {}
    known = dict(Household.objects.filter(number__in=numbers).values_list("number", "pk"))
    heads: dict[str, dict] = {}
    for r in rows:  # rows arrive in file order: the first row, unless a head follows
        number = r.values["household"]
        if number and number not in known and (
                number not in heads or (r.values["relation"] == "head"
                                        and heads[number]["relation"] != "head")):
            heads[number] = r.values
    new = [Household(number=n, head_name=v["name"], region_id=v["hukou"],
                     address=v["address"] or "") for n, v in heads.items()]
    if new:
        bulk_create_with_history(new, Household, default_user=actor,
                                 default_change_reason=reason, default_date=now)
        known.update(Household.objects.filter(number__in=heads).values_list("number", "pk"))
    return known


def _diffs(person: Person, v: dict, household_id) -> list[tuple[str, object, object]]:
    diffs = []
    for field, attr, new in (("name", "name", v["name"]), ("sex", "sex", v["sex"]),
                             ("birth_date", "birth_date", v["birth_date"]),
                             ("hukou", "hukou_region_id", v["hukou"]),
                             ("residence", "residence_region_id", v["residence"]),
                             ("household", "household_id", household_id),
                             ("relation", "relation_to_head", v["relation"]),
                             ("address", "address", v["address"]),
                             ("phone", "phone", v["phone"])):
        if new is not None and getattr(person, attr) != new:
            diffs.append((field, getattr(person, attr),
                          v["household"] if field == "household" else new))
    return diffs


UPDATED_FIELDS = ["name", "name_initials", "sex", "birth_date", "hukou_region_id",
                  "residence_region_id", "household_id", "relation_to_head", "address", "phone",
                  "phone_bidx", "updated_at", "inputs_changed_at"]


def apply_orm(rows: list[CheckedRow], ctx: Context) -> Outcome:
    """The batched path (the caller holds the transaction)."""
    outcome, now, reason = Outcome(), timezone.now(), history_reason(ctx)
    existing = {p.id_number: p for p in Person.objects.filter(
        id_number__in=[r.values["id_number"] for r in rows])}
    households = _households(rows, ctx.actor, reason, now)
    created, updated = [], []
    for r in rows:
        v = r.values
        household_id = households.get(v["household"]) if v["household"] else None
        person = existing.get(v["id_number"])
        if person is None:
            created.append(Person(
                id_type=v["id_type"], id_number=v["id_number"], name=v["name"],
                name_initials=name_initials(v["name"]), sex=v["sex"],
                birth_date=v["birth_date"], phone=v["phone"] or "", hukou_region_id=v["hukou"],
                residence_region_id=v["residence"] or v["hukou"], address=v["address"] or "",
                household_id=household_id, relation_to_head=v["relation"] or "",
                inputs_changed_at=now))
            continue
        diffs = _diffs(person, v, household_id)
        if not diffs:
            outcome.unchanged += 1
            continue
        outcome.note(change_note(v["name"], diffs))
        for field, attr in (("name", "name"), ("sex", "sex"), ("birth_date", "birth_date"),
                            ("hukou", "hukou_region_id"), ("residence", "residence_region_id"),
                            ("relation", "relation_to_head"), ("address", "address"),
                            ("phone", "phone")):
            if v[field] is not None:
                setattr(person, attr, v[field])
        if household_id is not None:
            person.household_id = household_id
        person.name_initials = name_initials(person.name)
        person.phone_bidx = crypto.blind_index(person.phone)
        person.updated_at = person.inputs_changed_at = now
        updated.append(person)
    if created:
        bulk_create_with_history(created, Person, batch_size=2000, default_user=ctx.actor,
                                 default_change_reason=reason, default_date=now)
    if updated:
        bulk_update_with_history(updated, Person, UPDATED_FIELDS, batch_size=2000,
                                 default_user=ctx.actor, default_change_reason=reason,
                                 default_date=now)
    outcome.created, outcome.updated = len(created), len(updated)
    return outcome
