"""Department tokens in the admin: the superuser issues, changes and switches them off; nobody
else sees them. A new key is shown once, on the page that follows the issue, and stored only as
its hash. Tokens are never deleted (their calls stay in the audit trail): they are switched
off."""
from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.template.response import TemplateResponse
from django.utils import timezone

from enrollment import scope

from . import services
from .models import FIELD_CHOICES, DepartmentToken


class DepartmentTokenForm(forms.ModelForm):
    fields = forms.MultipleChoiceField(
        label="可见个人信息", choices=FIELD_CHOICES, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="未勾选“完整证件号码”时号码以掩码返回；未勾选的姓名、电话不返回。")

    class Meta:
        model = DepartmentToken
        fields = ["department", "region", "fields", "active", "expires_at", "note"]

    def clean_expires_at(self):
        value = self.cleaned_data["expires_at"]
        if "expires_at" in self.changed_data and value and value <= timezone.now():
            raise forms.ValidationError("有效期至应晚于现在；要停止使用令牌，请取消勾选“启用”。")
        return value

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # A whole region code stays readable in the raw id box (static/css/api_admin.css).
        self.fields["region"].widget.attrs["class"] = "vForeignKeyRawIdAdminField api-region-code"


@admin.action(description="停用所选令牌")
def deactivate(modeladmin, request, queryset):
    count = services.tokens_deactivate(tokens=list(queryset), changed_by=request.user,
                                       request=request)
    messages.success(request, f"已停用 {count} 个令牌。")


@admin.register(DepartmentToken)
class DepartmentTokenAdmin(admin.ModelAdmin):
    form = DepartmentTokenForm
    list_display = ["department", "key_prefix", "region", "fields_text", "active", "expires_at",
                    "created_by", "created_at"]
    list_filter = ["active"]
    search_fields = ["department", "key_prefix", "region__code", "region__name"]
    readonly_fields = ["key_prefix", "created_by", "created_at"]
    raw_id_fields = ["region"]
    actions = [deactivate]

    class Media:
        css = {"all": ["css/api_admin.css"]}

    def get_fields(self, request, obj=None):
        fields = ["department", "region", "fields", "active", "expires_at", "note"]
        # Prefix, issuer and time exist once the token does (the key page follows the issue).
        return fields + self.readonly_fields if obj is not None else fields

    @admin.display(description="可见个人信息")
    def fields_text(self, obj):
        labels = dict(FIELD_CHOICES)
        return "、".join(labels.get(f, f) for f in obj.fields) or "无（证件号码掩码）"

    def _allowed(self, request):
        return request.user.is_staff and scope.can_issue_api_tokens(request.user)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        # Switched off, never deleted: the audit rows of its calls keep naming it.
        return False

    def save_model(self, request, obj, form, change):
        if change:
            services.token_change(token=obj, changed_by=request.user,
                                  changed=form.changed_data, request=request)
        else:
            request.api_new_key = services.token_issue(token=obj, issued_by=request.user,
                                                       request=request)

    def response_add(self, request, obj, post_url_continue=None):
        # The key, once: rendered into this answer (never a message, a cookie or the session),
        # which the site marks no-store.
        return TemplateResponse(request, "api/token_created.html", {
            **self.admin_site.each_context(request), "title": "令牌已签发", "token": obj,
            "key": request.api_new_key, "opts": self.model._meta})
