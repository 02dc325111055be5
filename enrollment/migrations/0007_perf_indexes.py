"""Indexes for province scale: the change marker the incremental jobs read, the person list's
keyset order, and (PostgreSQL only) a trigram index so `name LIKE '%…%'` is not a sequential
scan. Pinyin initials are searched by prefix and already have Django's `varchar_pattern_ops`
index on PostgreSQL."""
from django.db import migrations, models


def trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return  # SQLite keeps the plain name index; its lists are one office's
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS person_name_trgm ON enrollment_person "
                          "USING gin (name gin_trgm_ops)")
    # Trigrams need three characters; most Chinese names have two or three, so a search for
    # "小明" would still scan. Bigrams of the name, in a GIN index, cover two-character parts.
    schema_editor.execute(
        "CREATE OR REPLACE FUNCTION canbao_bigrams(text) RETURNS text[] LANGUAGE sql IMMUTABLE "
        "PARALLEL SAFE AS $$ SELECT coalesce(array_agg(DISTINCT substr($1, i, 2)), '{}') "
        "FROM generate_series(1, length($1) - 1) AS i $$")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS person_name_bigrams ON enrollment_person "
                          "USING gin (canbao_bigrams(name))")


def drop_trigram_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS person_name_trgm")
        schema_editor.execute("DROP INDEX IF EXISTS person_name_bigrams")
        schema_editor.execute("DROP FUNCTION IF EXISTS canbao_bigrams(text)")


class Migration(migrations.Migration):

    dependencies = [
        ('enrollment', '0006_surname_initials'),
    ]

    operations = [
        migrations.AddField(
            model_name='person',
            name='inputs_changed_at',
            field=models.DateTimeField(blank=True, editable=False, null=True, verbose_name='信息变更时间'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['inputs_changed_at'], name='person_inputs_changed'),
        ),
        migrations.AddIndex(
            model_name='person',
            index=models.Index(fields=['residence_region', 'name', 'id'], name='person_res_name_id'),
        ),
        migrations.RunPython(trigram_index, drop_trigram_index),
    ]
