"""The record of what was done with people's data: exports, erasures and retention runs.

None of it holds personal data: a person is named by their pseudonym (`person_pseudonym`),
never by name or address, so the record of an erasure survives it."""

from django.conf import settings
from django.db import models


class DataRequestKind(models.TextChoices):
    EXPORT = "export", "Export"
    ERASURE = "erasure", "Erasure"


class DataRequest(models.Model):
    """One export or erasure of a person's data, as staff asked for it."""

    kind = models.CharField(max_length=10, choices=DataRequestKind.choices)
    subject = models.CharField(
        max_length=60, help_text="The person's pseudonym (never their name or address)."
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Blank: a command run on the server.",
    )
    done_at = models.DateTimeField()
    counts = models.JSONField(default=dict, blank=True, help_text="What was found or changed.")

    class Meta:
        ordering = ["-done_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.subject} at {self.done_at:%Y-%m-%d %H:%M}"


class RetentionRun(models.Model):
    """One application of the retention policy: when, and how many records of each kind went."""

    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Retention run at {self.started_at:%Y-%m-%d %H:%M}"
