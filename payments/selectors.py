"""Reads of the wallet: balances are sums of entries; statements list a wallet's entries with
the running balance."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from .models import Account, Entry


def balance(account: Account) -> Decimal:
    total = Entry.objects.filter(account=account).aggregate(s=Sum("amount"))["s"]
    return (total or Decimal("0")).quantize(Decimal("0.01"))


def person_balance(person) -> Decimal:
    account = Account.objects.filter(person=person).first()
    return balance(account) if account else Decimal("0.00")


@dataclass
class StatementLine:
    entry: Entry
    running: Decimal

    @property
    def income(self) -> Decimal | None:
        return self.entry.amount if self.entry.amount > 0 else None

    @property
    def spending(self) -> Decimal | None:
        return -self.entry.amount if self.entry.amount < 0 else None


def statement(person, year: int) -> tuple[Decimal, list[StatementLine], Decimal]:
    """Opening balance on 1 January, the year's lines with running balance, closing balance."""
    account = Account.objects.filter(person=person).first()
    if account is None:
        return Decimal("0.00"), [], Decimal("0.00")
    entries = Entry.objects.filter(account=account).select_related(
        "transfer", "transfer__created_by", "transfer__enrollment__person").order_by(
        "transfer__created_at", "pk")
    opening = entries.filter(transfer__created_at__year__lt=year).aggregate(
        s=Sum("amount"))["s"] or Decimal("0")
    running, lines = opening, []
    for entry in entries.filter(transfer__created_at__year=year):
        running += entry.amount
        lines.append(StatementLine(entry, running))
    return opening.quantize(Decimal("0.01")), lines, running.quantize(Decimal("0.01"))
