"""Writes of the benefits layer. The policy engine is wired in by the benefits issue."""


def enrollment_apply_determination(*, enrollment, options: dict) -> None:
    """Fill the enrollment's determination fields from the policy engine.

    Until the engine's Django side lands (issue 3), enrollments are recorded without a
    determination; the January recalculation fills them.
    """
    return None
