from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError

DEMO_REFUSED = "演示账号只能在演示环境中使用，正式环境不能登录。请联系安全管理员开通个人账号。"


class DemoRefusalMixin:
    """The demo users' password is published in the README: with DEBUG off an account that
    still has it is refused, whatever its name (the demo seed refuses to run there too)."""

    def confirm_login_allowed(self, user):
        super().confirm_login_allowed(user)
        if not settings.DEBUG:
            from enrollment.demo import DEMO_PASSWORD

            if user.check_password(DEMO_PASSWORD):
                from enrollment.audit import audit_record
                from enrollment.models import AuditEntry

                audit_record(user=None, action=AuditEntry.Action.LOGIN_FAILED,
                             request=self.request, username=user.get_username(),
                             obj=user, success=False, detail="演示账号在正式环境登录被拒绝")
                raise ValidationError(DEMO_REFUSED, code="demo_account")


class LoginForm(DemoRefusalMixin, AuthenticationForm):
    pass


class AdminLoginForm(DemoRefusalMixin, AdminAuthenticationForm):
    pass


class TokenForm(forms.Form):
    token = forms.CharField(label="动态验证码", max_length=6, min_length=6,
                            widget=forms.TextInput(attrs={
                                "autocomplete": "one-time-code", "inputmode": "numeric",
                                "pattern": "[0-9]{6}", "autofocus": True}),
                            error_messages={"required": "请输入6位动态验证码。",
                                            "min_length": "动态验证码为6位数字。"})

    def clean_token(self):
        token = self.cleaned_data["token"].strip()
        if not token.isdigit():
            raise ValidationError("动态验证码为6位数字。")
        return token


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label="操作人", required=False)
    action = forms.ChoiceField(label="操作", required=False)
    start = forms.DateField(label="开始日期", required=False,
                            widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(label="结束日期", required=False,
                          widget=forms.DateInput(attrs={"type": "date"}))
    obj = forms.CharField(label="对象", required=False)
    success = forms.ChoiceField(label="结果", required=False,
                                choices=[("", "全部"), ("1", "成功"), ("0", "失败")])

    def __init__(self, *args, **kwargs):
        from enrollment.models import AuditEntry

        super().__init__(*args, **kwargs)
        self.fields["action"].choices = [("", "全部")] + list(AuditEntry.Action.choices)
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs["class"] = f"{css} form-control-sm"

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "结束日期不能早于开始日期。")
        return data
