"""A third-party payer's statement for a year (年度代缴对账单): who was on its list, who it
covered and for how much, with the receipt numbers, who enrolled otherwise or owes a credit
enrollment, who is still unpaid, and the totals. Only the people in the reader's scope are
listed (a county union's statement read in a village shows that village's people)."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from enrollment import scope
from enrollment.models import LIVE_STATUSES, Enrollment, Person, Scheme

from .models import AccountKind, Payer, PayerMember, Transfer, TransferKind


@dataclass
class StatementLine:
    member: PayerMember
    status: str  # 本单位代缴 / 其他方式参保 / 信用参保欠费 / 未缴
    enrollment: Enrollment | None = None
    amount: Decimal | None = None  # paid by this payer
    receipt: str = ""

    @property
    def person(self) -> Person:
        return self.member.person

    @property
    def label(self) -> str:
        """The status as shown: how someone enrolled otherwise paid (a parent, a wallet …)."""
        if self.status == OTHERWISE and self.enrollment.channel:
            return f"{self.status}（{self.enrollment.get_channel_display()}）"
        return self.status


@dataclass
class PayerStatement:
    payer: Payer
    year: int
    lines: list[StatementLine] = field(default_factory=list)

    def _count(self, status: str) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def listed(self) -> int:
        return len(self.lines)

    @property
    def covered(self) -> int:
        return self._count(PAID)

    @property
    def otherwise(self) -> int:
        return self._count(OTHERWISE)

    @property
    def owing(self) -> int:
        return self._count(OWING)

    @property
    def unpaid(self) -> int:
        return self._count(UNPAID)

    @property
    def total(self) -> Decimal:
        return sum((line.amount or Decimal("0") for line in self.lines), Decimal("0.00"))


PAID, OTHERWISE, OWING, UNPAID = "本单位代缴", "其他方式参保", "信用参保欠费", "未缴"


def payer_statement(*, actor, payer: Payer, year: int) -> PayerStatement:
    members = list(PayerMember.objects.filter(
        payer=payer, year=year,
        person__in=scope.filter_persons(actor, Person.objects.all()).values("pk"))
        .select_related("person__residence_region").order_by("person__residence_region_id",
                                                             "person__name", "pk"))
    persons = [m.person_id for m in members]
    live = {e.person_id: e for e in Enrollment.objects.filter(
        person_id__in=persons, year=year, scheme=Scheme.RESIDENT, status__in=LIVE_STATUSES,
        elsewhere=False).select_related("receipt")}
    paid = {t.enrollment_id: t.amount for t in Transfer.objects.filter(
        kind=TransferKind.PAYER_PAYMENT, enrollment__person_id__in=persons,
        enrollment__year=year, reversed_by__isnull=True, entries__account__kind=AccountKind.PAYER,
        entries__account__name=payer.name).distinct()}
    statement = PayerStatement(payer=payer, year=year)
    for member in members:
        e = live.get(member.person_id)
        line = StatementLine(member=member, status=UNPAID, enrollment=e)
        if e is not None and e.pk in paid:
            line.status, line.amount = PAID, paid[e.pk]
            receipt = getattr(e, "receipt", None)
            line.receipt = receipt.number if receipt else ""
        elif e is not None and e.owes_credit:
            line.status = OWING
        elif e is not None:
            line.status = OTHERWISE
        statement.lines.append(line)
    return statement
