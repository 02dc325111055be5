"""失业保险金领取: the periods in which 人社 pays a person unemployment benefit.

During such a period the unemployment-insurance fund pays the person's resident contribution
(a third-party payer of the payments app). The registry only records the fact, from the 人社
list; payments reads it (enrollment imports no app above it). Kept apart from the hardship
groups on purpose: receiving unemployment benefit is not a hardship group, and the dashboards
count every PersonGroup as one.
"""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models


class UnemploymentBenefit(models.Model):
    person = models.ForeignKey("enrollment.Person", verbose_name="人员", on_delete=models.CASCADE,
                               related_name="unemployment_benefits")
    start_date = models.DateField("领取起始日期")
    end_date = models.DateField("领取终止日期", null=True, blank=True)
    source = models.CharField("数据来源", max_length=100, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "失业保险金领取人员"
        ordering = ["person", "-start_date"]
        constraints = [models.UniqueConstraint(fields=["person", "start_date"],
                                               name="one_unemployment_period_per_start")]
        indexes = [models.Index(fields=["start_date", "end_date"], name="unemployment_dates")]

    def __str__(self):
        until = f"至{self.end_date}" if self.end_date else "起"
        return f"失业保险金领取（{self.start_date}{until}）"

    def active_in(self, year: int) -> bool:
        """Any day of `year` falls in the period."""
        return self.start_date <= dt.date(year, 12, 31) and (
            self.end_date is None or self.end_date >= dt.date(year, 1, 1))

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "领取终止日期不能早于领取起始日期。"})
