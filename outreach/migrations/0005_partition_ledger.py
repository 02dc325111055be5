"""outreach_ledgerentry partitioned by coverage year on PostgreSQL (core/partitions.py): one
partition per year in use plus DEFAULT; the primary key becomes (id, year), and the task's
foreign key names (entry_id, entry_year) so the database still refuses a task without its entry
(and an entry's deletion or year change under a task). SQLite keeps the plain table."""
from django.db import migrations

from core import partitions

TABLE = "outreach_ledgerentry"
TASK_FK = "outreach_task_entry_id_year_fk"


def partition(apps, schema_editor):
    partitions.rebuild(schema_editor, TABLE, years=partitions.initial_years())
    if partitions.is_postgresql(schema_editor.connection):
        schema_editor.execute(
            f"ALTER TABLE outreach_task ADD CONSTRAINT {TASK_FK} FOREIGN KEY (entry_id, entry_year)"
            f" REFERENCES {TABLE} (id, year) DEFERRABLE INITIALLY DEFERRED")


def unpartition(apps, schema_editor):
    if partitions.is_postgresql(schema_editor.connection):
        schema_editor.execute(f"ALTER TABLE outreach_task DROP CONSTRAINT {TASK_FK}")
    partitions.rebuild(schema_editor, TABLE, years=None)


class Migration(migrations.Migration):
    dependencies = [("outreach", "0004_task_entry_year")]

    operations = [migrations.RunPython(partition, unpartition)]
