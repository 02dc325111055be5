"""The writes of the data-sharing API: issuing and changing department tokens, and the audit
row of every call."""
from __future__ import annotations

import hashlib
import secrets

from django.db import transaction

from enrollment import idnumbers
from enrollment.audit import audit_record
from enrollment.models import AuditEntry

from .models import DepartmentToken

KEY_PREFIX = "cbk_"
# Query parameters whose values are personal: masked in the audit row.
MASKED_PARAMS = {"id_number": idnumbers.mask}
PARAM_TEXT_LIMIT = 60


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def new_key() -> str:
    return KEY_PREFIX + secrets.token_urlsafe(32)


@transaction.atomic
def token_issue(*, token: DepartmentToken, issued_by, request=None) -> str:
    """Save a new token (department, region, fields and expiry set by the caller) with a fresh
    key; returns the key, which is stored only as its hash and never shown again."""
    key = new_key()
    token.key_hash = hash_key(key)
    token.key_prefix = key[:len(KEY_PREFIX) + 4]
    token.created_by = issued_by
    token.full_clean()
    token.save()
    audit_record(user=issued_by, action=AuditEntry.Action.PERMISSION_CHANGE, obj=token,
                 request=request, detail=f"签发数据共享令牌：{_describe(token)}")
    return key


@transaction.atomic
def token_change(*, token: DepartmentToken, changed_by, changed: list[str],
                 request=None) -> None:
    """Save what the superuser changed on a token (never its key)."""
    allowed = [f for f in changed if f in ("department", "region", "fields", "active",
                                            "expires_at", "note")]
    if not allowed:
        return
    token.full_clean()
    token.save(update_fields=allowed)
    audit_record(user=changed_by, action=AuditEntry.Action.PERMISSION_CHANGE, obj=token,
                 request=request,
                 detail=f"修改数据共享令牌（{'、'.join(allowed)}）：{_describe(token)}")


def tokens_deactivate(*, tokens, changed_by, request=None) -> int:
    """Switch tokens off (guarded: only those still on); returns how many were switched."""
    count = 0
    for token in tokens:
        with transaction.atomic():
            if DepartmentToken.objects.filter(pk=token.pk, active=True).update(active=False):
                count += 1
                audit_record(user=changed_by, action=AuditEntry.Action.PERMISSION_CHANGE,
                             obj=token, request=request, detail=f"停用数据共享令牌：{token}")
    return count


def _describe(token: DepartmentToken) -> str:
    fields = "、".join(token.fields) if token.fields else "无（证件号码掩码）"
    state = "启用" if token.active else "停用"
    return (f"{token.department}，区划{token.region_id}，可见字段{fields}，"
            f"有效期至{token.expires_at:%Y-%m-%d %H:%M}，{state}")


def call_record(*, request, endpoint: str, status_code: int, rows: int, token=None,
                person=None) -> AuditEntry:
    """The audit row of one API call: which department (or which unknown caller), which
    endpoint with which parameters (ID numbers masked), the answer and how many rows it
    carried."""
    params = "，".join(f"{name}={_param_text(name, value)}"
                      for name, value in sorted(request.GET.items()))
    who = f"接口：{token.department}（令牌{token.key_prefix}…）" if token else "接口：无有效令牌"
    return audit_record(
        user=None, username=who, action=AuditEntry.Action.API, person=person,
        obj=f"{request.method} {endpoint}", request=request, success=status_code < 400,
        detail=f"参数：{params or '无'}；HTTP {status_code}；返回 {rows} 行")


def _param_text(name: str, value: str) -> str:
    mask = MASKED_PARAMS.get(name)
    text = mask(idnumbers.normalize(value)) if mask else value
    return text[:PARAM_TEXT_LIMIT]
