"""The rows of data exchange: one `FeedImport` per uploaded department file (its job and its
report), and the official resident population the statistics bureau sends (the dashboards'
denominator, fed by the `population` kind; enrollment owns it so that the feed, which lives in
enrollment, never imports dashboards)."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from ..region_tree import Region


class FeedImport(models.Model):
    """One department file on its way in: staged, checked (the preview), confirmed, applied by a
    job that records its progress here, and then its report. Written only by
    enrollment.exchange.flow."""

    class Status(models.TextChoices):
        STAGED = "staged", "待确认"
        PENDING = "pending", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        REFUSED = "refused", "未导入（有错误行）"
        FAILED = "failed", "失败"
        ABANDONED = "abandoned", "已放弃"

    kind = models.CharField("数据类型", max_length=30, db_index=True)
    title = models.CharField("名单", max_length=100)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="导入人", null=True,
                             on_delete=models.SET_NULL, related_name="+")
    # The importer's region when they imported: who may see the import and its report.
    region = models.ForeignKey(Region, verbose_name="所属区划", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    file_name = models.CharField("文件名", max_length=200, blank=True)
    staged_token = models.CharField("暂存文件", max_length=40, blank=True, editable=False)
    valid_only = models.BooleanField("只导入有效行", default=False)
    source = models.CharField("数据来源", max_length=100, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.STAGED, db_index=True)
    rows = models.PositiveIntegerField("行数", default=0)
    created = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    rejected = models.PositiveIntegerField("错误行", default=0)
    progress = models.PositiveSmallIntegerField("进度（%）", default=0)
    changes = models.TextField("变更内容", blank=True)
    # The error file's lines: row, column, message, hint (ID numbers masked).
    problems = models.JSONField("错误行", default=list, blank=True)
    error = models.TextField("失败原因", blank=True)
    attempts = models.PositiveSmallIntegerField("执行次数", default=0)
    created_at = models.DateTimeField("上传时间", auto_now_add=True)
    confirmed_at = models.DateTimeField("确认时间", null=True, blank=True)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据交换导入"
        ordering = ["-pk"]
        indexes = [models.Index(fields=["region", "id"], name="feedimport_region_id")]

    def __str__(self):
        return f"{self.title}#{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.REFUSED, self.Status.FAILED,
                               self.Status.ABANDONED)

    @property
    def status_label(self) -> str:
        """The status as lists show it: a staged file never confirmed has expired (swept)."""
        import datetime as dt

        from django.utils import timezone

        from core.uploads import STAGED_TTL

        if self.status == self.Status.STAGED and self.created_at and (
                timezone.now() - self.created_at > dt.timedelta(seconds=STAGED_TTL)):
            return "已过期（未导入）"
        return self.get_status_display()

    @property
    def change_lines(self) -> list[str]:
        return [line for line in self.changes.splitlines() if line]


class OfficialPopulation(models.Model):
    """常住人口 of a region in a year, from the statistics bureau: the denominator leadership
    reports coverage against (dashboards read it). Fed by the `population` kind, or kept in
    the admin by county administrators."""

    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT,
                               related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    population = models.PositiveIntegerField("常住人口")
    source = models.CharField("数据来源", max_length=100, blank=True,
                              help_text="如：统计局年度人口抽样调查")
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "常住人口（统计口径）"
        ordering = ["year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"],
                                    name="one_population_per_region_year"),
        ]

    def __str__(self):
        return f"{self.region_id} {self.year}年常住人口 {self.population}"
