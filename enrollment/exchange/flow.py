"""The flow every department file takes, whatever its kind (the pages and `import_feed` call
these same functions):

    stage (read, check every row, keep the file)  →  preview (the FeedImport's problems)
    →  confirm (all or nothing, or only the valid rows)  →  run (the job: check again, apply in
    one transaction, report, audit; the staged file is deleted)

`run` is safe to run twice: it locks the import's row and applies in the same transaction that
marks it done, so a worker that dies leaves nothing applied and the job can be run again; a
second run of a finished job does nothing; and the kinds' `apply` is idempotent anyway.
"""
from __future__ import annotations

import datetime as dt
import logging
import re

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from core import uploads

from .. import idnumbers, scope
from ..audit import audit_record
from ..models import AuditEntry
from .base import Context, Feed, Outcome, RowProblem, all_feeds, cell_text, feed
from .models import FeedImport

log = logging.getLogger(__name__)
Status = FeedImport.Status
OPEN = (Status.PENDING, Status.RUNNING)
_LONG_NUMBER = re.compile(r"(?<![0-9])[0-9]{14,17}[0-9Xx](?![0-9])")


class FeedRefused(ValidationError):
    """The file as a whole cannot be taken (unknown kind, unreadable, missing columns): one
    Chinese line."""


def max_rows() -> int:
    return getattr(settings, "FEED_MAX_ROWS", 300_000)


def max_size() -> int:
    return getattr(settings, "FEED_MAX_BYTES", 20 * 1024 * 1024)


def batch_rows() -> int:
    return max(1, getattr(settings, "FEED_BATCH_ROWS", 1000))


def limits_text() -> str:
    return f"文件不超过{max_size() // (1024 * 1024)}MB、{max_rows()}行（.xlsx 或 .csv）。"


def feeds_for(user) -> list[Feed]:
    """The kinds this user may import, in the order they were registered."""
    if not scope.can_import_feeds(user):
        return []
    return [f for f in all_feeds() if f.may_import(user)]


def feed_for(kind: str) -> Feed:
    try:
        return feed(kind)
    except KeyError:
        kinds = " ".join(f.kind for f in all_feeds())
        raise FeedRefused(f"数据类型：没有“{kind}”这种名单，可选：{kinds}。") from None


def require_import(user, kind_feed: Feed) -> None:
    if not (scope.can_import_feeds(user) and kind_feed.may_import(user)):
        raise PermissionDenied(f"您的账号不能导入{kind_feed.title}。")


# --- Reading and checking ---------------------------------------------------------------------

def read(kind_feed: Feed, content: bytes, name: str) -> uploads.Table:
    """The file as a table with the kind's columns, or FeedRefused."""
    try:
        table = uploads.read_table(content, name, max_rows=max_rows(), max_size=max_size())
    except uploads.UploadError as exc:
        raise FeedRefused(exc.messages[0]) from None
    missing = kind_feed.missing_headers(table.headers)
    if missing:
        raise FeedRefused("文件缺少列：" + "、".join(missing) + "。请下载模板，按模板的表头填写："
                          + "、".join(kind_feed.headers()))
    if not table.rows:
        raise FeedRefused("文件中没有数据行。")
    return table


def mask_text(text: str) -> str:
    """ID numbers inside a message masked (the error file and the report keep none whole)."""
    return _LONG_NUMBER.sub(lambda m: idnumbers.mask(m.group(0)), str(text or ""))


def check(kind_feed: Feed, table: uploads.Table, ctx: Context, *, on_progress=None):
    """Every row checked in batches, nothing written: (checked rows, problems). A key twice
    in one file is a problem on its later rows."""
    headers = table.headers
    numbered = [(r.number, {h: cell_text(v) for h, v in zip(headers, r.values) if h})
                for r in table.rows]
    checked, problems, seen = [], [], {}
    size = batch_rows()
    for start in range(0, len(numbered), size):
        good, bad = kind_feed.check_rows(numbered[start:start + size], ctx)
        problems.extend(bad)
        for row in good:
            if row.key in seen:
                problems.append(RowProblem(row.row, "", f"与第{seen[row.key]}行重复",
                                           "同一人（或同一区划年度）只保留一行"))
            else:
                seen[row.key] = row.row
                checked.append(row)
        if on_progress:
            on_progress(min(start + size, len(numbered)), len(numbered))
    bad_rows = {p.row for p in problems}
    return [r for r in checked if r.row not in bad_rows], problems


