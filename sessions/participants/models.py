"""A participant: someone from the council the booker names to attend a booking's panel, with
their answer to the invitation. Loaded by the app config (sessions/apps.py), so it stays a model
of the `sessions` app (label `offer_sessions`) with its tables and migrations.

A removed participant's row stays (marked `removed_at`) until retention takes it, so the CANCEL
that takes the session out of their calendar still knows who they were when it is sent.
"""

from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower

from sessions.models import Booking, history

PARTICIPANTS_MAX = 12


class ParticipantAnswer(models.TextChoices):
    NEEDS_ACTION = "needs-action", "Not answered yet"
    ACCEPTED = "accepted", "Attending"
    DECLINED = "declined", "Not attending"
    TENTATIVE = "tentative", "Might attend"


class Participant(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(max_length=200)
    role = models.CharField(max_length=200, blank=True, help_text='e.g. "Leader"')
    email = models.EmailField()
    answer = models.CharField(
        max_length=20, choices=ParticipantAnswer.choices, default=ParticipantAnswer.NEEDS_ACTION
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    removed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the booker took them off the list."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = history()

    class Meta:
        ordering = ["booking", "id"]
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                "booking",
                condition=Q(removed_at__isnull=True),
                name="participant_once_per_booking",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.role})" if self.role else self.name
