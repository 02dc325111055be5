"""The shape shared by the department lists of periods: a person by ID number and name, a
start date, perhaps an end date and a category (hardship groups, veterans, released prisoners,
unemployment benefit). A kind names its columns and says which periods a row records; checking
and applying are the same for all of them."""
from __future__ import annotations

from typing import ClassVar

from ..models import HardshipGroup, Person
from ..services import groups
from .base import Context, Feed, Outcome
from .cells import Persons, RowReader, Rows

ID, NAME = "证件号码", "姓名"


class PeriodFeed(Feed):
    start_header: ClassVar[str]
    end_header: ClassVar[str | None] = None
    end_required: ClassVar[bool] = False
    category_header: ClassVar[str | None] = None
    categories: ClassVar[dict] = {}  # the department's word → HardshipGroup value
    group: ClassVar[str] = ""  # the group of every row when there is no category column
    source_header: ClassVar[str | None] = None
    unemployment: ClassVar[bool] = False  # UnemploymentBenefit rather than PersonGroup
    period_label: ClassVar[str] = ""  # what a period is, in the report's change lines

    # --- hooks ------------------------------------------------------------------------------

    def other_numbers(self, reader: RowReader) -> list[str]:
        """More ID numbers a row names (a spouse), looked up with the batch."""
        return []

    def more(self, reader: RowReader, persons: Persons, values: dict) -> None:
        """Read the kind's other cells into `values` (problems go to the reader)."""

    def periods(self, values: dict, people: dict[int, Person], ctx: Context
                ) -> list[groups.Period]:
        return [groups.Period(person=people[values["person_id"]], group=values["group"],
                              start_date=values["start"], end_date=values["end"],
                              source=values["source"],
                              default_source=ctx.source or self.department)]

    def describe(self, values: dict, people: dict[int, Person]) -> str:
        person = people[values["person_id"]]
        end = f"至{values['end']:%Y-%m-%d}" if values["end"] else "起"
        return f"{person.name}：{self.label(values)} {values['start']:%Y-%m-%d}{end}"

    def label(self, values: dict) -> str:
        if values["group"] in HardshipGroup.values:
            return HardshipGroup(values["group"]).label.split("（")[0]
        return self.period_label or self.title

    # --- checking ---------------------------------------------------------------------------

    def check_rows(self, rows, ctx):
        batch = Rows(rows, ctx)
        numbers = {r.number: r.id_number(ID) for r in batch.readers}
        others = [n for r in batch.readers for n in self.other_numbers(r)]
        persons = Persons([*numbers.values(), *others], ctx.actor)
        found = {}
        for reader in batch.readers:
            values = self._read(reader, persons, numbers[reader.number])
            if reader.problems:
                continue
            key = f"{numbers[reader.number]}|{values['group']}|{values['start']}"
            if not batch.duplicate(reader, key, ID):
                found[reader.number] = (key, values)
        return batch.result(found)

    def _read(self, reader: RowReader, persons: Persons, number: str | None) -> dict:
        group = (reader.choice(self.category_header, self.categories)
                 if self.category_header else self.group)
        start = reader.date(self.start_header)
        end = (reader.date(self.end_header, required=self.end_required, not_future=False)
               if self.end_header else None)
        if start and end and end < start:
            reader.problem(self.end_header, f"{self.end_header}{end:%Y-%m-%d}早于"
                                            f"{self.start_header}{start:%Y-%m-%d}。",
                           f"请核对两个日期；{self.end_header}应在{self.start_header}之后。")
        source = (reader.text(self.source_header, required=False, max_length=50)
                  if self.source_header else "")
        person = persons.find(reader, number, ID)
        reader.key_number = number
        values = {"person_id": person.pk if person else None, "group": group, "start": start,
                  "end": end, "source": source or ""}
        self.more(reader, persons, values)
        return values

    # --- applying ---------------------------------------------------------------------------

    def apply(self, rows, ctx):
        people = Person.objects.in_bulk({pk for row in rows for pk in self._pks(row.values)})
        owners, periods = [], []
        for index, row in enumerate(rows):
            for period in self.periods(row.values, people, ctx):
                owners.append(index)
                periods.append(period)
        record = (groups.unemployment_periods_record if self.unemployment
                  else groups.person_groups_record)
        states: dict[int, set[str]] = {}
        for index, state in zip(owners, record(actor=ctx.actor, periods=periods,
                                               request=ctx.request)):
            states.setdefault(index, set()).add(state)
        outcome = Outcome()
        for index, row in enumerate(rows):
            if groups.CREATED in states.get(index, ()):
                outcome.created += 1
                outcome.note(f"新增 {self.describe(row.values, people)}")
            elif groups.UPDATED in states.get(index, ()):
                outcome.updated += 1
                outcome.note(f"更新 {self.describe(row.values, people)}")
            else:
                outcome.unchanged += 1
        return outcome

    @staticmethod
    def _pks(values: dict) -> list[int]:
        return [v for k, v in values.items() if k.endswith("person_id") and v]
