"""The outbox: every iTIP message is a row written in the same transaction as the change that
causes it, and sent afterwards by a task that retries. Nothing is lost if a worker dies, and
the unique (session, recipient, method, sequence) key means nothing is sent twice.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db import transaction
from django_q.tasks import async_task

from sessions.models import Invite, InviteMethod, Registration, Seat, Session


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
    registration: Registration | None = None,
    role: str = "REQ-PARTICIPANT",
) -> Invite:
    """Queue one message at the session's current SEQUENCE (idempotent for the same one).

    The row keeps the session's time as the message gives it (`invite_time`): now, or for a
    CANCEL the time the recipient's latest earlier message gave.
    """
    recipient_email = recipient_email.strip().lower()
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
            "role": role,
            "session_start": start,
            "session_end": end,
        },
    )
    if created:
        transaction.on_commit(lambda: async_task("sessions.tasks.send_invite", invite.id))
    return invite


def invite_time(invite: Invite) -> tuple[datetime, datetime]:
    """The session's time as this message gives it. A REQUEST gives the session as it is when
    sent; a CANCEL the time the recipient knew (rows queued before this was kept: the session's)."""
    session = invite.session
    if invite.method == InviteMethod.CANCEL and invite.session_start and invite.session_end:
        return invite.session_start, invite.session_end
    return session.start, session.end
