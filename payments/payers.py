"""Third-party payers: their lists of people per year, their batch payments through the one
door, and what they have paid and who is still unpaid.

A batch is all or nothing, like a village's batch collection: a list with one problem is
corrected and paid again, so a payer never has to ask which half of a transfer went through.
The money moves in the same ledger as the wallets: from the payer's account to the fund.
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet

from enrollment import regions, scope
from enrollment import services as registry
from enrollment.audit import audit_record
from enrollment.models import (
    LIVE_STATUSES,
    AuditEntry,
    Channel,
    Enrollment,
    LifeStatus,
    Person,
    Region,
    Scheme,
    UnemploymentBenefit,
)

from .models import AccountKind, Payer, PayerKind, PayerMember, Transfer, TransferKind
from .services import _external, _move, fund_account


def visible_payers(user) -> QuerySet:
    """Payers serving the user's region, above it (a county's union seen from a township) or
    below it."""
    prefix = scope.region_prefix(user)
    if prefix is None:
        return Payer.objects.none()
    if user.is_superuser or prefix == "":
        return Payer.objects.all()
    own = user.region_id
    above = {regions.ancestor_code(own, level) for level in regions.LEVEL_ORDER
             if len(regions.prefix_of(own)) >= regions.LEVEL_LENGTH[level]
             and level != regions.GRID}
    return Payer.objects.filter(Q(region__code__startswith=prefix) | Q(region__code__in=above))


def _require_manager(actor) -> None:
    if not scope.can_manage_payers(actor):
        raise PermissionDenied("只有县级管理员和乡镇经办可以管理第三方代缴单位。")


@transaction.atomic
def payer_create(*, actor, name: str, kind: str, region: Region, contact: str = "",
                 request=None) -> Payer:
    _require_manager(actor)
    if not scope.region_in_scope(actor, region.code):
        raise ValidationError({"region": "服务区划：只能选择本辖区。"})
    name = (name or "").strip()
    if Payer.objects.filter(name=name).exists():
        raise ValidationError({"name": f"名称：“{name}”已登记。"})
    payer = Payer.objects.create(name=name, kind=kind, region=region, contact=contact)
    audit_record(user=actor, action=AuditEntry.Action.CREATE, obj=payer,
                 detail=f"登记第三方代缴单位：{payer.name}（{payer.get_kind_display()}）",
                 request=request)
    return payer


@transaction.atomic
def payer_add_members(*, actor, payer: Payer, year: int, persons: list[Person], note: str = "",
                      request=None) -> list[PayerMember]:
    """Put people on the payer's list for a year; people already listed are left as they are."""
    _require_manager(actor)
    if not visible_payers(actor).filter(pk=payer.pk).exists():
        raise PermissionDenied
    persons = list({p.pk: p for p in persons}.values())  # a person typed twice is listed once
    allowed = set(scope.filter_persons(actor, Person.objects.filter(
        pk__in=[p.pk for p in persons])).values_list("pk", flat=True))
    problems = [f"{p.name}（{p.masked_id}）：不在您的辖区内" for p in persons
                if p.pk not in allowed]
    problems += [f"{p.name}（{p.masked_id}）：已{p.get_life_status_display()}" for p in persons
                 if p.pk in allowed and not p.is_alive]
    if problems:
        raise ValidationError({"persons": problems})
    listed = set(PayerMember.objects.filter(payer=payer, year=year).values_list("person_id",
                                                                                 flat=True))
    added = [PayerMember.objects.create(payer=payer, person=p, year=year, note=note[:100],
                                        added_by=actor)
             for p in persons if p.pk not in listed]
    if added:
        audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=payer, request=request,
                     detail=f"{payer.name}{year}年代缴名单新增{len(added)}人")
    return added


