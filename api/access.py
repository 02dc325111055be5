"""What a department token of the data-sharing API may see: its region and its field list,
as a staff member sees their region (persons living or registered under the region's code
prefix). Who may issue tokens is a staff capability and stays in enrollment.scope."""
from __future__ import annotations

from django.db.models import QuerySet

from enrollment import regions
from enrollment.region_filters import code_under, region_q_prefix


def token_prefix(token) -> str | None:
    """The code prefix a department token sees; None for a token that is switched off or
    expired (it sees nothing)."""
    if token is None or not token.usable():
        return None
    return regions.prefix_of(token.region_id)


def token_region_in_scope(token, code: str) -> bool:
    return code_under(token_prefix(token), code)


def token_persons(token, qs: QuerySet) -> QuerySet:
    """Persons a token may ask about (residence or household registration in its region)."""
    prefix = token_prefix(token)
    if prefix is None:
        return qs.none()
    return qs.filter(region_q_prefix(prefix, "residence_region_id", "hukou_region_id"))


def token_sees_field(token, name: str) -> bool:
    """Whether a response to this token may carry `name` whole (id_number, name, phone)."""
    return token_prefix(token) is not None and name in (token.fields or [])
