"""Credit enrollment (信用参保, seed 000 三(一), 003 #14): enrolled now, the contribution owed.

Whether a profile allows it, from when the cover runs and by when the debt is due are profile
data (`credit_allowed`, `credit_cover`, `credit_term_days`); CHOICES.md says why each shipped
profile has the values it has.
"""

from __future__ import annotations

from datetime import date

from .dates import days_deadline
from .errors import CaseError
from .types import Profile, YearStandard

COVER_FROM_PAYMENT = "payment"
COVER_FROM_ENROLLMENT = "enrollment"
CREDIT_COVERS = (COVER_FROM_PAYMENT, COVER_FROM_ENROLLMENT)


def credit_terms(profile: Profile, standard: YearStandard, enrolled_on: date) -> tuple[date, list[tuple[str, str]]]:
    """Implements R-CREDIT: the due date of a credit enrollment made on `enrolled_on`, and the
    line that says how the cover runs. Refused (CaseError on `enrollment.on_credit`) where the
    profile does not allow credit, or where the term would already have run out."""
    if not profile.credit_allowed:
        raise CaseError(
            "enrollment.on_credit", f"{profile.name or profile.code}未开展信用参保，请按正常缴费登记",
            rule="R-CREDIT",
        )
    if profile.credit_term_days:
        due = days_deadline(enrolled_on, profile.credit_term_days)
        term = f"登记后{profile.credit_term_days}天内"
    else:
        due = standard.concentrated_end
        term = "集中参保缴费期结束前"
    if due < enrolled_on:
        raise CaseError(
            "enrollment.on_credit",
            f"须在集中参保缴费期内（{standard.concentrated_end.isoformat()}前）登记，"
            "现已过期，请按正常缴费参保",
            rule="R-CREDIT",
        )
    if profile.credit_cover == COVER_FROM_ENROLLMENT:
        cover = "欠费由合作金融机构担保，待遇按登记之日计算"
    else:
        cover = "待遇自缴清欠费之日起按规定计算，缴费前不享受待遇"
    line = f"您为信用参保：先登记、后缴费，须在{term}（{due.isoformat()}前）缴清；{cover}"
    return due, [("R-CREDIT", line)]
