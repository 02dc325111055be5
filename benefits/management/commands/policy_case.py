"""`manage.py policy_case FILE|-`: evaluate one policy case (RULES.md section 7).

JSON in, one JSON object out. Profiles and standards come from the database (so a province added
as a row works); the case's own `standards` override the stored ones for the years it names.
Any bad input (not UTF-8, not JSON, too large or too deep, a field of the wrong type or out of
range) prints one Chinese line naming the field and exits with status 2. Writes nothing.
"""
import json
import sys

from django.core.management.base import BaseCommand

from benefits import inputs
from benefits.rules.case import determination_to_dict
from benefits.rules.errors import CaseError

# A case is a few kilobytes; anything far larger is not one (and is not worth parsing).
MAX_BYTES = 1_000_000


class Command(BaseCommand):
    help = "计算一个政策案例（JSON 输入，JSON 输出；见 RULES.md 第7节）。"

    def add_arguments(self, parser):
        parser.add_argument("file", help="案例 JSON 文件路径，- 表示标准输入")

    def handle(self, *args, file, **options):
        try:
            case = self._read(file)
            result = determination_to_dict(inputs.evaluate(case))
            text = json.dumps(result, ensure_ascii=False, indent=1)
        except CaseError as exc:
            self._fail(f"{exc.field}: {exc.message}")
        except (ArithmeticError, ValueError, TypeError, OverflowError, RecursionError):
            # The parser names every field it refuses; this is the net under it, so that no
            # input ends in a traceback.
            self._fail("case: 无法计算该案例，请逐项核对输入内容")
        self.stdout.write(text)

    def _read(self, file):
        try:
            if file == "-":
                stream = getattr(sys.stdin, "buffer", None)
                raw = stream.read(MAX_BYTES + 1) if stream is not None else sys.stdin.read(MAX_BYTES + 1)
            else:
                with open(file, "rb") as handle:
                    raw = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CaseError("file", f"无法读取文件：{exc.strerror}") from None
        except UnicodeDecodeError:
            raise CaseError("file", "文件不是 UTF-8 编码，请另存为 UTF-8 后再试") from None
        if len(raw) > MAX_BYTES:
            raise CaseError("file", "输入过大（超过1MB），一个案例应为几KB的 JSON")
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8-sig")
            except UnicodeDecodeError:
                raise CaseError("file", "文件不是 UTF-8 编码，请另存为 UTF-8 后再试") from None
        if not raw.strip():
            raise CaseError("file", "输入为空，请提供一个案例 JSON 对象")
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise CaseError("file", f"不是有效的 JSON（第{exc.lineno}行第{exc.colno}列）") from None
        except RecursionError:
            raise CaseError("file", "JSON 嵌套层数过多，不是有效的案例") from None
        except ValueError:  # e.g. an integer of thousands of digits
            raise CaseError("file", "JSON 中有无法读取的数值") from None

    def _fail(self, line: str):
        self.stderr.write(line.replace("\n", " ").replace("\r", " "))
        sys.exit(2)
