"""What the organiser's mailbox brought (read by sessions/services/mailbox.py, taken by
sessions/services/inbound.py): each message read, once; calendar replies held for staff; and
addresses that bounce."""

from django.db import models


class MailKind(models.TextChoices):
    REPLY = "reply", "Calendar reply"
    BOUNCE = "bounce", "Bounce (not delivered)"
    DELAY = "delay", "Delay notice (still trying)"
    AUTOMATIC = "automatic", "Automatic reply (ignored)"
    HUMAN = "human", "Written reply (forwarded)"
    DUPLICATE = "duplicate", "Already taken (a copy)"
    SET_ASIDE = "set-aside", "Set aside unread (too large or too many parts)"
    UNREADABLE = "unreadable", "Not understood"


class MailboxMessage(models.Model):
    """One message read from the organiser's mailbox, remembered so it is taken once.

    Two keys: where it was (the mailbox, its UIDVALIDITY and the message's UID), which lets a
    pass that stopped before moving a message to the processed folder move it without taking it
    again; and what it was (Message-ID and a hash of its calendar part), which catches a copy of
    a message already taken, wherever it turns up.
    """

    mailbox = models.CharField(max_length=300, help_text="user@host/folder")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(max_length=255, blank=True)
    calendar_hash = models.CharField(max_length=64, blank=True)
    sender = models.CharField(max_length=254, blank=True)
    subject = models.CharField(max_length=300, blank=True)
    size = models.PositiveIntegerField(default=0)
    kind = models.CharField(max_length=20, choices=MailKind.choices)
    outcome = models.TextField(blank=True)
    invite = models.ForeignKey(
        "Invite",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="mailbox_messages",
        help_text="The invite it answers or bounces.",
    )
    forward_to = models.EmailField(blank=True)
    forward_raw = models.BinaryField(null=True, blank=True, editable=False)
    forwarded_at = models.DateTimeField(null=True, blank=True)
    taken_at = models.DateTimeField(auto_now_add=True)
    moved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-taken_at", "-id"]
        indexes = [models.Index(fields=["message_id", "calendar_hash"], name="mailbox_message_key")]
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="mailbox_message_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.subject or self.message_id}"


class HeldReplyStatus(models.TextChoices):
    WAITING = "waiting", "Waiting for staff"
    APPLIED = "applied", "Applied by staff"
    DISMISSED = "dismissed", "Dismissed by staff"


class HeldReply(models.Model):
    """A calendar reply whose sender is not the attendee it speaks for (a delegate, a
    forward): held for staff to apply or dismiss, never applied by itself."""

    message = models.OneToOneField(
        MailboxMessage, on_delete=models.CASCADE, related_name="held_reply"
    )
    uid = models.CharField(max_length=255)
    attendee = models.EmailField()
    sender = models.CharField(max_length=254)
    partstat = models.CharField(max_length=20)
    sequence = models.PositiveIntegerField(default=0)
    dtstamp = models.DateTimeField()
    comment = models.TextField(blank=True)
    status = models.CharField(
        max_length=20, choices=HeldReplyStatus.choices, default=HeldReplyStatus.WAITING
    )
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "held replies"

    def __str__(self) -> str:
        return f"{self.partstat} for {self.attendee} sent by {self.sender}"


class BouncedAddress(models.Model):
    """An address an invite could not be delivered to; two bounces flag it for staff."""

    email = models.EmailField(unique=True)
    peer = models.ForeignKey(
        "peers.Peer", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    bounces = models.PositiveIntegerField(default=0)
    last_bounced_at = models.DateTimeField()
    last_reason = models.TextField(blank=True)

    FLAG_AFTER = 2

    class Meta:
        ordering = ["-bounces", "-last_bounced_at"]
        verbose_name_plural = "bounced addresses"

    def __str__(self) -> str:
        return f"{self.email} ({self.bounces} bounce{'s' if self.bounces != 1 else ''})"

    @property
    def flagged(self) -> bool:
        return self.bounces >= self.FLAG_AFTER
