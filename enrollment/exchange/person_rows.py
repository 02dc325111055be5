"""The checks of one row of the 公安 person file, shared by the feed kind (batches of a page
upload) and the bulk path (millions of rows in worker processes), so both refuse the same rows
with the same words.

Plain Python over plain values: the caller gives the region codes that exist and the importer's
scope prefix, so a worker process checks its rows without a query each. What needs the whole
file or the database (an ID twice in the file, an existing file outside the importer's scope) is
checked by the caller, in one query per batch or one statement per import.
"""
from __future__ import annotations

import datetime as dt
import re

from core.uploads import UNREADABLE

from .. import idnumbers
from ..relations import RELATIONS
from .base import Column, RowProblem, cell_text  # noqa: F401  (kinds/persons reads cells through here)

ID, NAME, SEX, BIRTH, HUKOU, RESIDENCE = "证件号码", "姓名", "性别", "出生日期", "户籍地区划代码", "常住地区划代码"
HOUSEHOLD, RELATION, ADDRESS, PHONE = "户号", "与户主关系", "住址", "联系电话"

_EXAMPLE_ID = idnumbers.make_id("430121", dt.date(1980, 5, 1), 1, "M")
COLUMNS = (
    Column(ID, example=_EXAMPLE_ID, note="18位居民身份证或港澳台居民居住证号码"),
    Column(NAME, example="张三"),
    Column(SEX, example="男", note="男或女，须与证件号码第17位一致"),
    Column(BIRTH, example="1980-05-01", note="如1980-05-01，须与证件号码一致"),
    Column(HUKOU, example="430121100001", note="12位统计区划代码（村、社区）"),
    Column(RESIDENCE, required=False, example="430121100001", note="不填则与户籍地相同"),
    Column(HOUSEHOLD, required=False, example="4301211000010001", note="户口簿户号"),
    Column(RELATION, required=False, example="户主",
           note="、".join(RELATIONS.values())),
    Column(ADDRESS, required=False, example="东山村1组"),
    Column(PHONE, required=False, example="13800138000"),
)

# The register's own words for relations, beside the labels of enrollment/relations.py.
RELATION_WORDS = {label: code for code, label in RELATIONS.items()} | {
    "本人": "head", "户主本人": "head", "妻": "spouse", "夫": "spouse", "妻子": "spouse",
    "丈夫": "spouse", "子": "child", "女": "child", "儿子": "child", "女儿": "child",
    "长子": "child", "长女": "child", "次子": "child", "次女": "child", "父亲": "parent",
    "母亲": "parent", "父": "parent", "母": "parent", "兄": "sibling", "弟": "sibling",
    "姐": "sibling", "妹": "sibling", "祖父母": "grandparent", "外祖父母": "grandparent",
    "祖父": "grandparent", "祖母": "grandparent", "外祖父": "grandparent",
    "外祖母": "grandparent", "孙子女": "grandchild", "外孙子女": "grandchild",
    "孙子": "grandchild", "孙女": "grandchild", "外孙子": "grandchild", "外孙女": "grandchild",
}
SEX_WORDS = {"男": "M", "女": "F", "男性": "M", "女性": "F"}
_PHONE = re.compile(r"^\+?[0-9][0-9-]{5,19}$")
_DATE = re.compile(r"^(\d{4})[-/.年]?(\d{1,2})[-/.月]?(\d{1,2})日?$")
FIX = "请在文件中改正后重新上传。"


def parse_date(text: str) -> dt.date | None:
    match = _DATE.match(text)
    if not match:
        return None
    try:
        return dt.date(*map(int, match.groups()))
    except ValueError:
        return None


