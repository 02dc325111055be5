"""`manage.py policy_case FILE|-`: evaluate one policy case (RULES.md section 7).

JSON in, one JSON object out. Profiles and standards come from the database (so a province added
as a row works); the case's own `standards` override the stored ones for the years it names.
Bad input prints one line naming the field and exits with status 2. Writes nothing.
"""
import json
import sys

from django.core.management.base import BaseCommand

from benefits import inputs
from benefits.rules.case import determination_to_dict
from benefits.rules.errors import CaseError


class Command(BaseCommand):
    help = "计算一个政策案例（JSON 输入，JSON 输出；见 RULES.md 第7节）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="案例 JSON 文件路径，- 表示标准输入")

    def handle(self, *args, file, **options):
        try:
            case = self._read(file)
            result = determination_to_dict(inputs.evaluate(case))
        except CaseError as exc:
            self._fail(f"{exc.field}: {exc.message}")
        self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))

    def _read(self, file):
        try:
            if file == "-":
                text = sys.stdin.read()
            else:
                with open(file, encoding="utf-8") as handle:
                    text = handle.read()
        except OSError as exc:
            raise CaseError("file", f"无法读取文件：{exc.strerror}") from None
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise CaseError("file", f"不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）") from None

    def _fail(self, line: str):
        self.stderr.write(line.replace("\n", " "))
        sys.exit(2)
