"""Re-staffing's safety net (django-q2): every 5 minutes, queue again the re-staffing of a
booking whose place was given up and never re-staffed (its task was lost)."""

from django.db import migrations

NAME = "Re-staff places whose task was lost"


def add_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=NAME,
        defaults={
            "func": "sessions.tasks.restaff_lost",
            "schedule_type": "I",
            "minutes": 5,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("offer_sessions", "0009_invite_session_time"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedule, remove_schedule)]
