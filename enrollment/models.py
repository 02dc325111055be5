"""The registry: persons (一人一档), households, schools, enterprises, enrollments.

Database constraints say what must never happen (one resident enrollment per person and year,
unique ID number); `clean()` turns the same rules into messages a person can read.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Substr
from django.db.models.lookups import Exact
from simple_history.models import HistoricalRecords

from core.fields import BlindIndexField, EncryptedTextField

from . import idnumbers, regions, relations
# The region tree, the audit log and the staff are models of this app kept in modules of their
# own; importing them here registers them with the app and keeps `from enrollment.models import
# Region, AuditEntry, User` working.
from .audit_entry import AuditEntry  # noqa: F401
from .finding import ComparisonRun, Finding, FindingNote  # noqa: F401
from .institutions import Enterprise, School  # noqa: F401
from .person_groups import (  # noqa: F401
    POLICY_GROUP_OF,
    POLICY_GROUP_PRIORITY,
    HardshipGroup,
    PersonGroup,
)
from .region_tree import Region
from .staff import Role, User  # noqa: F401
from .transfer_request import TransferRequest  # noqa: F401
from .unemployment import UnemploymentBenefit  # noqa: F401
from .exchange.models import FeedImport, OfficialPopulation  # noqa: F401,E402


# Person fields whose copied index the history table does without: its pages read a person's
# rows by `id` (kept), ordered by history_date (kept by simple_history).
HISTORY_UNINDEXED = ["id_number_bidx", "birth_cert_bidx", "name", "phone_bidx", "hukou_region",
                     "residence_region", "household", "school", "employer", "life_status",
                     "merged_into"]


class Household(models.Model):
    """一户一档: a household registration booklet and where it lives."""

    number = models.CharField("户号", max_length=30, unique=True)
    head_name = models.CharField("户主姓名", max_length=50)
    region = models.ForeignKey(Region, verbose_name="所在村（社区）", on_delete=models.PROTECT)
    address = models.CharField("住址", max_length=200, blank=True)
    phone = EncryptedTextField("联系电话", max_length=20, blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    # The history is read per household (`id`); the copied unique/foreign-key indexes only
    # cost every imported household more writes (docs/scale.md "Imports").
    history = HistoricalRecords(no_db_index=["number", "region"])

    class Meta:
        verbose_name = verbose_name_plural = "家庭户"
        ordering = ["number"]

    def __str__(self):
        return f"{self.head_name}户（{self.number}）"


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", "居民身份证"
    HMT_PERMIT = "hmt_permit", "港澳台居民居住证"
    BIRTH_CERT = "birth_cert", "出生医学证明"
    FOREIGN_PR = "foreign_pr", "外国人永久居留身份证"
    OTHER = "other", "其他"


class Sex(models.TextChoices):
    MALE = "M", "男"
    FEMALE = "F", "女"


class LifeStatus(models.TextChoices):
    ALIVE = "alive", "正常"
    DECEASED = "deceased", "死亡"
    EMIGRATED = "emigrated", "出国（境）定居"
    MOVED_OUT = "moved_out", "迁出"
    MISSING, DEREGISTERED = ("missing", "失踪"), ("deregistered", "户籍注销")  # 公安 lists
    MERGED = "merged", "已合并（重复档案）"  # kept, never deleted: see services/files.py


# The relations and the close relatives are written once, in enrollment/relations.py (plain
# Python, also read by the policy engine).
Relation = models.TextChoices(
    "Relation", [(code.upper(), (code, label)) for code, label in relations.RELATIONS.items()])


# R-RELATIVES (001 §4, 004 §1): whose resident contribution an employee's personal account may
# pay. Nobody else.
CLOSE_RELATIVES = relations.CLOSE_RELATIVES


class Person(models.Model):
    """一人一档: one file per person. The ID number is unique in the database; a newborn is
    known by the birth medical certificate number until the ID is issued, and both then
    point to this same file."""

    id_type = models.CharField("证件类型", max_length=20, choices=IdType.choices,
                               default=IdType.RESIDENT_ID)
    # Encrypted at rest; unique and searched through the blind indexes (core/fields.py).
    id_number = EncryptedTextField("证件号码", max_length=30, null=True, blank=True,
                                   blind_index="id_number_bidx")
    id_number_bidx = BlindIndexField(source="id_number", unique=True)
    birth_cert_number = EncryptedTextField("出生医学证明编号", max_length=20, null=True,
                                           blank=True, blind_index="birth_cert_bidx")
    birth_cert_bidx = BlindIndexField(source="birth_cert_number", unique=True)
    # Indexed in Meta.indexes: (name, birth_date) and the trigram/bigram GIN indexes.
    name = models.CharField("姓名", max_length=50)
    name_initials = models.CharField("姓名拼音首字母", max_length=20, editable=False, blank=True)
    sex = models.CharField("性别", max_length=1, choices=Sex.choices)
    birth_date = models.DateField("出生日期")
    phone = EncryptedTextField("联系电话", max_length=20, blank=True, blind_index="phone_bidx")
    phone_bidx = BlindIndexField(source="phone", db_index=True)
    # The region foreign keys are indexed in Meta.indexes (prefix and equality), not twice.
    hukou_region = models.ForeignKey(Region, verbose_name="户籍地", on_delete=models.PROTECT,
                                     related_name="hukou_persons", db_index=False)
    residence_region = models.ForeignKey(Region, verbose_name="常住地",
                                         on_delete=models.PROTECT,
                                         related_name="resident_persons", db_index=False)
    address = models.CharField("住址", max_length=200, blank=True)
    household = models.ForeignKey(Household, verbose_name="家庭户", null=True, blank=True,
                                  on_delete=models.SET_NULL, related_name="members")
    relation_to_head = models.CharField("与户主关系", max_length=20, choices=Relation.choices,
                                        blank=True)
    school = models.ForeignKey(School, verbose_name="就读学校", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="students",
                               db_index=False)  # partial index in Meta.indexes
    # As the school roster (教育 学籍名单) gives them; db_default for the bulk paths' COPY.
    school_grade = models.CharField("年级", max_length=20, blank=True, db_default="")
    school_class = models.CharField("班级", max_length=20, blank=True, db_default="")
    employer = models.ForeignKey(Enterprise, verbose_name="工作单位", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="employees",
                                 db_index=False)  # partial index in Meta.indexes
    life_status = models.CharField("人员状态", max_length=20, choices=LifeStatus.choices,
                                   default=LifeStatus.ALIVE)  # indexed in Meta.indexes
    life_status_date = models.DateField("状态变更日期", null=True, blank=True)
    life_status_source = models.CharField("状态来源", max_length=100, blank=True,
                                          help_text="如：公安死亡数据、民政火化数据、本人申报")
    merged_into = models.ForeignKey("self", verbose_name="已合并至", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="merged_files",
                                    db_index=False)  # partial index in Meta.indexes
    merged_at = models.DateTimeField("合并时间", null=True, blank=True)
    created_at = models.DateTimeField("建档时间", auto_now_add=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    inputs_changed_at = models.DateTimeField("信息变更时间", null=True, blank=True, editable=False)
    # The history is read per person (`id`, the person page) and by `history_user`; the other
    # indexes simple_history copies from the model cost every imported person 16 more writes.
    history = HistoricalRecords(excluded_fields=["name_initials", "updated_at",
                                                 "inputs_changed_at"],
                                no_db_index=HISTORY_UNINDEXED)

    class Meta:
        verbose_name = verbose_name_plural = "参保人员"
        ordering = ["residence_region_id", "name", "pk"]
        # Every index costs every imported person one more write (docs/scale.md "Imports"),
        # so each one here says which query needs it; the trigram and bigram GIN indexes of
        # the name search are in migration 0007. Equality on a region code or on the initials
        # uses the varchar_pattern_ops index (the database collation is not C, so a plain
        # b-tree cannot serve `LIKE '4301%'`); a plain index on residence_region alone would
        # repeat the first column of person_res_life and person_res_name_id.
        indexes = [
            # Region scope: "everyone under this county" is `LIKE prefix%` on either region.
            models.Index(fields=["residence_region"], opclasses=["varchar_pattern_ops"],
                         name="person_residence_like"),
            models.Index(fields=["hukou_region"], opclasses=["varchar_pattern_ops"],
                         name="person_hukou_like"),
            # The living persons of a village (coverage, the ledger).
            models.Index(fields=["residence_region", "life_status"], name="person_res_life"),
            # The ledger's household-registration side: those living in another village than
            # their registration (人户分离), by code range; nobody else is in it. Without it each
            # ledger part read the whole person table (1M: 0.26 s a part). The ledger's SQL spells
            # the predicate the same way (outreach/services/ledger.py), or it cannot be used.
            models.Index(fields=["hukou_region"], name="person_separated_hukou",
                         condition=~Q(Exact(Substr("hukou_region", 1, 12),
                                            Substr("residence_region", 1, 12)))),
            # Status across a region's villages (the deceased, the moved away).
            models.Index(fields=["life_status"], name="person_life_status"),
            # The incremental recalculation and ledger: persons changed since the watermark.
            models.Index(fields=["inputs_changed_at"], name="person_inputs_changed"),
            # The list's order (keyset pagination), covering what the list and the name search
            # filter on (scope, merged files, initials), so a walk that skips rows reads the
            # index only (enrollment/selectors.py).
            models.Index(fields=["residence_region", "name", "id"], name="person_res_name_id",
                         include=["hukou_region", "merged_into", "name_initials"]),
            # The monthly comparison's likely duplicates: same name and birth date (also
            # every equality on name).
            models.Index(fields=["name", "birth_date"], name="person_name_birth"),
            # Search by pinyin initials: a prefix.
            models.Index(fields=["name_initials"], opclasses=["varchar_pattern_ops"],
                         name="person_initials_like"),
            # Rarely set foreign keys (students, employees, merged files): only the rows that
            # have one are indexed, so an import of persons without them writes nothing here;
            # `school_id = …` (and the delete cascade's `IN (…)`) implies NOT NULL.
            models.Index(fields=["school"], condition=Q(school__isnull=False),
                         name="person_school"),
            models.Index(fields=["employer"], condition=Q(employer__isnull=False),
                         name="person_employer"),
            models.Index(fields=["merged_into"], condition=Q(merged_into__isnull=False),
                         name="person_merged_into"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(id_number__isnull=False) | Q(birth_cert_number__isnull=False),
                name="person_has_an_identity_document",
            ),
        ]

    def __str__(self):
        return f"{self.name}（{self.masked_id}）"

    @property
    def masked_id(self):
        return idnumbers.mask(self.id_number or self.birth_cert_number)

    @property
    def masked_phone(self):
        return idnumbers.mask_phone(self.phone)

    @property
    def is_alive(self):
        return self.life_status == LifeStatus.ALIVE

    @property
    def separated(self):
        """人户分离: registered in one village, living in another (a grid is part of its
        village, so only the 12-digit village codes are compared)."""
        return (regions.ancestor_code(self.hukou_region_id, regions.VILLAGE)
                != regions.ancestor_code(self.residence_region_id, regions.VILLAGE))

    def age_on(self, day: dt.date) -> int:
        years = day.year - self.birth_date.year
        return years - ((day.month, day.day) < (self.birth_date.month, self.birth_date.day))

    def clean(self):
        errors = {}
        if self.id_type in (IdType.RESIDENT_ID, IdType.HMT_PERMIT):
            try:
                parsed = idnumbers.parse(self.id_number or "")
            except idnumbers.IdNumberError as exc:
                errors["id_number"] = str(exc)
            else:
                self.id_number = parsed.number
                if parsed.is_permit != (self.id_type == IdType.HMT_PERMIT):
                    errors["id_type"] = (
                        "81/82/83开头的号码是港澳台居民居住证，请选择对应证件类型。"
                        if parsed.is_permit
                        else "居住证号码应以81、82或83开头；这是居民身份证号码。"
                    )
                if self.birth_date and self.birth_date != parsed.birth_date:
                    errors["birth_date"] = (
                        f"出生日期与证件号码不符：号码中为{parsed.birth_date:%Y年%m月%d日}。"
                    )
                if self.sex and self.sex != parsed.sex:
                    errors["sex"] = "性别与证件号码第17位不符（奇数为男，偶数为女）。"
        elif self.id_type == IdType.BIRTH_CERT:
            if not self.birth_cert_number:
                errors["birth_cert_number"] = "请填写出生医学证明编号。"
        elif not self.id_number:
            errors["id_number"] = "请填写证件号码。"
        if self.birth_date and self.birth_date > dt.date.today():
            errors["birth_date"] = "出生日期不能晚于今天。"
        if errors:
            raise ValidationError(errors)


class Scheme(models.TextChoices):
    RESIDENT = "resident", "城乡居民医保"
    EMPLOYEE = "employee", "职工医保"


class EnrollmentStatus(models.TextChoices):
    AWAITING_PAYMENT = "awaiting", "待缴费"
    ACTIVE = "active", "参保缴费"
    STOPPED = "stopped", "已停保"
    TRANSFERRED = "transferred", "已转移"


LIVE_STATUSES = [EnrollmentStatus.AWAITING_PAYMENT, EnrollmentStatus.ACTIVE]


class Channel(models.TextChoices):
    INDIVIDUAL = "individual", "个人缴费"
    VILLAGE_BATCH = "village_batch", "村（社区）代收"
    SCHOOL_BATCH = "school_batch", "学校代收"
    RELATIVE_ACCOUNT = "relative_account", "亲属职工医保个人账户"
    WALLET = "wallet", "医保钱包"
    TAX_RECORD = "tax_record", "税务征缴记录"
    EMPLOYER = "employer", "单位缴纳"
    THIRD_PARTY = "third_party", "第三方代缴"


class Enrollment(models.Model):
    """One person, one year, one scheme. The determination fields are filled from the policy
    engine (benefits) when the enrollment is recorded and at the January recalculation."""

    person = models.ForeignKey(Person, verbose_name="人员", on_delete=models.PROTECT,
                               related_name="enrollments")
    year = models.PositiveSmallIntegerField("待遇年度")
    scheme = models.CharField("险种", max_length=10, choices=Scheme.choices,
                              default=Scheme.RESIDENT)
    # Empty only elsewhere outside this deployment's regions (then elsewhere_code and _name).
    pooling_region = models.ForeignKey(Region, verbose_name="参保统筹区", null=True, blank=True,
                                       on_delete=models.PROTECT, related_name="+")
    elsewhere = models.BooleanField(
        "外地参保", default=False,
        help_text="在本系统管辖以外的统筹区参保（由比对数据或人口流入地标记得知）")
    elsewhere_code = models.CharField("外地参保地区划代码", max_length=12, blank=True,
                                      db_default="", help_text="参保地不在本系统区划内时（如省外）")
    elsewhere_name = models.CharField("外地参保地名称", max_length=100, blank=True, db_default="")
    status = models.CharField("状态", max_length=12, choices=EnrollmentStatus.choices,
                              default=EnrollmentStatus.AWAITING_PAYMENT, db_index=True)
    paid_on = models.DateField("缴费日期", null=True, blank=True)
    amount_paid = models.DecimalField("实缴金额", max_digits=10, decimal_places=2, null=True,
                                      blank=True)
    channel = models.CharField("缴费渠道", max_length=20, choices=Channel.choices, blank=True)
    # What the collecting agency (税务) reports beside the money: the way it was paid (微信,
    # 银行代扣…) and its receipt number, so a disputed payment can be traced to its record.
    # db_default: the bulk paths (COPY, INSERT … SELECT) name their columns and leave these out.
    paid_via = models.CharField("缴费方式", max_length=30, blank=True, db_default="")
    payment_reference = models.CharField("缴费票据号", max_length=40, blank=True, db_default="")
    payer = models.ForeignKey(Person, verbose_name="代缴亲属", null=True, blank=True,
                              on_delete=models.PROTECT, related_name="paid_for")
    payer_relation = models.CharField("代缴人与参保人关系", max_length=20, blank=True)
    in_concentrated_period = models.BooleanField("集中缴费期内缴费", default=False)
    employer = models.ForeignKey(Enterprise, verbose_name="参保单位", null=True, blank=True,
                                 on_delete=models.SET_NULL, related_name="enrollments")
    cover_start = models.DateField("参保起始日", null=True, blank=True,
                                   help_text="职工医保：本年度参保开始日期")
    cover_end = models.DateField("参保终止日", null=True, blank=True,
                                 help_text="职工医保：本年度参保终止日期（停保次日为首个未参保日）")
    stopped_on = models.DateField("停保日期", null=True, blank=True)
    stop_reason = models.CharField("停保原因", max_length=200, blank=True)
    # 信用参保 (R-CREDIT): enrolled on credit_since with credit_outstanding owed by credit_due_on;
    # the payment that settles it sets credit_settled_on (docs/payments.md).
    credit_since = models.DateField("信用参保登记日", null=True, blank=True)
    credit_due_on = models.DateField("欠费缴清期限", null=True, blank=True)
    credit_outstanding = models.DecimalField("欠缴金额", max_digits=10, decimal_places=2,
                                             default=Decimal("0"), db_default=Decimal("0"))
    credit_settled_on = models.DateField("欠费缴清日", null=True, blank=True)

    # Determination (benefits engine)
    amount_due = models.DecimalField("应缴金额", max_digits=10, decimal_places=2, null=True,
                                     blank=True)
    subsidy = models.DecimalField("资助金额", max_digits=10, decimal_places=2, null=True,
                                  blank=True)
    repair_due = models.DecimalField("补缴金额", max_digits=10, decimal_places=2, null=True,
                                     blank=True)
    repair_years = models.PositiveSmallIntegerField("补缴年数", default=0)
    # R-TIER, chosen at payment. A column, not a case_details key: the January recalculation
    # reads it in the same row fetch, and a tiered ordinary person keeps an empty case_details,
    # so stays on the recalculation's shared-answer fast path (the tier joins the cache key).
    tier_code = models.CharField(
        "缴费档次", max_length=20, blank=True, default="",
        help_text="分档缴费地区：缴费时选择的档次代码；留空按该年度缴费标准")
    waiting_fixed = models.PositiveSmallIntegerField("固定等待期（月）", null=True, blank=True)
    waiting_variable = models.PositiveSmallIntegerField("变动等待期（月）", null=True, blank=True)
    waiting_repaired = models.PositiveSmallIntegerField("补缴减少（月）", null=True, blank=True)
    waiting_months = models.PositiveSmallIntegerField("等待期合计（月）", null=True, blank=True)
    benefit_start = models.DateField("待遇享受开始", null=True, blank=True)
    benefit_end = models.DateField("待遇享受结束", null=True, blank=True)
    effective_cap = models.PositiveIntegerField("大病保险最高支付限额", null=True, blank=True)
    rule_ids = models.JSONField("适用规则", default=list, blank=True)
    explanation = models.JSONField("测算说明", default=list, blank=True)
    case_details = models.JSONField(
        "特殊情形", default=dict, blank=True,
        help_text="新生儿、学生、福利机构儿童、职工转居民等情形的录入信息")
    determination = models.JSONField(
        "登记时测算结果", default=dict, blank=True,
        help_text="登记时政策引擎的完整输出（与 policy_case 相同的字段）")

    created_at = models.DateTimeField("登记时间", auto_now_add=True)
    created_by = models.ForeignKey("enrollment.User", verbose_name="经办人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    history = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "参保登记"
        ordering = ["person", "-year"]
        constraints = [
            # R-ONE-ENROLLMENT: at most one live resident enrollment per person and year.
            models.UniqueConstraint(
                fields=["person", "year"],
                condition=Q(scheme="resident", status__in=["awaiting", "active"]),
                name="one_resident_enrollment_per_person_year",
            ),
            # A pooling region is known: ours, or (elsewhere only) the outside code.
            models.CheckConstraint(
                condition=Q(pooling_region__isnull=False) | (Q(elsewhere=True)
                                                             & ~Q(elsewhere_code="")),
                name="enrollment_pooling_region_known",
            ),
        ]
        indexes = [
            models.Index(fields=["year", "scheme", "status"], name="enrollment_year_scheme"),
            models.Index(fields=["pooling_region", "year"], name="enrollment_region_year"),
            models.Index(fields=["credit_due_on"], name="enrollment_credit_owed",
                         condition=Q(credit_outstanding__gt=0)),  # the overdue lists
            # Who is covered in a year (any scheme): the ledger's anti-join and closings. The
            # partial index holds only the live rows, read without the heap: a ledger part hashes
            # the year from it (at 1M: 418k rows, 1.3 s from the heap per statement, 7 parts × 2
            # sides) or probes it per person. (person, year) of the unique constraint is for the
            # resident scheme only, and the plain person index leaves year and status to the heap.
            models.Index(fields=["year", "person"], name="enrollment_live_year_person",
                         condition=Q(status__in=["awaiting", "active"])),
        ]

    def __str__(self):
        return f"{self.year}年{self.get_scheme_display()}（{self.get_status_display()}）"

    @property
    def is_live(self):
        return self.status in LIVE_STATUSES

    @property
    def owes_credit(self):
        return self.credit_outstanding > 0 and self.paid_on is None

    @property
    def pooling_label(self) -> str:
        """Where the enrollment is pooled, also for a region outside this deployment."""
        if self.pooling_region_id:
            return self.pooling_region.name
        return self.elsewhere_name or self.elsewhere_code

    def clean(self):
        errors = {}
        if self.paid_on and self.person_id and self.paid_on < self.person.birth_date:
            errors["paid_on"] = "缴费日期不能早于出生日期。"
        if self.amount_paid is not None and self.amount_paid < 0:
            errors["amount_paid"] = "实缴金额不能为负数。"
        if self.cover_start and self.cover_end and self.cover_end < self.cover_start:
            errors["cover_end"] = "参保终止日不能早于起始日。"
        if self.channel == Channel.RELATIVE_ACCOUNT:
            if not self.payer_id:
                errors["payer"] = "亲属账户代缴时请选择代缴亲属。"
            elif self.payer_relation not in CLOSE_RELATIVES:
                errors["payer_relation"] = (
                    "职工医保个人账户只能为配偶、父母、子女、兄弟姐妹、祖父母、外祖父母、"
                    "孙子女、外孙子女代缴居民医保。")
        if errors:
            raise ValidationError(errors)
