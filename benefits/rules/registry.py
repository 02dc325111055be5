"""Registry rules the engine relies on (RULES.md section 6).

Implements R-ID, R-ONE-ENROLLMENT, R-AUTO-STOP and R-RELATIVES as pure functions over plain
values; the enrollment app calls them from forms, `clean()` and services.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

from enrollment import idnumbers

from .errors import RegistryError

# --- R-ID -----------------------------------------------------------------------------------

# The check itself lives with the registry (enrollment/idnumbers.py, plain Python like this
# module); here it is seen through the engine's types and error.
PROVINCE_PREFIXES = idnumbers.PROVINCE_PREFIXES
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
    return idnumbers.check_char(first17)


@dataclass(frozen=True)
class IdNumber:
    number: str  # normalised: 18 characters, upper-case X
    kind: str  # resident / hk_permit / macao_permit / taiwan_permit
    region: str  # digits 1–6
    birth_date: date
    sex: str  # "M" or "F" (digit 17 odd for men)


def parse_id_number(value: Any, *, today: date | None = None) -> IdNumber:
    """Implements R-ID (GB 11643) for the engine: enrollment.idnumbers.parse, with the
    engine's RegistryError (same Chinese message, same code)."""
    try:
        parsed = idnumbers.parse(value, today=today)
    except idnumbers.IdNumberError as exc:
        raise RegistryError(exc.message, exc.code) from None
    kind = PERMIT_PREFIXES.get(parsed.number[:2], "resident")
    return IdNumber(number=parsed.number, kind=kind, region=parsed.region,
                    birth_date=parsed.birth_date, sex=parsed.sex)


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
