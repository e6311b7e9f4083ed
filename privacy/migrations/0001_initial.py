from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

SCHEDULE = "Apply the retention policy"


def add_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=SCHEDULE,
        defaults={
            "func": "privacy.tasks.retention_run",
            "schedule_type": "D",
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="DataRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("kind", models.CharField(choices=[("export", "Export"), ("erasure", "Erasure")], max_length=10)),
                ("subject", models.CharField(help_text="The person's pseudonym (never their name or address).", max_length=60)),
                ("done_at", models.DateTimeField()),
                ("counts", models.JSONField(blank=True, default=dict, help_text="What was found or changed.")),
                ("done_by", models.ForeignKey(blank=True, help_text="Blank: a command run on the server.", null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL)),
            ],
            options={"ordering": ["-done_at", "-id"]},
        ),
        migrations.CreateModel(
            name="RetentionRun",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("started_at", models.DateTimeField()),
                ("finished_at", models.DateTimeField(blank=True, null=True)),
                ("counts", models.JSONField(blank=True, default=dict)),
            ],
            options={"ordering": ["-started_at", "-id"]},
        ),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
