"""Letters that follow what the organiser's mailbox brought (inbound.py): staff and the booker
told, once, that an invite was not delivered; and a person's written reply forwarded to the
offer's contact mailbox, once. Each is claimed by a conditional UPDATE before it is sent, so two
workers never both send it."""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from sessions.mail.letters import Letter
from sessions.mail.links import absolute_url
from sessions.models import Invite, MailboxMessage
from sessions.session_words import session_contact, session_title, session_when, with_reference

logger = logging.getLogger("sessions.mailbox")

FORWARD_LOST_AFTER = timedelta(minutes=2)


def undelivered_letters(invite: Invite) -> list[tuple[str, Letter]]:
    """(address, letter) for staff (the offer's contact mailbox) and the booker."""
    session = invite.session
    booking = session.booking
    contact = session_contact(session)
    facts = with_reference(
        (
            ("Session", session_title(session)),
            ("When", session_when(session)),
            ("Sent to", f"{invite.recipient_name} <{invite.recipient_email}>".strip()),
            ("What the mail server said", invite.undelivered_reason[:500]),
        ),
        booking,
    )
    actions = ()
    if booking is not None:
        actions = (
            ("Open the booking", absolute_url(reverse("booking-detail", args=[booking.pk]))),
        )
    who = "the peer" if invite.seat_id else invite.recipient_name or invite.recipient_email
    letters = [
        (
            contact.email,
            Letter(
                subject=f"Invite not delivered: {session_title(session)}",
                greeting="Hello,",
                paragraphs=(
                    f"The invitation sent to {invite.recipient_email} was returned as "
                    "undeliverable. Check the address, and choose another peer for the seat "
                    "if it cannot be put right.",
                ),
                facts=facts,
                actions=actions,
            ),
        )
    ]
    booker = booking.booked_by if booking is not None else None
    if booker is not None and booker.email and booker.email.lower() != invite.recipient_email:
        letters.append(
            (
                booker.email,
                Letter(
                    subject=f"An invitation could not be delivered: {session_title(session)}",
                    greeting=f"Dear {booker.get_full_name() or booker.username},",
                    paragraphs=(
                        f"The invitation to {who} for this session could not be delivered. "
                        "The LGA has been told and will put it right; you do not need to do "
                        "anything.",
                    ),
                    facts=with_reference(facts[:2], booking),
                    actions=actions,
                    contact=contact,
                ),
            )
        )
    return letters


def undelivered_tell(*, invite_id: int) -> int:
    """Tell staff and the booker that the invite bounced, once; returns letters sent."""
    claimed = Invite.objects.filter(
        pk=invite_id, undelivered_at__isnull=False, undelivered_told_at__isnull=True
    ).update(undelivered_told_at=timezone.now())
    if not claimed:
        return 0
    invite = Invite.objects.select_related(
        "session__offer", "session__booking__council", "session__booking__booked_by"
    ).get(pk=invite_id)
    letters = undelivered_letters(invite)
    for address, letter in letters:
        letter.message(address).send()
    return len(letters)


def mail_forward(*, message_id: int) -> bool:
    """Forward a person's written reply to the offer's contact mailbox, once."""
    row = MailboxMessage.objects.filter(pk=message_id).first()
    if row is None or not row.forward_to or row.forwarded_at is not None:
        return False
    claimed = MailboxMessage.objects.filter(pk=row.pk, forwarded_at__isnull=True).update(
        forwarded_at=timezone.now()
    )
    if not claimed:
        return False
    forward = EmailMessage(
        subject=f"Fwd: {row.subject}"[:300],
        body=(
            f"{row.sender or 'Someone'} wrote to the peer support service's mailbox about an "
            "invitation. Their message is attached; reply to them directly.\n"
        ),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[row.forward_to],
        reply_to=[row.sender] if row.sender else None,
    )
    forward.attach("message.eml", bytes(row.forward_raw or b""), "message/rfc822")
    try:
        forward.send()
    except Exception:
        # Not sent: free the claim so the next mailbox pass queues it again.
        MailboxMessage.objects.filter(pk=row.pk).update(forwarded_at=None)
        logger.exception("Forwarding mailbox message %s failed; it will be tried again", row.pk)
        raise
    MailboxMessage.objects.filter(pk=row.pk).update(forward_raw=None)
    return True


def forwards_waiting():
    """Forwards not yet sent (their task lost, or the send failed): queued again by a pass."""
    return MailboxMessage.objects.filter(
        ~Q(forward_to=""),
        forwarded_at__isnull=True,
        forward_raw__isnull=False,
        taken_at__lte=timezone.now() - FORWARD_LOST_AFTER,
    ).values_list("pk", flat=True)
