"""The invite outbox's schedules (django-q2): queue again due or lost invites every minute, and
send session reminders every 15 minutes."""

from django.db import migrations

SCHEDULES = {
    "Send invites due again": ("sessions.tasks.retry_due_invites", 1),
    "Send session reminders": ("sessions.tasks.send_reminders", 15),
}


def add_schedules(apps, schema_editor):
    Schedule = apps.get_model("django_q", "Schedule")
    for name, (func, minutes) in SCHEDULES.items():
        Schedule.objects.update_or_create(
            name=name,
            defaults={"func": func, "schedule_type": "I", "minutes": minutes, "repeats": -1},
        )


def remove_schedules(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name__in=list(SCHEDULES)).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("offer_sessions", "0005_invites_webinars_feeds"),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [migrations.RunPython(add_schedules, remove_schedules)]
