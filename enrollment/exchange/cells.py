"""Reading the cells of a department file, and finding the persons a batch names.

Every kind checks its rows the same way: a `Rows` collects each row's problems (row number,
column, what is wrong, what to do) while the kind reads its cells, and `Persons` finds every
person of the batch by ID number in one query (the blind index), then says which of them the
importer may work (enrollment.scope). Nothing here writes.
"""
from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from .. import idnumbers, scope
from ..models import Person
from .base import CheckedRow, RowProblem, cell_text

DATE_HINT = "请按“2026-10-01”的格式填写日期。"
_DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y%m%d", "%Y.%m.%d", "%Y年%m月%d日")
_MONTH_FORMATS = ("%Y-%m", "%Y/%m", "%Y%m", "%Y.%m", "%Y年%m月")


class RowReader:
    """One row's cells, read one by one; each bad cell adds a problem and gives None."""

    def __init__(self, number: int, cells: dict, ctx):
        self.number, self.ctx = number, ctx
        self.cells = {str(k).strip(): v for k, v in cells.items()}
        self.problems: list[RowProblem] = []

    def problem(self, column: str, message: str, hint: str = "") -> None:
        self.problems.append(RowProblem(self.number, column, message, hint))

    def raw(self, header: str) -> str:
        return cell_text(self.cells.get(header))

    def text(self, header: str, *, required: bool = True, max_length: int = 100) -> str | None:
        value = self.raw(header)
        if not value:
            if required:
                self.problem(header, f"{header}未填写。", f"请填写{header}。")
                return None
            return ""
        if len(value) > max_length:
            self.problem(header, f"{header}过长（{len(value)}个字，最多{max_length}个字）。",
                         f"请核对{header}。")
            return None
        return value

    def id_number(self, header: str, *, required: bool = True) -> str | None:
        value = self.raw(header)
        if not value:
            if required:
                self.problem(header, f"{header}未填写。", f"请填写18位{header}。")
            return None
        try:
            return idnumbers.parse(value, today=self.ctx.today).number
        except idnumbers.IdNumberError as exc:
            self.problem(header, f"{header}“{value}”有误：{exc.message}",
                         "请对照证件逐位核对后重新填写。")
            return None

    def date(self, header: str, *, required: bool = True, not_future: bool = True
             ) -> dt.date | None:
        value = self.raw(header)
        if not value:
            if required:
                self.problem(header, f"{header}未填写。", DATE_HINT)
            return None
        value = value.split(" ")[0].split("T")[0]  # "2026-10-01 00:00:00" from a spreadsheet
        day = _parse(value, _DATE_FORMATS)
        if day is None:
            self.problem(header, f"{header}“{value}”不是有效日期。", DATE_HINT)
            return None
        if not_future and day > self.ctx.today:
            self.problem(header, f"{header}{day:%Y年%m月%d日}晚于今天。",
                         f"请核对{header}，不能填写将来的日期。")
            return None
        return day

    def month(self, header: str, *, required: bool = True) -> dt.date | None:
        """A month as its first day ("2026-03", "202603", "2026年3月")."""
        value = self.raw(header)
        if not value:
            if required:
                self.problem(header, f"{header}未填写。", "请按“2026-03”的格式填写年月。")
            return None
        day = _parse(value.split(" ")[0], _MONTH_FORMATS) or _parse(value.split(" ")[0],
                                                                   _DATE_FORMATS)
        if day is None:
            self.problem(header, f"{header}“{value}”不是有效年月。", "请按“2026-03”的格式填写年月。")
            return None
        return day.replace(day=1)

    def integer(self, header: str, *, required: bool = True, low: int = 0,
                high: int = 10 ** 9) -> int | None:
        value = self.raw(header)
        if not value:
            if required:
                self.problem(header, f"{header}未填写。", f"请填写{header}（整数）。")
            return None
        if re.fullmatch(r"\d+(\.0+)?", value) is None or not low <= int(float(value)) <= high:
            self.problem(header, f"{header}“{value}”不是{low}至{high}之间的整数。",
                         f"请填写{header}（整数）。")
            return None
        return int(float(value))

    def amount(self, header: str, *, required: bool = True) -> Decimal | None:
        value = self.raw(header).replace(",", "").replace("，", "").removesuffix("元")
        if not value:
            if required:
                self.problem(header, f"{header}未填写。", f"请填写{header}（元，如380.00）。")
            return None
        try:
            amount = Decimal(value)
        except InvalidOperation:
            amount = None
        if amount is None or not amount.is_finite() or amount < 0 \
                or amount != amount.quantize(Decimal("0.01")):
            self.problem(header, f"{header}“{value}”不是有效金额。",
                         f"请填写{header}（元，最多两位小数，如380.00）。")
            return None
        return amount.quantize(Decimal("0.01"))

    def choice(self, header: str, words: dict, *, required: bool = True):
        """A word from the department's list (`words`: word → value)."""
        value = self.raw(header)
        if not value:
            if required:
                self.problem(header, f"{header}未填写。", "可填写：" + "、".join(words) + "。")
            return None
        if value not in words:
            self.problem(header, f"{header}“{value}”不是可识别的类别。",
                         "请填写以下之一：" + "、".join(words) + "。")
            return None
        return words[value]


