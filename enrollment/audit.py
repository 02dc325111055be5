"""Audit entries for what model history does not capture (views of unmasked IDs, exports)."""
from __future__ import annotations

from .models import AuditEntry


def client_ip(request) -> str | None:
    if request is None:
        return None
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    return (forwarded.split(",")[0].strip() or request.META.get("REMOTE_ADDR")) or None


def audit_record(*, user, action: str, person=None, obj=None, detail: str = "",
                 request=None) -> AuditEntry:
    return AuditEntry.objects.create(
        user=user if getattr(user, "is_authenticated", False) else None,
        action=action,
        person=person,
        object_repr=str(obj if obj is not None else person or "")[:200],
        detail=detail,
        ip=client_ip(request),
    )
