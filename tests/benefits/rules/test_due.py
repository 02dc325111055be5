from datetime import date
from decimal import Decimal

from benefits.rules import HUNAN, SHANXI, Profile
from benefits.rules.due import RATE_FREE, RATE_LATE, RATE_ONTIME, contribution_due, repair_due

from .builders import run, standard

STD = standard(2026, individual=420, subsidy=720)


def due(profile=HUNAN, rate=RATE_ONTIME, group=None, std=STD):
    return contribution_due(profile, std, rate=rate, group=group, in_period=rate == RATE_ONTIME)


def test_on_time_pays_the_individual_standard():
    result = due()
    assert result.amount_due == Decimal("420.00")
    assert [r for r, _ in result.notes] == ["R-DUE-ONTIME"]


def test_late_pays_individual_plus_subsidy_in_hunan():
    result = due(rate=RATE_LATE)
    assert result.amount_due == Decimal("1140.00")
    assert [r for r, _ in result.notes] == ["R-DUE-LATE"]


def test_late_pays_no_surcharge_in_shanxi():
    assert due(SHANXI, rate=RATE_LATE).amount_due == Decimal("420.00")


def test_free_rate_costs_nothing():
    result = due(rate=RATE_FREE, group="special_hardship")
    assert result.amount_due == 0 and result.subsidy == 0


def test_hardship_share_is_paid_for_the_person():
    result = due(group="low_income")
    assert (result.amount_due, result.subsidy) == (Decimal("210.00"), Decimal("210.00"))


def test_hardship_fixed_amount_is_paid_for_the_person():
    result = due(group="monitored")
    assert (result.amount_due, result.subsidy) == (Decimal("320.00"), Decimal("100.00"))


def test_hardship_amount_never_exceeds_the_payment():
    std = standard(2026, individual=80, hardship={"monitored": {"amount": 100}})
    result = due(group="monitored", std=std)
    assert (result.amount_due, result.subsidy) == (Decimal("0.00"), Decimal("80.00"))


def test_hardship_share_rounds_to_the_cent():
    std = standard(2026, individual=Decimal("333.33"), hardship={"low_income": {"share": "0.5"}})
    assert due(group="low_income", std=std).subsidy == Decimal("166.67")


def test_hunan_hardship_only_inside_the_concentrated_period():
    result = due(rate=RATE_LATE, group="special_hardship")
    assert (result.amount_due, result.subsidy) == (Decimal("1140.00"), Decimal("0.00"))
    assert "R-DUE-HARDSHIP" in [r for r, _ in result.notes]


def test_shanxi_hardship_at_any_time():
    result = due(SHANXI, rate=RATE_LATE, group="special_hardship")
    assert (result.amount_due, result.subsidy) == (Decimal("0.00"), Decimal("420.00"))


def test_group_without_a_table_entry_gets_nothing():
    std = standard(2026, hardship={})
    assert due(group="low_income", std=std).subsidy == 0


def test_a_third_profile_may_grant_hardship_late_with_a_surcharge():
    profile = Profile(code="third", late_pays_subsidy=True, hardship_on_time_only=False)
    result = due(profile, rate=RATE_LATE, group="low_income")
    assert (result.amount_due, result.subsidy) == (Decimal("930.00"), Decimal("210.00"))


def test_repair_costs_years_times_the_individual_standard():
    cost, notes = repair_due(3, standard(2027, individual=440))
    assert cost == Decimal("1320.00")
    assert notes[0][0] == "R-DUE-REPAIR"


def test_repair_is_priced_at_the_year_it_is_paid_not_the_coverage_year():
    # Paid in December 2026 for 2027: I(2026) = 420, not I(2027) = 440.
    d = run(HUNAN, 2027, history={2025: "resident", 2026: "gap"}, paid_on=date(2026, 12, 1), repair_years=1)
    assert d.repair_due == Decimal("420.00")


def test_repair_priced_at_coverage_year_is_a_profile_choice():
    profile = Profile.from_dict({**HUNAN.to_dict(), "repair_price_year": "coverage"})
    d = run(profile, 2027, history={2025: "resident", 2026: "gap"}, paid_on=date(2026, 12, 1), repair_years=1)
    assert d.repair_due == Decimal("440.00")
