"""Learning points, the asks for them, the scheduled run that sends the asks and reminders,
and the library's full-text search: a tsvector kept by a trigger under a GIN index on
PostgreSQL, an FTS5 table kept in step by triggers on SQLite (each made only on its own database: sessions/learning/search.py queries
them)."""

import django.contrib.postgres.search
import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models


SCHEDULE = "Ask for learning points after sessions"
TABLE = "offer_sessions_learningpoint"
FTS = "offer_sessions_learningpoint_fts"
POSTGRES = (
    f"""CREATE FUNCTION {TABLE}_search_vector() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.search_vector := to_tsvector('english'::regconfig, COALESCE(NEW.search_text, ''));
        RETURN NEW;
    END $$""",
    f"CREATE TRIGGER {TABLE}_search_vector BEFORE INSERT OR UPDATE ON {TABLE} "
    f"FOR EACH ROW EXECUTE FUNCTION {TABLE}_search_vector()",
    f"UPDATE {TABLE} SET search_text = search_text",
    f"CREATE INDEX offer_sessions_learningpoint_search ON {TABLE} USING GIN (search_vector)",
)
POSTGRES_UNDO = (
    "DROP INDEX IF EXISTS offer_sessions_learningpoint_search",
    f"DROP TRIGGER IF EXISTS {TABLE}_search_vector ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_search_vector()",
)
SQLITE = (
    f"CREATE VIRTUAL TABLE {FTS} USING fts5(search_text, content='{TABLE}', "
    "content_rowid='id', tokenize='porter unicode61 remove_diacritics 2')",
    f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text); END",
    f"CREATE TRIGGER {FTS}_update AFTER UPDATE OF search_text ON {TABLE} BEGIN "
    f"INSERT INTO {FTS}({FTS}, rowid, search_text) VALUES ('delete', old.id, old.search_text); "
    f"INSERT INTO {FTS}(rowid, search_text) VALUES (new.id, new.search_text); END",
    f"INSERT INTO {FTS}({FTS}) VALUES ('rebuild')",
)
SQLITE_UNDO = (
    f"DROP TRIGGER IF EXISTS {FTS}_insert",
    f"DROP TRIGGER IF EXISTS {FTS}_delete",
    f"DROP TRIGGER IF EXISTS {FTS}_update",
    f"DROP TABLE IF EXISTS {FTS}",
)


def _run(schema_editor, statements: dict) -> None:
    for statement in statements.get(schema_editor.connection.vendor, ()):
        schema_editor.execute(statement)


def search_index_create(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES, "sqlite": SQLITE})


def search_index_drop(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRES_UNDO, "sqlite": SQLITE_UNDO})


def add_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=SCHEDULE,
        defaults={
            "func": "sessions.learning.tasks.send_asks",
            "schedule_type": "I",
            "minutes": 30,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('offer_sessions', '0025_webinar_materials'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ('django_q', '0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more'),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalLearningPoint',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('history_actor', models.CharField(blank=True, max_length=200)),
                ('theme', models.CharField(choices=[('local-priorities', 'Local priorities and outcomes'), ('leadership', 'Leadership, governance and culture'), ('finance', 'Financial planning and viability'), ('capacity', 'Capacity for improvement'), ('economy', 'Recovery: local economy'), ('adult-care', 'Recovery: adult social care'), ('children', "Recovery: children's services"), ('communities', 'Recovery: communities'), ('workforce', 'Recovery: workforce'), ('digital', 'Recovery: digital')], max_length=30)),
                ('doing', models.TextField(max_length=2000, verbose_name='what the council is doing')),
                ('why', models.TextField(max_length=2000, verbose_name='why it matters')),
                ('elsewhere', models.CharField(choices=[('yes', 'Yes, it would work in most councils'), ('some', 'In some councils, with changes'), ('no', "Probably not: it depends on this council's circumstances")], max_length=10, verbose_name='would it work elsewhere')),
                ('visibility', models.CharField(choices=[('panel', 'The panel and the council'), ('lga', 'The LGA only'), ('sector-anonymous', 'Shared with the sector, without naming the council'), ('sector-named', 'Shared with the sector, naming the council')], default='panel', max_length=20)),
                ('checked_at', models.DateTimeField(blank=True, help_text='When the lead checked that the wording names no council.', null=True)),
                ('agreed_at', models.DateTimeField(blank=True, help_text="When the council's booker agreed to be named.", null=True)),
                ('published_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('search_text', models.TextField(blank=True, editable=False)),
                ('created_at', models.DateTimeField(blank=True, editable=False)),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('agreed_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('booking', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='offer_sessions.booking')),
                ('checked_by', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('seat', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='offer_sessions.seat')),
            ],
            options={
                'verbose_name': 'historical learning point',
                'verbose_name_plural': 'historical learning points',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name='LearningAsk',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('asked_at', models.DateTimeField(blank=True, null=True)),
                ('reminded_at', models.DateTimeField(blank=True, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('seat', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='learning_ask', to='offer_sessions.seat')),
            ],
        ),
        migrations.CreateModel(
            name='LearningPoint',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('theme', models.CharField(choices=[('local-priorities', 'Local priorities and outcomes'), ('leadership', 'Leadership, governance and culture'), ('finance', 'Financial planning and viability'), ('capacity', 'Capacity for improvement'), ('economy', 'Recovery: local economy'), ('adult-care', 'Recovery: adult social care'), ('children', "Recovery: children's services"), ('communities', 'Recovery: communities'), ('workforce', 'Recovery: workforce'), ('digital', 'Recovery: digital')], max_length=30)),
                ('doing', models.TextField(max_length=2000, verbose_name='what the council is doing')),
                ('why', models.TextField(max_length=2000, verbose_name='why it matters')),
                ('elsewhere', models.CharField(choices=[('yes', 'Yes, it would work in most councils'), ('some', 'In some councils, with changes'), ('no', "Probably not: it depends on this council's circumstances")], max_length=10, verbose_name='would it work elsewhere')),
                ('visibility', models.CharField(choices=[('panel', 'The panel and the council'), ('lga', 'The LGA only'), ('sector-anonymous', 'Shared with the sector, without naming the council'), ('sector-named', 'Shared with the sector, naming the council')], default='panel', max_length=20)),
                ('checked_at', models.DateTimeField(blank=True, help_text='When the lead checked that the wording names no council.', null=True)),
                ('agreed_at', models.DateTimeField(blank=True, help_text="When the council's booker agreed to be named.", null=True)),
                ('published_at', models.DateTimeField(blank=True, db_index=True, null=True)),
                ('search_text', models.TextField(blank=True, editable=False)),
                ('search_vector', django.contrib.postgres.search.SearchVectorField(editable=False, null=True)),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('updated_at', models.DateTimeField(auto_now=True)),
                ('agreed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('booking', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='learning_points', to='offer_sessions.booking')),
                ('checked_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('seat', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='learning_points', to='offer_sessions.seat')),
            ],
            options={
                'ordering': ['-created_at', '-id'],
                'indexes': [models.Index(fields=['theme', 'published_at'], name='offer_sessi_theme_49e312_idx')],
            },
        ),
        migrations.RunPython(search_index_create, search_index_drop),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
