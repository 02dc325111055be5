"""Leadership read side: rollup tables refreshed by jobs (dashboards/rollups.py). The official
resident populations (常住人口) that coverage is reported against are enrollment's (the
statistics bureau's feed writes them) and read here.

Pages read these tables only; nothing here is computed over persons while a page loads.
"""
from __future__ import annotations

from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models

from enrollment.models import OfficialPopulation, Region  # noqa: F401  (enrollment keeps
# the official population, fed by the statistics bureau's file; dashboards read it)


class CoverageRollup(models.Model):
    """Coverage numbers of one region (any level, down to grid) for one coverage year.

    Persons are counted where they live (常住地), alive as of the refresh."""

    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.CASCADE,
                               related_name="+", db_constraint=False, db_index=False)
    parent_code = models.CharField("上级区划代码", max_length=15, blank=True)
    depth = models.PositiveSmallIntegerField("代码层级长度")  # regions.LEVEL_LENGTH
    persons = models.PositiveIntegerField("在册人口（健在）", default=0)
    covered = models.PositiveIntegerField("已参保人数", default=0)
    resident = models.PositiveIntegerField("居民医保参保", default=0)
    employee = models.PositiveIntegerField("职工医保参保", default=0)
    elsewhere = models.PositiveIntegerField("外地参保", default=0)
    paid = models.PositiveIntegerField("已缴费", default=0)
    hardship = models.PositiveIntegerField("困难群体", default=0)
    hardship_covered = models.PositiveIntegerField("困难群体已参保", default=0)
    newborns = models.PositiveIntegerField("新生儿", default=0)
    newborns_90 = models.PositiveIntegerField("新生儿90天内参保", default=0)
    students = models.PositiveIntegerField("在校学生", default=0)
    students_covered = models.PositiveIntegerField("在校学生已参保", default=0)
    waiting = models.PositiveIntegerField("等待期内", default=0)
    # Renewal: persons insured last year (alive, living here now) and how they renewed: paid
    # by the end of the concentrated period, later, or not yet (the rest).
    renew_base = models.PositiveIntegerField("上年参保人数", default=0)
    renewed_on_time = models.PositiveIntegerField("按期续保", default=0)
    renewed_late = models.PositiveIntegerField("逾期续保", default=0)
    collected = models.DecimalField("居民医保已征缴金额（元）", max_digits=16, decimal_places=2,
                                    default=0)
    # Money (docs/payments.md): the year's resident enrollments of the people living here, and
    # the ledger's movements for them (sponsorship by the coverage year collected when it came).
    subsidies = models.DecimalField("困难群体资助参保（元）", max_digits=16, decimal_places=2,
                                    default=0)
    sponsorship_in = models.DecimalField("社会资助转入钱包（元）", max_digits=16,
                                         decimal_places=2, default=0)
    wallet_paid = models.DecimalField("医保钱包缴费（元）", max_digits=16, decimal_places=2,
                                      default=0)
    payer_paid = models.DecimalField("第三方代缴（元）", max_digits=16, decimal_places=2,
                                     default=0)
    credit_outstanding = models.DecimalField("信用参保欠缴（元）", max_digits=16,
                                             decimal_places=2, default=0)
    credit_overdue = models.PositiveIntegerField("信用参保逾期人数", default=0)
    credit_overdue_amount = models.DecimalField("信用参保逾期金额（元）", max_digits=16,
                                                decimal_places=2, default=0)
    rate = models.FloatField("参保率（在册口径，%）", null=True, blank=True)
    refresh_stamp = models.CharField("刷新批次", max_length=32)
    refreshed_at = models.DateTimeField("刷新时间")

    class Meta:
        verbose_name = verbose_name_plural = "参保汇总（按区划年度）"
        ordering = ["year", "region_id"]
        constraints = [
            models.UniqueConstraint(fields=["year", "region"], name="rollup_one_per_region_year"),
        ]
        indexes = [
            models.Index(fields=["region", "year"], name="rollup_region_year"),
            models.Index(fields=["year", "parent_code"], name="rollup_children"),
            # rankings walk this index lowest rate first and stop after a page
            models.Index(fields=["year", "depth", "rate", "region"], name="rollup_rank_by_rate"),
        ]

    def __str__(self):
        return f"{self.year} {self.region_id}"

    @property
    def uncovered(self):
        return max(self.persons - self.covered, 0)

    @property
    def hardship_uncovered(self):
        return max(self.hardship - self.hardship_covered, 0)

    @property
    def not_renewed(self):
        return max(self.renew_base - self.renewed_on_time - self.renewed_late, 0)


