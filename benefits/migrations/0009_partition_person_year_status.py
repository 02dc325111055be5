"""benefits_personyearstatus partitioned by coverage year on PostgreSQL (core/partitions.py):
one partition per year in use plus DEFAULT; the primary key becomes (id, year). Nothing
references this table by foreign key, so the partitioning keeps every constraint it had.
SQLite keeps the plain table."""
from django.db import migrations

from core import partitions

TABLE = "benefits_personyearstatus"


def partition(apps, schema_editor):
    partitions.rebuild(schema_editor, TABLE, years=partitions.initial_years())


def unpartition(apps, schema_editor):
    partitions.rebuild(schema_editor, TABLE, years=None)


class Migration(migrations.Migration):
    dependencies = [("benefits", "0008_recalc_changes")]

    operations = [migrations.RunPython(partition, unpartition)]
