"""The yearly partitions (core/partitions.py): list them, create a coming year's ahead of
January (beat runs `core.partitions_ensure_ahead` monthly; this is the same by hand), and detach
and archive a closed year. PostgreSQL only; on SQLite the tables are plain and it says so."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection, transaction

from core import calendar, partitions


def archivable(year: int) -> bool:
    """Only a closed year: two or more years before the earliest year registrations change."""
    return year <= min(calendar.open_years()) - 2


class Command(BaseCommand):
    help = "按参保年度分区：查看分区、提前建立新年度分区、分离并归档旧年度分区（仅 PostgreSQL）"

    def add_arguments(self, parser):
        action = parser.add_mutually_exclusive_group()
        action.add_argument("--ensure", type=int, nargs="+", metavar="YEAR",
                            help="建立这些年度的分区（已有则跳过；默认分区中该年度的数据随之移入）")
        action.add_argument("--archive", type=int, metavar="YEAR",
                            help="分离该年度分区并移至 archive 模式（只能是已结束的年度）")

    def handle(self, *args, ensure=None, archive=None, **options):
        tables = partitions.partitioned_tables(connection)
        if not tables:
            self.stdout.write("当前数据库没有按年度分区的表（SQLite 使用普通表）。")
            return
        try:
            if ensure:
                self._ensure(tables, ensure)
            elif archive is not None:
                self._archive(tables, archive)
        except DatabaseError as error:
            raise CommandError(f"分区操作未完成，数据库未作改动：{error}") from error
        for table in tables:
            parts = ", ".join(f"{p.year or '默认'}（约{max(p.rows, 0)}行）"
                              for p in partitions.partitions(connection, table))
            self.stdout.write(f"{table}: {parts}")

    def _ensure(self, tables, years):
        for year in years:
            if not calendar.valid_year(year):
                raise CommandError(f"年度（--ensure）：{year} 不是有效的参保年度。")
        with transaction.atomic():
            for table in tables:
                for year in years:
                    made = partitions.ensure(connection, table, year)
                    self.stdout.write(f"{table}: {year}年分区{'已建立' if made else '已存在'}")

    def _archive(self, tables, year):
        if not archivable(year):
            raise CommandError(f"年度（--archive）：{year}年尚未结束或仍在补缴、重算范围内，"
                               f"只能归档{min(calendar.open_years()) - 2}年及以前的年度。")
        with transaction.atomic():
            for table in tables:
                moved = partitions.archive(connection, table, year)
                self.stdout.write(f"{table}: " + (f"{year}年分区已分离并归档为 {moved}"
                                                  if moved else f"没有{year}年分区"))
