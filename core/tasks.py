"""Beat tasks of core: thin, safe to run twice."""
from celery import shared_task

from . import uploads


@shared_task(name="core.sweep_staged_uploads")
def sweep_staged_uploads() -> int:
    return uploads.sweep()


@shared_task(name="core.sweep_submitted_forms")
def sweep_submitted_forms() -> int:
    from . import once

    return once.sweep()


@shared_task(name="core.partitions_ensure_ahead")
def partitions_ensure_ahead() -> int:
    """The partitions of this year and next year exist (beat, monthly: next year's is there
    long before January). Safe to run any day and twice."""
    from django.db import connection, transaction

    from . import calendar, partitions

    years = sorted({*calendar.open_years(), calendar.today().year + 1})
    made = 0
    with transaction.atomic():
        for table in partitions.partitioned_tables(connection):
            made += sum(partitions.ensure(connection, table, year) for year in years)
    return made
