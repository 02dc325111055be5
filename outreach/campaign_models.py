"""Campaigns (the September concentrated campaign and others) and enrollment targets: what the
outreach work aims at, per region and year."""
from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from enrollment.models import Region


class Campaign(models.Model):
    """The September campaign (每年9月集中宣传, seed 001 §11, 004 §7) or another drive."""

    name = models.CharField("活动名称", max_length=100)
    year = models.PositiveSmallIntegerField("参保年度", help_text="动员参保的待遇年度")
    region = models.ForeignKey(Region, verbose_name="组织单位", on_delete=models.PROTECT,
                               related_name="+")
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="创建人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("创建时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "集中宣传活动"
        ordering = ["-start_date"]

    def __str__(self):
        return self.name

    def clean(self):
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "结束日期不能早于开始日期。"})


class CampaignTarget(models.Model):
    campaign = models.ForeignKey(Campaign, verbose_name="活动", on_delete=models.CASCADE,
                                 related_name="targets")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT,
                               related_name="+")
    target_enrollments = models.PositiveIntegerField("目标参保人数")

    class Meta:
        verbose_name = verbose_name_plural = "活动目标"
        ordering = ["campaign", "region"]
        constraints = [models.UniqueConstraint(fields=["campaign", "region"],
                                               name="one_target_per_campaign_region")]

    def __str__(self):
        return f"{self.campaign}：{self.region} {self.target_enrollments}人"


class CampaignDay(models.Model):
    """Daily progress rollup of a campaign: enrollments paid that day per target region
    (refreshed by a job; pages never count enrollments per request)."""

    campaign = models.ForeignKey(Campaign, verbose_name="活动", on_delete=models.CASCADE,
                                 related_name="days")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT,
                               related_name="+")
    day = models.DateField("日期")
    enrollments = models.PositiveIntegerField("当日参保人数", default=0)
    visits = models.PositiveIntegerField("当日走访次数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "活动每日进度"
        ordering = ["campaign", "region", "day"]
        constraints = [models.UniqueConstraint(fields=["campaign", "region", "day"],
                                               name="one_campaign_day_per_region")]

    def __str__(self):
        return f"{self.day} {self.region}：{self.enrollments}"


class EnrollmentTarget(models.Model):
    """The yearly enrollment target of a region, set by the level above (seed 004 §14: from
    resident population, registered population and enrollment potential). Dashboards read it."""

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT,
                               related_name="enrollment_targets")
    year = models.PositiveSmallIntegerField("年度")
    target_count = models.PositiveIntegerField("目标参保人数", null=True, blank=True)
    target_rate = models.DecimalField("目标参保率（%）", max_digits=5, decimal_places=2,
                                      null=True, blank=True)
    resident_population = models.PositiveIntegerField("常住人口", default=0)
    registered_population = models.PositiveIntegerField("户籍人口", default=0)
    potential = models.PositiveIntegerField("扩面潜力（未参保人数）", default=0)
    note = models.CharField("说明", max_length=200, blank=True)
    set_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="下达人", null=True,
                               on_delete=models.SET_NULL, related_name="+")
    set_at = models.DateTimeField("下达时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "参保目标"
        ordering = ["-year", "region"]
        constraints = [models.UniqueConstraint(fields=["region", "year"],
                                               name="one_enrollment_target_per_region_year")]

    def __str__(self):
        return f"{self.year}年 {self.region} 目标"

    def clean(self):
        errors = {}
        if self.target_count is None and self.target_rate is None:
            errors["target_count"] = "请填写目标参保人数或目标参保率。"
        if self.target_rate is not None and not (0 < self.target_rate <= 100):
            errors["target_rate"] = "目标参保率应在0到100之间。"
        if errors:
            raise ValidationError(errors)
