"""退役军人: soldiers discharged (and their accompanying spouses, 随军未就业配偶) leave the
military scheme on the discharge date; within the profile's window (R-EXIT-3M) they enroll as
residents without a waiting period. The engine and the radar find them as PersonGroups
`exit_veteran` and `exit_veteran_spouse` starting on that day (benefits/determination.py)."""
from __future__ import annotations

from ...models import HardshipGroup
from ..base import Column, register
from ...services.groups import Period
from ..cells import Persons, RowReader
from ..periods import ID, NAME, PeriodFeed

SPOUSE = "随军配偶证件号码"


@register
class VeteransFeed(PeriodFeed):
    kind = "veterans"
    title = "退役军人及随军配偶名单"
    department = "退役军人事务"
    start_header = "退役日期"
    group = HardshipGroup.EXIT_VETERAN
    columns = (
        Column(ID, example="430121199507150074", note="退役军人本人的18位身份证号码"),
        Column(NAME, example="王五"),
        Column("退役日期", example="2026-09-30", note="如2026-09-30"),
        Column("安置日期", required=False, example="2026-11-15", note="已安置的填写"),
        Column(SPOUSE, required=False, example="430121198203080041",
               note="有随军未就业配偶的填写"),
    )

    def other_numbers(self, reader: RowReader) -> list[str]:
        reader.spouse_number = reader.id_number(SPOUSE, required=False)
        return [reader.spouse_number] if reader.spouse_number else []

    def more(self, reader: RowReader, persons: Persons, values: dict) -> None:
        settled = reader.date("安置日期", required=False)
        if settled and values["start"] and settled < values["start"]:
            reader.problem("安置日期", f"安置日期{settled:%Y-%m-%d}早于退役日期。",
                           "请核对安置日期和退役日期。")
        values["settled"] = settled
        number = reader.spouse_number
        if number and number == reader.key_number:
            reader.problem(SPOUSE, "随军配偶证件号码与本人证件号码相同。", "请填写配偶本人的证件号码。")
            return
        spouse = persons.find(reader, number, SPOUSE, name_header=None, who="随军配偶")
        values["spouse_person_id"] = spouse.pk if spouse else None

    def periods(self, values, people, ctx):
        found = super().periods(values, people, ctx)
        if values.get("spouse_person_id"):
            found.append(Period(
                person=people[values["spouse_person_id"]],
                group=HardshipGroup.EXIT_VETERAN_SPOUSE, start_date=values["start"],
                default_source=found[0].default_source))
        return found

    def describe(self, values, people):
        line = f"{people[values['person_id']].name}：退役 {values['start']:%Y-%m-%d}"
        if values.get("spouse_person_id"):
            line += f"，随军配偶{people[values['spouse_person_id']].name}"
        return line