def payer_add_unemployed(*, actor, payer: Payer, year: int, request=None) -> list[PayerMember]:
    """The unemployment fund pays for the people who receive unemployment benefit on any day of
    the year (the 人社 list the registry keeps as `UnemploymentBenefit`): those living or
    registered in the payer's region and the actor's scope, alive, are put on its list."""
    if payer.kind != PayerKind.UNEMPLOYMENT_FUND:
        raise ValidationError({"payer": f"{payer.name}不是失业保险基金，不能按失业保险金领取名单代缴。"})
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    receiving = UnemploymentBenefit.objects.filter(
        Q(end_date__isnull=True) | Q(end_date__gte=first), start_date__lte=last)
    persons = scope.filter_persons(actor, Person.objects.filter(
        scope.region_q_prefix(regions.prefix_of(payer.region_id), "residence_region_id",
                              "hukou_region_id"),
        pk__in=receiving.values("person_id"), life_status=LifeStatus.ALIVE))
    return payer_add_members(actor=actor, payer=payer, year=year, persons=list(persons),
                             note="失业保险金领取人员", request=request)


def _unpaid(payer: Payer, year: int, actor) -> list[Person]:
    members = scope.filter_persons(actor, Person.objects.filter(
        payer_memberships__payer=payer, payer_memberships__year=year))
    covered = Enrollment.objects.filter(year=year, scheme=Scheme.RESIDENT,
                                        status__in=LIVE_STATUSES).values("person_id")
    return list(members.exclude(pk__in=covered).order_by("pk"))


@transaction.atomic
def payer_batch_pay(*, actor, payer: Payer, year: int, paid_on: dt.date,
                    request=None) -> list[Enrollment]:
    """Pay every listed person of the year who is not yet enrolled, through the one door."""
    _require_manager(actor)
    if not visible_payers(actor).filter(pk=payer.pk).exists():
        raise PermissionDenied
    persons = _unpaid(payer, year, actor)
    if not persons:
        raise ValidationError({"year": f"待遇年度：{payer.name}{year}年名单上的人员都已参保，"
                                       "没有需要代缴的。"})
    enrollments = registry.enrollment_record_batch(
        actor=actor, persons=persons, year=year, paid_on=paid_on, channel=Channel.THIRD_PARTY,
        request=request)
    account = _external(AccountKind.PAYER, payer.name)
    for e in enrollments:
        if e.amount_paid:
            _move(kind=TransferKind.PAYER_PAYMENT, amount=e.amount_paid, actor=actor,
                  source=account, target=fund_account(e.pooling_region), enrollment=e,
                  memo=f"{payer.name}代缴{e.person.name}{year}年居民医保费")
    audit_record(user=actor, action=AuditEntry.Action.ENROLL, obj=payer, request=request,
                 detail=f"{payer.name}代缴{year}年居民医保费{len(enrollments)}人")
    return enrollments


@dataclass
class PayerReport:
    payer: Payer
    year: int
    listed: int
    paid_by_payer: int
    amount: Decimal
    enrolled_otherwise: int
    unpaid: list[Person]


def payer_report(*, actor, payer: Payer, year: int) -> PayerReport:
    """How many of the list the payer covered, how much it paid, who is still unpaid (only the
    people in the user's scope are counted)."""
    members = scope.filter_persons(actor, Person.objects.filter(
        payer_memberships__payer=payer, payer_memberships__year=year))
    transfers = Transfer.objects.filter(kind=TransferKind.PAYER_PAYMENT, enrollment__year=year,
                                        enrollment__person__in=members,
                                        entries__account__name=payer.name,
                                        entries__account__kind=AccountKind.PAYER,
                                        reversed_by__isnull=True).distinct()
    paid = transfers.count()
    amount = sum((t.amount for t in transfers), Decimal("0"))
    unpaid = _unpaid(payer, year, actor)
    return PayerReport(payer=payer, year=year, listed=members.count(), paid_by_payer=paid,
                       amount=amount, enrolled_otherwise=members.count() - paid - len(unpaid),
                       unpaid=unpaid)
