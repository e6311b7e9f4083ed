"""Sending the outbox: each Invite row as one iMIP e-mail (RFC 6047), sent at most once.

The message is multipart/alternative: plain text, HTML, and the iTIP calendar as
`text/calendar; method=...; charset=UTF-8` (built by scheduling.engine.calendar, with the METHOD
inside equal to the MIME one). The ORGANIZER is the From address. DTSTAMP is the sending time.

Delivery is a small state machine on the row, every step a conditional UPDATE:

    pending/failed --claim--> sending --hand over--> (message_id set) --sent--> sent
                                 |                         |
                                 +--refused/unreached--> failed (retry with backoff) ... gave-up

- Claim: `pending`/`failed` and due -> `sending`, attempts + 1, a lease in `next_attempt_at`.
  Only one worker's UPDATE matches, so two workers never both send one row.
- Hand over: the deterministic Message-ID is written to the row just before the message goes
  to the mail server. Until then a crash is harmless: the lease runs out and the row is tried
  again. After it, whether the server took the message is unknown.
- At most once. The row is never sent again automatically once it may have reached the server:
  a worker that died after the hand over (lease expired, Message-ID set) and a send that failed
  in a way that does not prove refusal (a timeout or dropped connection mid-transfer) both end
  in `gave-up`, with the reason, for staff to check and resend from the admin. A refusal (the
  server rejected the sender, a recipient or the data) or a server never reached is known not
  to have delivered anything and is retried with exponential backoff, up to MAX_ATTEMPTS.
  A staff resend keeps the Message-ID, so a mailbox that already holds the message can drop
  the copy.
- A row that a later message for the same session and recipient supersedes is not sent (the
  later one carries everything); it is marked superseded.
- `invites_requeue()` (every minute) queues again failed rows that are due, gathered updates
  whose wait is over (see outbox.py), pending rows whose task was lost (queued before a crash,
  or the broker was down), and rows whose sending lease ran out before the hand over.
"""

import hashlib
import logging
import smtplib
import socket
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, mailers
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django_q.tasks import async_task

from scheduling.engine.calendar import (
    CalendarEvent,
    Person,
    build_cancel,
    build_request,
    content_type,
)
from sessions.mail.letters import recipient
from sessions.mail.outbox import invite_content_of, invite_time
from sessions.models import Invite, InviteMethod, InviteStatus
from sessions.services.invite_words import invite_keeps_acceptance
from sessions.services.invites import FOR_INFORMATION
from sessions.session_words import session_title

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
LEASE = timedelta(minutes=10)  # well above the SMTP timeout and the task queue's timeout
FIRST_RETRY = timedelta(minutes=1)
LONGEST_WAIT = timedelta(hours=1)
LOST_AFTER = timedelta(minutes=2)  # a pending row older than this has lost its task

# Errors that prove the mail server did not take the message: safe to try again.
REFUSED = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    smtplib.SMTPConnectError,
    smtplib.SMTPHeloError,
    smtplib.SMTPAuthenticationError,
    smtplib.SMTPNotSupportedError,
    ConnectionRefusedError,
    socket.gaierror,
)

SENT = "sent"
FAILED = "failed"
GAVE_UP = "gave-up"
SUPERSEDED = "superseded"
NOT_CLAIMED = "not-claimed"


def organizer() -> Person:
    """The service's own address: the From of every invite and the ORGANIZER inside it."""
    name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return Person(email=address, name=name or address)


def message_id(invite: Invite) -> str:
    """The same Message-ID for every attempt at one (session, recipient, method, SEQUENCE)."""
    key = f"{invite.session.uid}|{invite.recipient_email}|{invite.method}|{invite.sequence}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    domain = organizer().email.rpartition("@")[2]
    return f"<invite.{digest}@{domain}>"


