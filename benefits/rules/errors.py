"""Errors raised by the rules engine.

`CaseError` is bad input to a determination (what the policy_case command prints as a one-line
error and exits 2 on). `RegistryError` is a registry check that failed (an ID number, a relation);
forms turn its message into a field error.
"""

from __future__ import annotations


class CaseError(ValueError):
    """Bad input to the engine: names the offending field and says, in Chinese, what is wrong."""

    def __init__(self, field: str, message: str, rule: str | None = None):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.rule = rule  # the rule id that refuses the input, where one does


class RegistryError(ValueError):
    """A registry check failed; `message` is ready to show to a township clerk."""

    def __init__(self, message: str, code: str = "invalid"):
        super().__init__(message)
        self.message = message
        self.code = code
