"""Refresh the dashboard rollups now (what the nightly job and the debounced task do)."""
from django.core.management.base import BaseCommand

from dashboards import rollups


class Command(BaseCommand):
    help = "重算参保看板汇总（默认：近五个有参保数据的年度及当前年度）。"

    def add_arguments(self, parser):
        parser.add_argument("years", nargs="*", type=int, help="只重算这些年度")
        parser.add_argument("--full", action="store_true",
                            help="连同已结束年度的逐日缴费进度一并重算")

    def handle(self, *args, years, full, **options):
        run = rollups.refresh(years=years or None, reason="command", full=full)
        self.stdout.write(self.style.SUCCESS(
            f"已重算 {run.years} 年度汇总，用时 {run.seconds:.1f} 秒。"))
