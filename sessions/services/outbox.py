"""The outbox: every iTIP message is a row written in the same transaction as the change that
causes it, and sent afterwards by a task that retries. Nothing is lost if a worker dies, and
the unique (session, recipient, method, sequence) key means nothing is sent twice.
"""

from dataclasses import dataclass

from django.db import transaction
from django_q.tasks import async_task

from sessions.models import Invite, Registration, Seat, Session


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
    """Queue one message at the session's current SEQUENCE (idempotent for the same one)."""
    invite, created = Invite.objects.get_or_create(
        session=session,
        recipient_email=recipient_email.strip().lower(),
        method=method,
        sequence=session.sequence,
        defaults={
            "recipient_name": recipient_name.replace('"', "").strip(),
            "seat": seat,
            "registration": registration,
            "role": role,
        },
    )
    if created:
        transaction.on_commit(lambda: async_task("sessions.tasks.send_invite", invite.id))
    return invite
