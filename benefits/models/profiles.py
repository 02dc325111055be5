"""Policy profiles as data (RULES.md: "a profile is data, not code").

`PolicyProfile` mirrors `benefits.rules.types.Profile` field for field; `YearStandard` holds one
coverage year's standards of a profile; `PoolingRegionProfile` says which profile a pooling region
follows (the nearest mapped ancestor wins, so mapping a province covers every county under it).
A new province is a new row, not new code.
"""
from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from simple_history.models import HistoricalRecords

from enrollment import regions
from enrollment.models import Region

from ..rules import types as rules_types

DEMO_HELP = "演示数值：正式使用前请按本省当年文件核对。"


class PolicyProfile(models.Model):
    """One province's policy parameters; each field is a parameter named in RULES.md."""

    class RepairPriceYear(models.TextChoices):
        PAYMENT = "payment", "按补缴当年标准"
        COVERAGE = "coverage", "按待遇年度标准"

    class StudentRule(models.TextChoices):
        HUNAN = "hunan", "湖南：入学当年9月1日起至次年年底（R-STU-HN）"
        SHANXI = "shanxi", "山西：缴费之日起至次年年底（R-STU-SX）"

    class CreditCover(models.TextChoices):
        PAYMENT = "payment", "自缴清欠费之日起"
        ENROLLMENT = "enrollment", "自登记之日起（欠费有担保）"

    code = models.SlugField("方案代码", max_length=30, unique=True,
                            help_text="英文小写，如 hunan、shanxi；案例文件的 profile 字段")
    name = models.CharField("方案名称", max_length=100)
    counting_start_year = models.PositiveSmallIntegerField(
        "起算年度", default=2025, help_text="断缴、连续参保和激励从该年起计算（“自2025年起”）")
    # Section 1
    employee_neutral_min_months = models.PositiveSmallIntegerField(
        "职工医保中性年最少月数", default=3,
        help_text="R-EMP-NEUTRAL：职工医保满该月数的年度既不算断缴也不算连续")
    # Section 2
    late_pays_subsidy = models.BooleanField(
        "集中期外缴费须补足财政补助", default=True, help_text="R-DUE-LATE（湖南是，山西否）")
    hardship_on_time_only = models.BooleanField(
        "困难群体资助仅限集中期", default=True, help_text="R-DUE-HARDSHIP（湖南是，山西否）")
    repair_price_year = models.CharField(
        "补缴单价年度", max_length=10, choices=RepairPriceYear.choices,
        default=RepairPriceYear.PAYMENT, help_text="R-DUE-REPAIR")
    # Section 3
    fixed_wait_months = models.PositiveSmallIntegerField("固定等待期（月）", default=3,
                                                         help_text="R-WAIT-FIXED")
    variable_wait_months_per_gap_year = models.PositiveSmallIntegerField(
        "每断缴1年变动等待期（月）", default=1, help_text="R-WAIT-VARIABLE")
    variable_wait_free_gap_years = models.PositiveSmallIntegerField(
        "不计变动等待期的断缴年数", default=0, help_text="R-WAIT-VARIABLE：0 表示断缴第1年即加1个月")
    repair_floor_gap_years = models.PositiveSmallIntegerField(
        "等待期下限起点（断缴年数）", default=4, help_text="R-WAIT-FLOOR")
    repair_floor_months = models.PositiveSmallIntegerField(
        "等待期下限（月）", default=6, help_text="R-WAIT-FLOOR")
    repair_charge_useful_only = models.BooleanField(
        "只收能缩短等待期的补缴", default=True, help_text="R-WAIT-REPAIR")
    ontime_wait_from_year_start = models.BooleanField(
        "集中期缴费的等待期自1月1日起算", default=True, help_text="R-WAIT-DATES")
    hardship_waits = models.BooleanField(
        "困难群体同样设等待期", default=True, help_text="R-DUE-HARDSHIP 的选择")
    # Section 4
    continuity_free_years = models.PositiveSmallIntegerField(
        "连续参保激励起点（年）", default=4, help_text="R-CAT-CONT：满该年数后每年提高")
    step = models.DecimalField("每年提高限额（元）", max_digits=10, decimal_places=2,
                               default=Decimal("5000"), help_text="R-CAT-CONT、R-CAT-ZERO")
    increase_cap_share = models.DecimalField(
        "累计提高上限（占原限额比例）", max_digits=5, decimal_places=4, null=True, blank=True,
        help_text="R-CAT-LIMIT：如 0.20；与下一项二选一")
    increase_cap_amount = models.DecimalField(
        "累计提高上限（元）", max_digits=10, decimal_places=2, null=True, blank=True,
        help_text="R-CAT-LIMIT：如 80000")
    zero_claim_next_on_time = models.BooleanField(
        "零报销激励要求次年集中期参保", default=True, help_text="R-CAT-ZERO")
    zero_claim_cleared_by_gap = models.BooleanField(
        "断缴清零零报销激励", default=False, help_text="R-CAT-ZERO-RESET 的选择")
    gap_penalty_step = models.DecimalField(
        "每断缴1年降低限额（元）", max_digits=10, decimal_places=2, default=Decimal("0"),
        help_text="R-CAT-GAP-PENALTY（山西 3000，湖南 0）")
    gap_penalty_cap = models.DecimalField(
        "累计降低上限（元）", max_digits=10, decimal_places=2, null=True, blank=True,
        default=Decimal("0"), help_text="R-CAT-GAP-PENALTY；留空表示不设上限")
    gap_penalty_lifted_by_repair = models.BooleanField(
        "补缴可撤销断缴降额", default=False, help_text="R-CAT-GAP-PENALTY 的选择")
    # Section 5
    newborn_days = models.PositiveSmallIntegerField("新生儿参保期限（天）", default=90,
                                                    help_text="R-NB-90、R-NB-OCT、R-NB-NEXT")
    newborn_90_day_rule = models.BooleanField("新生儿90天内参保自出生之日起享受", default=False,
                                              help_text="R-NB-90 / R-NB-LATE")
    newborn_october_option = models.BooleanField("10月1日后出生可只缴次年", default=False,
                                                 help_text="R-NB-OCT")
    newborn_october_within_days = models.BooleanField(
        "只缴次年须在期限内", default=True, help_text="R-NB-OCT 的选择")
    next_year_option_month = models.PositiveSmallIntegerField(
        "“次年”选项起始月份", default=10, help_text="R-NB-OCT、R-EMP-3M：该月1日（含）起")
    newborn_birth_year_free = models.BooleanField("新生儿出生当年免缴", default=False,
                                                  help_text="R-NB-FREE")
    newborn_next_year_window = models.BooleanField(
        "出生期限内缴次年费用不受集中期限制", default=False, help_text="R-NB-NEXT")
    welfare_child_anytime = models.BooleanField(
        "福利机构儿童随时参保", default=False, help_text="R-WELFARE")
    student_rule = models.CharField("大学生首次参保规则", max_length=10, blank=True,
                                    choices=StudentRule.choices, help_text="留空：无特殊规则")
    employee_3m_rule = models.BooleanField("职工转居民3个月内规则", default=False,
                                           help_text="R-EMP-3M")
    exit_3m_rule = models.BooleanField("退出其他制度3个月内参保无等待期", default=False,
                                       help_text="R-EXIT-3M")
    transfer_window_months = models.PositiveSmallIntegerField(
        "转换期限（月）", default=3, help_text="R-EMP-3M、R-EXIT-3M")
    employee_convert_years_per_year = models.PositiveSmallIntegerField(
        "居民缴费年数折算1年职工缴费年限", null=True, blank=True,
        help_text="R-EMP-CONVERT（山西 5）；留空表示无此规则")
    # Second pass: the seeds' pilots and open questions (benefits/rules/CHOICES.md).
    exit_insured_min_years = models.PositiveSmallIntegerField(
        "职工医保中断人员须连续参保年数", default=2,
        help_text="R-EXIT-3M：参保记录显示连续参保满该年数的，自动认定，无须另选类别")
    newborn_birth_year_share = models.DecimalField(
        "新生儿出生当年缴费比例", max_digits=5, decimal_places=4, default=Decimal("1"),
        help_text="R-NB-DISCOUNT：出生当年按个人缴费标准的该比例缴费（1 表示不优惠，0 表示免缴）")
    unemployment_bridge = models.BooleanField(
        "失业后至代缴前的月份视为参保", default=True,
        help_text="R-UNEMP：领取失业保险金人员，失业后至失业保险首次代缴前的月份不算断缴")

    # Credit enrollment (信用参保, 000 三(一), 003 #14; CHOICES.md R-CREDIT).
    credit_allowed = models.BooleanField(
        "开展信用参保", default=False, help_text="R-CREDIT：可先登记参保、后缴费（湖南是，山西否）")
    credit_cover = models.CharField(
        "信用参保待遇起算", max_length=12, choices=CreditCover.choices,
        default=CreditCover.PAYMENT, help_text="R-CREDIT")
    credit_term_days = models.PositiveSmallIntegerField(
        "信用参保缴费期限（天）", null=True, blank=True,
        help_text="R-CREDIT：登记后该天数内缴清；留空表示集中参保缴费期结束前缴清")

    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "政策方案"
        ordering = ["code"]

    def __str__(self):
        return f"{self.name}（{self.code}）"

    def clean(self):
        try:
            self.to_rules()
        except (ValueError, TypeError) as exc:
            raise ValidationError(str(exc)) from None
        if self.increase_cap_share is not None and self.increase_cap_amount is not None:
            raise ValidationError({"increase_cap_amount": "累计提高上限按比例或按金额，二选一。"})

    def to_rules(self) -> rules_types.Profile:
        """The engine's dataclass, field for field."""
        values = {name: getattr(self, name) for name in rules_types.Profile.field_names()}
        values["student_rule"] = self.student_rule or None
        return rules_types.Profile(**values)


