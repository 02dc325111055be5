from datetime import date

import pytest

from benefits.rules import RegistryError
from benefits.rules.registry import (
    CLOSE_RELATIVES,
    EnrollmentRecord,
    auto_stops,
    check_relative,
    duplicate_enrollments,
    id_check_character,
    is_close_relative,
    is_valid_id_number,
    parse_id_number,
)

# The example number printed in GB 11643-1999 (female, born 1949-12-31, check character X).
GB_EXAMPLE = "11010519491231002X"


def with_check(first17):
    return first17 + id_check_character(first17)


# --- R-ID --------------------------------------------------------------------------------


def test_standard_example_is_valid_and_parsed():
    info = parse_id_number(GB_EXAMPLE)
    assert (info.region, info.birth_date, info.sex, info.kind) == ("110105", date(1949, 12, 31), "F", "resident")


def test_lower_case_x_and_spaces_are_normalised():
    assert parse_id_number(" 11010519491231002x ").number == GB_EXAMPLE


def test_odd_seventeenth_digit_is_a_man():
    assert parse_id_number(with_check("43010219900307551")).sex == "M"


def test_check_digit_agrees_with_python_stdnum_for_resident_numbers():
    ric = pytest.importorskip("stdnum.cn.ric")
    for first17 in ("43010219900307551", "14050219850612002", "61010320010101123"):
        number = with_check(first17)
        assert ric.is_valid(number)
        assert is_valid_id_number(number)


@pytest.mark.parametrize("prefix,kind", [("81", "hk_permit"), ("82", "macao_permit"), ("83", "taiwan_permit")])
def test_hong_kong_macao_taiwan_permits_are_accepted(prefix, kind):
    number = with_check(f"{prefix}000019940823{'002' if prefix != '83' else '003'}")
    info = parse_id_number(number)
    assert info.kind == kind and info.birth_date == date(1994, 8, 23)


def test_hong_kong_permit_checked_by_hand():
    # 8·7+1·9+1·2+9·1+9·6+4·3+8·9+2·10+3·5+2·2 = 253; 253 mod 11 = 0 -> check character "1".
    assert parse_id_number("810000199408230021").kind == "hk_permit"


def test_permit_with_a_wrong_check_digit_is_refused():
    number = with_check("81000019940823002")
    wrong = number[:-1] + ("0" if number[-1] != "0" else "1")
    with pytest.raises(RegistryError, match="校验位"):
        parse_id_number(wrong)


def test_wrong_check_digit_is_a_clear_chinese_error():
    with pytest.raises(RegistryError) as info:
        parse_id_number("110105194912310021")
    assert info.value.code == "checksum"
    assert "校验位不正确" in info.value.message


@pytest.mark.parametrize(
    "value,code",
    [
        ("", "required"),
        ("110105491231002", "old_format"),
        ("1101051949123100", "length"),
        ("11010519491231002Y", "characters"),
        ("99010519491231002X", "region"),
        ("11010519491331002X", "birth_date"),
    ],
)
def test_malformed_numbers_say_what_is_wrong(value, code):
    with pytest.raises(RegistryError) as info:
        parse_id_number(value)
    assert info.value.code == code


def test_future_birth_date_is_refused_when_today_is_given():
    number = with_check("43010220300101001")
    assert parse_id_number(number).birth_date == date(2030, 1, 1)
    with pytest.raises(RegistryError, match="出生日期"):
        parse_id_number(number, today=date(2026, 1, 1))


# --- R-ONE-ENROLLMENT --------------------------------------------------------------------


def resident(year, region="430102", start=None, end=None, ref=None):
    return EnrollmentRecord("resident", region, start or date(year, 1, 1), end or date(year, 12, 31), year, ref)


def employee(start, end=None, region="430102", ref=None):
    return EnrollmentRecord("employee", region, start, end, ref=ref)


def test_second_resident_enrollment_for_the_same_year_is_a_duplicate():
    found = duplicate_enrollments(resident(2026), [resident(2026, ref=1)])
    assert [d.code for d in found] == ["same_region"]


def test_resident_enrollment_in_another_region_for_the_same_year_is_a_duplicate():
    found = duplicate_enrollments(resident(2026), [resident(2026, region="140502", ref=1)])
    assert [d.code for d in found] == ["other_region"]


def test_resident_enrollment_for_another_year_is_fine():
    assert duplicate_enrollments(resident(2026), [resident(2025, ref=1)]) == []


def test_overlapping_employee_cover_is_a_duplicate():
    found = duplicate_enrollments(resident(2026), [employee(date(2024, 3, 1), None, ref=7)])
    assert [d.code for d in found] == ["employee_overlap"]


def test_employee_cover_that_ended_before_is_not_a_duplicate():
    new = resident(2026, start=date(2026, 5, 1))
    assert duplicate_enrollments(new, [employee(date(2020, 1, 1), date(2026, 4, 30))]) == []


def test_the_enrollment_itself_is_not_its_own_duplicate():
    assert duplicate_enrollments(resident(2026, ref=3), [resident(2026, ref=3)]) == []


# --- R-AUTO-STOP -------------------------------------------------------------------------


def test_joining_the_employee_scheme_ends_the_resident_enrollment():
    stops = auto_stops(employee(date(2026, 7, 1)), [resident(2026, ref=1), resident(2025, ref=2)])
    assert [(s.enrollment.ref, s.ends_on, s.cancelled) for s in stops] == [(1, date(2026, 6, 30), False)]
    assert "自动终止" in stops[0].message


def test_resident_enrollment_for_a_later_year_is_cancelled():
    stops = auto_stops(employee(date(2026, 7, 1)), [resident(2027, ref=4)])
    assert [(s.enrollment.ref, s.cancelled) for s in stops] == [(4, True)]


def test_enrolling_as_a_resident_elsewhere_ends_the_old_one():
    stops = auto_stops(resident(2026, region="140502", start=date(2026, 3, 1)), [resident(2026, ref=1)])
    assert [(s.enrollment.ref, s.ends_on) for s in stops] == [(1, date(2026, 2, 28))]


def test_a_resident_enrollment_in_the_same_region_stops_nothing():
    assert auto_stops(resident(2026), [resident(2026, ref=1)]) == []


def test_employee_enrollments_are_not_stopped():
    assert auto_stops(employee(date(2026, 7, 1)), [employee(date(2020, 1, 1), ref=9)]) == []


# --- R-RELATIVES -------------------------------------------------------------------------


@pytest.mark.parametrize("relation", sorted(CLOSE_RELATIVES))
def test_close_relatives_may_be_paid_for(relation):
    assert is_close_relative(relation)
    check_relative(relation)


@pytest.mark.parametrize("relation", ["uncle", "cousin", "friend", "parent_in_law", ""])
def test_anyone_else_may_not(relation):
    assert not is_close_relative(relation)
    with pytest.raises(RegistryError, match="近亲属"):
        check_relative(relation)


def test_relatives_are_the_eight_of_the_seeds():
    assert set(CLOSE_RELATIVES.values()) == {
        "配偶", "父母", "子女", "兄弟姐妹", "祖父母", "外祖父母", "孙子女", "外孙子女",
    }