def problem_dicts(problems: list[RowProblem]) -> list[dict]:
    return [{"row": p.row, "column": p.column, "message": mask_text(p.message),
             "hint": mask_text(p.hint)} for p in sorted(problems, key=lambda p: p.row)]


# --- Stage, confirm, run ------------------------------------------------------------------------

def _context(actor, imp: FeedImport, kind_feed: Feed, request=None) -> Context:
    return Context(actor=actor, today=timezone.localdate(), request=request,
                   source=imp.source or f"{kind_feed.department}{kind_feed.title}")


def stage(*, actor, kind: str, content: bytes, name: str, source: str = "") -> FeedImport:
    """Read and check an upload, keep it for the confirmation, and record what the preview
    shows. Raises FeedRefused (the file as a whole) or PermissionDenied."""
    kind_feed = feed_for(kind)
    require_import(actor, kind_feed)
    table = read(kind_feed, content, name)
    imp = FeedImport(kind=kind, title=kind_feed.title, user=actor, region_id=actor.region_id,
                     file_name=(name or "")[-200:], source=source[:100], rows=len(table))
    _, problems = check(kind_feed, table, _context(actor, imp, kind_feed))
    imp.problems = problem_dicts(problems)
    imp.rejected = len({p.row for p in problems})
    imp.staged_token = uploads.stage(actor, content, name)
    imp.save()
    return imp


def confirm(*, actor, imp: FeedImport, valid_only: bool, request=None,
            enqueue=None) -> FeedImport:
    """The user's go-ahead: `enqueue(import_id)` (jobs.enqueue_run) is called after commit;
    without it the caller runs the job (the command). Without `valid_only` a file with bad
    rows is refused (all or nothing)."""
    require_import(actor, feed_for(imp.kind))
    if imp.rejected and not valid_only:
        raise ValidationError("文件中有错误行，全部改正后重新上传；或选择“只导入有效行”。")
    with transaction.atomic():
        claimed = FeedImport.objects.filter(pk=imp.pk, status=Status.STAGED).update(
            status=Status.PENDING, valid_only=valid_only, confirmed_at=timezone.now())
        if not claimed:
            raise ValidationError("该文件已确认导入，请勿重复提交。")
        audit_record(user=actor, action=AuditEntry.Action.IMPORT, obj=imp, request=request,
                     detail=f"确认导入{imp.title}（{imp.file_name}，{imp.rows}行"
                            f"{'，只导入有效行' if valid_only else ''}）")
        if enqueue is not None:
            transaction.on_commit(lambda: enqueue(imp.pk))
    imp.refresh_from_db()
    return imp


def retry(*, actor, imp: FeedImport, enqueue, request=None) -> FeedImport:
    """Run a failed job (or one whose worker died) again; the apply is idempotent. `enqueue` as
    for `confirm`."""
    require_import(actor, feed_for(imp.kind))
    if not can_retry(imp):
        raise ValidationError("该导入没有中断，无需重试。")
    with transaction.atomic():
        FeedImport.objects.filter(pk=imp.pk, status__in=(Status.FAILED, Status.RUNNING)).update(
            status=Status.PENDING, error="")
        audit_record(user=actor, action=AuditEntry.Action.IMPORT, obj=imp, request=request,
                     detail=f"重试导入{imp.title}")
        transaction.on_commit(lambda: enqueue(imp.pk))
    imp.refresh_from_db()
    return imp


LEASE_SECONDS = 600  # a job "running" this long without finishing lost its worker


def can_retry(imp: FeedImport) -> bool:
    if imp.status == Status.FAILED:
        return bool(imp.staged_token)
    stale = timezone.now() - dt.timedelta(seconds=LEASE_SECONDS)
    return imp.status == Status.RUNNING and bool(imp.started_at) and imp.started_at < stale


def _progress_key(import_id: int) -> str:
    return f"canbao:feed-import:{import_id}:progress"


def progress_of(imp: FeedImport) -> int:
    """The job's progress: the committed figure, or the running job's latest (kept in the cache,
    since the apply runs in one transaction that no other connection sees into)."""
    if imp.finished:
        return 100 if imp.status == Status.DONE else imp.progress
    try:
        live = cache.get(_progress_key(imp.pk)) or 0
    except Exception:  # the cache being down costs the bar, never the page
        live = 0
    return max(imp.progress, int(live))


def _set_progress(import_id: int, percent: int) -> None:
    try:
        cache.set(_progress_key(import_id), percent, timeout=3600)
    except Exception:
        pass


