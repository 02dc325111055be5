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
# The length of each level's significant prefix: the one place these numbers are written.
LEVEL_LENGTH = {PROVINCE: 2, CITY: 4, COUNTY: 6, TOWNSHIP: 9, VILLAGE: 12, GRID: 15}
LEVEL_ORDER = [PROVINCE, CITY, COUNTY, TOWNSHIP, VILLAGE, GRID]
# A division code is 12 digits; a grid appends its own 3 to its village's code.
CODE_LENGTH = LEVEL_LENGTH[VILLAGE]


def level_of(code: str) -> str:
    if len(code) == LEVEL_LENGTH[GRID]:
        return GRID
    if len(code) != CODE_LENGTH or not code.isdigit():
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
    return code[: LEVEL_LENGTH[level_of(code)]]


def prefix_end(prefix: str) -> str | None:
    """The first code after everything that starts with `prefix`: the prefix as a number plus
    one, same width (None past "999…"). `prefix <= code < prefix_end(prefix)` means the same as
    "starts with" for codes of digits, and a b-tree whose leading columns hold the code answers
    it under any collation, where LIKE 'prefix%' needs a pattern-ops index of its own."""
    if set(prefix) == {"9"}:
        return None
    return str(int(prefix) + 1).zfill(len(prefix))


def in_batches(prefixes: list[str], persons_by_township: dict[str, int],
               limit: int) -> list[list[str]]:
    """Consecutive code prefixes (in the order given) gathered into batches of up to `limit`
    persons each; a prefix weighs the persons of the townships under it (`persons_by_township`:
    township prefix → persons), a prefix heavier than the limit is a batch of its own. The
    region-wide jobs (the ledger, the monthly comparison) run a batch per transaction: a
    statement's fixed cost is paid once per batch instead of once per township."""
    township = LEVEL_LENGTH[TOWNSHIP]
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for prefix in prefixes:
        weight = (persons_by_township.get(prefix[:township], 0) if len(prefix) >= township
                  else sum(n for t, n in persons_by_township.items() if t.startswith(prefix)))
        if current and size + weight > limit:
            batches.append(current)
            current, size = [], 0
        current.append(prefix)
        size += weight
    if current:
        batches.append(current)
    return batches


def ancestor_code(code: str, level: str) -> str:
    """The code of the region at `level` that `code` lies in: its prefix of that level's length,
    padded with zeros to a 12-digit division code (a grid's village is its first 12 digits).
    `code` may be a full code or a prefix at least as long as the level's."""
    length = LEVEL_LENGTH[level]
    if level == GRID:
        return code[:length]
    return code[:length].ljust(CODE_LENGTH, "0")


def parent_code(code: str) -> str | None:
    level = level_of(code)
    if level == PROVINCE:
        return None
    return ancestor_code(code, LEVEL_ORDER[LEVEL_ORDER.index(level) - 1])
