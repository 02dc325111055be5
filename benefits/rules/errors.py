"""Errors raised by the rules engine.

`CaseError` is bad input to a determination (what the policy_case command prints as a one-line
error and exits 2 on); `rule` names the rule that refuses it, where one does (R-STU-ONCE …).
"""

from __future__ import annotations


class CaseError(ValueError):
    """Bad input to the engine: names the offending field and says, in Chinese, what is wrong."""

    def __init__(self, field: str, message: str, rule: str | None = None):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.rule = rule  # the rule id that refuses the input, where one does
