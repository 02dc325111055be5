"""Admin for account security: the login form that refuses demo accounts, and login locks
(访问尝试) that the security administrator can see and lift."""
from axes.admin import AccessAttemptAdmin, AccessFailureLogAdmin, AccessLogAdmin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin, messages

from core.admin import ReadOnlyAdminMixin
from enrollment import scope
from enrollment.audit import audit_record
from enrollment.models import AuditEntry

from .forms import AdminLoginForm

admin.site.login_form = AdminLoginForm


class SecurityAdminOnly(ReadOnlyAdminMixin):
    """Locks and login records belong to the security administrator (and the superuser)."""

    def has_module_permission(self, request):
        return scope.can_manage_accounts(request.user)

    def has_view_permission(self, request, obj=None):
        return scope.can_manage_accounts(request.user)


@admin.action(description="解除所选锁定")
def unlock(modeladmin, request, queryset):
    names = sorted({f"{a.username or ''}@{a.ip_address or ''}" for a in queryset})
    count = queryset.count()
    queryset.delete()
    audit_record(user=request.user, action=AuditEntry.Action.PERMISSION_CHANGE,
                 request=request, obj="登录锁定", detail="解除锁定：" + "，".join(names))
    messages.success(request, f"已解除{count}条登录锁定。")


for model in (AccessAttempt, AccessLog, AccessFailureLog):
    if admin.site.is_registered(model):
        admin.site.unregister(model)


@admin.register(AccessAttempt)
class LockAdmin(SecurityAdminOnly, AccessAttemptAdmin):
    # Lifting a lock is done by this action (which leaves an audit row), not a generic delete.
    actions = [unlock]


@admin.register(AccessLog)
class LoginLogAdmin(SecurityAdminOnly, AccessLogAdmin):
    pass


@admin.register(AccessFailureLog)
class LoginFailureLogAdmin(SecurityAdminOnly, AccessFailureLogAdmin):
    pass


class SecurityAdminResetsDevices(ReadOnlyAdminMixin):
    """A lost phone: the security administrator deletes the user's authenticator, and the user
    binds a new one at the next login. Nobody but the user sees or sets a secret."""

    def has_module_permission(self, request):
        return scope.can_manage_accounts(request.user)

    def has_view_permission(self, request, obj=None):
        return scope.can_manage_accounts(request.user)

    def has_delete_permission(self, request, obj=None):
        return scope.can_manage_accounts(request.user)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        audit_record(user=request.user, action=AuditEntry.Action.OTP, request=request,
                     obj=obj.user, detail="重置身份验证器")

    def delete_queryset(self, request, queryset):
        users = [str(d.user) for d in queryset.select_related("user")]
        super().delete_queryset(request, queryset)
        audit_record(user=request.user, action=AuditEntry.Action.OTP, request=request,
                     obj="身份验证器", detail="重置身份验证器：" + "，".join(users))


try:
    from django_otp.plugins.otp_totp.admin import TOTPDeviceAdmin
    from django_otp.plugins.otp_totp.models import TOTPDevice
except ImportError:  # pragma: no cover
    TOTPDevice = None
if TOTPDevice is not None:
    if admin.site.is_registered(TOTPDevice):
        admin.site.unregister(TOTPDevice)

    @admin.register(TOTPDevice)
    class AuthenticatorAdmin(SecurityAdminResetsDevices, TOTPDeviceAdmin):
        pass
