"""The ledger's write diet (issue #16): every index is paid on each of the half million rows a
full generation writes at 1M persons. Dropped: the region's own index and its LIKE twin (reads
go by year and a code range), the two blind indexes and the name's trigram index (the search
goes through the person's indexes), and the enrollment's index, kept only where one is set.
The region's and the grid's database foreign keys go too (both are cut from the person's region,
which the person's key holds; Django's PROTECT still guards a region's deletion)."""

import core.fields
import django.db.models.deletion
from django.db import migrations, models


def drop_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS ledger_name_trgm")


def create_trigram(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("CREATE INDEX IF NOT EXISTS ledger_name_trgm "
                              "ON outreach_ledgerentry USING gin (name gin_trgm_ops)")


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0015_audit_action_api'),
        ('outreach', '0006_ledger_index_diet'),
    ]

    operations = [
        # PostgreSQL only (0002 made it there); the reverse makes it again.
        migrations.RunPython(drop_trigram, create_trigram),
        migrations.AlterField(
            model_name='ledgerentry',
            name='enrollment',
            field=models.ForeignKey(blank=True, db_index=False, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='enrollment.enrollment', verbose_name='参保登记'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='id_number_bidx',
            field=core.fields.BlindIndexField(source='id_number'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='phone_bidx',
            field=core.fields.BlindIndexField(source='phone'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='region',
            field=models.ForeignKey(db_constraint=False, db_index=False, help_text='本条台账所属的村（社区）：常住地或户籍地', on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enrollment.region', verbose_name='所在村（社区）'),
        ),
        migrations.AlterField(
            model_name='ledgerentry',
            name='grid',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='enrollment.region', verbose_name='网格'),
        ),
        migrations.AddIndex(
            model_name='ledgerentry',
            index=models.Index(condition=models.Q(('enrollment__isnull', False)), fields=['enrollment'], name='ledger_enrollment_set'),
        ),
    ]
