"""The audit log: what a person did that the model history does not show. The rows are
written through `enrollment.audit.audit_record` and never edited.

Related models are named by string, so that enrollment/models.py can import this module at its
top without a cycle.
"""
from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditEntry(models.Model):
    """What a person did that the model history does not show: viewing an unmasked ID number,
    exporting a list, running a service. Written by services and views, never edited."""

    class Action(models.TextChoices):
        VIEW_ID = "view_id", "查看完整证件号码"
        EXPORT = "export", "导出"
        CREATE = "create", "新增"
        UPDATE = "update", "修改"
        ENROLL = "enroll", "参保登记"
        STOP = "stop", "停保"
        IMPORT = "import", "导入"
        OTHER = "other", "其他"
        LOGIN = "login", "登录"
        LOGOUT = "logout", "退出登录"
        LOGIN_FAILED = "login_failed", "登录失败"
        LOCKOUT = "lockout", "账号锁定"
        PASSWORD_CHANGE = "password_change", "修改密码"
        PERMISSION_CHANGE = "permission_change", "权限变更"
        OTP = "otp", "双因素认证"
        # A call of the data-sharing API by another department's system (api/).
        API = "api", "数据共享接口调用"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name="操作人", null=True,
                             on_delete=models.SET_NULL, related_name="audit_entries")
    action = models.CharField("操作", max_length=20, choices=Action.choices)
    person = models.ForeignKey("enrollment.Person", verbose_name="涉及人员", null=True, blank=True,
                               on_delete=models.SET_NULL, related_name="audit_entries")
    object_repr = models.CharField("对象", max_length=200, blank=True)
    detail = models.TextField("详情", blank=True)
    ip = models.GenericIPAddressField("IP地址", null=True, blank=True)
    success = models.BooleanField("结果", default=True)
    # The account name as typed or held at the time: kept when the user row is gone, and for
    # failed logins with a name that matches no user.
    username = models.CharField("账号", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "操作日志"
        ordering = ["-at"]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.user} {self.get_action_display()} {self.object_repr}"
