"""The monthly comparison's records (按月动态交叉比对): each run, and each finding in the review
queue (比对核查). The comparison itself is enrollment/exchange/comparison.py; the writes a clerk
makes on a finding are enrollment/services/findings.py."""
from __future__ import annotations

from django.conf import settings
from django.db import models

from .region_tree import Region


class FindingKind(models.TextChoices):
    GONE_ENROLLED = "gone_enrolled", "死亡/出国定居/注销后仍参保"
    MOVED_OUT = "moved_out", "户籍迁出后仍在本地参保"
    MOVED_IN = "moved_in", "迁入后仍在原统筹区参保"
    ELSEWHERE_TOO = "elsewhere_too", "重复参保（外地与本地）"
    EMPLOYEE_OVERLAP = "employee_overlap", "居民医保与职工医保重叠3个月以上"
    TWO_REGIONS = "two_regions", "同年在两个统筹区参加居民医保"
    DUPLICATE_PERSON = "duplicate_person", "疑似同一人两份档案"
    HARDSHIP_UNENROLLED = "hardship_unenrolled", "困难人员未参保（应保尽保）"
    NEWBORN_UNENROLLED = "newborn_unenrolled", "新生儿出生满60天未参保"
    STUDENT_UNENROLLED = "student_unenrolled", "在校学生未参保"


# The kinds whose finding changes who should be visited: the un-enrolled ledger is told through
# the change marker (enrollment/changes.py), which its incremental generation reads.
LEDGER_KINDS = frozenset({
    FindingKind.GONE_ENROLLED, FindingKind.MOVED_OUT, FindingKind.HARDSHIP_UNENROLLED,
    FindingKind.NEWBORN_UNENROLLED, FindingKind.STUDENT_UNENROLLED,
})


class FindingStatus(models.TextChoices):
    OPEN = "open", "待核查"
    RESOLVED = "resolved", "已处理"
    DISMISSED = "dismissed", "已核实无需处理"


class Resolution(models.TextChoices):
    STOPPED = "stopped", "停保"
    ELSEWHERE = "elsewhere", "登记外地参保"
    MERGED = "merged", "合并档案"
    DISMISSED = "dismissed", "核实无需处理"
    CLEARED = "cleared", "已消除（复核时不再存在）"


class ComparisonRun(models.Model):
    """One comparison over a region (every township below it is a part with its own
    transaction) or over the whole deployment (the monthly schedule: region empty)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "比对中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    region = models.ForeignKey(Region, verbose_name="比对范围", null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")
    day = models.DateField("比对日期")
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    parts_total = models.PositiveIntegerField("分片数", default=0)
    parts_done = models.PositiveIntegerField("已完成分片", default=0)
    findings = models.PositiveIntegerField("待核查问题", default=0)
    new = models.PositiveIntegerField("新发现", default=0)
    cleared = models.PositiveIntegerField("已消除", default=0)
    error = models.TextField("错误信息", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    started_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "比对批次"
        ordering = ["-pk"]

    def __str__(self):
        return f"{self.day} {self.region or '全部地区'} 比对（{self.get_status_display()}）"


class Finding(models.Model):
    """One thing the comparison found about a person (and, for two files of one person, the
    second file). One row for both places of a person who is 人户分离: `region` is the village
    of household registration, which owns it, `residence_region` the village where they live;
    both see it and what either records. `key` makes a re-run update the row instead of adding
    a second one."""

    key = models.CharField("比对键", max_length=80, unique=True, editable=False)
    kind = models.CharField("问题类型", max_length=30, choices=FindingKind.choices)
    person = models.ForeignKey("enrollment.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="findings", db_index=False)
    other_person = models.ForeignKey("enrollment.Person", verbose_name="另一份档案", null=True,
                                     blank=True, on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(Region, verbose_name="户籍地村（社区）", on_delete=models.PROTECT,
                               related_name="+", db_index=False)
    residence_region = models.ForeignKey(Region, verbose_name="常住地村（社区）",
                                         on_delete=models.PROTECT, related_name="+",
                                         db_index=False)
    details = models.JSONField("比对情况", default=dict, blank=True)
    status = models.CharField("状态", max_length=10, choices=FindingStatus.choices,
                              default=FindingStatus.OPEN)
    resolution = models.CharField("处理方式", max_length=12, choices=Resolution.choices,
                                  blank=True)
    resolution_reason = models.CharField("处理说明", max_length=200, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    resolved_at = models.DateTimeField("处理时间", null=True, blank=True)
    found_at = models.DateTimeField("发现时间")
    last_seen_run = models.ForeignKey(ComparisonRun, verbose_name="最近一次比对", null=True,
                                      blank=True, on_delete=models.SET_NULL, related_name="+",
                                      db_index=False)

    class Meta:
        verbose_name = verbose_name_plural = "比对核查"
        ordering = ["pk"]
        # Every index is one more write for each finding a run adds, and an indexed column a
        # rerun changes makes its update write every index (no HOT update): the rerun rewrites
        # `last_seen_run` of every finding seen, so it has no index (nothing reads findings by
        # run but a run's own part, found by region); the foreign keys' plain indexes repeat
        # the first column of the indexes below; scope filters regions by prefix (LIKE).
        indexes = [
            models.Index(fields=["region"], opclasses=["varchar_pattern_ops"],
                         name="finding_region_like"),
            models.Index(fields=["residence_region"], opclasses=["varchar_pattern_ops"],
                         name="finding_residence_like"),
            models.Index(fields=["region", "status", "kind"], name="finding_region_status"),
            models.Index(fields=["residence_region", "status"], name="finding_residence_status"),
            models.Index(fields=["person", "status"], name="finding_person_status"),
        ]

    def __str__(self):
        return f"{self.year}年 {self.get_kind_display()}（{self.get_status_display()}）"

    @property
    def separated(self) -> bool:
        return self.region_id != self.residence_region_id


class FindingNote(models.Model):
    """A check or visit recorded on a finding (核查记录): one row that both places of a person
    who is 人户分离 read."""

    finding = models.ForeignKey(Finding, verbose_name="比对问题", on_delete=models.CASCADE,
                                related_name="notes")
    text = models.CharField("核查情况", max_length=300)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="记录人", null=True,
                           on_delete=models.SET_NULL, related_name="+")
    by_region = models.ForeignKey(Region, verbose_name="记录单位", null=True, blank=True,
                                  on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "核查记录"
        ordering = ["finding", "pk"]
