"""Enrollment targets and concentrated campaigns (集中宣传): set by the county and township,
followed by a daily rollup of enrollments and visits."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count

from enrollment import regions, scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry, Enrollment, LifeStatus, LIVE_STATUSES, Person, Region

from ..models import (
    Campaign,
    CampaignDay,
    CampaignTarget,
    EnrollmentTarget,
    EntryStatus,
    LedgerEntry,
    Side,
    Visit,
)


def region_population(region: Region, year: int) -> dict:
    """Resident and registered population and the open ledger (potential) of a region."""
    prefix = regions.prefix_of(region.code)
    alive = Person.objects.filter(life_status=LifeStatus.ALIVE)
    return {
        "resident_population": alive.filter(
            scope.region_q_prefix(prefix, "residence_region_id")).count(),
        "registered_population": alive.filter(
            scope.region_q_prefix(prefix, "hukou_region_id")).count(),
        "potential": LedgerEntry.objects.filter(
            scope.region_q_range(prefix, "region_id"), year=year, side=Side.RESIDENCE,
            status=EntryStatus.OPEN).count(),
    }


@transaction.atomic
def target_set(*, actor, region: Region, year: int, target_count: int | None = None,
               target_rate: Decimal | None = None, note: str = "",
               request=None) -> EnrollmentTarget:
    """下达目标: the level above sets a region's yearly enrollment target (seed 004 §14)."""
    scope.require_write(actor)
    if not scope.can_manage_outreach(actor):
        raise PermissionDenied("参保目标由上级（县、乡）下达。")
    if not scope.region_in_scope(actor, region.code) or (
            not actor.is_superuser and region.code == actor.region_id):
        raise ValidationError({"region": "只能为本辖区的下级区划下达目标，本级目标由上级下达。"})
    target = EnrollmentTarget.objects.filter(region=region, year=year).first() or \
        EnrollmentTarget(region=region, year=year)
    target.target_count, target.target_rate, target.note = target_count, target_rate, note
    target.set_by = actor
    for k, v in region_population(region, year).items():
        setattr(target, k, v)
    target.full_clean(exclude=["region", "set_by"])
    target.save()
    audit_record(user=actor, action=AuditEntry.Action.UPDATE, obj=target, request=request,
                 detail=f"下达{year}年参保目标：{target_count or ''}人 {target_rate or ''}%")
    return target


@transaction.atomic
def campaign_create(*, actor, name: str, year: int, region: Region, start_date: dt.date,
                    end_date: dt.date, targets: dict[str, int] | None = None,
                    request=None) -> Campaign:
    scope.require_write(actor)
    if not scope.can_manage_outreach(actor):
        raise PermissionDenied("集中宣传活动由县、乡两级组织。")
    if not scope.region_in_scope(actor, region.code):
        raise ValidationError({"region": "只能为本辖区组织活动。"})
    campaign = Campaign(name=name, year=year, region=region, start_date=start_date,
                        end_date=end_date, created_by=actor)
    campaign.full_clean(exclude=["region", "created_by"])
    campaign.save()
    known = set(Region.objects.filter(code__in=list(targets or {})).values_list("code",
                                                                              flat=True))
    for code, count in (targets or {}).items():
        if not code.startswith(regions.prefix_of(region.code)):
            raise ValidationError({"targets": f"目标区划{code}不在{region.name}范围内。"})
        if code not in known:
            raise ValidationError({"targets": f"区划代码{code}不存在，请核对。"})
        CampaignTarget.objects.create(campaign=campaign, region_id=code,
                                      target_enrollments=count)
    audit_record(user=actor, action=AuditEntry.Action.CREATE, obj=campaign, request=request,
                 detail=f"{name}（{start_date}至{end_date}）")
    return campaign


@transaction.atomic
def campaign_refresh_progress(*, campaign_id: int) -> int:
    """Rebuild the daily rollup of a campaign: enrollments for the campaign's year paid each
    day (residents living in each target region) and visits made. Safe to run twice."""
    campaign = Campaign.objects.get(pk=campaign_id)
    CampaignDay.objects.filter(campaign=campaign).delete()
    target_codes = list(campaign.targets.values_list("region_id", flat=True)) or \
        [campaign.region_id]
    rows = []
    for code in target_codes:
        prefix = regions.prefix_of(code)
        per_day = dict(Enrollment.objects.filter(
            scope.region_q_prefix(prefix, "person__residence_region_id"),
            year=campaign.year, status__in=LIVE_STATUSES,
            paid_on__range=(campaign.start_date, campaign.end_date))
            .values_list("paid_on").annotate(n=Count("pk")))
        visits = dict(Visit.objects.filter(
            scope.region_q_prefix(prefix, "task__region_id"),
            visited_on__range=(campaign.start_date, campaign.end_date))
            .values_list("visited_on").annotate(n=Count("pk")))
        for day in sorted(set(per_day) | set(visits)):
            rows.append(CampaignDay(campaign=campaign, region_id=code, day=day,
                                    enrollments=per_day.get(day, 0), visits=visits.get(day, 0)))
    CampaignDay.objects.bulk_create(rows, batch_size=2000)
    return len(rows)