class DailyCollection(models.Model):
    """Resident enrollments for a coverage year recorded per day of the collection period (by payment
    date, else registration date), per region down to village: the collection curve. (A grid
    page shows its village's curve: grid-by-day rows would be most of the refresh's work.)"""

    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.CASCADE,
                               related_name="+", db_constraint=False, db_index=False)
    day = models.DateField("日期")
    enrolled = models.PositiveIntegerField("当日参保人数", default=0)
    refresh_stamp = models.CharField("刷新批次", max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "参保进度（按日）"
        ordering = ["year", "region_id", "day"]
        # Not unique: the refresh deletes a year and inserts it again under a lock, and a
        # unique index would check every new row against the rows just deleted.
        indexes = [models.Index(fields=["region", "year", "day"], name="daily_region_year_day")]

    def __str__(self):
        return f"{self.year} {self.region_id} {self.day}"


class FunnelRollup(models.Model):
    """The outreach funnel per region and year: from the registry (population, enrolled,
    paid) and, when the outreach app has its ledger, the ledger stages."""

    year = models.PositiveSmallIntegerField("年度")
    region = models.ForeignKey(Region, verbose_name="区划", on_delete=models.CASCADE,
                               related_name="+", db_constraint=False, db_index=False)
    stage = models.CharField("环节", max_length=30)
    position = models.PositiveSmallIntegerField("顺序")
    count = models.PositiveIntegerField("人数", default=0)
    refresh_stamp = models.CharField("刷新批次", max_length=32)

    class Meta:
        verbose_name = verbose_name_plural = "扩面漏斗"
        ordering = ["year", "region_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "stage"], name="funnel_one_per_stage"),
        ]

    def __str__(self):
        return f"{self.year} {self.region_id} {self.stage}"


class RefreshRun(models.Model):
    """One refresh of the rollups: when, why, how long, and whether it finished."""

    started_at = models.DateTimeField("开始时间", auto_now_add=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    reason = models.CharField("触发原因", max_length=50)
    years = models.CharField("年度", max_length=100)
    seconds = models.FloatField("耗时（秒）", null=True, blank=True)
    error = models.TextField("错误", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "汇总刷新记录"
        ordering = ["-started_at"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.reason}"


class Indicator(models.TextChoices):
    """The indicators of the 综合评价 (004 §14, 001 六); how each is measured is in
    dashboards/evaluation.py and docs/evaluation.md."""

    COVERAGE = "coverage", "参保人数目标完成率"
    HARDSHIP = "hardship", "困难群体应保尽保率"
    NEWBORNS = "newborns", "新生儿及时参保率"
    STUDENTS = "students", "在校学生参保率"
    CONTINUITY = "continuity", "上年参保人员续保率"
    COLLECTION = "collection", "基金征缴到账率"
    CLOSURE = "closure", "台账六步闭环办结率"
    VISITS = "visits", "台账走访频次"
    RECONCILIATION = "reconciliation", "比对疑点核实销号率"


class EvaluationWeight(models.Model):
    """How much each indicator counts in the score: data, kept by the superuser (the province's
    evaluation scheme), read by everyone who sees a scorecard."""

    indicator = models.CharField("指标", max_length=20, choices=Indicator.choices, unique=True)
    weight = models.DecimalField("权重（分）", max_digits=5, decimal_places=2,
                                 validators=[MinValueValidator(Decimal("0"))])
    note = models.CharField("说明", max_length=200, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "综合评价指标权重"
        ordering = ["pk"]

    def __str__(self):
        return f"{self.get_indicator_display()} {self.weight}分"
