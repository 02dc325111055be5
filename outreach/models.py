"""Outreach (扩面动员): grids and grid workers, the un-enrolled ledger (未参保台账), the six-step
tasks (部门联动—信息比对—数据下发—精准摸排—动员参保—汇总反馈), visits, campaigns and targets.

Sources: seed 004 §5–§7, §13, §14; seed 001 §10–§11; seed 000 §6.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from core.fields import BlindIndexField, EncryptedTextField
from enrollment.models import Enrollment, Person, Region

# Campaigns and targets are models of this app kept in a module of their own; importing them here
# registers them and keeps `from outreach.models import Campaign` working.
from .campaign_models import Campaign, CampaignDay, CampaignTarget, EnrollmentTarget  # noqa: F401,E402


class GridAssignment(models.Model):
    """A grid worker (网格员) working a grid. A worker may hold several grids; a grid may have
    several workers. An assignment ends (end_date) when the worker leaves; it is never deleted."""

    grid = models.ForeignKey(Region, verbose_name="网格", on_delete=models.PROTECT,
                             related_name="grid_assignments")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="网格员",
                               on_delete=models.PROTECT, related_name="grid_assignments")
    start_date = models.DateField("开始日期", default=dt.date.today)
    end_date = models.DateField("结束日期", null=True, blank=True)
    active = models.BooleanField("在岗", default=True, db_index=True)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="分配人", null=True,
                                    blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格员分配"
        ordering = ["grid", "worker"]
        constraints = [
            models.UniqueConstraint(fields=["grid", "worker"], condition=Q(active=True),
                                    name="one_active_assignment_per_grid_worker"),
        ]

    def __str__(self):
        return f"{self.worker} → {self.grid}"


class WorkerSubstitution(models.Model):
    """A worker leaves and a substitute takes over their grids and open tasks (recorded)."""

    leaving = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="离岗网格员",
                                on_delete=models.PROTECT, related_name="+")
    substitute = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="接替网格员",
                                   on_delete=models.PROTECT, related_name="+")
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT,
                               related_name="+")
    on = models.DateField("接替日期")
    reason = models.CharField("原因", max_length=200, blank=True)
    grids_moved = models.PositiveIntegerField("移交网格数", default=0)
    tasks_moved = models.PositiveIntegerField("移交任务数", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "网格员替换记录"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.leaving} → {self.substitute}（{self.on}）"


class Reason(models.TextChoices):
    """Why a person is not enrolled (seed 004 §6 asks the ledger to record it)."""

    ELSEWHERE = "elsewhere", "已在外地参保"
    EMPLOYEE = "employee", "参加职工医保"
    HARDSHIP = "hardship", "经济困难"
    UNWILLING = "unwilling", "不愿参保"
    UNREACHABLE = "unreachable", "无法联系"
    DECEASED = "deceased", "已死亡未销户"
    MILITARY = "military", "服兵役"
    PRISON = "prison", "服刑"
    ABROAD = "abroad", "出国（境）定居"
    DUPLICATE = "duplicate", "重复户籍"
    OTHER = "other", "其他"


# Choice: these reasons say the person is not someone this place should enroll (covered
# elsewhere or by another system, or not really here). A verified entry with one of them
# leaves the un-enrolled count but stays on the ledger, marked (seed 004 §6: 人口流入地 marks
# people enrolled elsewhere). The other reasons keep the person counted and worked.
EXCLUDING_REASONS = frozenset({
    Reason.ELSEWHERE, Reason.EMPLOYEE, Reason.DECEASED, Reason.MILITARY, Reason.PRISON,
    Reason.ABROAD, Reason.DUPLICATE,
})


class EntryStatus(models.TextChoices):
    OPEN = "open", "未参保"
    MARKED = "marked", "已标记（不计入）"
    ENROLLED = "enrolled", "已参保"
    GONE = "gone", "已移出（死亡/迁出）"


class Side(models.TextChoices):
    RESIDENCE = "residence", "常住地"
    HUKOU = "hukou", "户籍地"


class LedgerEntry(models.Model):
    """One un-enrolled person for a coverage year, in one place's ledger. A person whose
    household registration and residence lie in different villages (人户分离) has two entries,
    one on each side, both marked `separated`, so that both places can work them."""

    year = models.PositiveSmallIntegerField("年度")
    # No single-column indexes beside the composite ones below: every index is paid for by each
    # row the generation writes (half a million at 1M persons), and (person, year),
    # (grid, year, status) and (year, region, status) already lead with these columns.
    # No database foreign key to the person either, as for the per-year statuses: an entry is
    # derived from the person's row by the generation's own SELECT, and the deferred check
    # locked every written entry's person at commit (1M: 0.46 s of a 145,000-person part's
    # 2.65 s). Deleting a person through Django is still refused while entries exist (PROTECT).
    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT,
                               related_name="ledger_entries", db_index=False,
                               db_constraint=False)
    side = models.CharField("台账所在", max_length=10, choices=Side.choices,
                            default=Side.RESIDENCE)
    # No index of its own (nor its LIKE twin): the ledger is read by region only within a year,
    # through the (year, region, …) indexes and a code range (scope.region_q_range).
    # Region and grid carry no database foreign key (Django's PROTECT still refuses deleting a
    # region that has entries): both are cut from the person's region, which the person's own
    # key already holds to the region table, and the two checks per row were a third of the
    # generation's insert (100k: ~0.55 s of 1.9 s).
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT,
                               related_name="+", db_index=False, db_constraint=False,
                               help_text="本条台账所属的村（社区）：常住地或户籍地")
    grid = models.ForeignKey(Region, verbose_name="网格", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+", db_index=False,
                             db_constraint=False)
    separated = models.BooleanField("人户分离", default=False)
    # The ledger fields of seed 004 §6, kept as they were when the entry was made.
    name = models.CharField("姓名", max_length=50)
    # Copied from the person as ciphertext with its blind indexes (ledger generation is SQL).
    # The blind indexes are not indexed here, nor the name by trigram: the ledger's search by
    # number or name goes through the person's own indexes (selectors.ledger_search), so the
    # generation does not pay three more index insertions per row.
    id_number = EncryptedTextField("证件号码", max_length=30, blank=True,
                                   blind_index="id_number_bidx")
    id_number_bidx = BlindIndexField(source="id_number")
    phone = EncryptedTextField("联系方式", max_length=20, blank=True, blind_index="phone_bidx")
    phone_bidx = BlindIndexField(source="phone")
    reason = models.CharField("未参保原因", max_length=20, choices=Reason.choices, blank=True)
    reason_note = models.CharField("原因说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=EntryStatus.choices,
                              default=EntryStatus.OPEN)
    # Indexed only where set (Meta.indexes): the generation writes it empty.
    enrollment = models.ForeignKey(Enrollment, verbose_name="参保登记", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+", db_index=False)
    created_at = models.DateTimeField("生成时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "未参保台账"
        ordering = ["region", "name"]
        constraints = [
            models.UniqueConstraint(fields=["year", "person", "side"],
                                    name="one_ledger_entry_per_person_year_side"),
        ]
        indexes = [
            models.Index(fields=["person", "year"], name="ledger_person_year"),
            # A grid worker's ledger (by grid) and the ledger list's keyset order.
            models.Index(fields=["grid", "year", "status"], name="ledger_grid_year_status"),
            # The list's keyset order, carrying the status: the counts per status of a region
            # and the closings of a part read it alone, so no (year, region, status) index
            # beside it is written for every generated entry (1M: a tenth of the insert).
            models.Index(fields=["year", "region", "name", "id"], include=["status"],
                         name="ledger_year_region_name"),
            # An enrollment's deletion sets its entries' link to NULL: found through this index,
            # which holds only the closed entries that have one.
            models.Index(fields=["enrollment"], name="ledger_enrollment_set",
                         condition=Q(enrollment__isnull=False)),
        ]

    def __str__(self):
        return f"{self.year}年 {self.name}（{self.get_status_display()}）"

    @property
    def masked_id(self):
        from enrollment import idnumbers

        return idnumbers.mask(self.id_number)

    @property
    def masked_phone(self):
        from enrollment import idnumbers

        return idnumbers.mask_phone(self.phone)

    def clean(self):
        if self.reason == Reason.OTHER and not self.reason_note.strip():
            raise ValidationError({"reason_note": "选择“其他”时请填写原因说明。"})


class LedgerRun(models.Model):
    """A ledger generation job for a year and region; a page polls its progress."""

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.PROTECT,
                               related_name="+")
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.QUEUED)
    parts_total = models.PositiveIntegerField("分片数", default=0)
    parts_done = models.PositiveIntegerField("已完成分片", default=0)
    # The parts counted so far (their prefixes joined by commas): a part redelivered after its
    # commit (a worker that died before acknowledging) is not counted twice, so the run is never
    # marked done while another part is still working.
    parts_finished = models.JSONField("已完成的分片", default=list, blank=True)
    added = models.PositiveIntegerField("新增", default=0)
    closed = models.PositiveIntegerField("销号", default=0)
    error = models.TextField("错误信息", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="发起人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("发起时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    # Incremental runs: `watermark` is when this run began reading the registry; the next run
    # looks only at persons marked changed since then (`since`, empty for a full run).
    full = models.BooleanField("全量", default=False)
    since = models.DateTimeField("增量起点", null=True, blank=True)
    watermark = models.DateTimeField("本次水位", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "台账生成任务"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.year}年 {self.region} 台账生成（{self.get_status_display()}）"


class Batch(models.Model):
    """数据下发: a county or city pushes ledger entries of one township down in a batch."""

    year = models.PositiveSmallIntegerField("年度")
    pushed_by_region = models.ForeignKey(Region, verbose_name="下发单位",
                                         on_delete=models.PROTECT, related_name="+")
    township = models.ForeignKey(Region, verbose_name="接收乡镇（街道）",
                                 on_delete=models.PROTECT, related_name="+")
    due_date = models.DateField("反馈时限", null=True, blank=True)
    note = models.CharField("说明", max_length=200, blank=True)
    size = models.PositiveIntegerField("条数", default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="下发人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("下发时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "下发批次"
        ordering = ["-created_at"]

    def __str__(self):
        return f"{self.year}年 {self.township} 第{self.pk}批（{self.size}条）"


class TaskStatus(models.TextChoices):
    PUSHED = "pushed", "已下发"
    SIGNED = "signed", "已签领"
    INVESTIGATING = "investigating", "摸排中"
    MOBILISED = "mobilised", "已动员"
    ENROLLED = "enrolled", "已参保"
    CANNOT_ENROL = "cannot", "无法参保"
    REPORTED = "reported", "已反馈"


OPEN_TASK_STATUSES = [TaskStatus.PUSHED, TaskStatus.SIGNED, TaskStatus.INVESTIGATING,
                      TaskStatus.MOBILISED]
WORKING_STATUSES = [TaskStatus.SIGNED, TaskStatus.INVESTIGATING, TaskStatus.MOBILISED]
FINISHED_STATUSES = [TaskStatus.ENROLLED, TaskStatus.CANNOT_ENROL]


class Task(models.Model):
    """One ledger entry pushed down to be worked: pushed → signed → investigating → mobilised
    → enrolled / cannot enrol → reported. Each change is a guarded update and audited."""

    # The ledger is partitioned by year on PostgreSQL (core/partitions.py), so the database's
    # foreign key is (entry_id, entry_year) -> (id, year), added by migration 0005; Django's own
    # single-column constraint is off (db_constraint=False), PROTECT still holds in the ORM.
    entry = models.OneToOneField(LedgerEntry, verbose_name="台账条目", on_delete=models.PROTECT,
                                 related_name="task", db_constraint=False)
    entry_year = models.PositiveSmallIntegerField("台账年度", editable=False)
    batch = models.ForeignKey(Batch, verbose_name="批次", on_delete=models.PROTECT,
                              related_name="tasks")
    # Denormalised from the entry so that every list is an indexed prefix match.
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT,
                               related_name="+")
    grid = models.ForeignKey(Region, verbose_name="网格", null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="网格员", null=True,
                               blank=True, on_delete=models.PROTECT, related_name="outreach_tasks")
    status = models.CharField("状态", max_length=15, choices=TaskStatus.choices,
                              default=TaskStatus.PUSHED, db_index=True)
    outcome = models.CharField("结果", max_length=15, blank=True,
                               choices=[(TaskStatus.ENROLLED, "已参保"),
                                        (TaskStatus.CANNOT_ENROL, "无法参保")])
    cannot_reason = models.CharField("无法参保原因", max_length=20, choices=Reason.choices,
                                     blank=True)
    cannot_note = models.CharField("原因说明", max_length=200, blank=True)
    follow_up_date = models.DateField("下次跟进日期", null=True, blank=True, db_index=True)
    enrollment = models.ForeignKey(Enrollment, verbose_name="参保登记", null=True, blank=True,
                                   on_delete=models.SET_NULL, related_name="+")
    signed_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签领人", null=True,
                                  blank=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField("签领时间", null=True, blank=True)
    visited_at = models.DateTimeField("首次走访时间", null=True, blank=True)
    mobilised_at = models.DateTimeField("动员时间", null=True, blank=True)
    finished_at = models.DateTimeField("办结时间", null=True, blank=True)
    reported_at = models.DateTimeField("反馈时间", null=True, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "摸排任务"
        ordering = ["follow_up_date", "pk"]
        indexes = [
            models.Index(fields=["worker", "status"], name="task_worker_status"),
            models.Index(fields=["region", "status"], name="task_region_status"),
        ]

    def __str__(self):
        return f"{self.entry.name}（{self.get_status_display()}）"

    def save(self, *args, **kwargs):
        if self.entry_year is None:
            self.entry_year = self.entry.year
        super().save(*args, **kwargs)

    @property
    def is_open(self):
        return self.status in OPEN_TASK_STATUSES

    @property
    def person(self):
        return self.entry.person


class Visit(models.Model):
    """精准摸排: a home visit, phone call, door-step service or campaign contact."""

    class Method(models.TextChoices):
        HOME = "home", "入户走访"
        PHONE = "phone", "电话"
        SERVICE = "service", "上门服务"
        CAMPAIGN = "campaign", "集中宣传"

    class Outcome(models.TextChoices):
        NOT_MET = "not_met", "未见到本人"
        INFORMED = "informed", "已宣传政策"
        AGREED = "agreed", "同意参保"
        REFUSED = "refused", "拒绝参保"
        ENROLLED_ELSEWHERE = "elsewhere", "已在外地参保"
        OTHER = "other", "其他"

    task = models.ForeignKey(Task, verbose_name="任务", on_delete=models.CASCADE,
                             related_name="visits")
    visited_on = models.DateField("走访日期")
    method = models.CharField("方式", max_length=10, choices=Method.choices)
    outcome = models.CharField("结果", max_length=10, choices=Outcome.choices)
    note = models.CharField("情况说明", max_length=500, blank=True)
    next_follow_up = models.DateField("下次跟进日期", null=True, blank=True)
    worker = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="走访人", null=True,
                               on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField("记录时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "走访记录"
        ordering = ["-visited_on", "-pk"]

    def __str__(self):
        return f"{self.visited_on} {self.get_method_display()}：{self.get_outcome_display()}"

    def clean(self):
        errors = {}
        today = dt.date.today()
        if self.visited_on and self.visited_on > today:
            errors["visited_on"] = "走访日期不能晚于今天。"
        if self.next_follow_up and self.visited_on and self.next_follow_up < self.visited_on:
            errors["next_follow_up"] = "下次跟进日期不能早于走访日期。"
        if errors:
            raise ValidationError(errors)
