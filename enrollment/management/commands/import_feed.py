"""`manage.py import_feed KIND FILE --as USERNAME [--valid-only]`: import a department file as
that user through the same flow as the 数据交换 pages (stage, check, confirm, run the job
inline). Prints `rows=N created=A updated=B unchanged=C rejected=R`. With bad rows and no
--valid-only it prints each bad row (row number, column, message), writes nothing and exits 2;
an unknown kind, a file without the kind's columns or an unreadable file is one Chinese line and
exit 2."""
from __future__ import annotations

from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand

from enrollment.exchange import flow

from ._one_door import Refused, acting_user, fail


class Command(BaseCommand):
    help = "以经办人身份导入部门数据文件（与数据交换页面相同的流程）。"

    def add_arguments(self, parser):
        parser.add_argument("kind")
        parser.add_argument("file")
        parser.add_argument("--as", dest="username", required=True)
        parser.add_argument("--valid-only", action="store_true",
                            help="只导入有效行（否则有错误行时全部不导入）")

    def handle(self, *args, **o):
        try:
            imp = self._import(o)
        except Refused as exc:
            fail(self, exc.line)
        if imp.status != flow.Status.DONE:
            self._bad_rows(imp)
            self.stdout.write(flow.counts_line(imp))
            if imp.error and not imp.rejected:
                self.stderr.write(imp.error)
            raise SystemExit(2)
        self.stdout.write(flow.counts_line(imp))

    def _import(self, o):
        user = acting_user(o["username"])
        path = Path(o["file"])
        try:
            content = path.read_bytes()
        except OSError:
            raise Refused(f"文件（FILE）：无法读取“{o['file']}”，请检查路径。") from None
        try:
            imp = flow.stage(actor=user, kind=o["kind"], content=content, name=path.name,
                             source="命令行导入")
        except flow.FeedRefused as exc:
            raise Refused(exc.messages[0]) from None
        except PermissionDenied as exc:
            raise Refused(f"经办人（--as）：{exc}") from None
        if imp.rejected and not o["valid_only"]:
            flow.abandon(imp, status=flow.Status.REFUSED)
            imp.refresh_from_db()
            return imp
        try:
            flow.confirm(actor=user, imp=imp, valid_only=o["valid_only"])
        except ValidationError as exc:
            raise Refused(exc.messages[0]) from None
        return flow.run(imp.pk)

    def _bad_rows(self, imp):
        for p in imp.problems:
            column = f"[{p['column']}]" if p["column"] else ""
            self.stdout.write(f"第{p['row']}行{column}：{p['message']}"
                              + (f"（{p['hint']}）" if p["hint"] else ""))
