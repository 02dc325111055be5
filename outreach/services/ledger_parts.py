"""How a ledger run divides its region into parts, each generated in one transaction.

A part is a run of townships, in code order, holding up to `PART_PERSONS` persons: a city of
150 townships is a handful of statements instead of 150 (each statement has a cost of its own:
planning, the anti-join's setup, the commit), while no transaction spans the registry. A
township larger than the limit is a part of its own. An incremental run groups only the
townships where a changed person lives, is registered or holds an entry, weighed by their
changed persons.

A part selects its rows by half-open code ranges (`code >= lo AND code < hi`), not `LIKE
'prefix%'`: a range is answered by any b-tree whose columns lead to the code (the ledger's
`(year, region, …)` indexes included) under any collation, whereas `LIKE` needs a
pattern-ops index of its own and left the year's whole ledger partition to be filtered row by
row in every part (a cost that grew with the entries already written).
"""
from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q

from enrollment import changes, region_counts, region_filters, regions
from enrollment.models import Person, Region

from ..models import LedgerEntry

# Persons per part (one transaction each); LEDGER_PART_PERSONS overrides it.
PART_PERSONS = int(os.environ.get("LEDGER_PART_PERSONS")
                   or getattr(settings, "LEDGER_PART_PERSONS", 150_000))


@dataclass(frozen=True)
class Part:
    prefixes: tuple[str, ...]  # townships (or the run's own region), in code order

    def ranges(self) -> list[tuple[str, str | None]]:
        """The prefixes as half-open code ranges, neighbours (101, 102, …) merged into one."""
        merged: list[list] = []
        for prefix in self.prefixes:
            if merged and merged[-1][1] == prefix:
                merged[-1][1] = regions.prefix_end(prefix)
            else:
                merged.append([prefix, regions.prefix_end(prefix)])
        return [(lo, hi) for lo, hi in merged]

    def q(self, field: str) -> Q:
        """The part as an ORM condition on a region code field."""
        q = Q()
        for lo, hi in self.ranges():
            q |= region_filters.code_range_q(field, lo, hi)
        return q

    def sql(self, column: str, params: dict, name: str = "part") -> str:
        """The part as a SQL condition on `column`; its bounds are added to `params`."""
        terms = []
        for i, (lo, hi) in enumerate(self.ranges()):
            params[f"{name}_lo{i}"] = lo
            term = f"{column} >= %({name}_lo{i})s"
            if hi:
                params[f"{name}_hi{i}"] = hi
                term += f" AND {column} < %({name}_hi{i})s"
            terms.append(f"({term})")
        return "(" + " OR ".join(terms) + ")"


def prefixes(region: Region) -> list[str]:
    """The townships a run works through, in code order: those under a county or city, or the
    region itself when it is a township or below."""
    if region.level in (regions.TOWNSHIP, regions.VILLAGE, regions.GRID):
        return [regions.prefix_of(region.code)]
    codes = Region.objects.filter(path__startswith=region.path, level=regions.TOWNSHIP) \
        .values_list("code", flat=True).order_by("code")
    return [regions.prefix_of(c) for c in codes] or [regions.prefix_of(region.code)]


def touched(prefixes: list[str], year: int, since) -> list[str]:
    """The townships an incremental run must visit: those where a changed person lives or is
    registered, or holds an entry of the year (a person who moved away is closed there)."""
    changed = changes.changed_since(since)
    codes = set()
    for residence, hukou in Person.objects.filter(pk__in=changed).values_list(
            "residence_region_id", "hukou_region_id"):
        codes.update((residence, hukou))
    codes.update(LedgerEntry.objects.filter(year=year, person_id__in=changed)
                 .values_list("region_id", flat=True).distinct())
    return [p for p in prefixes if any(code.startswith(p) for code in codes)]


def group(prefixes: list[str], weights: Counter, limit: int | None = None) -> list[Part]:
    """Consecutive townships gathered into parts of up to `limit` persons each, as many as a
    multiple of the workers that run them (`regions.in_batches`)."""
    return [Part(tuple(batch))
            for batch in regions.in_batches(prefixes, weights, limit or PART_PERSONS,
                                            workers=settings.JOB_WORKERS)]


def plan(region: Region, year: int, since=None) -> list[Part]:
    """The parts of a run over `region`: every township (full run) or the touched ones
    (incremental), grouped by persons."""
    found = prefixes(region)
    if since is not None:
        found = touched(found, year, since)
        if not found:
            return []
    changed = None if since is None else Person.objects.filter(pk__in=changes.changed_since(since))
    return group(found, region_counts.persons_by_township(region, "residence_region_id", changed))
