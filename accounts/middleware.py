"""The account gate, after authentication: a second factor where required, a password younger
than 90 days, and the separated administrators kept to their own pages.

A user stopped here is led to the page that clears it (verify, set up, change password); those
pages, logout and the static files are always open."""
from __future__ import annotations

import datetime as dt
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone

from enrollment import scope

OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/accounts/otp/",
                 "/accounts/password_change/", "/admin/login/", "/admin/logout/", "/static/",
                 "/healthz", "/favicon.ico")


def password_expired(user) -> bool:
    from .models import PasswordHistory

    # The request's user comes with the date already (accounts/backends.py); a user loaded
    # any other way is asked.
    if hasattr(user, "password_changed_at"):
        last = user.password_changed_at
    else:
        last = (PasswordHistory.objects.filter(user=user).values_list("changed_at", flat=True)
                .first())
    # Accounts older than the history count from when they were created.
    changed = last or user.date_joined
    return timezone.now() - changed > dt.timedelta(days=settings.PASSWORD_MAX_AGE_DAYS)


def duty_allows(user, path: str) -> bool:
    if path.startswith("/accounts/"):
        return True
    if scope.can_read_audit(user) and path.startswith("/audit/"):
        return True
    if (scope.can_manage_accounts(user) or scope.can_administer_system(user)) \
            and path.startswith("/admin/"):
        return True
    return False


class AccountPolicyMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or request.path.startswith(OPEN_PREFIXES):
            return self.get_response(request)
        next_q = urlencode({"next": request.get_full_path()})
        if scope.requires_otp(user) and not user.is_verified():
            from django_otp.plugins.otp_totp.models import TOTPDevice

            has_device = TOTPDevice.objects.filter(user=user, confirmed=True).exists()
            return redirect(f"{reverse('otp_verify' if has_device else 'otp_setup')}?{next_q}")
        if password_expired(user):
            from django.contrib import messages

            messages.warning(request, f"您的密码已使用超过{settings.PASSWORD_MAX_AGE_DAYS}天，"
                                      "请先修改密码。")
            return redirect(f"{reverse('password_change')}?{next_q}")
        if scope.is_duty_admin(user) and not duty_allows(user, request.path):
            if request.path == "/":
                return redirect("/audit/" if scope.can_read_audit(user) else "/admin/")
            raise PermissionDenied("您的角色只能使用本职责的页面。")
        return self.get_response(request)


class SessionRefreshMiddleware:
    """The idle logout (a session ends SESSION_COOKIE_AGE after the last request) with one
    session write a minute instead of one on every request.

    Django's SESSION_SAVE_EVERY_REQUEST rewrites the session row on each page to push its
    expiry; here the row is rewritten only when the session changed or its last write is
    SESSION_REFRESH_SECONDS old. The expiry is then counted from that write, so an idle session
    ends between SESSION_COOKIE_AGE − SESSION_REFRESH_SECONDS and SESSION_COOKIE_AGE after the
    last request: never later than the 30 minutes required. Sits just inside SessionMiddleware,
    which does the write on the way out."""

    KEY = "_refreshed"

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # An empty session (anonymous, or just logged out) is never created or revived here.
        if session is None or session.is_empty():
            return response
        last = session.get(self.KEY, 0)
        if session.is_empty():  # the cookie named a session that has expired or was removed
            return response
        now = int(time.time())
        if session.modified or now - last >= settings.SESSION_REFRESH_SECONDS:
            session[self.KEY] = now
        return response
