"""Reminders before a session: 48 hours and 2 hours before, to its seated peers, booker and the
participants the booker named who have not said they cannot attend (panels), or to everyone
with a place (webinars; the 48-hour one lists what to watch before)."""

import logging
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q
from django.urls import reverse
from django.utils import timezone

from sessions.mail.letters import Letter
from sessions.mail.links import absolute_url
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    BookingStatus,
    Delivery,
    Reminder,
    ReminderKind,
    Seat,
    Session,
    SessionStatus,
)
from sessions.participants.links import answer_link
from sessions.participants.models import ParticipantAnswer
from sessions.services.invites import booker_address
from sessions.session_words import (
    session_contact,
    session_focus,
    session_joining_fact,
    session_panel_lines,
    session_title,
    session_when,
    with_reference,
)
from sessions.webinars.models import MaterialKind, Registration, RegistrationStatus
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.selectors.materials import BEFORE_HEADING, material_links

logger = logging.getLogger(__name__)

REMINDERS = (  # (kind, how long before the start it is due), latest first
    (ReminderKind.TWO_HOURS, timedelta(hours=2)),
    (ReminderKind.TWO_DAYS, timedelta(hours=48)),
)


def _reminder_due(session: Session, now: datetime):
    """The reminder due now for a session, if any: the latest one whose time has come."""
    left = session.start - now
    for kind, before in REMINDERS:
        if timedelta(0) < left <= before:
            return kind
    return None


def _reminder_message(
    session: Session,
    kind: str,
    email: str,
    name: str,
    url: str,
    more: tuple[tuple[str, str], ...] = (),
    zone: str | None = None,
    materials: tuple[tuple[str, str], ...] = (),
):
    title = session_title(session)
    soon = "in 2 hours" if kind == ReminderKind.TWO_HOURS else "in 2 days"
    actions = [("Join the meeting", session.joining_url)] if session.joining_url else []
    actions.extend(more)
    actions.append(("See the details", url))
    letter = Letter(
        subject=f"Reminder: {title}, {soon}",
        greeting=f"Dear {name},",
        paragraphs=(f"A reminder that {title} starts {soon}.",),
        facts=with_reference(
            (("When", session_when(session, zone=zone)), session_joining_fact(session)),
            session.booking,
        ),
        focus=session_focus(session),
        panel=session_panel_lines(session, with_status=False),
        materials_heading=BEFORE_HEADING,
        materials=materials,
        actions=tuple(actions),
        contact=session_contact(session),
    )
    return letter.message(email)


def reminders_send(*, now: datetime | None = None) -> int:
    """Send the reminders due (48 hours and 2 hours before each session); returns how many.

    Panels remind their seated peers and the booker; webinars remind everyone with a place
    (not the waiting list), with the joining link and a link to give the place up.
    A reminder is keyed by the session's start, so a moved session is reminded anew and a
    cancelled one not at all. The row is written before sending (at most once: a worker that
    dies mid-send loses that reminder rather than sending it twice); a failed send removes it,
    so the next run tries again.
    """
    now = now or timezone.now()
    sessions = (
        Session.objects.filter(
            Q(booking__status=BookingStatus.CONFIRMED)
            | Q(booking__isnull=True, offer__delivery=Delivery.WEBINAR),
            status=SessionStatus.SCHEDULED,
            start__gt=now,
            start__lte=now + REMINDERS[-1][1],
        )
        .select_related("offer", "booking__council", "booking__booked_by")
        .prefetch_related(
            Prefetch(
                "seats",
                queryset=Seat.objects.filter(
                    status__in=HOLDING_SEAT_STATUSES, peer__isnull=False
                ).select_related("peer"),
                to_attr="holding",
            ),
            Prefetch(
                "registrations",
                queryset=Registration.objects.filter(status=RegistrationStatus.REGISTERED),
                to_attr="places",
            ),
        )
    )
    sent = 0
    for session in sessions:
        kind = _reminder_due(session, now)
        if kind is None:
            continue
        recipients = [
            (
                seat.peer.email,
                seat.peer.name,
                absolute_url(reverse("my-sessions")),
                (),
                seat.peer.time_zone,
                (),
            )
            for seat in session.holding
        ]
        booker = booker_address(session.booking)
        if booker is not None:
            page = absolute_url(
                reverse("booking-detail", kwargs={"booking_id": session.booking_id})
            )
            recipients.append((*booker, page, (), None, ()))
        if session.booking_id is not None:
            for participant in session.booking.participants.filter(removed_at__isnull=True).exclude(
                answer=ParticipantAnswer.DECLINED
            ):
                page = answer_link(
                    participant_id=participant.pk, session=session, sequence=session.sequence
                )
                recipients.append((participant.email, participant.name, page, (), None, ()))
        if session.booking_id is None:
            page = absolute_url(reverse("webinar-detail", kwargs={"webinar_id": session.pk}))
            for registration in session.places:
                cancel = absolute_url(
                    reverse(
                        "webinar-registration-cancel",
                        kwargs={"key": webinar_links.registration_cancel_key(registration)},
                    )
                )
                more = (("Give up your place", cancel),)
                registration.session = session
                before = (
                    tuple(m.pair for m in material_links(registration, MaterialKind.BEFORE))
                    if kind == ReminderKind.TWO_DAYS
                    else ()
                )
                recipients.append((registration.email, registration.name, page, more, None, before))
        for email, name, url, more, zone, materials in recipients:
            sent += _reminder_send(
                session, kind, email.strip().lower(), name, url, more, zone, materials
            )
    return sent


def _reminder_send(
    session: Session,
    kind: str,
    email: str,
    name: str,
    url: str,
    more: tuple = (),
    zone: str | None = None,
    materials: tuple = (),
) -> int:
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                session=session, recipient_email=email, kind=kind, session_start=session.start
            )
    except IntegrityError:
        return 0  # already sent (or being sent) for this start
    try:
        _reminder_message(session, kind, email, name, url, more, zone, materials).send()
    except Exception:
        logger.exception(
            "Reminder %s for %s to %s failed; retrying later", kind, session.uid, email
        )
        reminder.delete()
        return 0
    return 1
