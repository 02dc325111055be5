"""Writes of the wallet: sponsorship in, a close relative's transfer in, paying a contribution
through the one door, reversal. Each runs in one transaction, locks the wallet it takes money
from before reading its balance (so two payments at the same moment cannot overdraw it), writes
two entries that balance, and leaves an audit entry naming the acting user."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from enrollment import scope
from enrollment import services as registry
from enrollment.audit import audit_record
from enrollment.models import AuditEntry, Channel, Enrollment, Person, Region
from enrollment.relations import CLOSE_RELATIVES, RELATIONS, close_relative_labels

from .models import Account, AccountKind, Entry, SponsorSource, Transfer, TransferKind
from .selectors import balance

MAX_AMOUNT = Decimal("99999999.99")


def wallet_for(person: Person) -> Account:
    """Every insured person has a wallet; it is opened the first time it is needed."""
    account, _ = Account.objects.get_or_create(
        kind=AccountKind.WALLET, person=person, defaults={"name": f"{person.name}的医保钱包"})
    return account


def _external(kind: str, name: str, source: str = "") -> Account:
    account, _ = Account.objects.get_or_create(kind=kind, source=source, name=name)
    return account


def fund_account(region: Region) -> Account:
    return _external(AccountKind.FUND, f"{region.name}（{region.code}）居民医保基金")


def clean_amount(value) -> Decimal:
    """An amount of money from a form, a command or a test: positive, at most two decimals."""
    try:
        amount = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        raise ValidationError({"amount": f"金额：“{value}”不是有效金额。"}) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError({"amount": "金额：必须大于0元。"})
    if amount > MAX_AMOUNT:
        raise ValidationError({"amount": "金额：超过单笔上限。"})
    if amount != amount.quantize(Decimal("0.01")):
        raise ValidationError({"amount": "金额：最多两位小数（分）。"})
    return amount.quantize(Decimal("0.01"))


def _check_person(actor, person: Person, field: str = "person") -> None:
    scope.require_write(actor)
    if not scope.filter_persons(actor, Person.objects.filter(pk=person.pk)).exists():
        raise PermissionDenied
    if not person.is_alive:
        raise ValidationError({field: f"{person.name}已{person.get_life_status_display()}，"
                                      "不能再存入或使用医保钱包。"})


def _locked(account: Account) -> Account:
    return Account.objects.select_for_update().get(pk=account.pk)


def _move(*, kind: str, source: Account, target: Account, amount: Decimal, actor,
          **fields) -> Transfer:
    transfer = Transfer.objects.create(kind=kind, amount=amount, created_by=actor, **fields)
    Entry.objects.bulk_create([Entry(transfer=transfer, account=source, amount=-amount),
                               Entry(transfer=transfer, account=target, amount=amount)])
    return transfer


def _spend(account: Account, amount: Decimal, what: str) -> None:
    """Refuse before writing when the (locked) wallet cannot cover the amount."""
    available = balance(account)
    if available < amount:
        raise ValidationError({"amount": f"金额：{account.name}余额{available}元，不足以{what}"
                                         f"{amount}元。"})


@transaction.atomic
def wallet_credit(*, actor, person: Person, amount, source: str, sponsor: str, memo: str = "",
                  request=None) -> Transfer:
    """Sponsorship (社会力量参保资助): a charity, an enterprise or a person outside the registry
    puts money into the person's wallet."""
    _check_person(actor, person)
    amount = clean_amount(amount)
    if source not in SponsorSource.values:
        raise ValidationError({"source": "资助来源类别：请选择慈善组织、企业、个人或红十字会。"})
    sponsor = (sponsor or "").strip()
    if not sponsor:
        raise ValidationError({"sponsor": "资助方名称：请填写。"})
    transfer = _move(kind=TransferKind.SPONSORSHIP, amount=amount, actor=actor, memo=memo[:200],
                     source=_external(AccountKind.SPONSOR, sponsor[:100], source),
                     target=wallet_for(person))
    audit_record(user=actor, action=AuditEntry.Action.CREATE, person=person, obj=transfer,
                 detail=f"医保钱包资助转入{amount}元（{sponsor}）", request=request)
    return transfer


def _check_relation(relation: str, evidence: str) -> None:
    if relation not in CLOSE_RELATIVES:
        raise ValidationError({"relation": "与收款人关系：医保钱包只能在近亲属（"
                                           f"{close_relative_labels()}）之间使用。"})
    if not (evidence or "").strip():
        raise ValidationError({"evidence": "关系证明：请写明依据（如户口簿，或经办人核验的证明材料）。"})


