"""Build the demo city (see enrollment/demo.py) and let every app add its own demo data."""
import importlib
import importlib.util
import time

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from enrollment import demo
from enrollment.models import Person


class Command(BaseCommand):
    help = "生成演示数据：一个市、两个县、约两万人及演示账号（密码 canbao-demo）。"

    def add_arguments(self, parser):
        parser.add_argument("--persons", type=int, default=20000)
        parser.add_argument("--seed", type=int, default=20260901)
        parser.add_argument("--force", action="store_true",
                            help="在 DEBUG 关闭（生产）时也运行")
        parser.add_argument("--if-empty", action="store_true",
                            help="库中已有人员时什么也不做（make run 用）")

    def handle(self, *args, persons, seed, force, if_empty, **options):
        if not settings.DEBUG and not force:
            raise CommandError("DEBUG 已关闭（生产环境），演示数据不会写入。确需写入请加 --force。")
        if Person.objects.exists():
            if if_empty:
                self.stdout.write("已有数据，跳过演示数据生成。")
                return
            raise CommandError("数据库中已有人员数据；演示数据只能写入空库。")
        started = time.monotonic()
        summary = demo.seed(persons=persons, seed=seed)
        self.stdout.write(f"登记：{summary}")
        for config in apps.get_app_configs():
            if config.name == "enrollment":
                continue
            module_name = f"{config.name}.demo"
            if importlib.util.find_spec(module_name) is None:
                continue
            result = importlib.import_module(module_name).seed(seed=seed)
            self.stdout.write(f"{config.verbose_name}：{result}")
        self.stdout.write(self.style.SUCCESS(
            f"演示数据已生成（{time.monotonic() - started:.1f} 秒）。演示账号：city_leader、"
            "county_admin、township_staff、village_staff、village_staff_2、grid_worker、admin，"
            f"密码 {demo.DEMO_PASSWORD}"))
