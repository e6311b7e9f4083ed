"""A pre-reading document: a file given to a booking's panel, kept in the default storage
under a name the service makes up, with the uploader's own name for it kept only for display.

Loaded by sessions/models.py, so it stays a model of the `sessions` app (label
`offer_sessions`) with its tables and migrations.
"""

import secrets

from django.conf import settings
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver

from sessions.models import Booking, history


def stored_name(document: "Document", filename: str) -> str:
    """Where the file is kept: a random name under its booking, with the extension its content
    showed (the uploader's name for it is never part of the path)."""
    return f"pre-reading/{document.booking_id}/{secrets.token_hex(16)}.{document.extension}"


class Document(models.Model):
    booking = models.ForeignKey(Booking, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=stored_name, max_length=200)
    name = models.CharField(max_length=200, help_text="The file's name as uploaded, cleaned.")
    extension = models.CharField(max_length=10, help_text="As its content shows it, e.g. pdf.")
    content_type = models.CharField(max_length=100, help_text="As its content shows it.")
    size = models.PositiveIntegerField(help_text="In bytes.")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    panel_told_at = models.DateTimeField(
        null=True, blank=True, help_text="When the panel's peers were sent word of it."
    )
    history = history()

    class Meta:
        ordering = ["booking", "uploaded_at", "id"]
        verbose_name = "pre-reading document"

    def __str__(self) -> str:
        return self.name


@receiver(post_delete, sender=Document)
def _stored_file_delete(sender, instance: Document, **kwargs):
    """However a row goes (removed, kept past its time, its booking deleted), its file goes
    once the deletion has committed: never before, so a rollback leaves nothing missing."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))
