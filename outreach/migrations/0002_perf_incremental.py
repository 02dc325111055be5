"""Incremental ledger runs (watermarks), the grid worker's ledger index, the ledger list's keyset
order, and (PostgreSQL only) a trigram index for the ledger's name search."""
from django.db import migrations, models


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS ledger_name_trgm ON outreach_ledgerentry "
                          "USING gin (name gin_trgm_ops)")


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ledger_name_trgm")


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0007_perf_indexes'),
        ('outreach', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='ledgerrun',
            name='full',
            field=models.BooleanField(default=False, verbose_name='全量'),
        ),
        migrations.AddField(
            model_name='ledgerrun',
            name='since',
            field=models.DateTimeField(blank=True, null=True, verbose_name='增量起点'),
        ),
        migrations.AddField(
            model_name='ledgerrun',
            name='watermark',
            field=models.DateTimeField(blank=True, null=True, verbose_name='本次水位'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['grid', 'year', 'status'], name='ledger_grid_year_status'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(fields=['year', 'region', 'name', 'id'], name='ledger_year_region_name'),
        ),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
