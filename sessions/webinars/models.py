"""Webinar registrations: a councillor's place (or place on the waiting list), the request
that an e-mailed link confirms, and the secret tokens behind private calendar feeds.

Loaded by sessions/models.py, so these stay models of the `sessions` app (label
`offer_sessions`) with its tables and migrations.
"""

from django.db import models
from django.db.models import Q

from sessions.models import Session, history


class RegistrationStatus(models.TextChoices):
    REGISTERED = "registered", "Registered"
    WAITING = "waiting", "On the waiting list"
    CANCELLED = "cancelled", "Cancelled"


class Registration(models.Model):
    """A councillor's place on a webinar (a session of a webinar offer)."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="registrations")
    name = models.CharField(max_length=200)
    email = models.EmailField()
    council = models.ForeignKey("peers.Council", null=True, blank=True, on_delete=models.SET_NULL)
    council_name = models.CharField(
        max_length=200, blank=True, help_text="As typed, if not in the directory."
    )
    role = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=RegistrationStatus.choices, default=RegistrationStatus.REGISTERED
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = history()

    class Meta:
        ordering = ["session", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "email"], name="registration_once_per_person"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} on {self.session}"


class RegistrationRequest(models.Model):
    """A request to register an address for a webinar, waiting for the address to confirm it.

    It holds no place and opens no calendar: the signed link e-mailed to the address turns
    it into a Registration. Whoever asked chose the name and the rest, so nothing in it is
    shown to anyone but the address's owner, and it never changes a Registration that exists.
    """

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="registration_requests"
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    council = models.ForeignKey("peers.Council", null=True, blank=True, on_delete=models.SET_NULL)
    council_name = models.CharField(max_length=200, blank=True)
    role = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"Request for {self.session} (confirmed: {bool(self.confirmed_at)})"


class FeedToken(models.Model):
    """The secret of a person's private calendar feed (stored hashed; revocable).

    A peer's feed lists their seats; anyone else's (by e-mail) lists their webinar registrations.
    """

    email = models.EmailField(blank=True, db_index=True)
    peer = models.ForeignKey(
        "peers.Peer", null=True, blank=True, on_delete=models.CASCADE, related_name="feed_tokens"
    )
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                name="feed_token_has_owner", condition=~Q(email="") | Q(peer__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"Feed of {self.peer or self.email}"
