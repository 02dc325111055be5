"""The job and chunk rows that record the January recalculation's progress (written only by
benefits.recalc.services), and the status both share."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from enrollment.models import Region


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
    # Incremental runs: `watermark` is when this run began reading the registry; the next run
    # looks only at persons marked changed since then (`since`, empty for a full run).
    full = models.BooleanField("全量", default=False)
    since = models.DateTimeField("增量起点", null=True, blank=True)
    watermark = models.DateTimeField("本次水位", null=True, blank=True)

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


class RecalcChange(models.Model):
    """What one job changed for one person: the cap credits (continuity bonus, zero-claim
    credit) and the waiting period before and after. Written by the chunk's own transaction from
    the old and new status rows (benefits.recalc.write); `*_after` empty: the person's status
    was removed (their enrollment is gone). A person computed for the first time for the year
    has no row: there is nothing to compare with."""

    job = models.ForeignKey(RecalcJob, verbose_name="任务", on_delete=models.CASCADE,
                            related_name="changes", db_index=False)
    person = models.ForeignKey("enrollment.Person", verbose_name="人员", on_delete=models.CASCADE,
                               related_name="+", db_index=False, db_constraint=False)
    pooling_region = models.ForeignKey(Region, verbose_name="统筹区", on_delete=models.DO_NOTHING,
                                       related_name="+", db_index=False, db_constraint=False)
    bonus_before = models.DecimalField("连续参保激励（前）", max_digits=12, decimal_places=2,
                                       null=True)
    bonus_after = models.DecimalField("连续参保激励（后）", max_digits=12, decimal_places=2,
                                      null=True)
    credit_before = models.DecimalField("零报销激励（前）", max_digits=12, decimal_places=2,
                                        null=True)
    credit_after = models.DecimalField("零报销激励（后）", max_digits=12, decimal_places=2,
                                       null=True)
    wait_before = models.PositiveSmallIntegerField("等待期（前，月）", null=True)
    wait_after = models.PositiveSmallIntegerField("等待期（后，月）", null=True)

    class Meta:
        verbose_name = verbose_name_plural = "待遇重算变化"
        ordering = ["job", "person"]
        # The result page lists a job's changes by person (keyset) and counts them by kind.
        indexes = [models.Index(fields=["job", "person"], name="recalc_change_job_person")]

    def __str__(self):
        return f"任务#{self.job_id} 人员{self.person_id}"

    @staticmethod
    def _credit(bonus, credit):
        return (bonus or 0) + (credit or 0)

    @property
    def credit_total_before(self):
        return self._credit(self.bonus_before, self.credit_before)

    @property
    def credit_total_after(self):
        return self._credit(self.bonus_after, self.credit_after)

    @property
    def gained(self) -> bool:
        return self.credit_total_after > self.credit_total_before

    @property
    def lost(self) -> bool:
        return self.credit_total_after < self.credit_total_before

    @property
    def wait_changed(self) -> bool:
        return self.wait_before != self.wait_after
