"""Checking one row's cells, for the kinds: each reader returns the clean value or None, and
leaves a problem naming the column, what is wrong and what to do (in Chinese). And the lookup
every person-keyed kind needs: a batch's persons by ID number, within the importer's scope."""
from __future__ import annotations

import datetime as dt

from core.calendar import YEAR_MIN

from .. import idnumbers, scope
from ..models import Person
from .base import RowProblem

DATE_HINT = "请按 2026-01-31 的格式填写日期"
NOT_HERE = "本辖区没有此人的档案（不在您的辖区内或尚未建档）"
NOT_HERE_HINT = "核对证件号码；此人在其他地区的，请由其所在地导入；尚未建档的请先建档"


class RowReader:
    def __init__(self, row: int, values: dict):
        self.row, self.values, self.problems = row, values, []

    def problem(self, column: str, message: str, hint: str = "") -> None:
        self.problems.append(RowProblem(self.row, column, message, hint))

    @property
    def ok(self) -> bool:
        return not self.problems

    def text(self, column: str, *, required: bool = True, max_length: int = 100) -> str:
        value = str(self.values.get(column) or "").strip()
        if required and not value:
            self.problem(column, f"{column}不能为空", f"请填写{column}")
        elif len(value) > max_length:
            self.problem(column, f"{column}过长（最多{max_length}个字）", f"请缩短{column}")
            return ""
        return value

    def id_number(self, column: str = "证件号码") -> str | None:
        value = self.text(column)
        if not value:
            return None
        try:
            return idnumbers.parse(value).number
        except idnumbers.IdNumberError as exc:
            self.problem(column, exc.message, "请核对证件号码（18位，最后一位可为X）")
            return None

    def date(self, column: str, *, required: bool = True, today: dt.date | None = None,
             not_before: dt.date | None = None) -> dt.date | None:
        value = self.text(column, required=required)
        if not value:
            return None
        text = value.replace("/", "-").replace(".", "-").replace("年", "-").replace(
            "月", "-").replace("日", "")
        try:
            parts = [int(p) for p in text.split("-")]
            day = dt.date(*parts) if len(parts) == 3 else None
        except (ValueError, TypeError):
            day = None
        if day is None and len(text) == 8 and text.isdigit():
            try:
                day = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
            except ValueError:
                day = None
        if day is None:
            self.problem(column, f"“{value}”不是有效日期", DATE_HINT)
        elif today is not None and day > today:
            self.problem(column, f"{column}{day}晚于今天", "请核对日期")
            return None
        elif not_before is not None and day < not_before:
            self.problem(column, f"{column}{day}早于{not_before}", "请核对日期")
            return None
        return day

    def year(self, column: str = "年度", *, today: dt.date) -> int | None:
        value = self.text(column)
        if not value:
            return None
        if not (value.isdigit() and len(value) == 4):
            self.problem(column, f"“{value}”不是四位年份", "请填写如2026的年份")
            return None
        year = int(value)
        if not YEAR_MIN <= year <= today.year + 1:
            self.problem(column, f"年度{year}超出范围（{YEAR_MIN}—{today.year + 1}）",
                         "请核对年度")
            return None
        return year

    def choice(self, column: str, choices: dict):
        value = self.text(column)
        if not value:
            return None
        if value not in choices:
            allowed = "、".join(choices)
            self.problem(column, f"“{value}”不是可选的{column}", f"请填写其中之一：{allowed}")
            return None
        return choices[value]

    def integer(self, column: str, *, minimum: int = 0) -> int | None:
        value = self.text(column).replace(",", "").replace("，", "")
        if not value:
            return None
        if not value.isdigit() or int(value) < minimum:
            self.problem(column, f"“{value}”不是有效的整数", f"请填写不小于{minimum}的整数")
            return None
        return int(value)

    def region_code(self, column: str) -> str | None:
        value = self.text(column)
        if not value:
            return None
        if not (value.isascii() and value.isdigit() and len(value) == 12):
            self.problem(column, f"“{value}”不是12位区划代码", "请填写12位统计用区划代码")
            return None
        return value


def persons_in_scope(actor, numbers) -> dict[str, Person]:
    """The persons of these ID numbers the importer may work (one query)."""
    numbers = {n for n in numbers if n}
    if not numbers:
        return {}
    return {p.id_number: p for p in scope.filter_persons(
        actor, Person.objects.filter(id_number__in=numbers))}


def match_person(reader: RowReader, number: str | None, persons: dict[str, Person],
                 name_column: str = "姓名") -> Person | None:
    """The row's person in scope, its name checked; or None with a problem."""
    if number is None:
        return None
    person = persons.get(number)
    if person is None:
        reader.problem("证件号码", NOT_HERE, NOT_HERE_HINT)
        return None
    name = str(reader.values.get(name_column) or "").strip()
    if name and name != person.name:
        reader.problem(name_column, f"姓名与档案不符（档案为{person.name}）",
                       "核对姓名和证件号码是否为同一人")
        return None
    return person
