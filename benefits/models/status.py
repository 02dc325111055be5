"""The status of every person-year: the engine's answer for a person's resident enrollment in a
year, as the January recalculation last wrote it."""
from __future__ import annotations

from django.db import models

from enrollment.models import Enrollment, Person, Region


class PersonYearStatus(models.Model):
    """The engine's answer for a person's resident enrollment in a year, as the January
    recalculation last computed it (RULES.md sections 1-4). Written only by benefits.recalc."""

    # Indexes: the unique (person, year) and (year, pooling_region) cover the lookups; the
    # enrollment and job links are bookkeeping, without index or constraint, so that a chunk's
    # upsert maintains as few structures as possible. The person and region links carry no
    # database constraint either: the rows are derived from enrollments, whose own constraints
    # say the person and region exist, and the deferred checks cost each written row a lookup
    # and a lock on its person at commit (half the cost of an insert). Deleting a person or a
    # region through Django still cascades (CASCADE) or is refused (PROTECT).
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE,
                               related_name="year_statuses", db_index=False,
                               db_constraint=False)
    year = models.PositiveSmallIntegerField("待遇年度")
    pooling_region = models.ForeignKey(Region, verbose_name="参保统筹区", on_delete=models.PROTECT,
                                       related_name="+", db_index=False, db_constraint=False)
    enrollment = models.ForeignKey(Enrollment, verbose_name="参保登记", null=True, blank=True,
                                   on_delete=models.DO_NOTHING, related_name="+",
                                   db_index=False, db_constraint=False)
    profile_code = models.CharField("政策方案", max_length=30, blank=True)
    in_concentrated_period = models.BooleanField("集中缴费期内缴费", null=True)
    gap_years = models.PositiveSmallIntegerField("断缴年数", null=True)
    continuity_years = models.PositiveSmallIntegerField("连续参保年数", null=True)
    continuity_bonus = models.DecimalField("连续参保激励（元）", max_digits=12, decimal_places=2,
                                           null=True)
    zero_claim_credit = models.DecimalField("零报销激励（元）", max_digits=12, decimal_places=2,
                                            null=True)
    gap_penalty = models.DecimalField("断缴降额（元）", max_digits=12, decimal_places=2, null=True)
    effective_cap = models.DecimalField("大病保险最高支付限额（元）", max_digits=12,
                                        decimal_places=2, null=True)
    amount_due = models.DecimalField("应缴金额", max_digits=10, decimal_places=2, null=True)
    subsidy = models.DecimalField("资助金额", max_digits=10, decimal_places=2, null=True)
    repair_due = models.DecimalField("补缴金额", max_digits=10, decimal_places=2, null=True)
    waiting_fixed = models.PositiveSmallIntegerField("固定等待期（月）", null=True)
    waiting_variable = models.PositiveSmallIntegerField("变动等待期（月）", null=True)
    waiting_repaired = models.PositiveSmallIntegerField("补缴减少（月）", null=True)
    waiting_months = models.PositiveSmallIntegerField("等待期合计（月）", null=True)
    benefit_start = models.DateField("待遇享受开始", null=True)
    benefit_end = models.DateField("待遇享受结束", null=True)
    rule_ids = models.JSONField("适用规则", default=list)
    error = models.CharField("无法测算的原因", max_length=300, blank=True)
    job = models.ForeignKey("benefits.RecalcJob", verbose_name="最近变更的重算任务", null=True,
                            blank=True, on_delete=models.DO_NOTHING, related_name="+",
                            db_index=False, db_constraint=False)
    updated_at = models.DateTimeField("最近变更时间")

    class Meta:
        verbose_name = verbose_name_plural = "年度待遇状态"
        ordering = ["person", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_status_per_person_year"),
        ]
        indexes = [models.Index(fields=["year", "pooling_region"], name="status_year_region")]

    def __str__(self):
        return f"{self.year}年待遇状态"
