"""Forms of the benefits pages (validation and normalisation only).

- `policy`: the policy calculator and the guided special-case registrations.
- `recalc`: starting a January recalculation.

The claims upload form lives with the rest of the claims upload in benefits.claims.
"""
from .policy import (
    KINDS, CalculatorForm, NewbornPersonForm, SpecialCaseForm, default_year,
)
from .recalc import RecalcStartForm

__all__ = ["KINDS", "CalculatorForm", "NewbornPersonForm", "RecalcStartForm", "SpecialCaseForm",
           "default_year"]
