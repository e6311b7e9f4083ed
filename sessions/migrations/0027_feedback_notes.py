"""After the panel: the feedback note and its versions, the council's actions, the follow-up
letters, the progress review and the anonymous survey; and the hourly task that sends the
surveys, the owners' reminders and the bookers' follow-ups (each once)."""

import django.db.models.deletion
import simple_history.models
import uuid
from django.conf import settings
from django.db import migrations, models


SCHEDULE = "After the panel: surveys, action reminders and follow-ups"


def add_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.update_or_create(
        name=SCHEDULE,
        defaults={
            "func": "sessions.feedback.tasks.after_panel",
            "schedule_type": "I",
            "minutes": 60,
            "repeats": -1,
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_q", "Schedule").objects.filter(name=SCHEDULE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("offer_sessions", "0026_learning_points"),
        ("peers", "0008_facilitators"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("django_q", "0019_alter_task_options_alter_ormq_key_alter_ormq_lock_and_more"),
    ]

    operations = [
        migrations.CreateModel(
            name="FeedbackNote",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("sent", "Sent to the council to check"),
                            ("checked", "Checked by the council"),
                            ("final", "Final"),
                        ],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("heard", models.TextField(blank=True, verbose_name="What the panel heard")),
                ("strengths", models.TextField(blank=True, verbose_name="Strengths")),
                ("consider", models.TextField(blank=True, verbose_name="Things to consider")),
                (
                    "check_comments",
                    models.TextField(
                        blank=True,
                        help_text="Empty when it had no corrections.",
                        verbose_name="The council's comments",
                    ),
                ),
                (
                    "sent_on",
                    models.DateField(
                        blank=True, help_text="Sent to the council to check.", null=True
                    ),
                ),
                ("checked_at", models.DateTimeField(blank=True, null=True)),
                ("finalised_at", models.DateTimeField(blank=True, null=True)),
                (
                    "council_told_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the bookers were told a draft is ready to check.",
                        null=True,
                    ),
                ),
                (
                    "lead_told_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the lead was told the council had answered.",
                        null=True,
                    ),
                ),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "booking",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="feedback_note",
                        to="offer_sessions.booking",
                    ),
                ),
                (
                    "checked_by",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "feedback note",
            },
        ),
        migrations.CreateModel(
            name="HistoricalAction",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("history_actor", models.CharField(blank=True, max_length=200)),
                ("what", models.TextField()),
                ("owner_name", models.CharField(max_length=200)),
                ("owner_email", models.EmailField(max_length=254)),
                ("due_on", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("in_progress", "In progress"),
                            ("done", "Done"),
                        ],
                        default="open",
                        max_length=12,
                    ),
                ),
                (
                    "owner_reminded_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the owner was reminded of the due date (once).",
                        null=True,
                    ),
                ),
                ("created_at", models.DateTimeField(blank=True, editable=False)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "booking",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="offer_sessions.booking",
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical action",
                "verbose_name_plural": "historical actions",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalFeedbackNote",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("history_actor", models.CharField(blank=True, max_length=200)),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("sent", "Sent to the council to check"),
                            ("checked", "Checked by the council"),
                            ("final", "Final"),
                        ],
                        default="draft",
                        max_length=10,
                    ),
                ),
                ("heard", models.TextField(blank=True, verbose_name="What the panel heard")),
                ("strengths", models.TextField(blank=True, verbose_name="Strengths")),
                ("consider", models.TextField(blank=True, verbose_name="Things to consider")),
                (
                    "check_comments",
                    models.TextField(
                        blank=True,
                        help_text="Empty when it had no corrections.",
                        verbose_name="The council's comments",
                    ),
                ),
                (
                    "sent_on",
                    models.DateField(
                        blank=True, help_text="Sent to the council to check.", null=True
                    ),
                ),
                ("checked_at", models.DateTimeField(blank=True, null=True)),
                ("finalised_at", models.DateTimeField(blank=True, null=True)),
                (
                    "council_told_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the bookers were told a draft is ready to check.",
                        null=True,
                    ),
                ),
                (
                    "lead_told_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the lead was told the council had answered.",
                        null=True,
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "booking",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="offer_sessions.booking",
                    ),
                ),
                (
                    "checked_by",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical feedback note",
                "verbose_name_plural": "historical feedback notes",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalProgressReview",
            fields=[
                (
                    "id",
                    models.BigIntegerField(
                        auto_created=True, blank=True, db_index=True, verbose_name="ID"
                    ),
                ),
                ("history_actor", models.CharField(blank=True, max_length=200)),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(
                        choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1
                    ),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "panel",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="offer_sessions.booking",
                    ),
                ),
                (
                    "review",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="offer_sessions.booking",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical progress review",
                "verbose_name_plural": "historical progress reviews",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="ProgressReview",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "panel",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="progress_review",
                        to="offer_sessions.booking",
                    ),
                ),
                (
                    "review",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="review_of",
                        to="offer_sessions.booking",
                    ),
                ),
            ],
        ),
        migrations.CreateModel(
            name="Action",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("what", models.TextField()),
                ("owner_name", models.CharField(max_length=200)),
                ("owner_email", models.EmailField(max_length=254)),
                ("due_on", models.DateField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("open", "Open"),
                            ("in_progress", "In progress"),
                            ("done", "Done"),
                        ],
                        default="open",
                        max_length=12,
                    ),
                ),
                (
                    "owner_reminded_at",
                    models.DateTimeField(
                        blank=True,
                        help_text="When the owner was reminded of the due date (once).",
                        null=True,
                    ),
                ),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("updated_at", models.DateTimeField(auto_now=True)),
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="actions",
                        to="offer_sessions.booking",
                    ),
                ),
            ],
            options={
                "ordering": ["booking", "due_on", "id"],
                "indexes": [
                    models.Index(fields=["status", "due_on"], name="offer_sessi_status_2ecbf7_idx")
                ],
            },
        ),
        migrations.CreateModel(
            name="FollowUp",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "kind",
                    models.CharField(
                        choices=[
                            ("six_weeks", "Six weeks after the panel"),
                            ("three_months", "Three months after the panel"),
                        ],
                        max_length=15,
                    ),
                ),
                ("sent_at", models.DateTimeField(auto_now_add=True)),
                (
                    "booking",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="follow_ups",
                        to="offer_sessions.booking",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(fields=("booking", "kind"), name="follow_up_once")
                ],
            },
        ),
        migrations.CreateModel(
            name="NoteVersion",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("number", models.PositiveIntegerField()),
                (
                    "status",
                    models.CharField(
                        choices=[
                            ("draft", "Draft"),
                            ("sent", "Sent to the council to check"),
                            ("checked", "Checked by the council"),
                            ("final", "Final"),
                        ],
                        max_length=10,
                    ),
                ),
                ("heard", models.TextField(blank=True)),
                ("strengths", models.TextField(blank=True)),
                ("consider", models.TextField(blank=True)),
                ("check_comments", models.TextField(blank=True)),
                ("saved_by", models.CharField(blank=True, max_length=200)),
                ("saved_at", models.DateTimeField(auto_now_add=True)),
                (
                    "note",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="versions",
                        to="offer_sessions.feedbacknote",
                    ),
                ),
            ],
            options={
                "ordering": ["note", "number"],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("note", "number"), name="note_version_number_unique"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SurveyAnswer",
            fields=[
                (
                    "id",
                    models.UUIDField(
                        default=uuid.uuid4, editable=False, primary_key=True, serialize=False
                    ),
                ),
                ("useful", models.PositiveSmallIntegerField(help_text="How useful, 1 to 5.")),
                ("recommend", models.BooleanField(help_text="Would recommend it.")),
                ("improve", models.TextField(blank=True, help_text="One thing to improve.")),
                ("answered_on", models.DateField()),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="offer_sessions.session",
                    ),
                ),
            ],
            options={
                "ordering": ["id"],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(("useful__gte", 1), ("useful__lte", 5)),
                        name="survey_useful_1_to_5",
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="SurveyInvitation",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("email", models.EmailField(max_length=254)),
                ("name", models.CharField(blank=True, max_length=200)),
                ("answered", models.BooleanField(default=False)),
                (
                    "peer",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="peers.peer",
                    ),
                ),
                (
                    "session",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="offer_sessions.session",
                    ),
                ),
            ],
            options={
                "constraints": [
                    models.UniqueConstraint(
                        fields=("session", "email"), name="survey_invitation_once"
                    )
                ],
            },
        ),
        migrations.RunPython(add_schedule, remove_schedule),
    ]
