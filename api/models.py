"""Department tokens of the data-sharing API (issue 13): which department's system may call,
for which region, seeing which personal fields, until when.

The key itself is never stored: only its SHA-256 (a key is 32 random bytes, so a fast hash is
enough and the lookup is one indexed equality) and its first characters, which the admin shows
so that a superuser can tell the tokens of one department apart.
"""
from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone

from enrollment.models import Region

# The personal fields a token may be allowed to see whole (everything else in a response is
# about enrollment, not identity). Without `id_number` the number is masked; without `name` or
# `phone` those fields are left out.
FIELD_CHOICES = [
    ("id_number", "完整证件号码"),
    ("name", "姓名"),
    ("phone", "联系电话"),
]
FIELD_NAMES = [name for name, _ in FIELD_CHOICES]
DEFAULT_LIFETIME = dt.timedelta(days=365)


def default_expiry():
    return timezone.now() + DEFAULT_LIFETIME


class DepartmentToken(models.Model):
    department = models.CharField("部门名称", max_length=100,
                                  help_text="使用本令牌的部门，如：县卫生健康局")
    key_prefix = models.CharField("密钥前缀", max_length=12, editable=False,
                                  help_text="密钥的前几位，用于辨认；完整密钥只在签发时显示一次")
    key_hash = models.CharField("密钥摘要", max_length=64, unique=True, editable=False)
    region = models.ForeignKey(Region, verbose_name="可查询区划", on_delete=models.PROTECT,
                               related_name="+",
                               help_text="只能查询该区划（含下级）的常住或户籍人员")
    fields = models.JSONField("可见个人信息", default=list, blank=True,
                              help_text="未勾选的证件号码以掩码返回，未勾选的姓名、电话不返回")
    active = models.BooleanField("启用", default=True)
    expires_at = models.DateTimeField("有效期至", default=default_expiry)
    note = models.CharField("用途说明", max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="签发人", null=True,
                                   on_delete=models.SET_NULL, related_name="+", editable=False)
    created_at = models.DateTimeField("签发时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "数据共享令牌"
        ordering = ["department", "-created_at"]

    def __str__(self):
        return f"{self.department}（{self.key_prefix}…）"

    def usable(self, now: dt.datetime | None = None) -> bool:
        return self.active and self.expires_at > (now or timezone.now())

    def clean(self):
        unknown = set(self.fields or []) - set(FIELD_NAMES)
        if unknown:
            raise ValidationError({"fields": f"未知的字段：{'、'.join(sorted(unknown))}。"})
