"""The newborn window the dashboards count against ("enrolled within N days of birth"), read
from the policy profiles rather than written as 90: a region follows the profile of its nearest
mapped ancestor (benefits' `PoolingRegionProfile`), and an unmapped region the profile default.
The rollup SQL and the live people lists both ask this module, so they agree."""
from __future__ import annotations

from django.db.models import Q

from benefits.models import PolicyProfile, PoolingRegionProfile
from enrollment import regions


def default_days() -> int:
    return PolicyProfile._meta.get_field("newborn_days").default


def windows() -> list[tuple[str, int]]:
    """(code prefix, newborn days) of every mapped region, longest prefix first, so the first
    prefix a residence code starts with is its nearest mapped ancestor."""
    found = [(regions.prefix_of(code), days) for code, days in
             PoolingRegionProfile.objects.values_list("region_id", "profile__newborn_days")]
    return sorted(found, key=lambda pair: len(pair[0]), reverse=True)


def sql_days(column: str) -> str:
    """A SQL expression for the newborn days of the residence code in `column`. The prefixes are
    division codes (digits only) and the days integers, so they are written into the SQL; the
    SQL is run with parameters, hence the doubled percent sign."""
    branches = []
    for prefix, days in windows():
        if not prefix.isdigit():
            raise ValueError(f"not a division code: {prefix!r}")
        branches.append(f"WHEN {column} LIKE '{prefix}%%' THEN {int(days)}")
    if not branches:
        return str(int(default_days()))
    return f"(CASE {' '.join(branches)} ELSE {int(default_days())} END)"


def by_days(field: str) -> dict[int, Q]:
    """{newborn days: the persons whose residence code (`field`) follows a profile with that
    many days}; the groups do not overlap and together cover everyone."""
    groups: dict[int, Q] = {}
    longer = Q()  # the codes a longer prefix already claimed
    for prefix, days in windows():
        starts = Q(**{f"{field}__startswith": prefix})
        here = starts & ~longer if longer else starts
        groups[days] = groups[days] | here if days in groups else here
        longer = longer | starts if longer else starts
    rest = ~longer if longer else Q()
    default = default_days()
    groups[default] = groups[default] | rest if default in groups else rest
    return groups
