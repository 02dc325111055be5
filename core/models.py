"""Core's one table: the single-use tokens of write forms (core/once.py)."""
from django.db import models


class SubmittedForm(models.Model):
    """A write form's token, stored when the form is first submitted. The unique token makes
    a replay (double click, back and resend, a retried request) find the row and write
    nothing; `result_url` is where the first submission led."""

    token = models.CharField("令牌", max_length=64, unique=True)
    form = models.CharField("表单", max_length=40)
    user_id = models.BigIntegerField("提交人", null=True)
    result_url = models.CharField("结果页面", max_length=500, blank=True)
    submitted_at = models.DateTimeField("提交时间", auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = verbose_name_plural = "已提交表单"

    def __str__(self):
        return f"{self.form} {self.submitted_at:%Y-%m-%d %H:%M}"
