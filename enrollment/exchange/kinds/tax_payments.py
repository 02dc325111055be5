"""税务 缴费记录: each payment of a resident contribution becomes an enrollment through the one
door, with its determination (the case found from the registry, as at the counter). A payment
already recorded (same person, year, date and amount) is unchanged, never a second enrollment; a
registration awaiting payment is paid by the record; any other enrollment of the year is the one
door's refusal, shown on the row."""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError

from core.run_memo import run_memo

from ...models import Channel, EnrollmentStatus, Person, Scheme
from ...services import enrollment_record
from ..base import Column, Feed, Outcome, register
from ..cells import Persons, Rows
from ..oneway import live_enrollments, preview_problems, refused

ID, NAME, YEAR, AMOUNT, PAID, CHANNEL, RECEIPT = (
    "证件号码", "姓名", "缴费年度", "缴费金额", "缴费日期", "缴费渠道", "票据号")
COLUMNS_OF = {"year": YEAR, "paid_on": PAID, "amount_paid": AMOUNT, "person": ID}


def _same_payment(e, values) -> bool:
    return (e.status == EnrollmentStatus.ACTIVE and e.paid_on == values["paid_on"]
            and e.amount_paid == Decimal(values["amount"]))


@register
class TaxPaymentsFeed(Feed):
    kind = "tax_payments"
    title = "城乡居民医保缴费记录"
    department = "税务"
    columns = (
        Column(ID, example="430121198005010034", note="18位身份证号码"),
        Column(NAME, example="张三"),
        Column(YEAR, example="2027", note="待遇年度，如2027"),
        Column(AMOUNT, example="440.00", note="元"),
        Column(PAID, example="2026-11-10", note="如2026-11-10"),
        Column(CHANNEL, example="微信", note="如：微信、支付宝、银行代扣、办税服务厅"),
        Column(RECEIPT, required=False, example="A2026110012345"),
    )

    @run_memo()  # the policy and pooling-region reads, once per batch
    def check_rows(self, rows, ctx):
        batch = Rows(rows, ctx)
        numbers = {r.number: r.id_number(ID) for r in batch.readers}
        persons = Persons(numbers.values(), ctx.actor)
        read = {}
        for reader in batch.readers:
            year = reader.integer(YEAR, low=2000, high=ctx.today.year + 1)
            amount = reader.amount(AMOUNT)
            # Text, like the other cleaned values: the flow may keep checked rows as JSON.
            values = {"year": year, "amount": None if amount is None else str(amount),
                      "paid_on": reader.date(PAID),
                      "tax_channel": reader.text(CHANNEL, max_length=30),
                      "receipt": reader.text(RECEIPT, required=False, max_length=40)}
            person = persons.find(reader, numbers[reader.number], ID)
            values["person_id"] = person.pk if person else None
            if not reader.problems:
                read[reader.number] = (reader, person, values)
        live = live_enrollments([v["person_id"] for _, _, v in read.values()],
                                [v["year"] for _, _, v in read.values()], Scheme.RESIDENT)
        found = {}
        for reader, person, values in read.values():
            key = f"{numbers[reader.number]}|{values['year']}"
            if batch.duplicate(reader, key, ID):
                continue
            existing = [e for e in live.get((person.pk, values["year"]), []) if not e.elsewhere]
            if existing and _same_payment(existing[0], values):
                found[reader.number] = (key, values)
                continue
            awaiting = next((e for e in existing
                             if e.status == EnrollmentStatus.AWAITING_PAYMENT), None)
            preview_problems(reader, COLUMNS_OF, actor=ctx.actor, person=person,
                             year=values["year"], paid_on=values["paid_on"],
                             amount_paid=Decimal(values["amount"]),
                             channel=Channel.TAX_RECORD,
                             instance=awaiting)
            if not reader.problems:
                found[reader.number] = (key, values)
        return batch.result(found)

    @run_memo()
    def apply(self, rows, ctx):
        # Their hardship groups too: the determination reads them twice a row.
        people = Person.objects.prefetch_related("groups").in_bulk(
            {r.values["person_id"] for r in rows})
        live = live_enrollments(people, {r.values["year"] for r in rows}, Scheme.RESIDENT)
        outcome = Outcome()
        for row in rows:
            v = row.values
            person = people[v["person_id"]]
            existing = [e for e in live.get((person.pk, v["year"]), []) if not e.elsewhere]
            if existing and _same_payment(existing[0], v):
                outcome.unchanged += 1
                continue
            awaiting = next((e for e in existing
                             if e.status == EnrollmentStatus.AWAITING_PAYMENT), None)
            try:
                e = enrollment_record(actor=ctx.actor, person=person, year=v["year"],
                                      paid_on=v["paid_on"], amount_paid=Decimal(v["amount"]),
                                      channel=Channel.TAX_RECORD, instance=awaiting,
                                      paid_via=v["tax_channel"] or "",
                                      payment_reference=v.get("receipt") or "",
                                      request=ctx.request)
            except ValidationError as exc:
                raise refused(row, exc) from None
            if awaiting is None:
                outcome.created += 1
            else:
                outcome.updated += 1
            live.setdefault((person.pk, v["year"]), []).insert(0, e)
            receipt = f"，票据号{v['receipt']}" if v.get("receipt") else ""
            due = (e.amount_due or 0) + (e.repair_due or 0)
            differs = f"，与应缴{due}元不符，请核实" if e.amount_due is not None \
                and due != Decimal(v["amount"]) else ""
            outcome.note(f"{person.name}：{v['year']}年居民医保缴费{v['amount']}元"
                         f"（{v['paid_on']:%Y-%m-%d}，{v['tax_channel']}{receipt}）{differs}")
        return outcome
