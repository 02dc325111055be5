"""Registry rules the engine relies on (RULES.md section 6).

Implements R-ID, R-ONE-ENROLLMENT, R-AUTO-STOP and R-RELATIVES as pure functions over plain
values; the enrollment app calls them from forms, `clean()` and services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

from .errors import RegistryError

# --- R-ID -----------------------------------------------------------------------------------

_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))  # 7, 9, 10, 5, 8, 4, 2, 1, 6, 3, …
_CHECK_CHARS = "10X98765432"  # index: weighted sum mod 11

# Province-level prefixes of GB/T 2260, plus 71 (Taiwan) and the residence-permit prefixes.
PROVINCE_PREFIXES = frozenset(
    "11 12 13 14 15 21 22 23 31 32 33 34 35 36 37 41 42 43 44 45 46 "
    "50 51 52 53 54 61 62 63 64 65 71".split()
)
PERMIT_PREFIXES = {
    "81": "hk_permit",  # 港澳居民居住证（香港）
    "82": "macao_permit",  # 港澳居民居住证（澳门）
    "83": "taiwan_permit",  # 台湾居民居住证
}
ID_KIND_LABELS = {
    "resident": "居民身份证",
    "hk_permit": "港澳居民居住证（香港）",
    "macao_permit": "港澳居民居住证（澳门）",
    "taiwan_permit": "台湾居民居住证",
}


def id_check_character(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character of the first 17 digits ('X' stands for 10)."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need 17 digits")
    total = sum(int(d) * w for d, w in zip(first17, _WEIGHTS))
    return _CHECK_CHARS[total % 11]


@dataclass(frozen=True)
class IdNumber:
    number: str  # normalised: 18 characters, upper-case X
    kind: str  # resident / hk_permit / macao_permit / taiwan_permit
    region: str  # digits 1–6
    birth_date: date
    sex: str  # "M" or "F" (digit 17 odd for men)


def parse_id_number(value: Any, *, today: date | None = None) -> IdNumber:
    """Implements R-ID (GB 11643): check an 18-character ID number or HK/Macao/Taiwan residence
    permit number (prefixes 81, 82, 83) and read the birth date and sex from it.

    Raises RegistryError with a Chinese message that says what to check. `today`, if given,
    rejects birth dates in the future (the engine has no clock).
    """
    if not isinstance(value, str) or not value.strip():
        raise RegistryError("请填写身份证号码", "required")
    number = value.strip().replace(" ", "").upper()
    if len(number) == 15 and number.isdigit():
        raise RegistryError("这是15位旧身份证号码，请填写18位身份证号码", "old_format")
    if len(number) != 18:
        raise RegistryError(f"身份证号码应为18位，现在是{len(number)}位，请核对", "length")
    first17, check = number[:17], number[17]
    if not first17.isdigit() or not (check.isdigit() or check == "X"):
        raise RegistryError("身份证号码前17位应为数字，最后一位为数字或X", "characters")
    prefix = number[:2]
    kind = PERMIT_PREFIXES.get(prefix, "resident")
    if kind == "resident" and prefix not in PROVINCE_PREFIXES:
        raise RegistryError(f"身份证号码前两位“{prefix}”不是有效的地区代码，请核对", "region")
    if kind != "resident" and number[2:6] != "0000":
        raise RegistryError(
            f"{ID_KIND_LABELS[kind]}号码前6位应为{prefix}0000，请核对", "region"
        )
    digits = number[6:14]
    try:
        birth = date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError:
        raise RegistryError(f"身份证号码第7至14位“{digits}”不是有效的出生日期，请核对", "birth_date") from None
    if birth.year < 1880 or (today is not None and birth > today):
        raise RegistryError(f"身份证号码中的出生日期{birth.isoformat()}不合理，请核对", "birth_date")
    if id_check_character(first17) != check:
        raise RegistryError("身份证号码校验位不正确，可能有数字输错，请逐位核对", "checksum")
    sex = "M" if int(number[16]) % 2 == 1 else "F"
    return IdNumber(number=number, kind=kind, region=number[:6], birth_date=birth, sex=sex)


def is_valid_id_number(value: Any) -> bool:
    try:
        parse_id_number(value)
    except RegistryError:
        return False
    return True


# --- R-ONE-ENROLLMENT and R-AUTO-STOP --------------------------------------------------------

RESIDENT = "resident"
EMPLOYEE = "employee"


@dataclass(frozen=True)
class EnrollmentRecord:
    """An enrollment as the registry rules see it. `cover_end` None: open-ended (employee)."""

    scheme: str  # "resident" or "employee"
    pooling_region: str
    cover_start: date
    cover_end: date | None = None
    year: int | None = None  # coverage year of a resident enrollment
    ref: Any = None  # the caller's key (a primary key), passed through

    def __post_init__(self) -> None:
        if self.scheme not in (RESIDENT, EMPLOYEE):
            raise ValueError("scheme must be 'resident' or 'employee'")
        if self.scheme == RESIDENT and self.year is None:
            object.__setattr__(self, "year", self.cover_start.year)

    def overlaps(self, other: "EnrollmentRecord") -> bool:
        far = date.max
        return self.cover_start <= (other.cover_end or far) and other.cover_start <= (
            self.cover_end or far
        )

    def same_as(self, other: "EnrollmentRecord") -> bool:
        return self.ref is not None and self.ref == other.ref


@dataclass(frozen=True)
class Duplicate:
    existing: EnrollmentRecord
    code: str  # same_region / other_region / employee_overlap
    message: str


def duplicate_enrollments(
    new: EnrollmentRecord, existing: Iterable[EnrollmentRecord]
) -> list[Duplicate]:
    """Implements R-ONE-ENROLLMENT: at most one resident enrollment per person and year. A resident
    enrollment for the same year (here or in another pooling region), or a resident and an
    employee enrollment whose covers overlap in time, is a duplicate to resolve. An employee cover
    that ended before the resident cover starts is not (R-EMP-3M)."""
    found: list[Duplicate] = []
    for old in existing:
        if old.same_as(new):
            continue
        if new.scheme == RESIDENT and old.scheme == RESIDENT:
            if old.year != new.year:
                continue
            if old.pooling_region == new.pooling_region:
                found.append(Duplicate(old, "same_region", f"该人员已参加{new.year}年居民医保，不能重复参保"))
            else:
                found.append(
                    Duplicate(
                        old,
                        "other_region",
                        f"该人员已在其他统筹地区（{old.pooling_region}）参加{new.year}年居民医保，属重复参保，请核实处理",
                    )
                )
        elif {new.scheme, old.scheme} == {RESIDENT, EMPLOYEE} and new.overlaps(old):
            found.append(
                Duplicate(old, "employee_overlap", "该人员职工医保与居民医保待遇期重叠，属重复参保，请核实处理")
            )
    return found


@dataclass(frozen=True)
class AutoStop:
    enrollment: EnrollmentRecord
    ends_on: date  # last covered day of the old enrollment
    cancelled: bool  # the old cover had not started: it never takes effect
    message: str


def auto_stops(new: EnrollmentRecord, existing: Iterable[EnrollmentRecord]) -> list[AutoStop]:
    """Implements R-AUTO-STOP: enrolling in the employee scheme, or as a resident in another
    pooling region, ends the old resident enrollment the day before the new cover starts, without
    a visit to the office. Old resident enrollments that had ended before are left alone."""
    stops: list[AutoStop] = []
    ends_on = new.cover_start - timedelta(days=1)
    for old in existing:
        if old.same_as(new) or old.scheme != RESIDENT:
            continue
        if new.scheme == RESIDENT and new.pooling_region == old.pooling_region:
            continue
        if old.cover_end is not None and old.cover_end < new.cover_start:
            continue
        cancelled = ends_on < old.cover_start
        why = "参加职工医保" if new.scheme == EMPLOYEE else f"在{new.pooling_region}参加居民医保"
        if cancelled:
            message = f"因{why}，原{old.year}年居民医保参保自动终止，未生效"
        else:
            message = f"因{why}，原{old.year}年居民医保参保自动终止，待遇至{ends_on.isoformat()}"
        stops.append(AutoStop(old, ends_on, cancelled, message))
    return stops


# --- R-RELATIVES -----------------------------------------------------------------------------

CLOSE_RELATIVES = {
    "spouse": "配偶",
    "parent": "父母",
    "child": "子女",
    "sibling": "兄弟姐妹",
    "grandparent": "祖父母",
    "maternal_grandparent": "外祖父母",
    "grandchild": "孙子女",
    "maternal_grandchild": "外孙子女",
}


def is_close_relative(relation: str) -> bool:
    """Implements R-RELATIVES: the relations whose resident contribution an employee's personal
    account may pay."""
    return relation in CLOSE_RELATIVES


def check_relative(relation: str) -> None:
    """Implements R-RELATIVES: raise RegistryError unless `relation` is a close relative."""
    if not is_close_relative(relation):
        allowed = "、".join(CLOSE_RELATIVES.values())
        raise RegistryError(
            f"职工医保个人账户只能为近亲属（{allowed}）缴纳居民医保费，“{relation}”不在范围内", "relation"
        )
