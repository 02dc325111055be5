"""Conditions on region codes, whoever asks: a staff member's scope (enrollment.scope), a
department token's (api.access), a job's part. Codes are materialised paths (enrollment.regions),
so "under this region" is a prefix of the code."""
from __future__ import annotations

from django.db.models import Q

from . import regions


def region_q_prefix(prefix: str, *fields: str) -> Q:
    """Rows whose region field(s) start with a code prefix (any of the fields)."""
    q = Q()
    for field in fields:
        q |= Q(**{f"{_code_lookup(field)}__startswith": prefix})
    return q


def region_q_range(prefix: str, field: str) -> Q:
    """The same rows as `region_q_prefix(prefix, field)` as a code range, for tables whose
    indexes lead with another column (the ledger's year): the range bounds the index scan, a
    LIKE would only filter it."""
    return code_range_q(field, prefix, regions.prefix_end(prefix) if prefix else None)


def code_range_q(field: str, low: str, high: str | None) -> Q:
    """Codes in the half-open range [low, high) (no bound where empty or None)."""
    q = Q(**{f"{field}__gte": low}) if low else Q()
    return q & Q(**{f"{field}__lt": high}) if high else q


def _code_lookup(field: str) -> str:
    # Django has no startswith on a foreign key column; "x_id" becomes "x__pk", which the ORM
    # resolves to the same column (the region code is the primary key) without a join.
    return field[:-3] + "__pk" if field.endswith("_id") else field


def code_under(prefix: str | None, code: str) -> bool:
    """Whether a region code lies under a scope's code prefix (None: a scope that sees nothing).
    Staff scopes and the API's department tokens both answer through here."""
    if prefix is None or not code:
        return False
    try:
        if not (code.isascii() and code.isdigit()):
            raise ValueError(code)
        regions.level_of(code)
    except ValueError:
        return False  # a malformed code (typed into ?region=) lies in nobody's scope
    return code.startswith(prefix)
