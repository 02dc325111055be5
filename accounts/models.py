"""Password history: the hashes of a user's last passwords, so a new one cannot repeat them,
and the date of the last change, so a password older than 90 days must be changed."""
from django.conf import settings
from django.db import models


class PasswordHistory(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="用户",
                             on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField("密码摘要", max_length=128)
    changed_at = models.DateTimeField("修改时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "历史密码"
        ordering = ["-changed_at", "-pk"]
        indexes = [models.Index(fields=["user", "-changed_at"])]

    def __str__(self):
        return f"{self.user} {self.changed_at:%Y-%m-%d}"
