"""Demo data for the dashboards: official resident populations (常住人口) for every region down
to village, a little above the registry population as statistics usually are, then a refresh
of the rollups so the demo dashboard shows numbers right after seed_demo."""
from __future__ import annotations

import random

from django.db import transaction

from . import rollups
from .models import CoverageRollup, OfficialPopulation


def seed(*, seed: int) -> dict:
    rng = random.Random(seed)
    run = rollups.refresh(reason="demo")
    rows = []
    for r in CoverageRollup.objects.filter(depth__lte=12).order_by("year", "region_id"):
        factor = 1 + rng.uniform(0.0, 0.06)
        rows.append(OfficialPopulation(region_id=r.region_id, year=r.year,
                                       population=round(r.persons * factor),
                                       source="演示数据：统计局年度人口抽样调查"))
    with transaction.atomic():
        OfficialPopulation.objects.bulk_create(
            rows, batch_size=2000, update_conflicts=True,
            unique_fields=["region", "year"], update_fields=["population", "source"])
    return {"official_populations": len(rows), "rollup_years": run.years,
            "refresh_seconds": round(run.seconds, 2)}