def _parse(value: str, formats) -> dt.date | None:
    for fmt in formats:
        try:
            return dt.datetime.strptime(value, fmt).date()
        except ValueError:
            continue
    return None


class Rows:
    """A batch of rows being checked: readers, problems, keys seen twice."""

    def __init__(self, rows: list[tuple[int, dict]], ctx):
        self.readers = [RowReader(number, cells, ctx) for number, cells in rows]
        self.ctx = ctx
        self._keys: dict[str, int] = {}
        if not scope.can_write(ctx.actor):  # a read-only account's file is refused row by row
            for reader in self.readers:
                reader.problem("", "您的账号为只读权限，不能导入数据。", "请由村（社区）、乡镇或县级经办人员导入。")

    def duplicate(self, reader: RowReader, key: str, column: str) -> bool:
        """True (and a problem) when the key was on an earlier row of the batch."""
        first = self._keys.setdefault(key, reader.number)
        if first != reader.number:
            reader.problem(column, f"与第{first}行重复（同一{column}的同一条记录出现两次）。",
                           "请删除重复的行，只保留一行。")
            return True
        return False

    def result(self, values: dict[int, tuple[str, dict]]
               ) -> tuple[list[CheckedRow], list[RowProblem]]:
        """Rows without problems become checked rows (`values`: row → (key, values))."""
        checked, problems = [], []
        for reader in self.readers:
            if reader.problems:
                problems.extend(reader.problems)
            elif reader.number in values:
                key, cleaned = values[reader.number]
                checked.append(CheckedRow(reader.number, key, cleaned))
        return checked, problems


class Persons:
    """The persons a batch names, found in one query by ID number (or birth certificate
    number), and which of them the importer's scope holds."""

    def __init__(self, numbers, actor):
        numbers = {n for n in numbers if n}
        found = list(Person.objects.filter(id_number__in=numbers)) if numbers else []
        self.by_number = {p.id_number: p for p in found}
        self.actor = actor
        self.visible = set(scope.filter_persons(actor, Person.objects.filter(
            pk__in=[p.pk for p in found])).values_list("pk", flat=True)) if found else set()

    def find(self, reader: RowReader, number: str | None, header: str,
             name_header: str | None = "姓名", who: str = "") -> Person | None:
        """The person of a number the importer may work, or None with a problem."""
        if number is None:
            return None
        person = self.by_number.get(number)
        if person is None:
            reader.problem(header, f"{who}{header}{idnumbers.mask(number)}在人员档案中未找到。",
                           "请核对证件号码；如确为本地人员，请先在人员建档中登记。")
            return None
        if person.pk not in self.visible:
            reader.problem(header, f"{who}{idnumbers.mask(number)}不在您的辖区内。",
                           "请由其户籍地或常住地所在的村（社区）、乡镇导入。")
            return None
        if person.merged_into_id:
            reader.problem(header, f"{who}{idnumbers.mask(number)}的档案已合并至另一档案。",
                           "请核对证件号码。")
            return None
        name = reader.raw(name_header) if name_header else ""
        if name and name != person.name:
            reader.problem(name_header, f"{name_header}“{name}”与档案中的姓名“{person.name}”不符。",
                           "请核对姓名和证件号码是否为同一人。")
            return None
        return person