class InviteEmail(EmailMultiAlternatives):
    """An iMIP message: the calendar part's Content-Type names the iTIP METHOD."""

    def __init__(self, *args, calendar: bytes, method: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.method = method
        self.attach_alternative(calendar.decode("utf-8"), "text/calendar")

    def message(self, **kwargs):
        msg = super().message(**kwargs)
        for part in msg.walk():
            if part.get_content_type() == "text/calendar":
                # Raw, so the header goes out exactly as written (the email package would
                # otherwise quote the parameters, which some calendar clients are fussy about).
                del part["Content-Type"]
                part.set_raw("Content-Type", content_type(self.method))
        return msg


def invite_message(invite: Invite, *, now: datetime) -> InviteEmail:
    """The e-mail for one outbox row, as it would be sent at `now`."""
    session = invite.session
    content = invite_content_of(invite)
    start, end = invite_time(invite)  # a CANCEL: the event as the recipient's calendar has it
    event = CalendarEvent(
        uid=session.uid,
        start=start,
        end=end,
        summary=session_title(session),
        description=content.description,
        location=content.location,
        url=content.url,
        sequence=invite.sequence,
    )
    kept = invite_keeps_acceptance(invite)
    attendee = Person(
        email=invite.recipient_email,
        name=invite.recipient_name,
        role=invite.role,
        # An update that leaves the time alone keeps an acceptance (RFC 5546 lets the
        # organizer keep a participation status when only other details change).
        partstat="ACCEPTED" if kept else "NEEDS-ACTION",
        # Sent for information only, or already accepted: no answer is asked for.
        rsvp=invite.role != FOR_INFORMATION and not kept,
    )
    build = build_request if invite.method == InviteMethod.REQUEST else build_cancel
    calendar = build(event, organizer(), [attendee], dtstamp=now)
    return InviteEmail(
        subject=content.subject,
        body=content.text,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[recipient(invite.recipient_email, invite.recipient_name)],
        headers={"Message-ID": message_id(invite)},
        alternatives=[(content.html, "text/html")],
        calendar=calendar,
        method=invite.method,
    )


# Delivery ---------------------------------------------------------------------------------------


def _claim(invite_id: int, now: datetime) -> bool:
    claimed = (
        Invite.objects.filter(pk=invite_id, status__in=[InviteStatus.PENDING, InviteStatus.FAILED])
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .update(
            status=InviteStatus.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=now + LEASE,
            message_id="",
        )
    )
    return claimed == 1


def backoff(attempts: int) -> timedelta:
    """How long to wait after the `attempts`-th failed try: 1, 2, 4 ... minutes, at most an hour."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_WAIT)


def _finish(invite: Invite, **fields) -> bool:
    # Only the worker holding the claim may change the row.
    return Invite.objects.filter(pk=invite.pk, status=InviteStatus.SENDING).update(**fields) == 1


def _failed(invite: Invite, now: datetime, error: str) -> str:
    logger.warning("Invite %s not sent (attempt %s): %s", invite.pk, invite.attempts, error)
    if invite.attempts >= MAX_ATTEMPTS:
        _finish(
            invite,
            status=InviteStatus.GAVE_UP,
            next_attempt_at=None,
            message_id="",
            last_error=f"Gave up after {invite.attempts} attempts. Last error: {error}",
        )
        return GAVE_UP
    _finish(
        invite,
        status=InviteStatus.FAILED,
        next_attempt_at=now + backoff(invite.attempts),
        message_id="",
        last_error=error,
    )
    return FAILED


def _superseded_by(invite: Invite) -> Invite | None:
    return (
        Invite.objects.filter(
            session_id=invite.session_id,
            recipient_email=invite.recipient_email,
            sequence__gt=invite.sequence,
        )
        .order_by("-sequence")
        .first()
    )


def invite_deliver(*, invite_id: int, now: datetime | None = None) -> str:
    """Send one outbox row if it is due and no other worker has it; returns what happened."""
    now = now or timezone.now()
    if not _claim(invite_id, now):
        return NOT_CLAIMED
    invite = Invite.objects.select_related(
        "session__offer", "session__booking__council", "seat__peer", "registration"
    ).get(pk=invite_id)
    later = _superseded_by(invite)
    if later is not None:
        _finish(
            invite,
            status=InviteStatus.SUPERSEDED,
            next_attempt_at=None,
            last_error=f"Superseded: not sent, as the later {later.method} "
            f"(SEQUENCE {later.sequence}) to the same person carries everything.",
        )
        return SUPERSEDED
    try:
        message = invite_message(invite, now=now)
    except Exception as error:  # a fault in the data or the templates: nothing was sent
        logger.exception("Invite %s could not be built", invite.pk)
        return _failed(invite, now, f"Could not build the message: {error!r}")
    try:
        connection = mailers.default
        connection.open()
    except Exception as error:  # the mail server was never reached
        return _failed(invite, now, f"Could not reach the mail server: {error!r}")
    try:
        # The hand over: from here the server may have the message, so it is never resent
        # automatically (see the module's docstring). A worker so slow that its lease ran out
        # and the row was claimed again stops here.
        if not _finish(invite, message_id=message.extra_headers["Message-ID"]):
            return NOT_CLAIMED
        try:
            count = connection.send_messages([message])
        except REFUSED as error:
            return _failed(invite, now, f"Refused by the mail server: {error!r}")
        except Exception as error:
            logger.exception("Invite %s: outcome unknown", invite.pk)
            _finish(
                invite,
                status=InviteStatus.GAVE_UP,
                next_attempt_at=None,
                last_error="Outcome unknown: sending failed part way "
                f"({error!r}), so it is not retried automatically (it may have arrived). "
                "Check the mail log for its Message-ID and resend from the admin if needed.",
            )
            return GAVE_UP
        if not count:
            return _failed(invite, now, "The mail backend sent nothing.")
        _finish(invite, status=InviteStatus.SENT, sent_at=now, next_attempt_at=None, last_error="")
        return SENT
    finally:
        with suppress(Exception):
            connection.close()


@dataclass(frozen=True)
class Requeued:
    queued: list[int]
    unknown: list[int]  # died after the hand over: marked gave-up, not resent


def invites_requeue(*, now: datetime | None = None) -> Requeued:
    """Queue again what is due or lost; close rows whose sending worker died (see above)."""
    now = now or timezone.now()
    stale = Invite.objects.filter(status=InviteStatus.SENDING, next_attempt_at__lte=now)
    unknown = list(stale.exclude(message_id="").values_list("pk", flat=True))
    Invite.objects.filter(pk__in=unknown, status=InviteStatus.SENDING).update(
        status=InviteStatus.GAVE_UP,
        next_attempt_at=None,
        last_error="Outcome unknown: the worker stopped while handing the message to the mail "
        "server, so it is not resent automatically (it may have arrived). Check the mail log for "
        "its Message-ID and resend from the admin if needed.",
    )
    # Died before the hand over: nothing left the building; try again now.
    stale.filter(message_id="", attempts__lt=MAX_ATTEMPTS).update(
        status=InviteStatus.FAILED,
        next_attempt_at=now,
        last_error="The worker stopped before sending; trying again.",
    )
    stale.filter(message_id="").update(
        status=InviteStatus.GAVE_UP,
        next_attempt_at=None,
        last_error=f"Gave up after {MAX_ATTEMPTS} attempts: the worker stopped each time.",
    )
    due = Invite.objects.filter(
        Q(status=InviteStatus.FAILED, next_attempt_at__lte=now)
        # Gathered updates whose wait is over (outbox.invite_queue's `gather`).
        | Q(status=InviteStatus.PENDING, next_attempt_at__isnull=False, next_attempt_at__lte=now)
        | Q(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
            status=InviteStatus.PENDING,
            created_at__lte=now - LOST_AFTER,
        )
    )
    queued = list(due.order_by("pk").values_list("pk", flat=True))
    for invite_id in queued:
        async_task("sessions.tasks.send_invite", invite_id)
    if unknown:
        logger.warning("Invites with an unknown outcome, not resent: %s", unknown)
    return Requeued(queued=queued, unknown=unknown)


def invites_resend(*, invite_ids) -> int:
    """Staff resend: the rows go back to pending and are queued (same Message-ID)."""
    ids = list(
        Invite.objects.filter(pk__in=list(invite_ids))
        .exclude(status=InviteStatus.SENDING)
        .values_list("pk", flat=True)
    )
    Invite.objects.filter(pk__in=ids).update(
        status=InviteStatus.PENDING, attempts=0, next_attempt_at=None, message_id=""
    )
    for invite_id in ids:
        transaction.on_commit(
            lambda invite_id=invite_id: async_task("sessions.tasks.send_invite", invite_id)
        )
    return len(ids)
