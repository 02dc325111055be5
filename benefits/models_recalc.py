"""The January recalculation (issue 4): claims summaries, the status of every person-year, and
the job and chunk rows that record the recalculation's progress.

Imported at the bottom of `benefits/models.py`, so these are models of the `benefits` app.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from enrollment.models import Enrollment, Person, Region

__all__ = ["ClaimSummary", "PersonYearStatus", "RecalcJob", "RecalcChunk"]


class ClaimSummary(models.Model):
    """What the fund paid for a person in a year (imported from the claims system). A year with
    no row is a year in which the fund paid nothing (R-CAT-ZERO)."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE,
                               related_name="claim_summaries", db_index=False)  # unique below
    year = models.PositiveSmallIntegerField("年度")
    fund_paid = models.DecimalField("基金支付金额（元）", max_digits=12, decimal_places=2)
    used_incentive = models.BooleanField(
        "大病保险报销使用了激励额度", default=False,
        help_text="R-CAT-ZERO-RESET：使用后此前累计的零报销激励清零")
    imported_at = models.DateTimeField("导入时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "年度报销汇总"
        ordering = ["person", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="one_claim_summary_per_person_year"),
            models.CheckConstraint(condition=Q(fund_paid__gte=0), name="claim_fund_paid_not_negative"),
        ]

    def __str__(self):
        return f"{self.year}年基金支付{self.fund_paid}元"


class PersonYearStatus(models.Model):
    """The engine's answer for a person's resident enrollment in a year, as the January
    recalculation last computed it (RULES.md sections 1-4). Written only by benefits.recalc."""

    # Indexes: the unique (person, year) and (year, pooling_region) cover the lookups; the
    # enrollment and job links are bookkeeping, without index or constraint, so that a chunk's
    # upsert maintains as few structures as possible.
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.CASCADE,
                               related_name="year_statuses", db_index=False)
    year = models.PositiveSmallIntegerField("待遇年度")
    pooling_region = models.ForeignKey(Region, verbose_name="参保统筹区", on_delete=models.PROTECT,
                                       related_name="+", db_index=False)
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


class JobStatus(models.TextChoices):
    PENDING = "pending", "排队中"
    RUNNING = "running", "运行中"
    DONE = "done", "已完成"
    FAILED = "failed", "失败"


class RecalcJob(models.Model):
    """One run of the recalculation for a year, over a region (None: every pooling region)."""

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", "定时（1月1日）"
        MANUAL = "manual", "管理员发起"
        COMMAND = "command", "命令行"

    year = models.PositiveSmallIntegerField("待遇年度")
    region = models.ForeignKey(Region, verbose_name="范围", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+",
                               help_text="留空：全部统筹区")
    trigger = models.CharField("发起方式", max_length=10, choices=Trigger.choices,
                               default=Trigger.MANUAL)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True,
                                     blank=True, on_delete=models.SET_NULL, related_name="+")
    status = models.CharField("状态", max_length=10, choices=JobStatus.choices,
                              default=JobStatus.PENDING, db_index=True)
    chunks_total = models.PositiveIntegerField("分片数", default=0)
    chunks_done = models.PositiveIntegerField("已完成分片", default=0)
    chunks_failed = models.PositiveIntegerField("失败分片", default=0)
    persons = models.PositiveIntegerField("人数", default=0)
    changed = models.PositiveIntegerField("变更行数", default=0)
    error = models.TextField("错误", blank=True)
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待遇重算任务"
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        scope = self.region.name if self.region_id else "全部统筹区"
        return f"{self.year}年待遇重算（{scope}）#{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (JobStatus.DONE, JobStatus.FAILED)

    @property
    def percent(self) -> int:
        if not self.chunks_total:
            return 100 if self.finished else 0
        return round(100 * self.chunks_done / self.chunks_total)


class RecalcChunk(models.Model):
    """A slice of a job: the persons of one pooling region with ids in [id_from, id_to]. Done in
    one transaction, so a killed worker leaves it to be redone, never half-applied."""

    job = models.ForeignKey(RecalcJob, verbose_name="任务", on_delete=models.CASCADE,
                            related_name="chunks")
    pooling_region = models.ForeignKey(Region, verbose_name="统筹区", on_delete=models.PROTECT,
                                       related_name="+")
    id_from = models.BigIntegerField("人员ID起")
    id_to = models.BigIntegerField("人员ID止")
    status = models.CharField("状态", max_length=10, choices=JobStatus.choices,
                              default=JobStatus.PENDING, db_index=True)
    attempts = models.PositiveSmallIntegerField("尝试次数", default=0)
    persons = models.PositiveIntegerField("人数", default=0)
    changed = models.PositiveIntegerField("变更行数", default=0)
    error = models.TextField("错误", blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("结束时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待遇重算分片"
        ordering = ["job", "pooling_region", "id_from"]
        constraints = [
            models.UniqueConstraint(fields=["job", "pooling_region", "id_from"],
                                    name="one_chunk_per_job_region_range"),
        ]

    def __str__(self):
        return f"{self.pooling_region_id} [{self.id_from}–{self.id_to}]"