HARDSHIP_HELP = (
    '困难群体资助表（JSON），如 {"special_hardship": {"share": 1.0}, "low_income": {"share": 0.5}, '
    '"monitored": {"amount": 100}}：share 为个人缴费的比例，amount 为定额（元）。')


class YearStandard(models.Model):
    """The standards of one coverage year for one profile: I(Y), S(Y), the concentrated period,
    the catastrophic cap L(Y) and the hardship subsidy table."""

    profile = models.ForeignKey(PolicyProfile, verbose_name="政策方案", on_delete=models.PROTECT,
                                related_name="standards")
    year = models.PositiveSmallIntegerField("待遇年度")
    individual = models.DecimalField("个人缴费标准（元）", max_digits=10, decimal_places=2,
                                     help_text=DEMO_HELP)
    subsidy = models.DecimalField("财政补助标准（元）", max_digits=10, decimal_places=2,
                                  help_text=DEMO_HELP)
    concentrated_start = models.DateField("集中参保缴费期开始")
    concentrated_end = models.DateField("集中参保缴费期结束")
    catastrophic_cap = models.DecimalField("大病保险最高支付限额（元）", max_digits=12,
                                           decimal_places=2, help_text=DEMO_HELP)
    hardship = models.JSONField("困难群体资助", default=dict, blank=True, help_text=HARDSHIP_HELP)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "年度缴费标准"
        ordering = ["profile", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["profile", "year"], name="one_standard_per_profile_year"),
        ]

    def __str__(self):
        return f"{self.profile.code} {self.year}年"

    def clean(self):
        errors = {}
        if self.concentrated_start and self.concentrated_end and \
                self.concentrated_end < self.concentrated_start:
            errors["concentrated_end"] = "集中参保缴费期结束日期不能早于开始日期。"
        if not isinstance(self.hardship, dict):
            errors["hardship"] = "资助表应为 JSON 对象。"
        else:
            for group, rate in self.hardship.items():
                if group not in rules_types.HARDSHIP_GROUPS:
                    errors["hardship"] = (f"未知的困难群体“{group}”，可选："
                                          + "、".join(rules_types.HARDSHIP_GROUPS))
                    break
                try:
                    rules_types.HardshipRate(**rate)
                except (TypeError, ValueError, ArithmeticError):
                    errors["hardship"] = (f"“{group}”的资助标准应为 share（0到1之间的比例）"
                                          "或 amount（金额）其中之一。")
                    break
        if errors:
            raise ValidationError(errors)

    def to_rules(self) -> rules_types.YearStandard:
        return rules_types.YearStandard(
            year=self.year, individual=self.individual, subsidy=self.subsidy,
            concentrated_start=self.concentrated_start, concentrated_end=self.concentrated_end,
            catastrophic_cap=self.catastrophic_cap, hardship=self.hardship or {},
            tiers={t.code: t.to_rules() for t in self.tiers.all()})


