"""R-CREDIT (信用参保) in the engine: allowed, the cover rule and the term are profile data."""
import dataclasses
from datetime import date

import pytest

from benefits.rules import HUNAN, SHANXI, CaseError

from .builders import run

ON_TIME = {2025: "resident"}


def test_hunan_guarantees_the_debt_so_the_cover_runs_from_the_enrollment():
    d = run(HUNAN, 2026, history=ON_TIME, paid_on=date(2025, 11, 1), on_credit=True)
    assert d.credit == {"cover": "enrollment", "due_on": "2025-12-31"}
    assert d.benefit_start == date(2026, 1, 1) and d.amount_due == 420
    assert "R-CREDIT" in d.rules and "2025-12-31前" in d.explanation[d.rules.index("R-CREDIT")]


def test_cover_from_payment_gives_no_benefit_period_until_paid():
    profile = dataclasses.replace(HUNAN, credit_cover="payment")
    d = run(profile, 2026, history=ON_TIME, paid_on=date(2025, 11, 1), on_credit=True)
    assert d.benefit_start is None and d.benefit_end is None and d.amount_due == 420
    assert "缴费前不享受待遇" in d.explanation[d.rules.index("R-CREDIT")]


def test_a_term_in_days_runs_from_the_enrollment_even_after_the_period():
    profile = dataclasses.replace(HUNAN, credit_term_days=60)
    d = run(profile, 2026, history=ON_TIME, paid_on=date(2026, 3, 1), on_credit=True)
    assert d.credit["due_on"] == "2026-04-30"


def test_with_the_period_as_term_a_late_credit_enrollment_is_refused():
    with pytest.raises(CaseError) as refused:
        run(HUNAN, 2026, history=ON_TIME, paid_on=date(2026, 3, 1), on_credit=True)
    assert refused.value.field == "enrollment.on_credit" and refused.value.rule == "R-CREDIT"


def test_shanxi_does_not_allow_credit_enrollment():
    with pytest.raises(CaseError) as refused:
        run(SHANXI, 2026, history=ON_TIME, paid_on=date(2025, 11, 1), on_credit=True)
    assert "未开展信用参保" in refused.value.message


def test_an_ordinary_payment_has_no_credit_output():
    assert run(HUNAN, 2026, history=ON_TIME).credit is None