@transaction.atomic
def wallet_transfer_from_relative(*, actor, person: Person, relative: Person, relation: str,
                                  evidence: str, amount, request=None) -> Transfer:
    """A close relative's wallet pays into this person's wallet (R-RELATIVES' list)."""
    _check_person(actor, person)
    _check_person(actor, relative, field="relative")
    if relative.pk == person.pk:
        raise ValidationError({"relative": "转出人：不能是本人。"})
    _check_relation(relation, evidence)
    amount = clean_amount(amount)
    source = _locked(wallet_for(relative))
    _spend(source, amount, "转出")
    transfer = _move(kind=TransferKind.RELATIVE, amount=amount, actor=actor, source=source,
                     target=wallet_for(person), relation=relation, evidence=evidence[:200],
                     memo=f"{relative.name}（{RELATIONS[relation]}）转入")
    audit_record(user=actor, action=AuditEntry.Action.CREATE, person=person, obj=transfer,
                 detail=f"近亲属{relative.name}钱包转入{amount}元", request=request)
    return transfer


@transaction.atomic
def wallet_pay(*, actor, person: Person, year: int, paid_on: dt.date, owner: Person | None = None,
               relation: str = "", evidence: str = "", repair_years: int = 0,
               request=None) -> Enrollment:
    """Pay the person's resident contribution (and any repair) from a wallet — the person's own,
    or a close relative's — through the one door. The enrollment and both ledger entries are
    written together or not at all."""
    owner = owner or person
    _check_person(actor, owner, field="owner")
    if owner.pk != person.pk:
        _check_relation(relation, evidence)
    wallet = _locked(wallet_for(owner))
    enrollment = registry.enrollment_record(
        actor=actor, person=person, year=year, paid_on=paid_on, channel=Channel.WALLET,
        repair_years=repair_years, request=request)
    amount = enrollment.amount_paid or Decimal("0")
    if amount <= 0:
        raise ValidationError({"amount": "金额：本次应缴为0元，无需从医保钱包缴费。"})
    _spend(wallet, amount, "缴纳")
    _move(kind=TransferKind.PAYMENT, amount=amount, actor=actor, source=wallet,
          target=fund_account(enrollment.pooling_region), enrollment=enrollment,
          relation="" if owner.pk == person.pk else relation, evidence=evidence[:200],
          memo=f"缴纳{person.name}{year}年城乡居民医保费")
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=owner, obj=enrollment,
                 detail=f"医保钱包缴费{amount}元（为{person.name}缴纳{year}年）", request=request)
    return enrollment


@transaction.atomic
def wallet_reverse(*, actor, transfer: Transfer, reason: str, request=None) -> Transfer:
    """Undo a movement with a new transfer the other way; the original is never edited. A
    payment comes back to the wallet only when its enrollment is no longer live (stopped,
    moved elsewhere): a live enrollment keeps its money."""
    if not (reason or "").strip():
        raise ValidationError({"reason": "冲正原因：请填写。"})
    original = Transfer.objects.select_for_update().get(pk=transfer.pk)
    if original.kind == TransferKind.REVERSAL:
        raise ValidationError({"reason": "冲正交易不能再冲正。"})
    if Transfer.objects.filter(reverses=original).exists():
        raise ValidationError({"reason": "该交易已冲正，请勿重复操作。"})
    entries = {e.amount > 0: e.account for e in original.entries.select_related("account")}
    received_by, paid_by = entries[True], entries[False]
    for account in (received_by, paid_by):
        if account.person_id:
            _check_person(actor, account.person)
    if original.kind == TransferKind.PAYMENT and original.enrollment.is_live:
        raise ValidationError({"reason": "该缴费对应的参保登记仍有效，请先停保再冲正退回钱包。"})
    if received_by.kind == AccountKind.WALLET:
        _spend(_locked(received_by), original.amount, "冲正退回")
    reversal = _move(kind=TransferKind.REVERSAL, amount=original.amount, actor=actor,
                     source=received_by, target=paid_by, reverses=original,
                     memo=f"冲正：{reason.strip()[:180]}")
    person = received_by.person or paid_by.person
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, person=person, obj=reversal,
                 detail=f"冲正{original}：{reason.strip()}", request=request)
    return reversal
