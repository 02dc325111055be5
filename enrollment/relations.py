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


# The inverse of each close relation: if A is B's parent, B is A's child.
INVERSE: dict[str, str] = {"spouse": "spouse", "parent": "child", "child": "parent",
                           "sibling": "sibling", "grandparent": "grandchild",
                           "grandchild": "grandparent"}


def relation_between(payer_to_head: object, insured_to_head: object) -> str | None:
    """The payer's relation to the insured person, from both their relations to the head of
    the household (户口簿), where the booklet makes it certain: the head and any close relative
    of the head; two children of the head (siblings); a child and a parent of the head
    (grandchild and grandparent). Other pairs (the head's spouse and a child, who may be a
    stepchild) are not derived: the clerk chooses the relation when recording the payment."""
    if payer_to_head == "head" and is_close_relative(insured_to_head):
        return INVERSE[insured_to_head]
    if insured_to_head == "head" and is_close_relative(payer_to_head):
        return payer_to_head
    pair = (payer_to_head, insured_to_head)
    if pair == ("child", "child"):
        return "sibling"
    if pair == ("parent", "child"):
        return "grandparent"
    if pair == ("child", "parent"):
        return "grandchild"
    return None