class PersonRowChecker:
    """Checks rows one at a time. `regions`: every region code that exists (a set); `prefix`:
    the importer's scope ('' everything, None nothing: every row is refused)."""

    def __init__(self, *, regions, prefix: str | None, today: dt.date):
        self.regions, self.prefix, self.today = regions, prefix, today
        self._dates: dict[str, dt.date | None] = {}

    def _region(self, code: str, column: str, row: int, problems: list) -> None:
        if code not in self.regions:
            problems.append(RowProblem(row, column, f"区划代码“{code}”不存在。",
                                       "请填写12位统计区划代码（村、社区），" + FIX))
        elif self.prefix is None or not code.startswith(self.prefix):
            problems.append(RowProblem(row, column, f"区划代码“{code}”不在您的辖区内，不能导入该行。",
                                       "请只导入本辖区的人员，其他地区的人员由所在地导入。"))

    def check(self, row: int, cells: dict) -> tuple[dict | None, list[RowProblem]]:
        """(values, []) for a good row, (None, problems) for a bad one. Values: id_number,
        id_type, name, sex, birth_date, hukou, residence, household, relation, address, phone;
        an empty optional cell is None ("leave what is recorded")."""
        get = cells.get
        problems: list[RowProblem] = []
        if UNREADABLE in "".join(v for v in cells.values() if v):  # one scan, not one a cell
            return None, [RowProblem(row, "", "该行含有无法识别的字符（文件编码不一致）。",
                                     "请将文件另存为 UTF-8 编码的 CSV 或 Excel 后重新上传。")]
        raw_id = (get(ID) or "").strip()
        try:
            parsed = idnumbers.parse(raw_id, today=self.today)
        except idnumbers.IdNumberError as exc:
            problems.append(RowProblem(row, ID, f"“{raw_id}”：{exc.message}", FIX))
            parsed = None
        name = (get(NAME) or "").strip()
        if not name:
            problems.append(RowProblem(row, NAME, "姓名未填写。", FIX))
        elif len(name) > 50:
            problems.append(RowProblem(row, NAME, "姓名超过50个字。", FIX))
        sex_text = (get(SEX) or "").strip()
        sex = SEX_WORDS.get(sex_text)
        if sex is None:
            problems.append(RowProblem(row, SEX, f"性别“{sex_text}”无法识别，应为“男”或“女”。", FIX))
        elif parsed and sex != parsed.sex:
            problems.append(RowProblem(row, SEX, "性别与证件号码第17位不符（奇数为男，偶数为女）。",
                                       "请核对证件号码或性别。"))
        birth_text = (get(BIRTH) or "").strip()
        birth = self._dates.get(birth_text, False)
        if birth is False:
            birth = self._dates[birth_text] = parse_date(birth_text)
        if birth is None:
            problems.append(RowProblem(row, BIRTH, f"出生日期“{birth_text}”不是有效日期，"
                                                   "应写作如1980-05-01。", FIX))
        elif parsed and birth != parsed.birth_date:
            problems.append(RowProblem(row, BIRTH, "出生日期与证件号码不符：号码中为"
                                                   f"{parsed.birth_date:%Y年%m月%d日}。",
                                       "请核对证件号码或出生日期。"))
        hukou = (get(HUKOU) or "").strip()
        if not hukou:
            problems.append(RowProblem(row, HUKOU, "户籍地区划代码未填写。", FIX))
        else:
            self._region(hukou, HUKOU, row, problems)
        residence = (get(RESIDENCE) or "").strip() or None
        if residence:
            self._region(residence, RESIDENCE, row, problems)
        household = (get(HOUSEHOLD) or "").strip() or None
        if household and len(household) > 30:
            problems.append(RowProblem(row, HOUSEHOLD, "户号超过30位。", FIX))
        relation_text = (get(RELATION) or "").strip()
        relation = RELATION_WORDS.get(relation_text) if relation_text else None
        if relation_text and relation is None:
            problems.append(RowProblem(row, RELATION, f"与户主关系“{relation_text}”无法识别。",
                                       "请填写：" + "、".join(RELATIONS.values()) + "。"))
        address = (get(ADDRESS) or "").strip() or None
        if address and len(address) > 200:
            problems.append(RowProblem(row, ADDRESS, "住址超过200个字。", FIX))
        phone = (get(PHONE) or "").strip() or None
        if phone and not _PHONE.match(phone):
            problems.append(RowProblem(row, PHONE, f"联系电话“{phone}”格式不正确，应为手机号或"
                                                   "带区号的固定电话。", FIX))
        if problems:
            return None, problems
        return {"id_number": parsed.number,
                "id_type": "hmt_permit" if parsed.is_permit else "resident_id",
                "name": name, "sex": sex, "birth_date": birth, "hukou": hukou,
                "residence": residence, "household": household, "relation": relation,
                "address": address, "phone": phone}, []


def duplicate_problem(row: int, first: int) -> RowProblem:
    return RowProblem(row, ID, f"证件号码与第{first}行重复。", "同一人只保留一行，" + FIX)


def elsewhere_problem(row: int) -> RowProblem:
    # No oracle: neither where nor under whom (the registration page's words).
    return RowProblem(row, ID, "该证件号码已在其他地区登记，不能由本辖区导入修改。",
                      "如此人已迁入本辖区，请走转入申请；否则删除该行。")


def merged_problem(row: int, into: int) -> RowProblem:
    return RowProblem(row, ID, f"该证件号码的档案已合并至档案{into}。",
                      "请在保留的档案中核对修改，并删除该行。")
