"""Staff accounts: who works in the registry, with which role and region (what they may see and
do is decided in enrollment/scope.py, the one place that decides it)."""
from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from core.fields import EncryptedTextField

from .region_tree import Region


class Role(models.TextChoices):
    VILLAGE_CLERK = "village_clerk", "村级经办"
    TOWNSHIP_OFFICER = "township_officer", "乡镇经办"
    COUNTY_ADMIN = "county_admin", "县级管理员"
    CITY_LEADER = "city_leader", "市级领导"
    GRID_WORKER = "grid_worker", "网格员"
    # Separation of duties (MLPS 8.1.4.2): three administrators, none of whom works the
    # registry; see scope.can_manage_accounts / can_read_audit / can_administer_system.
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    SECURITY_ADMIN = "security_admin", "安全管理员"
    AUDIT_ADMIN = "audit_admin", "审计管理员"


class User(AbstractUser):
    """A staff member. The role and region decide what they may see and change
    (see enrollment/scope.py, the one place that decides it)."""

    role = models.CharField("角色", max_length=20, choices=Role.choices, blank=True)
    region = models.ForeignKey(
        Region, verbose_name="所属区划", null=True, blank=True, on_delete=models.PROTECT,
        related_name="staff",
    )
    phone = EncryptedTextField("联系电话", max_length=20, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "工作人员"

    def __str__(self):
        return self.display_name

    def get_full_name(self):
        # Chinese order, family name first and no space (王村干, not "村干 王").
        return (self.last_name + self.first_name).strip()

    @property
    def display_name(self):
        return self.get_full_name() or self.username
