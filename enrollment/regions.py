"""Region codes as materialised paths.

Statistical division codes are 12 digits: province (2) city (2) county (2) township (3)
village (3); a grid is its village code plus 3 digits. The significant prefix of a code is the
path: everything under a county is every code that starts with its 6 digits, which is an indexed
prefix match instead of a recursive query.
"""
from __future__ import annotations

PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE, GRID = (
    "province",
    "city",
    "county",
    "township",
    "village",
    "grid",
)
LEVEL_LABELS = {
    PROVINCE: "省",
    CITY: "市",
    COUNTY: "县（区）",
    TOWNSHIP: "乡镇（街道）",
    VILLAGE: "村（社区）",
    GRID: "网格",
}
_LEVEL_PREFIX_LEN = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12, GRID: 15}
LEVEL_ORDER = [PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE, GRID]


def level_of(code: str) -> str:
    if len(code) == 15:
        return GRID
    if len(code) != 12 or not code.isdigit():
        raise ValueError(f"区划代码应为12位数字（网格为15位）：{code}")
    if code[2:] == "0" * 10:
        return PROVINCE
    if code[4:] == "0" * 8:
        return CITY
    if code[6:] == "0" * 6:
        return COUNTY
    if code[9:] == "000":
        return TOWNSHIP
    return VILLAGE


def prefix_of(code: str) -> str:
    """The significant part of a code: the path that everything below it starts with."""
    return code[: _LEVEL_PREFIX_LEN[level_of(code)]]


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == PROVINCE:
        return None
    if level == GRID:
        return code[:12]
    parent_len = _LEVEL_PREFIX_LEN[LEVEL_ORDER[LEVEL_ORDER.index(level) - 1]]
    return code[:parent_len].ljust(12, "0")


def is_within(code: str, ancestor_code: str) -> bool:
    return code.startswith(prefix_of(ancestor_code))
