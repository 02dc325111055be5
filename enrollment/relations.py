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


# The same relation seen from the other side.
INVERSE: dict[str, str] = {
    "spouse": "spouse", "child": "parent", "parent": "child", "sibling": "sibling",
    "grandparent": "grandchild", "grandchild": "grandparent",
}


def relation_via_head(a_to_head: str, b_to_head: str) -> str | None:
    """What person A is to person B, when both are in one household and the register says what
    each is to the head; None where the register does not settle it (the clerk then states the
    relation and its evidence)."""
    if a_to_head == "head":
        return INVERSE.get(b_to_head)
    if b_to_head == "head":
        return a_to_head if a_to_head in INVERSE else None
    if a_to_head == b_to_head == "child":
        return "sibling"
    return None
