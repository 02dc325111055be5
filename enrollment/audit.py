"""The audit trail (安全审计): who did what, when, from where, to what, and whether it worked.

Rows are append-only: the database refuses UPDATE and DELETE (migration 0002's trigger), the
admin shows them read-only, and the only deletion is the archiver's (`archive_before`), which
first writes the rows to a gzip file."""
from __future__ import annotations

import gzip
import ipaddress
import json
import os
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction

from .models import AuditEntry


def _valid_ip(value: str) -> str | None:
    value = (value or "").strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's real address. Only REMOTE_ADDR can be trusted unless TRUSTED_PROXY_COUNT
    proxies of ours stand in front: each appends the address it saw to X-Forwarded-For, so the
    client is the N-th entry from the right; entries further left are whatever the client
    wrote. Malformed values give None (never an error)."""
    if request is None:
        return None
    remote = _valid_ip(request.META.get("REMOTE_ADDR", ""))
    proxies = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if proxies <= 0:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if h.strip()]
    if len(hops) < proxies:
        return remote
    return _valid_ip(hops[-proxies])


def audit_record(*, user, action: str, person=None, obj=None, detail: str = "",
                 request=None, success: bool = True, username: str = "") -> AuditEntry:
    actor = user if getattr(user, "is_authenticated", False) else None
    return AuditEntry.objects.create(
        user=actor,
        username=(username or (actor.get_username() if actor else ""))[:150],
        action=action,
        person=person,
        object_repr=str(obj if obj is not None else person or "")[:200],
        detail=detail,
        ip=client_ip(request),
        success=success,
    )


# --- Retention: archive, then (and only then) delete ------------------------------------------


def _entry_json(entry: AuditEntry) -> str:
    return json.dumps({
        "id": entry.pk, "at": entry.at.isoformat(), "user_id": entry.user_id,
        "username": entry.username, "action": entry.action,
        "action_display": entry.get_action_display(), "person_id": entry.person_id,
        "object": entry.object_repr, "detail": entry.detail, "ip": entry.ip,
        "success": entry.success,
    }, ensure_ascii=False)


def archive_before(cutoff, *, directory: Path | None = None) -> tuple[Path | None, int]:
    """Write every entry older than `cutoff` to a new JSON-lines gzip file, fsync it, then
    delete exactly those entries through the archiver's bypass of the append-only trigger.
    Returns (file, count); (None, 0) when nothing is old enough. Safe to run twice: a second
    run finds nothing."""
    directory = Path(directory or settings.AUDIT_ARCHIVE_DIR)
    qs = AuditEntry.objects.filter(at__lt=cutoff).order_by("pk")
    last_pk = qs.values_list("pk", flat=True).last()
    if last_pk is None:
        return None, 0
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"audit-{cutoff:%Y%m%d%H%M%S}-{last_pk}.jsonl.gz"
    chosen = qs.filter(pk__lte=last_pk)
    count = 0
    tmp = path.with_suffix(".tmp")
    with gzip.open(tmp, "wt", encoding="utf-8") as fh:
        for entry in chosen.iterator(chunk_size=2000):
            fh.write(_entry_json(entry) + "\n")
            count += 1
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    tmp.rename(path)
    with transaction.atomic():
        _delete_archived(chosen)
    return path, count


# The append-only guard. UPDATE is refused except the ON DELETE SET NULL that Django issues
# when a user or person row is removed (only the link is cleared; the record itself, with the
# account name, stays as written). Migration enrollment 0002 installs the same statements.
PG_GUARD = """
CREATE OR REPLACE FUNCTION canbao_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF current_setting('canbao.audit_archive', true) = 'on' THEN
            RETURN OLD;
        END IF;
    ELSIF (NEW.id, NEW.at, NEW.action, NEW.object_repr, NEW.detail, NEW.ip, NEW.success,
           NEW.username)
          IS NOT DISTINCT FROM
          (OLD.id, OLD.at, OLD.action, OLD.object_repr, OLD.detail, OLD.ip, OLD.success,
           OLD.username)
          AND (NEW.user_id IS NULL OR NEW.user_id = OLD.user_id)
          AND (NEW.person_id IS NULL OR NEW.person_id = OLD.person_id) THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION '操作日志只能追加，不能修改或删除（%）', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS canbao_audit_append_only ON enrollment_auditentry;
CREATE TRIGGER canbao_audit_append_only BEFORE UPDATE OR DELETE ON enrollment_auditentry
    FOR EACH ROW EXECUTE FUNCTION canbao_audit_append_only();
"""
PG_UNGUARD = """
DROP TRIGGER IF EXISTS canbao_audit_append_only ON enrollment_auditentry;
DROP FUNCTION IF EXISTS canbao_audit_append_only();
"""
SQLITE_CREATE = [
    """CREATE TRIGGER IF NOT EXISTS canbao_audit_no_delete BEFORE DELETE ON enrollment_auditentry
       BEGIN SELECT RAISE(ABORT, '操作日志只能追加，不能修改或删除'); END""",
    """CREATE TRIGGER IF NOT EXISTS canbao_audit_no_update BEFORE UPDATE ON enrollment_auditentry
       WHEN NOT (NEW.id IS OLD.id AND NEW.at IS OLD.at AND NEW.action IS OLD.action
                 AND NEW.object_repr IS OLD.object_repr AND NEW.detail IS OLD.detail
                 AND NEW.ip IS OLD.ip AND NEW.success IS OLD.success
                 AND NEW.username IS OLD.username
                 AND (NEW.user_id IS NULL OR NEW.user_id IS OLD.user_id)
                 AND (NEW.person_id IS NULL OR NEW.person_id IS OLD.person_id))
       BEGIN SELECT RAISE(ABORT, '操作日志只能追加，不能修改或删除'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS canbao_audit_no_delete",
               "DROP TRIGGER IF EXISTS canbao_audit_no_update"]


def _delete_archived(qs) -> None:
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # Local to this transaction, and switched off again right after the delete, so
            # that nothing else in an enclosing transaction inherits the bypass.
            cursor.execute("SELECT set_config('canbao.audit_archive', 'on', true)")
            try:
                qs.delete()
            finally:
                cursor.execute("SELECT set_config('canbao.audit_archive', 'off', true)")
    elif connection.vendor == "sqlite":
        # SQLite has no session variables; DDL is transactional there, so the guard is lifted
        # and restored inside this one transaction, and no other connection sees it missing.
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_DROP[0])
        qs.delete()
        with connection.cursor() as cursor:
            cursor.execute(SQLITE_CREATE[0])
    else:  # pragma: no cover - other backends have no trigger
        qs.delete()