def run(import_id: int) -> FeedImport:
    """The job: check the staged file again against today's registry, apply it (all or
    nothing, or the valid rows) in one transaction with the report, audit, delete the file."""
    now = timezone.now()
    FeedImport.objects.filter(pk=import_id, status__in=OPEN).update(
        status=Status.RUNNING, started_at=now, attempts=F("attempts") + 1)
    imp = FeedImport.objects.select_related("user").get(pk=import_id)
    if imp.status != Status.RUNNING:
        return imp  # already finished (a second delivery), or never confirmed
    try:
        with transaction.atomic():
            imp = FeedImport.objects.select_for_update(of=("self",)).select_related("user").get(
                pk=import_id)
            if imp.status != Status.RUNNING:
                return imp
            _apply(imp)
    except Exception as exc:  # nothing of it was applied (one transaction): say so, keep the file
        log.exception("feed import %s failed", import_id)
        FeedImport.objects.filter(pk=import_id, status=Status.RUNNING).update(
            status=Status.FAILED, finished_at=timezone.now(),
            error=f"导入中断，未写入任何数据，可点击“重试”：{mask_text(exc)}"[:500])
        return FeedImport.objects.get(pk=import_id)
    uploads.discard(imp.user, imp.staged_token)  # no ID numbers left lying on disk
    FeedImport.objects.filter(pk=import_id).update(staged_token="")
    imp.refresh_from_db()
    return imp


def _apply(imp: FeedImport) -> None:
    """Inside run's transaction, with the import's row locked."""
    actor, kind_feed = imp.user, feed_for(imp.kind)
    staged = uploads.load(actor, imp.staged_token) if actor is not None else None
    if staged is None:
        _finish(imp, Status.FAILED, error="暂存的文件已过期或已删除，请重新上传文件。")
        return
    table = read(kind_feed, staged[0], imp.file_name or staged[1])
    ctx = _context(actor, imp, kind_feed)
    checked, problems = check(kind_feed, table, ctx, on_progress=lambda done, total: (
        _set_progress(imp.pk, round(40 * done / total))))
    imp.rows, imp.problems = len(table), problem_dicts(problems)
    imp.rejected = len({p.row for p in problems})
    outcome = Outcome()
    if imp.rejected and not imp.valid_only:
        _finish(imp, Status.REFUSED, outcome, error="文件中有错误行，全部未导入。")
        return
    size = batch_rows()
    for start in range(0, len(checked), size):
        outcome.add(kind_feed.apply(checked[start:start + size], ctx))
        _set_progress(imp.pk, 40 + round(60 * min(start + size, len(checked)) / len(checked)))
    _finish(imp, Status.DONE, outcome)


def _finish(imp: FeedImport, status: str, outcome: Outcome | None = None, error: str = ""):
    outcome = outcome or Outcome()
    imp.status, imp.error, imp.finished_at = status, error, timezone.now()
    imp.created, imp.updated, imp.unchanged = outcome.created, outcome.updated, outcome.unchanged
    imp.changes = "\n".join(mask_text(line) for line in outcome.changes)
    imp.progress = 100 if status == Status.DONE else imp.progress
    imp.save()
    if imp.user is not None:
        audit_record(user=imp.user, action=AuditEntry.Action.IMPORT, obj=imp,
                     success=status == Status.DONE,
                     detail=f"导入{imp.title}（{imp.file_name}）：{imp.get_status_display()}，"
                            f"{counts_line(imp)}")


def counts_line(imp: FeedImport) -> str:
    """The contract line of `import_feed`."""
    return (f"rows={imp.rows} created={imp.created} updated={imp.updated} "
            f"unchanged={imp.unchanged} rejected={imp.rejected}")


# --- Reading the imports --------------------------------------------------------------------

def imports_for(user):
    """The imports a user may see: those of their region and below (their own included)."""
    if not scope.can_import_feeds(user):
        return FeedImport.objects.none()
    return FeedImport.objects.filter(scope.region_q(user, "region_id")).select_related(
        "user", "region")


def abandon(imp: FeedImport, *, status: str = Status.ABANDONED) -> None:
    """A staged file that will not be imported: deleted now, the row says why."""
    if imp.user is not None:
        uploads.discard(imp.user, imp.staged_token)
    FeedImport.objects.filter(pk=imp.pk, status=Status.STAGED).update(
        status=status, staged_token="", finished_at=timezone.now(),
        error="文件中有错误行，全部未导入。" if status == Status.REFUSED else "")
