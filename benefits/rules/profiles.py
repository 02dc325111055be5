"""The two built-in policy profiles (RULES.md, "Two policy profiles ship")."""

from __future__ import annotations

from decimal import Decimal

from .types import Profile

HUNAN = Profile(
    code="hunan",
    name="湖南省（湘医保发〔2025〕）",
    counting_start_year=2025,
    late_pays_subsidy=True,
    hardship_on_time_only=True,
    step=Decimal("5000"),
    increase_cap_share=Decimal("0.20"),
    increase_cap_amount=None,
    zero_claim_next_on_time=True,
    gap_penalty_step=Decimal("0"),
    gap_penalty_cap=Decimal("0"),
    newborn_90_day_rule=True,
    newborn_october_option=True,
    newborn_birth_year_free=False,
    newborn_next_year_window=False,
    welfare_child_anytime=True,
    student_rule="hunan",
    employee_3m_rule=True,
    exit_3m_rule=False,
    employee_convert_years_per_year=None,
    exit_insured_min_years=2,
    newborn_birth_year_share=Decimal("1"),  # 000 三(三) names no figure yet: no discount
    unemployment_bridge=True,
    credit_allowed=True,  # R-CREDIT: 000 三(一) 信用参保, the bank guarantees the debt
    credit_cover="enrollment",
    credit_term_days=None,  # due by the end of the concentrated period
)

SHANXI = Profile(
    code="shanxi",
    name="山西省（晋城市转发）",
    counting_start_year=2025,
    late_pays_subsidy=False,
    hardship_on_time_only=False,
    step=Decimal("3000"),
    increase_cap_share=None,
    increase_cap_amount=Decimal("80000"),
    zero_claim_next_on_time=False,
    gap_penalty_step=Decimal("3000"),
    gap_penalty_cap=Decimal("80000"),
    newborn_90_day_rule=False,
    newborn_october_option=False,
    newborn_birth_year_free=True,
    newborn_next_year_window=True,
    welfare_child_anytime=False,
    student_rule="shanxi",
    employee_3m_rule=False,
    exit_3m_rule=True,
    employee_convert_years_per_year=5,
    exit_insured_min_years=2,
    newborn_birth_year_share=Decimal("1"),  # not used: R-NB-FREE makes the birth year free
    unemployment_bridge=True,
    credit_allowed=False,  # R-CREDIT: seed 004 has no credit enrollment
)

PROFILES: dict[str, Profile] = {HUNAN.code: HUNAN, SHANXI.code: SHANXI}
