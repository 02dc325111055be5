"""Pinyin initials for searching names (staff type "zs" for 张三)."""
from pypinyin import Style, lazy_pinyin


def initials(name: str) -> str:
    letters = lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="ignore")
    return "".join(letters).lower()[:20]
