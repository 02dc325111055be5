"""Hardship and special groups (困难群体) a person belongs to for a period, as the departments that
own the lists give them (民政, 乡村振兴, 残联, 退役军人事务), and how the policy engine counts them."""
from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords


class HardshipGroup(models.TextChoices):
    SPECIAL_HARDSHIP = "special_hardship", "特困人员"
    ORPHAN = "orphan", "孤儿/事实无人抚养儿童"
    LOW_INCOME = "low_income", "低保对象"
    MONITORED = "monitored", "防止返贫监测对象"
    DISABILITY = "disability", "重度残疾人"
    VETERAN = "veteran", "优抚对象"
    # Not hardship groups: registry facts the enrollment service reads to find the case
    # (R-WELFARE, R-EXIT-3M); the start date is the day of entry or of leaving.
    WELFARE_CHILD = "welfare_child", "儿童福利机构儿童（接收日期）"
    EXIT_INSURED_2Y = "exit_insured_2y", "连续参保2年以上后中断职工医保（退出日期）"
    EXIT_VETERAN = "exit_veteran", "当年退出现役的军人（退役日期）"
    EXIT_VETERAN_SPOUSE = "exit_veteran_spouse", "随军未就业配偶（退出日期）"
    EXIT_RELEASED = "exit_released_prisoner", "刑满释放人员（释放日期）"


# Which registry groups the policy engine treats as which subsidy group (RULES.md R-DUE-HARDSHIP:
# orphans and de-facto unsupported children are counted with 特困人员).
POLICY_GROUP_OF = {
    HardshipGroup.SPECIAL_HARDSHIP: "special_hardship",
    HardshipGroup.ORPHAN: "special_hardship",
    HardshipGroup.LOW_INCOME: "low_income",
    HardshipGroup.MONITORED: "monitored",
}
POLICY_GROUP_PRIORITY = ["special_hardship", "low_income", "monitored"]


class PersonGroup(models.Model):
    """Membership of a hardship or special group for a period (from the department that owns
    the list: 民政, 乡村振兴, 残联, 退役军人事务)."""

    person = models.ForeignKey("enrollment.Person", verbose_name="人员", on_delete=models.CASCADE,
                               related_name="groups")
    group = models.CharField("困难群体类别", max_length=30, choices=HardshipGroup.choices)
    start_date = models.DateField("认定日期")
    end_date = models.DateField("退出日期", null=True, blank=True)
    source = models.CharField("认定部门", max_length=50, blank=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "困难群体身份"
        ordering = ["person", "-start_date"]
        indexes = [models.Index(fields=["group", "start_date"], name="group_start")]

    def __str__(self):
        return f"{self.get_group_display()}（{self.start_date}起）"

    def active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or self.end_date >= day)

    def clean(self):
        if self.end_date and self.start_date and self.end_date < self.start_date:
            raise ValidationError({"end_date": "退出日期不能早于认定日期。"})
