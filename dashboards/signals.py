"""Receivers connected in apps.py: registrations and imports ask for a (debounced) refresh."""
from __future__ import annotations


def enrollment_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    from .tasks import schedule_refresh

    schedule_refresh("registration")


def rows_imported(sender, model=None, **kwargs):
    from .models import OfficialPopulation

    if model is OfficialPopulation:  # pages join populations live; no rollup depends on them
        return
    from .tasks import schedule_refresh

    schedule_refresh("import")
