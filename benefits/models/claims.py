"""What the fund paid for each person and year, imported from the claims system (R-CAT-ZERO,
R-CAT-ZERO-RESET). The January recalculation reads it; benefits.claims imports it."""
from __future__ import annotations

from django.db import models
from django.db.models import Q

from enrollment.models import Person


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
