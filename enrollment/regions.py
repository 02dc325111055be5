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
               limit: int, *, workers: int = 1) -> list[list[str]]:
    """Consecutive code prefixes (in the order given) gathered into batches of up to `limit`
    persons each; a prefix weighs the persons of the townships under it (`persons_by_township`:
    township prefix → persons), a prefix heavier than the limit is a batch of its own. The
    region-wide jobs (the ledger, the monthly comparison) run a batch per transaction: a
    statement's fixed cost is paid once per batch instead of once per township.

    With `workers` (the processes that run the batches side by side), the number of batches is
    rounded up to a multiple of it and the persons are shared evenly between them: seven full
    batches on two workers leave one worker alone with the seventh, while eight smaller ones
    keep both busy to the end (docs/scale.md, "Third pass")."""
    township = LEVEL_LENGTH[TOWNSHIP]

    def weight(prefix: str) -> int:
        if len(prefix) >= township:
            return persons_by_township.get(prefix[:township], 0)
        return sum(n for t, n in persons_by_township.items() if t.startswith(prefix))

    weights = [weight(p) for p in prefixes]
    if workers > 1 and sum(weights) > 0:
        return _even_batches(prefixes, weights, limit, workers)
    batches: list[list[str]] = []
    current: list[str] = []
    size = 0
    for prefix, w in zip(prefixes, weights):
        if current and size + w > limit:
            batches.append(current)
            current, size = [], 0
        current.append(prefix)
        size += w
    if current:
        batches.append(current)
    return batches


def _even_batches(prefixes: list[str], weights: list[int], limit: int,
                  workers: int) -> list[list[str]]:
    """As many batches as `limit` asks for, rounded up to a multiple of `workers`, each prefix
    in the batch its middle person falls in (so the batches stay runs of consecutive prefixes
    and differ by at most a prefix's weight)."""
    total = sum(weights)
    count = -(-total // max(limit, 1))
    count = -(-count // workers) * workers
    share = total / count
    batches: list[list[str]] = [[] for _ in range(count)]
    before = 0
    for prefix, w in zip(prefixes, weights):
        batches[min(count - 1, int((before + w / 2) // share))].append(prefix)
        before += w
    return [batch for batch in batches if batch]


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
