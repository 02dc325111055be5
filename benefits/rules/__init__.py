"""The benefits rules engine: plain Python, no ORM, no clock (dates are arguments).

Every function names the RULES.md rule ids it implements in its docstring.
"""

from .case import determination_to_dict, evaluate_case, parse_case
from .engine import determine
from .errors import CaseError
from .profiles import HUNAN, PROFILES, SHANXI
from .types import (
    CATEGORIES,
    EXIT_REASONS,
    HARDSHIP_GROUPS,
    Catastrophic,
    Claim,
    Determination,
    Enrollment,
    HardshipRate,
    Person,
    Profile,
    Waiting,
    YearStandard,
)

__all__ = [
    "CATEGORIES",
    "EXIT_REASONS",
    "HARDSHIP_GROUPS",
    "HUNAN",
    "PROFILES",
    "SHANXI",
    "CaseError",
    "Catastrophic",
    "Claim",
    "Determination",
    "Enrollment",
    "HardshipRate",
    "Person",
    "Profile",
    "Waiting",
    "YearStandard",
    "determination_to_dict",
    "determine",
    "evaluate_case",
    "parse_case",
]
