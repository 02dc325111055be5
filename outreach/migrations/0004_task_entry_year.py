"""A task carries its ledger entry's year, so that on PostgreSQL its foreign key can name the
partitioned ledger's (id, year) (migration 0005); Django's single-column constraint goes."""
import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    Task = apps.get_model("outreach", "Task")
    LedgerEntry = apps.get_model("outreach", "LedgerEntry")
    Task.objects.update(entry_year=models.Subquery(
        LedgerEntry.objects.filter(pk=models.OuterRef("entry_id")).values("year")[:1]))


class Migration(migrations.Migration):
    dependencies = [("outreach", "0003_encrypt_ledger_contacts")]

    operations = [
        migrations.AddField(
            model_name="task", name="entry_year",
            field=models.PositiveSmallIntegerField(editable=False, null=True,
                                                   verbose_name="台账年度")),
        migrations.RunPython(fill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="task", name="entry_year",
            field=models.PositiveSmallIntegerField(editable=False, verbose_name="台账年度")),
        migrations.AlterField(
            model_name="task", name="entry",
            field=models.OneToOneField(db_constraint=False,
                                       on_delete=django.db.models.deletion.PROTECT,
                                       related_name="task", to="outreach.ledgerentry",
                                       verbose_name="台账条目")),
    ]
