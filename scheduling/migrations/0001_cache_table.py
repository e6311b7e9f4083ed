"""The database cache's table (`cache_entries`), the cache when REDIS_URL is unset, so that
`migrate` alone readies a database. Django's own `createcachetable` makes it
(the same table on SQLite and PostgreSQL) and does nothing if it is already there."""

from django.conf import settings
from django.core.management import call_command
from django.db import migrations


def cache_table_create(apps, schema_editor):
    # Made even while REDIS_URL is set, so dropping Redis later needs no extra step.
    call_command(
        "createcachetable",
        settings.DATABASE_CACHE_TABLE,
        database=schema_editor.connection.alias,
        verbosity=0,
    )


def cache_table_drop(apps, schema_editor):
    quoted = schema_editor.quote_name(settings.DATABASE_CACHE_TABLE)
    schema_editor.execute(f"DROP TABLE IF EXISTS {quoted}")


class Migration(migrations.Migration):
    initial = True

    dependencies = []

    operations = [migrations.RunPython(cache_table_create, cache_table_drop)]
