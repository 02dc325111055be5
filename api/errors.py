"""Errors of the data-sharing API: JSON with a Chinese `detail` (and, for a bad parameter, the
parameter's name as the key, as DRF gives it)."""
from __future__ import annotations

from rest_framework import exceptions
from rest_framework.views import exception_handler as drf_exception_handler

NOT_AUTHENTICATED = "未提供令牌：请在请求头中携带“Authorization: Token <密钥>”。"
METHOD_NOT_ALLOWED = "数据共享接口只读：只接受 GET 请求。"
NOT_FOUND = "未找到：不存在，或不在本令牌可查询的区划内。"


def exception_handler(exc, context):
    if isinstance(exc, exceptions.NotAuthenticated):
        header = getattr(exc, "auth_header", None)
        exc = exceptions.NotAuthenticated(NOT_AUTHENTICATED)
        exc.auth_header = header
    elif isinstance(exc, exceptions.MethodNotAllowed):
        exc = exceptions.MethodNotAllowed(context["request"].method, METHOD_NOT_ALLOWED)
    return drf_exception_handler(exc, context)
