"""On PostgreSQL the database itself refuses two overlapping holds of one peer's time.

SQLite has no exclusion constraints; there booking transactions are serialised by BEGIN
IMMEDIATE, and the service re-checks inside the transaction.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE offer_sessions_seat ADD CONSTRAINT seat_peer_time_no_overlap
    EXCLUDE USING gist (peer_id WITH =, tstzrange(held_from, held_until, '[)') WITH &&)
    WHERE (peer_id IS NOT NULL AND status IN ('proposed', 'invited', 'accepted'));
"""
DROP = "ALTER TABLE offer_sessions_seat DROP CONSTRAINT IF EXISTS seat_peer_time_no_overlap;"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("offer_sessions", "0003_bookings")]

    operations = [migrations.RunPython(create, drop)]