class ContributionTier(models.Model):
    """R-TIER (分档缴费, seed 000 三(八)): a tier of one year's standard. The person's tier is chosen
    at payment; the amount due, the repair price and the catastrophic cap follow it. A year
    without tiers uses its standard as it is."""

    standard = models.ForeignKey(YearStandard, verbose_name="年度缴费标准", on_delete=models.CASCADE,
                                 related_name="tiers")
    code = models.SlugField("档次代码", max_length=20, help_text="如 low、high；案例的 enrollment.tier")
    name = models.CharField("档次名称", max_length=40, blank=True, help_text="如 一档、二档")
    individual = models.DecimalField("个人缴费（元）", max_digits=10, decimal_places=2)
    catastrophic_cap = models.DecimalField(
        "大病保险最高支付限额（元）", max_digits=12, decimal_places=2, null=True, blank=True,
        help_text="留空：按该年度标准")
    reimbursement_ratio = models.DecimalField(
        "住院报销比例", max_digits=5, decimal_places=4, null=True, blank=True,
        help_text="0 到 1，如 0.65；留空：不随档次变化")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "分档缴费档次"
        ordering = ["standard", "individual"]
        constraints = [
            models.UniqueConstraint(fields=["standard", "code"], name="one_tier_code_per_standard"),
        ]

    def __str__(self):
        return f"{self.standard} {self.name or self.code}"

    def clean(self):
        try:
            self.to_rules()
        except (TypeError, ValueError, ArithmeticError):
            raise ValidationError({"reimbursement_ratio": "报销比例应为 0 到 1 之间的数。"}) from None

    def to_rules(self) -> rules_types.Tier:
        return rules_types.Tier(code=self.code, name=self.name, individual=self.individual,
                                catastrophic_cap=self.catastrophic_cap,
                                reimbursement_ratio=self.reimbursement_ratio)


class PoolingRegionProfile(models.Model):
    """Which profile a region follows. A pooling region's profile is that of its nearest mapped
    ancestor (itself included), so mapping a city covers its counties."""

    # No database constraint: the shipped mapping (data migration) names the demo city before
    # the region tree is loaded; the admin form still only offers existing regions.
    region = models.OneToOneField(Region, verbose_name="统筹区（或上级区划）", primary_key=True,
                                  on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="+")
    profile = models.ForeignKey(PolicyProfile, verbose_name="政策方案", on_delete=models.PROTECT,
                                related_name="regions")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "统筹区政策方案"
        ordering = ["region"]

    def __str__(self):
        return f"{self.region} → {self.profile.code}"

    @staticmethod
    def ancestor_codes(code: str) -> list[str]:
        """The code and its ancestors, nearest first."""
        codes = []
        while code:
            codes.append(code)
            code = regions.parent_code(code)
        return codes
