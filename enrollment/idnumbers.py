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
from operator import mul
from dataclasses import dataclass

PERMIT_PREFIXES = {"81": "香港居民居住证", "82": "澳门居民居住证", "83": "台湾居民居住证"}
# Province-level prefixes of GB/T 2260, plus 71 (Taiwan).
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71".split()
)
_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
_CHECK_CHARS = "10X98765432"
_ZERO_OFFSET = ord("0") * sum(_WEIGHTS)  # digits as bytes: subtract the '0's in one go


class IdNumberError(ValueError):
    """An ID number that is not valid. The message is for the person who typed it; `code`
    says which check failed (required, old_format, length, characters, region, birth_date,
    checksum)."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message, self.code = message, code


@dataclass(frozen=True)
class ParsedId:
    number: str
    birth_date: dt.date
    sex: str  # "M" or "F"
    is_permit: bool

    @property
    def region(self) -> str:
        return self.number[:6]


_FULL_WIDTH = str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX")
_SPACES = re.compile(r"\s+")


def normalize(raw: str) -> str:
    """Strip spaces and full-width characters staff paste from Excel; upper-case the x."""
    # Table and pattern built once: bulk imports normalise millions of numbers.
    return _SPACES.sub("", (raw or "").translate(_FULL_WIDTH)).upper()


def check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits ('X' stands for 10)."""
    # Over the ASCII codes (a third of the cost of int() per digit: bulk imports check
    # millions); callers have checked the 17 characters are digits.
    total = sum(map(mul, first17.encode(), _WEIGHTS)) - _ZERO_OFFSET
    return _CHECK_CHARS[total % 11]


def parse(raw: str, *, today: dt.date | None = None) -> ParsedId:
    """Implements R-ID (GB 11643): validate an 18-character ID number or HK/Macao/Taiwan
    residence permit number and read the birth date and sex from it. `today`, if given,
    refuses birth dates in the future."""
    if not isinstance(raw, str) or not raw.strip():
        raise IdNumberError("请填写证件号码。", "required")
    number = normalize(raw)
    if len(number) == 15 and number.isdigit():
        raise IdNumberError("这是15位旧身份证号码，请填写18位身份证号码。", "old_format")
    if len(number) != 18:
        raise IdNumberError(f"证件号码应为18位，当前为{len(number)}位。", "length")
    first17, check = number[:17], number[17]
    if (not (first17.isascii() and first17.isdigit())
            or not (check.isdigit() or check == "X")):
        raise IdNumberError("证件号码前17位必须是数字，最后一位是数字或X。", "characters")
    prefix = number[:2]
    is_permit = prefix in PERMIT_PREFIXES
    if not is_permit and prefix not in PROVINCE_PREFIXES:
        raise IdNumberError(f"证件号码前两位“{prefix}”不是有效的地区代码，请核对。", "region")
    if is_permit and number[2:6] != "0000":
        raise IdNumberError(f"{PERMIT_PREFIXES[prefix]}号码前6位应为{prefix}0000，请核对。",
                            "region")
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError("证件号码中的出生日期（第7-14位）不是有效日期。", "birth_date") from None
    if birth.year < 1880 or (today is not None and birth > today):
        raise IdNumberError(f"证件号码中的出生日期{birth.isoformat()}不合理，请核对。",
                            "birth_date")
    if check_char(first17) != check:
        raise IdNumberError("证件号码校验位不正确，可能有数字输错，请逐位核对。", "checksum")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return ParsedId(number=number, birth_date=birth, sex=sex, is_permit=is_permit)


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
