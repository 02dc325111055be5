"""Audit rows for account events: logins, logouts, failures, lockouts, password changes and
changes of role, region or permissions (from the admin or anywhere else).

The acting user and address of a model save come from the request that simple_history's
middleware keeps for the current thread (None in commands and tasks)."""
from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth import get_user_model
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver

from enrollment.audit import audit_record
from enrollment.models import AuditEntry

User = get_user_model()
# What decides what an account may see and do.
PERMISSION_FIELDS = ("role", "region_id", "is_superuser", "is_staff", "is_active")


def current_request():
    from simple_history.models import HistoricalRecords

    return getattr(HistoricalRecords.context, "request", None)


def _actor(request):
    user = getattr(request, "user", None)
    return user if getattr(user, "is_authenticated", False) else None


@receiver(user_logged_in)
def audit_login(sender, request, user, **kwargs):
    audit_record(user=user, action=AuditEntry.Action.LOGIN, obj=user, request=request,
                 detail="后台登录" if request and request.path.startswith("/admin/") else "")


@receiver(user_logged_out)
def audit_logout(sender, request, user, **kwargs):
    if user is not None:
        audit_record(user=user, action=AuditEntry.Action.LOGOUT, obj=user, request=request)


@receiver(user_login_failed)
def audit_login_failed(sender, credentials, request=None, **kwargs):
    username = str(credentials.get("username", ""))[:150]
    locked = getattr(request, "axes_locked_out", False)
    audit_record(user=None, action=AuditEntry.Action.LOGIN_FAILED, request=request,
                 username=username, obj=username, success=False,
                 detail="账号或地址已锁定，登录被拒绝" if locked else "用户名或密码错误")


@receiver(user_locked_out)
def audit_lockout(sender, request, username, ip_address, **kwargs):
    audit_record(user=None, action=AuditEntry.Action.LOCKOUT, request=request,
                 username=username or "", obj=username or ip_address or "", success=False,
                 detail=f"连续登录失败，锁定账号{username or ''}和地址{ip_address or ''}")


def audit_password_change(user, first: bool = False) -> None:
    """Called when a password is saved (see validators.PasswordHistoryValidator)."""
    request = current_request()
    actor = _actor(request) or user
    if first:
        detail = "设置初始密码"
    elif actor.pk == user.pk:
        detail = "本人修改密码"
    else:
        detail = f"由{actor.get_username()}重置密码"
    audit_record(user=actor, action=AuditEntry.Action.PASSWORD_CHANGE, obj=user,
                 request=request, detail=detail)


@receiver(pre_save, sender=User)
def _remember_permissions(sender, instance, update_fields=None, **kwargs):
    instance._permissions_before = None
    if instance.pk and (update_fields is None or set(update_fields) & {
            *PERMISSION_FIELDS, "region"}):
        instance._permissions_before = (
            User.objects.filter(pk=instance.pk).values(*PERMISSION_FIELDS).first())


@receiver(post_save, sender=User)
def audit_permission_change(sender, instance, created, **kwargs):
    before = getattr(instance, "_permissions_before", None)
    after = {f: getattr(instance, f) for f in PERMISSION_FIELDS}
    if created:
        changes = [f"{f}={v}" for f, v in after.items() if v not in ("", None, False)]
        if not changes:
            return
        detail = "新建账号：" + "，".join(changes)
    else:
        if not before:
            return
        changes = [f"{f}: {before[f]} → {after[f]}" for f in PERMISSION_FIELDS
                   if before[f] != after[f]]
        if not changes:
            return
        detail = "，".join(changes)
    request = current_request()
    audit_record(user=_actor(request), action=AuditEntry.Action.PERMISSION_CHANGE,
                 obj=instance, request=request, detail=detail)


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def audit_group_change(sender, instance, action, pk_set, model, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear") or not isinstance(instance,
                                                                                  User):
        return
    if action != "post_clear" and not pk_set:
        return
    names = sorted(str(o) for o in model.objects.filter(pk__in=pk_set or []))
    verb = {"post_add": "增加", "post_remove": "移除", "post_clear": "清空"}[action]
    request = current_request()
    audit_record(user=_actor(request), action=AuditEntry.Action.PERMISSION_CHANGE,
                 obj=instance, request=request,
                 detail=f"{model._meta.verbose_name}{verb}：{'，'.join(names)}")
