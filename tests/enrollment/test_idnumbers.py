import datetime as dt

import pytest
from stdnum.cn import ric

from enrollment import idnumbers


def test_valid_resident_id_gives_birth_date_and_sex():
    parsed = idnumbers.parse("11010519491231002X")
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.sex == "F"
    assert not parsed.is_permit


def test_check_digit_agrees_with_python_stdnum():
    number = idnumbers.make_id("430121", dt.date(1990, 3, 4), 17, "M")
    assert ric.is_valid(number)
    assert idnumbers.parse(number).sex == "M"


def test_wrong_check_digit_is_refused_in_chinese():
    number = idnumbers.make_id("430121", dt.date(1990, 3, 4), 17, "M")
    wrong = number[:17] + ("0" if number[17] != "0" else "1")
    with pytest.raises(idnumbers.IdNumberError, match="校验位"):
        idnumbers.parse(wrong)


@pytest.mark.parametrize("prefix", ["81", "82", "83"])
def test_hong_kong_macao_taiwan_permits_are_accepted(prefix):
    number = idnumbers.make_id(prefix + "0000", dt.date(1985, 6, 1), 3, "F")
    assert not ric.is_valid(number)  # stdnum rejects these prefixes: why we check them apart
    assert idnumbers.parse(number).is_permit


def test_impossible_birth_date_is_refused():
    first17 = "43012119900231001"
    with pytest.raises(idnumbers.IdNumberError, match="出生日期"):
        idnumbers.parse(first17 + idnumbers.check_char(first17))


def test_short_number_says_how_long_it_is():
    with pytest.raises(idnumbers.IdNumberError, match="18位"):
        idnumbers.parse("4301211990")


def test_full_width_digits_and_lowercase_x_are_normalised():
    assert idnumbers.normalize(" １１０１０５１９４９１２３１００２x ") == "11010519491231002X"


def test_mask_keeps_first_and_last_four():
    assert idnumbers.mask("11010519491231002X") == "1101**********002X"
    assert idnumbers.mask_phone("13812345678") == "138****5678"


def test_unique_ids_do_not_collide():
    numbers = {idnumbers.make_unique_id(i, dt.date(2000, 1, 1), "M") for i in range(20000)}
    assert len(numbers) == 20000
