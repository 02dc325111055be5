"""`Authorization: Token <key>`: the department token of the data-sharing API.

A missing header is "not authenticated" (401 from the permission check); a key that is
unknown, switched off or expired is refused here with 401 and a Chinese message. The token a
refused key belonged to is remembered on the request, so that the call's audit row names the
department whose switched-off or expired key is still being used."""
from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone
from rest_framework import authentication, exceptions

from .models import DepartmentToken
from .services import hash_key

KEYWORD = "Token"


@dataclass(frozen=True)
class DepartmentCaller:
    """request.user of an API call: the department's system, not a staff account."""

    token: DepartmentToken
    is_authenticated: bool = True
    is_active: bool = True
    is_superuser: bool = False
    is_staff: bool = False

    def __str__(self):
        return self.token.department


class DepartmentTokenAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(
                "令牌格式不正确：请求头应为“Authorization: Token <密钥>”，密钥中不含空格。")
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed("令牌格式不正确：密钥只能包含字母、数字、-和_。")
        token = (DepartmentToken.objects.select_related("region")
                 .filter(key_hash=hash_key(key)).first())
        if token is None:
            raise exceptions.AuthenticationFailed("令牌无效：请核对密钥，或联系系统管理员重新签发。")
        request._request.api_token_tried = token
        if not token.active:
            raise exceptions.AuthenticationFailed("令牌已停用：请联系系统管理员。")
        if not token.usable():
            raise exceptions.AuthenticationFailed(
                f"令牌已于{timezone.localtime(token.expires_at):%Y-%m-%d}过期：请联系系统管理员续期或重新签发。")
        return DepartmentCaller(token), token

    def authenticate_header(self, request):
        return KEYWORD
