"""Persons counted per township, the weights that region-wide jobs (the ledger, the monthly
comparison) size their parts by (`regions.in_batches`)."""
from __future__ import annotations

from collections import Counter

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr

from . import region_filters, regions
from .models import Person, Region

_TOWNSHIP_LENGTH = regions.LEVEL_LENGTH[regions.TOWNSHIP]


def persons_by_township(region: Region | None, field: str,
                        persons: QuerySet | None = None) -> Counter:
    """Persons per township prefix of the code `field` (residence or hukou) under `region`
    (None: everywhere), among `persons` (all when None): one GROUP BY. The region is a code
    range, which any b-tree on the field answers."""
    if persons is None:
        persons = Person.objects.all()
    if region is not None:
        persons = persons.filter(region_filters.region_q_range(regions.prefix_of(region.code),
                                                               field))
    rows = (persons.annotate(township=Substr(field, 1, _TOWNSHIP_LENGTH))
            .values("township").annotate(n=Count("pk")).values_list("township", "n").order_by())
    return Counter(dict(rows))
