"""Family relations, and which of them are close relatives (RULES.md R-RELATIVES, 001 §4, 004 §1).

Plain Python, no Django: the registry's `Relation` choices and the policy engine both read this
one list, so the relations a personal account may pay for are written once.
"""
from __future__ import annotations

# code -> label, in the order forms offer them.
RELATIONS: dict[str, str] = {
    "head": "户主",
    "spouse": "配偶",
    "child": "子女",
    "parent": "父母",
    "sibling": "兄弟姐妹",
    "grandparent": "祖父母/外祖父母",
    "grandchild": "孙子女/外孙子女",
    "other": "其他",
}

# Whose resident contribution an employee's personal account may pay ("近亲属": spouse, parents,
# children, siblings, grandparents paternal and maternal, grandchildren paternal and maternal).
# Nobody else.
CLOSE_RELATIVES: frozenset[str] = frozenset(
    {"spouse", "parent", "child", "sibling", "grandparent", "grandchild"}
)


def is_close_relative(relation: object) -> bool:
    return isinstance(relation, str) and relation in CLOSE_RELATIVES


def close_relative_labels() -> str:
    return "、".join(RELATIONS[code] for code in RELATIONS if code in CLOSE_RELATIVES)
