from datetime import date, datetime

import pytest

from benefits.rules import HUNAN, CaseError, Enrollment, Person, determine

from .builders import run, standards


def test_unknown_profile_is_a_case_error():
    with pytest.raises(CaseError) as info:
        determine("hunan", 2026, Person(date(1980, 1, 1)), {}, Enrollment(date(2025, 11, 1)), {}, standards())
    assert info.value.field == "profile"


def test_a_datetime_is_not_a_date():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2026, paid_on=datetime(2025, 11, 1, 8, 0))
    assert info.value.field == "enrollment.paid_on"


def test_payment_before_birth_is_refused():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2026, birth=date(2026, 3, 1), category="newborn", paid_on=date(2026, 2, 1))
    assert info.value.field == "enrollment.paid_on"
    assert "早于出生日期" in info.value.message


def test_year_without_standards_names_the_year():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2026, stds=standards(2025))
    assert info.value.field == "standards.2026"


def test_repair_year_without_standards_names_the_payment_year():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2027, history={2025: "resident", 2026: "gap"}, paid_on=date(2026, 12, 1), repair_years=1,
            stds=standards(2027))
    assert info.value.field == "standards.2026"


def test_more_repair_years_than_gap_years_is_refused():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2027, history={2025: "gap", 2026: "resident"}, repair_years=1)
    assert info.value.field == "enrollment.repair_years"


def test_negative_repair_years_is_refused():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2027, repair_years=-1)
    assert info.value.field == "enrollment.repair_years"


@pytest.mark.parametrize("field,kwargs", [
    ("person.category", {"category": "tourist"}),
    ("person.group", {"group": "rich"}),
])
def test_unknown_category_or_group_is_refused(field, kwargs):
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2026, **kwargs)
    assert info.value.field == field


def test_bad_history_status_names_the_year():
    with pytest.raises(CaseError) as info:
        run(HUNAN, 2026, history={2025: "employee:x"})
    assert info.value.field == "history.2025"


def test_history_of_the_coverage_year_and_later_is_ignored():
    d = run(HUNAN, 2026, history={2025: "resident", 2026: "gap", 2027: "gap"})
    assert d.gap_years == 0


def test_every_rule_applied_has_one_plain_chinese_line():
    d = run(HUNAN, 2030, history={}, paid_on=date(2030, 1, 20), repair_years=5)
    assert len(d.rules) == len(d.explanation) == 7
    # The ids stay in `rules`; a resident reads the lines, which carry none.
    assert not any("R-" in line for line in d.explanation)
    fixed = d.explanation[d.rules.index("R-WAIT-FIXED")]
    assert fixed == "您没有在集中参保缴费期内缴费，且2025、2026、2027、2028、2029年未参保，等待期为3个月"
    assert d.explanation[d.rules.index("R-WAIT-VARIABLE")] == "未参保5年，等待期再加5个月"
    assert d.explanation[d.rules.index("R-WAIT-REPAIR")].startswith("补缴5年可减少")


def test_explanation_names_the_years_not_paid_and_what_a_repair_buys():
    d = run(HUNAN, 2027, history={2025: "gap", 2026: "gap"}, paid_on=date(2026, 11, 1), repair_years=2)
    lines = dict(zip(d.rules, d.explanation))
    assert lines["R-WAIT-FIXED"] == "您2025、2026年未参保，等待期为3个月"
    assert lines["R-WAIT-VARIABLE"] == "未参保2年，等待期再加2个月"
    assert lines["R-WAIT-REPAIR"] == "补缴2年可减少2个月"


def test_case_error_message_is_chinese_and_names_the_field():
    error = CaseError("enrollment.paid_on", "缺少日期")
    assert str(error) == "enrollment.paid_on: 缺少日期"
    assert (error.field, error.message) == ("enrollment.paid_on", "缺少日期")
