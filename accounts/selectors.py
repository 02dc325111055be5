from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from enrollment import scope
from enrollment.models import AuditEntry


def audit_entries(user, filters: dict) -> QuerySet:
    """Audit rows for the audit page and its export; only for those who may read the audit."""
    if not scope.can_read_audit(user):
        raise PermissionDenied("只有审计管理员可以查看操作日志。")
    qs = AuditEntry.objects.select_related("user").order_by("-at", "-pk")
    if filters.get("actor"):
        qs = qs.filter(Q(username__icontains=filters["actor"])
                       | Q(user__last_name__icontains=filters["actor"]))
    if filters.get("action"):
        qs = qs.filter(action=filters["action"])
    tz = timezone.get_current_timezone()
    if filters.get("start"):
        qs = qs.filter(at__gte=dt.datetime.combine(filters["start"], dt.time.min, tz))
    if filters.get("end"):
        qs = qs.filter(at__lt=dt.datetime.combine(filters["end"] + dt.timedelta(days=1),
                                                  dt.time.min, tz))
    if filters.get("obj"):
        qs = qs.filter(object_repr__icontains=filters["obj"])
    if filters.get("success") in ("0", "1"):
        qs = qs.filter(success=filters["success"] == "1")
    return qs
