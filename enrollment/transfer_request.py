"""申请转入: a clerk who finds an ID number registered in another village asks for the person.

The request names the person (found by the service from the number typed) but the requester is
shown only the masked number and the status until the owning side accepts: no oracle of where
or under whom. Related models are named by string, so that enrollment/models.py can import
this module at its top without a cycle.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models


class TransferRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待处理"
        ACCEPTED = "accepted", "已同意转入"
        DECLINED = "declined", "已拒绝"

    person = models.ForeignKey("enrollment.Person", verbose_name="人员", on_delete=models.PROTECT,
                               related_name="transfer_requests")
    masked_number = models.CharField("证件号码", max_length=30)
    # The residence when asked: the owning side's list is scoped by it, and it stays put when
    # the person later moves.
    from_region = models.ForeignKey("enrollment.Region", verbose_name="原常住地",
                                    on_delete=models.PROTECT, related_name="+")
    to_region = models.ForeignKey("enrollment.Region", verbose_name="申请转入地",
                                  on_delete=models.PROTECT, related_name="+")
    note = models.CharField("申请说明", max_length=200, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices,
                              default=Status.PENDING, db_index=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="申请人",
                                     on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField("申请时间", auto_now_add=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="处理人", null=True,
                                   blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decline_reason = models.CharField("拒绝原因", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "转入申请"
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One open request per person and destination: a second click is the same request.
            models.UniqueConstraint(fields=["person", "to_region"],
                                    condition=models.Q(status="pending"),
                                    name="one_pending_transfer_per_person_destination"),
        ]

    def __str__(self):
        return f"{self.masked_number} 申请转入（{self.get_status_display()}）"
