from __future__ import annotations

import base64
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Max, Q
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django_otp import login as otp_login
from django_otp import match_token
from django_otp.plugins.otp_totp.models import TOTPDevice

from core.exports import Sheet, xlsx_response
from enrollment.audit import audit_record, client_ip
from enrollment.models import AuditEntry

from .forms import AuditFilterForm, LoginForm, TokenForm
from .selectors import audit_entries

EXPORT_LIMIT = 100_000


class LoginView(auth_views.LoginView):
    form_class = LoginForm


def lockout_until(request, username: str | None):
    """When the lock on this username or address ends: 30 minutes after the last failure."""
    from axes.models import AccessAttempt

    ip = client_ip(request)
    q = Q(username=username) if username else Q(pk__in=[])
    if ip:
        q |= Q(ip_address=ip)
    last = AccessAttempt.objects.filter(q).aggregate(last=Max("attempt_time"))["last"]
    return (last or timezone.now()) + settings.AXES_COOLOFF_TIME


def lockout_response(request, original_response=None, credentials=None):
    """axes calls this when a locked-out user or address tries to log in: the login page again,
    saying why and until when (site and admin)."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    until = timezone.localtime(lockout_until(request, username))
    form = LoginForm(request, data=None, initial={"username": username})
    return render(request, "registration/login.html", {
        "form": form, "locked_until": until, "next": _next(request)},
        status=settings.AXES_HTTP_RESPONSE_CODE)


def _next(request, default: str = "") -> str:
    target = request.POST.get("next") or request.GET.get("next") or default
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                   require_https=request.is_secure()):
        return target
    return default


# --- Second factor (TOTP) --------------------------------------------------------------------


@login_required
def otp_setup(request):
    """Binds an authenticator app: shows the secret and the otpauth URI, then asks for one code
    to confirm. The unconfirmed device is reused until confirmed."""
    if TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"/accounts/otp/verify/?{urlencode({'next': _next(request)})}")
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=request.user, name="身份验证器", confirmed=False)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            audit_record(user=request.user, action=AuditEntry.Action.OTP, obj=request.user,
                         request=request, detail="绑定身份验证器")
            messages.success(request, "身份验证器已绑定，以后登录时请输入其中的动态验证码。")
            return redirect(_next(request, settings.LOGIN_REDIRECT_URL))
        audit_record(user=request.user, action=AuditEntry.Action.OTP, obj=request.user,
                     request=request, success=False, detail="绑定身份验证器：验证码错误")
        form.add_error("token", "验证码不正确，请核对手机时间后重新输入。")
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/otp_setup.html", {
        "form": form, "secret": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
        "uri": device.config_url, "next": _next(request)})


@login_required
def otp_verify(request):
    if not TOTPDevice.objects.filter(user=request.user, confirmed=True).exists():
        return redirect(f"/accounts/otp/setup/?{urlencode({'next': _next(request)})}")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = match_token(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            audit_record(user=request.user, action=AuditEntry.Action.OTP, obj=request.user,
                         request=request, detail="动态验证码验证通过")
            return redirect(_next(request, settings.LOGIN_REDIRECT_URL))
        audit_record(user=request.user, action=AuditEntry.Action.OTP, obj=request.user,
                     request=request, success=False, detail="动态验证码错误")
        form.add_error("token", "验证码不正确或已过期，请输入身份验证器中当前显示的6位数字。")
    return render(request, "accounts/otp_verify.html", {"form": form, "next": _next(request)})


# --- The audit page ----------------------------------------------------------------------------


@login_required
def audit_log(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_entries(request.user, filters)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "accounts/audit_log.html", {
        "form": form, "page": page, "query": query.urlencode()})


@login_required
def audit_export(request):
    form = AuditFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    qs = audit_entries(request.user, filters)
    rows = ([timezone.localtime(e.at).strftime("%Y-%m-%d %H:%M:%S"), e.username,
             e.get_action_display(), e.object_repr, e.detail, e.ip or "",
             "成功" if e.success else "失败"]
            for e in qs[:EXPORT_LIMIT].iterator(chunk_size=2000))
    response = xlsx_response("操作日志.xlsx", Sheet(
        title="操作日志", header=["时间", "账号", "操作", "对象", "详情", "IP地址", "结果"],
        rows=rows))
    audit_record(user=request.user, action=AuditEntry.Action.EXPORT, request=request,
                 detail=f"导出操作日志（{request.GET.urlencode() or '全部'}）")
    return response


