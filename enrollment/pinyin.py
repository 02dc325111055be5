"""Pinyin initials for searching names (staff type "zs" for 张三).

A name starts with the family name, and many family names are read differently from the same
character elsewhere: 曾 is zēng (not céng), 单 shàn, 解 xiè, 仇 qiú … Staff search by the surname's
reading, so the leading family name is read from this table first; compound surnames (欧阳,
万俟 mòqí, 尉迟 yùchí) are matched before single ones.
"""
from pypinyin import Style, lazy_pinyin

# Family names whose reading differs from the character's usual reading (initial letters).
SURNAME_INITIALS = {
    "万俟": "mq", "尉迟": "yc", "单于": "cy", "长孙": "zs", "澹台": "tt",
    "曾": "z", "单": "s", "解": "x", "仇": "q", "区": "o", "朴": "p", "查": "z", "覃": "q",
    "盖": "g", "乐": "y", "缪": "m", "翟": "z", "繁": "p", "秘": "b", "种": "c", "员": "y",
    "召": "s", "折": "s", "黑": "h", "牟": "m", "那": "n", "宁": "n", "过": "g", "华": "h",
    "纪": "j", "句": "g", "阚": "k", "蕃": "p", "冼": "x", "隗": "w", "眭": "s", "殷": "y",
    "柏": "b", "薄": "b", "贲": "b", "卜": "b", "谌": "c", "褚": "c", "宓": "f", "甄": "z",
}
_BY_LENGTH = sorted(SURNAME_INITIALS, key=len, reverse=True)


def _letters(text: str) -> str:
    return "".join(lazy_pinyin(text, style=Style.FIRST_LETTER, errors="ignore"))


def initials(name: str) -> str:
    name = (name or "").strip()
    for surname in _BY_LENGTH:
        if name.startswith(surname):
            return (SURNAME_INITIALS[surname] + _letters(name[len(surname):])).lower()[:20]
    return _letters(name).lower()[:20]
