"""Identity document numbers (RULES.md R-ID, GB 11643).

A resident ID number is 17 digits and a check character computed with ISO 7064 MOD 11-2 ('X'
for 10). Digits 1-6 are the region of first registration, 7-14 the birth date, 17 is odd for
men. Hong Kong, Macao and Taiwan residence permits have the same form with the prefixes 81, 82
and 83; python-stdnum's cn.ric rejects those (its region table has no such codes), so the check
digit is computed here for both kinds and only the region part differs.
"""
from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

PERMIT_PREFIXES = {"81": "香港居民居住证", "82": "澳门居民居住证", "83": "台湾居民居住证"}
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK_CHARS = "10X98765432"
_SHAPE = re.compile(r"^\d{17}[\dX]$")


class IdNumberError(ValueError):
    """An ID number that is not valid; the message is for the person who typed it."""


@dataclass(frozen=True)
class ParsedId:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    is_permit: bool


def normalize(raw: str) -> str:
    """Strip spaces and full-width characters staff paste from Excel; upper-case the x."""
    table = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")
    return re.sub(r"\s+", "", (raw or "").translate(table)).upper()


def check_char(first17: str) -> str:
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


def parse(raw: str) -> ParsedId:
    """Validate an 18-character ID number or residence permit number and read it."""
    number = normalize(raw)
    if len(number) != 18:
        raise IdNumberError(f"证件号码应为18位，当前为{len(number)}位。")
    if not _SHAPE.match(number):
        raise IdNumberError("证件号码前17位必须是数字，最后一位是数字或X。")
    if check_char(number[:17]) != number[17]:
        raise IdNumberError("证件号码校验位不正确，请核对是否输错。")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("证件号码中的出生日期（第7-14位）不是有效日期。") from None
    if birth.year < 1880:
        raise IdNumberError("证件号码中的出生日期早于1880年，请核对。")
    if number[0] == "0":
        raise IdNumberError("证件号码前6位地区码无效。")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ParsedId(number=number, birth_date=birth, sex=sex, is_permit=number[:2] in PERMIT_PREFIXES)


def mask(number: str | None) -> str:
    """Mask an ID number for lists: keep the first 4 and last 4 characters."""
    if not number:
        return ""
    if len(number) <= 8:
        return number[:1] + "*" * (len(number) - 1)
    return number[:4] + "*" * (len(number) - 8) + number[-4:]


def mask_phone(phone: str | None) -> str:
    if not phone:
        return ""
    if len(phone) < 7:
        return "*" * len(phone)
    return phone[:3] + "****" + phone[-4:]


def make_id(region6: str, birth: dt.date, sequence: int, sex: str) -> str:
    """Build a valid number (demo data and tests): 3-digit sequence, odd for men."""
    seq = sequence % 500 * 2 + (1 if sex == "M" else 0)
    first17 = f"{region6}{birth:%Y%m%d}{seq:03d}"
    return first17 + check_char(first17)


def make_unique_id(serial: int, birth: dt.date, sex: str) -> str:
    """A valid number unique for each serial below 5,000,000 (demo data, benchmarks): the
    serial picks the region part and the sequence, so two serials never share both."""
    region6 = f"43{serial // 500 % 10000:04d}"
    return make_id(region6, birth, serial, sex)
