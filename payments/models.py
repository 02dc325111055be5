"""The wallet ledger and receipts.

Double entry: every movement is one `Transfer` with two `Entry` rows whose amounts sum to zero.
A balance is the sum of an account's entries, never a stored number that can drift. Money comes
from outside (sponsors) through an external account per source, so the books of the whole
ledger always sum to zero; a payment moves money from a wallet to the fund's account.
"""
from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q


class AccountKind(models.TextChoices):
    WALLET = "wallet", "个人医保钱包"
    SPONSOR = "sponsor", "资助来源"
    PAYER = "payer", "第三方代缴单位"
    FUND = "fund", "居民医保基金（缴费收入）"


class SponsorSource(models.TextChoices):
    """Where outside money comes from (社会力量参保资助, 000 三(一)); a relative's wallet is not a
    source but another wallet."""

    CHARITY = "charity", "慈善组织"
    ENTERPRISE = "enterprise", "企业"
    INDIVIDUAL = "individual", "个人"
    RED_CROSS = "red_cross", "红十字会"


class Account(models.Model):
    kind = models.CharField("类型", max_length=10, choices=AccountKind.choices)
    person = models.OneToOneField("enrollment.Person", verbose_name="钱包所有人", null=True,
                                  blank=True, on_delete=models.PROTECT, related_name="wallet")
    source = models.CharField("资助来源类别", max_length=12, choices=SponsorSource.choices,
                              blank=True)
    name = models.CharField("名称", max_length=100)
    created_at = models.DateTimeField("开户时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "账户"
        constraints = [
            models.CheckConstraint(
                name="wallet_has_person",
                condition=Q(kind=AccountKind.WALLET, person__isnull=False)
                | (~Q(kind=AccountKind.WALLET) & Q(person__isnull=True))),
            models.UniqueConstraint(fields=["kind", "source", "name"],
                                    condition=~Q(kind=AccountKind.WALLET),
                                    name="one_external_account_per_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TransferKind(models.TextChoices):
    SPONSORSHIP = "sponsorship", "社会资助转入"
    RELATIVE = "relative", "近亲属钱包转入"
    PAYMENT = "payment", "钱包缴费"
    PAYER_PAYMENT = "payer_payment", "第三方代缴"
    REVERSAL = "reversal", "冲正"


class Transfer(models.Model):
    """One movement of money: two entries that balance. Never edited: a reversal is a new
    transfer pointing at the one it undoes."""

    kind = models.CharField("类型", max_length=20, choices=TransferKind.choices)
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    memo = models.CharField("说明", max_length=200, blank=True)
    relation = models.CharField("与收款人关系", max_length=20, blank=True)
    evidence = models.CharField("关系证明", max_length=200, blank=True)
    enrollment = models.ForeignKey("enrollment.Enrollment", verbose_name="缴费对应参保登记",
                                   null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="wallet_transfers")
    reverses = models.OneToOneField("self", verbose_name="冲正的原交易", null=True, blank=True,
                                    on_delete=models.PROTECT, related_name="reversed_by")
    created_at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True,
                                   on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "钱包交易"
        ordering = ["-created_at", "-pk"]
        constraints = [models.CheckConstraint(name="transfer_amount_positive",
                                              condition=Q(amount__gt=0))]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.amount}元"


class Entry(models.Model):
    transfer = models.ForeignKey(Transfer, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount = models.DecimalField("金额（收入为正）", max_digits=10, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "分录"
        indexes = [models.Index(fields=["account", "transfer"])]
        constraints = [models.CheckConstraint(name="entry_amount_nonzero",
                                              condition=~Q(amount=Decimal("0")))]


class ReceiptCounter(models.Model):
    """The last receipt number issued per pooling region and year; taken under a row lock so
    numbers never repeat or skip, even with two cashiers at the same moment."""

    pooling_region = models.ForeignKey("enrollment.Region", on_delete=models.PROTECT,
                                       related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["pooling_region", "year"],
                                               name="one_receipt_counter_per_region_year")]


class Receipt(models.Model):
    enrollment = models.OneToOneField("enrollment.Enrollment", verbose_name="参保登记",
                                      on_delete=models.PROTECT, related_name="receipt")
    pooling_region = models.ForeignKey("enrollment.Region", verbose_name="统筹区",
                                       on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField("年度")
    sequence = models.PositiveIntegerField("流水号")
    amount = models.DecimalField("金额", max_digits=10, decimal_places=2)
    issued_at = models.DateTimeField("开具时间", auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True,
                                  on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "缴费收据"
        constraints = [models.UniqueConstraint(fields=["pooling_region", "year", "sequence"],
                                               name="receipt_number_unique_per_region_year")]

    @property
    def number(self) -> str:
        return f"{self.pooling_region_id}-{self.year}-{self.sequence:08d}"

    def __str__(self) -> str:
        return self.number


class PayerKind(models.TextChoices):
    UNEMPLOYMENT_FUND = "unemployment_fund", "失业保险基金"
    TRADE_UNION = "trade_union", "工会"
    CHARITY = "charity", "慈善组织"
    RED_CROSS = "red_cross", "红十字会"
    ENTERPRISE = "enterprise", "企业"
    VILLAGE_COLLECTIVE = "village_collective", "村集体经济组织"
    CIVIL_AFFAIRS = "civil_affairs", "民政医疗救助"


class Payer(models.Model):
    """A named third party that pays residents' contributions for the people on its list
    (openIMIS's payers are the model): the unemployment fund, unions, charities, enterprises,
    village collectives, the civil-affairs hardship subsidy."""

    name = models.CharField("名称", max_length=100, unique=True)
    kind = models.CharField("类别", max_length=20, choices=PayerKind.choices)
    region = models.ForeignKey("enrollment.Region", verbose_name="服务区划",
                               on_delete=models.PROTECT, related_name="+")
    contact = models.CharField("联系人及电话", max_length=100, blank=True)
    created_at = models.DateTimeField("登记时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "第三方代缴单位"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PayerMember(models.Model):
    """A person the payer pays for in a year."""

    payer = models.ForeignKey(Payer, verbose_name="代缴单位", on_delete=models.PROTECT,
                              related_name="members")
    person = models.ForeignKey("enrollment.Person", verbose_name="人员",
                               on_delete=models.PROTECT, related_name="payer_memberships")
    year = models.PositiveSmallIntegerField("待遇年度")
    note = models.CharField("备注", max_length=100, blank=True)
    added_at = models.DateTimeField("列入时间", auto_now_add=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="经办人", null=True,
                                 on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "代缴名单"
        constraints = [models.UniqueConstraint(fields=["payer", "person", "year"],
                                               name="one_listing_per_payer_person_year")]
