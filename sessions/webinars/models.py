"""Webinar registrations: a councillor's place (or place on the waiting list), the request
that an e-mailed link confirms, the secret tokens behind private calendar feeds, the
materials given with a webinar (videos and reading before, slides after) and who attended,
as the video platform's report says.

Loaded by sessions/models.py, so these stay models of the `sessions` app (label
`offer_sessions`) with its tables and migrations.
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models import Q
from django.db.models.signals import post_delete
from django.dispatch import receiver

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
    recording_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When they were told the recording is there (once)."
    )
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


class MaterialKind(models.TextChoices):
    BEFORE = "before", "Watch or read before"
    SLIDES = "slides", "Slides"


def material_stored_name(material: "Material", filename: str) -> str:
    """A random name under its webinar, with the extension its content showed (the uploader's
    name for it is never part of the path)."""
    return f"webinars/{material.session_id}/{secrets.token_hex(16)}.{material.extension}"


class Material(models.Model):
    """A short video or reading given to registrants before a webinar, or its slides after:
    a link (https) or a file kept in the default storage."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="materials")
    kind = models.CharField(max_length=10, choices=MaterialKind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=1000, blank=True)
    file = models.FileField(upload_to=material_stored_name, max_length=200, blank=True)
    name = models.CharField(max_length=200, blank=True, help_text="The file's name, cleaned.")
    extension = models.CharField(max_length=10, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    size = models.PositiveIntegerField(default=0, help_text="In bytes.")
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    history = history()

    class Meta:
        ordering = ["session", "kind", "added_at", "id"]
        verbose_name = "webinar material"
        constraints = [
            models.CheckConstraint(
                name="material_link_or_file",
                condition=(Q(url="") & ~Q(file="")) | (~Q(url="") & Q(file="")),
            ),
        ]

    def __str__(self) -> str:
        return self.title


@receiver(post_delete, sender=Material)
def _material_file_delete(sender, instance: Material, **kwargs):
    """A removed material's file goes once the deletion has committed, never before."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


class AttendanceSource(models.TextChoices):
    TEAMS = "teams", "Microsoft Teams"
    ZOOM = "zoom", "Zoom"


class WebinarAttendance(models.Model):
    """One person in a webinar's attendance report (their rows added up), matched to a
    registration by e-mail address where one matches; the rest are listed for staff."""

    session = models.ForeignKey(
        Session, on_delete=models.CASCADE, related_name="webinar_attendance"
    )
    registration = models.ForeignKey(
        Registration,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webinar_attendance",
    )
    name = models.CharField(max_length=200, blank=True)
    email = models.CharField(max_length=254, blank=True)
    minutes = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=10, choices=AttendanceSource.choices)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "name", "id"]
        verbose_name = "webinar attendance"
        verbose_name_plural = "webinar attendance"

    def __str__(self) -> str:
        return f"{self.name or self.email} at {self.session}"
