"""The outbox's rows and the reminders sent: one row per iTIP message to one recipient (see
sessions/mail/outbox.py), one per reminder before a session. Re-exported by sessions.models."""

from django.db import models


class InviteMethod(models.TextChoices):
    REQUEST = "REQUEST", "Invitation or update"
    CANCEL = "CANCEL", "Cancellation"


class InviteStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENDING = "sending", "Being sent"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (will retry)"
    SUPERSEDED = "superseded", "Not sent: a later message carries everything"
    GAVE_UP = "gave-up", "Gave up"


class Invite(models.Model):
    """One iTIP message for a session to one recipient: the outbox row, written in the same
    transaction as the change that causes it, sent later by a task.

    (session, recipient, method, sequence) is unique, so the same SEQUENCE of the same method
    can never be queued, or sent, twice to the same person.
    """

    session = models.ForeignKey("Session", on_delete=models.CASCADE, related_name="invites")
    seat = models.ForeignKey(
        "Seat", null=True, blank=True, on_delete=models.SET_NULL, related_name="invites"
    )
    registration = models.ForeignKey(
        "Registration", null=True, blank=True, on_delete=models.SET_NULL, related_name="invites"
    )
    # A council participant's (sessions/participants/models.py).
    participant = models.ForeignKey(
        "Participant", null=True, blank=True, on_delete=models.SET_NULL, related_name="invites"
    )
    recipient_email = models.EmailField()
    recipient_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=20, default="REQ-PARTICIPANT", help_text="iCalendar ROLE")
    method = models.CharField(max_length=10, choices=InviteMethod.choices)
    sequence = models.PositiveIntegerField()
    # The session's time as the message gives it: the time when queued, or for a CANCEL the
    # time the recipient was last sent (a peer moved off a panel knew it at the old time).
    session_start = models.DateTimeField(null=True, blank=True)
    session_end = models.DateTimeField(null=True, blank=True)
    status = models.CharField(
        max_length=20, choices=InviteStatus.choices, default=InviteStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=255, blank=True)
    request_id = models.CharField(
        max_length=64,
        blank=True,
        help_text="The request (or task) that queued it, as its log lines name it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    # A bounce read from the organiser's mailbox (sessions/services/inbound.py).
    undelivered_at = models.DateTimeField(null=True, blank=True)
    undelivered_reason = models.TextField(blank=True)
    undelivered_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When staff and the booker were told it bounced."
    )

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "next_attempt_at"]),
            models.Index(fields=["message_id"], name="invite_message_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "recipient_email", "method", "sequence"],
                name="invite_once_per_sequence",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.method} #{self.sequence} to {self.recipient_email}"


class ReminderKind(models.TextChoices):
    TWO_DAYS = "48h", "48 hours before"
    TWO_HOURS = "2h", "2 hours before"


class Reminder(models.Model):
    """A reminder sent for a session at a given start time (so a moved session is reminded anew)."""

    session = models.ForeignKey("Session", on_delete=models.CASCADE, related_name="reminders")
    recipient_email = models.EmailField()
    kind = models.CharField(max_length=5, choices=ReminderKind.choices)
    session_start = models.DateTimeField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["session", "recipient_email", "kind", "session_start"], name="reminder_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} reminder to {self.recipient_email}"
