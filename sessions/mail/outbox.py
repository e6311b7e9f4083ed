"""The outbox: every iTIP message is a row written in the same transaction as the change that
causes it, and sent afterwards by a task that retries. Nothing is lost if a worker dies, and
the unique (session, recipient, method, sequence) key means nothing is sent twice.

Updates that may be gathered (the booker's, the adviser's) wait a few minutes: several
changes in that time reach their recipient as one message. The first waiting update sets
when they go; each later one waits with it, and when they are due the latest carries
everything (the earlier ones are superseded, see mail.py), so fourteen declines in two minutes
are one summary, not fourteen e-mails. A peer's own invite is never held.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import models, transaction
from django.utils import timezone
from django_q.tasks import async_task

from sessions.models import Invite, InviteMethod, InviteStatus, Seat, Session

GATHER_FOR = timedelta(minutes=5)  # how long an update waits for others to join it


@dataclass(frozen=True)
class InviteContent:
    """What an invite says beyond the calendar data: built per kind of recipient."""

    subject: str
    text: str  # plain-text body
    html: str  # HTML body
    description: str = ""  # the event's DESCRIPTION
    url: str = ""  # the event's URL (a page about it)
    location: str = ""  # the joining link, where the recipient may see it


def invite_queue(
    *,
    session: Session,
    recipient_email: str,
    recipient_name: str,
    method: str,
    seat: Seat | None = None,
    registration: models.Model | None = None,  # a webinar's Registration
    participant: models.Model | None = None,  # a council's Participant
    role: str = "REQ-PARTICIPANT",
    gather: bool = False,
) -> Invite:
    """Queue one message at the session's current SEQUENCE (idempotent for the same one).

    The row keeps the session's time as the message gives it (`invite_time`): now, or for a
    CANCEL the time the recipient's latest earlier message gave.

    `gather`: an update (a REQUEST to someone already sent one) waits with the updates
    already waiting for the same recipient, or GATHER_FOR from now, and goes as one message
    with them; the task worker's minute-by-minute requeue sends it when due.
    """
    recipient_email = recipient_email.strip().lower()
    held_until = None
    if gather and method == InviteMethod.REQUEST:
        held_until = _gathered_until(session, recipient_email)
    start, end = session.start, session.end
    if method == InviteMethod.CANCEL:
        told = (
            Invite.objects.filter(
                session=session,
                recipient_email=recipient_email,
                sequence__lt=session.sequence,
                session_start__isnull=False,
            )
            .order_by("-sequence", "-id")
            .values_list("session_start", "session_end")
            .first()
        )
        if told is not None:
            start, end = told
    invite, created = Invite.objects.get_or_create(
        session=session,
        recipient_email=recipient_email,
        method=method,
        sequence=session.sequence,
        defaults={
            "recipient_name": recipient_name.replace('"', "").strip(),
            "seat": seat,
            "registration": registration,
            "participant": participant,
            "role": role,
            "session_start": start,
            "session_end": end,
            "next_attempt_at": held_until,
        },
    )
    if created and held_until is None:
        # Robust: the change has committed; with the broker out of reach the row stays pending
        # and the outbox's sweep queues it (LOST_AFTER), so the request still succeeds.
        transaction.on_commit(
            lambda: async_task("sessions.tasks.send_invite", invite.id), robust=True
        )
    return invite


def _gathered_until(session: Session, recipient_email: str) -> datetime | None:
    """When an update to this recipient goes: with the ones already waiting, or GATHER_FOR
    from now; None (at once) for their first message."""
    earlier = Invite.objects.filter(
        session=session, recipient_email=recipient_email, sequence__lt=session.sequence
    )
    if not earlier.exists():
        return None
    now = timezone.now()
    waiting = (
        earlier.filter(
            method=InviteMethod.REQUEST,
            status=InviteStatus.PENDING,
            next_attempt_at__gt=now,
        )
        .order_by("next_attempt_at")
        .values_list("next_attempt_at", flat=True)
        .first()
    )
    return waiting or now + GATHER_FOR


def invite_time(invite: Invite) -> tuple[datetime, datetime]:
    """The session's time as this message gives it. A REQUEST gives the session as it is when
    sent; a CANCEL the time the recipient knew (rows queued before this was kept: the session's)."""
    session = invite.session
    if invite.method == InviteMethod.CANCEL and invite.session_start and invite.session_end:
        return invite.session_start, invite.session_end
    return session.start, session.end


# What a row says -------------------------------------------------------------------------------

# A row is a seat's (panels), a registration's (webinars) or a council participant's; each
# subject registers the words of its rows when the app starts (sessions/apps.py), so the outbox
# imports none of them.
SEAT, REGISTRATION, PARTICIPANT = "seat", "registration", "participant"
_CONTENT: dict[str, Callable[[Invite], InviteContent]] = {}


def invite_content_register(kind: str, content: Callable[[Invite], InviteContent]) -> None:
    _CONTENT[kind] = content


def invite_content_of(invite: Invite) -> InviteContent:
    """What an outbox row says, in the words of its subject."""
    if invite.participant_id is not None:
        return _CONTENT[PARTICIPANT](invite)
    return _CONTENT[REGISTRATION if invite.registration_id is not None else SEAT](invite)
