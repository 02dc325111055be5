"""python manage.py compare_monthly [--region CODE]: the monthly comparison now, in this process,
part after part (each part one transaction); prints `findings=N new=M` (N open findings found by
this run, M of them new). The 1st-of-the-month schedule runs the same through the worker."""
from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enrollment.exchange import comparison
from enrollment.models import Region


class Command(BaseCommand):
    help = "按月动态交叉比对：比对人员档案与部门数据，结果进入比对核查"

    def add_arguments(self, parser):
        parser.add_argument("--region", default="", help="区划代码（不填为全部地区）")

    def handle(self, *args, region="", **options):
        target = None
        if region:
            target = Region.objects.filter(code=region.strip()).first()
            if target is None:
                raise CommandError(f"区划代码（--region）：{region} 不存在。")
        run = comparison.run_inline(region=target)
        self.stdout.write(f"findings={run.findings} new={run.new}")
