"""Requests waiting for approval: how long they hold their time, the signed links that decide
them, and the letters about them.

A booking of an offer that needs approval is a request (`bookings.booking_create`): its panel's
seats are written, so the peers' time is pencilled in and offered to no other council, but no
peer is invited. The council's Principal Adviser (or, where the council has none, the offer's
contact mailbox) is sent a letter with approve and decline links. The links are signed and
expire; opening one changes nothing, only its page's button (a POST) decides
(`approval.booking_approve`, `approval.booking_reject`). A request not decided within
`settings.REQUEST_WORKING_DAYS` working days (weekends and England and Wales bank holidays do
not count) expires (`approval.requests_expire`), which releases the time.

Each letter is sent by the worker once the change that causes it commits, as the webinar
letters are.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django_q.tasks import async_task

from scheduling.engine.availability import working_day_after
from scheduling.engine.uk_time import LONDON, day_text, moment_text, when_text
from sessions.mail.letters import Letter, letter_contact
from sessions.mail.links import absolute_url
from sessions.models import Booking
from sessions.session_words import session_panel_lines, with_reference

logger = logging.getLogger(__name__)

LETTER_TASK = "sessions.tasks.send_request_letter"
DECISION_SALT = "sessions.booking-decision"
APPROVE, DECLINE = "approve", "decline"
BY_LINK = " (by the link in their e-mail)"  # after the name of who decided by an e-mailed link
# What happened to a request, each with its letter.
ASKED, REJECTED, EXPIRED, WITHDRAWN = "asked", "rejected", "expired", "withdrawn"


def request_expiry(now: datetime) -> datetime:
    """When a request made at `now` runs out: the same time of day (UK), a set number of
    working days later (`settings.REQUEST_WORKING_DAYS`, 5 by default)."""
    local = now.astimezone(LONDON)
    day = working_day_after(local.date(), settings.REQUEST_WORKING_DAYS)
    return datetime.combine(day, local.time(), tzinfo=LONDON)


# Signed links ----------------------------------------------------------------------------------


class DecisionLinkInvalid(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass(frozen=True)
class DecisionTicket:
    """What a signed decision link says: this booking, approve or decline."""

    booking_id: int
    decision: str

    @property
    def approve(self) -> bool:
        return self.decision == APPROVE


def decision_link_lifetime() -> timedelta:
    # A request lasts REQUEST_WORKING_DAYS working days; weekends and holidays add a few more.
    return timedelta(days=settings.REQUEST_WORKING_DAYS * 2 + 7)


def decision_url(*, booking_id: int, decision: str) -> str:
    if decision not in (APPROVE, DECLINE):
        raise ValueError(f"decision must be {APPROVE!r} or {DECLINE!r}, got {decision!r}")
    token = signing.dumps({"booking": booking_id, "decision": decision}, salt=DECISION_SALT)
    return absolute_url(reverse("request-decide", kwargs={"token": token}))


def decision_ticket(token: str) -> DecisionTicket:
    try:
        data = signing.loads(token, salt=DECISION_SALT, max_age=decision_link_lifetime())
    except signing.SignatureExpired:
        raise DecisionLinkInvalid(
            "This link has expired. Sign in and decide on the requests page instead."
        ) from None
    except signing.BadSignature:
        raise DecisionLinkInvalid(
            "This link is not valid: it may have been cut short or changed. Use the link in the "
            "e-mail exactly as it came, or sign in and decide on the requests page."
        ) from None
    try:
        ticket = DecisionTicket(booking_id=int(data["booking"]), decision=str(data["decision"]))
    except (KeyError, TypeError, ValueError):
        raise DecisionLinkInvalid("This link is not valid.") from None
    if ticket.decision not in (APPROVE, DECLINE):
        raise DecisionLinkInvalid("This link is not valid.")
    return ticket


# Letters ---------------------------------------------------------------------------------------


def request_letter_queue(*, booking_id: int, kind: str) -> None:
    """Send the letter about a request (`kind`: asked, rejected, expired, withdrawn) from the
    worker once the current transaction commits."""
    transaction.on_commit(lambda: async_task(LETTER_TASK, booking_id, kind), robust=True)


def _who(user) -> tuple[str, str] | None:
    if user is None or not user.email:
        return None
    return user.email, user.get_full_name() or user.username


def decider_name(booking: Booking) -> str:
    """The name of who approved or declined a request, as a letter says it."""
    return booking.decided_by.removesuffix(BY_LINK)


def request_approver(booking: Booking) -> tuple[str, str] | None:
    """Who decides a request: the council's Principal Adviser, else the offer's mailbox."""
    adviser = _who(booking.council.principal_adviser)
    if adviser is not None:
        return adviser
    if booking.offer.contact_email:
        return booking.offer.contact_email, f"{booking.offer.title} team"
    return None


def _when_lines(booking: Booking) -> tuple[tuple[str, str], ...]:
    return tuple(
        (
            "When" if booking.offer.session_count == 1 else f"Session {session.number}",
            when_text(session.start, session.end),
        )
        for session in booking.sessions.order_by("number")
    )


def _panel_lines(booking: Booking) -> tuple[tuple[str, str], ...]:
    """The panel proposed for the request's first session, as every letter lists a panel."""
    first = booking.sessions.order_by("number").first()
    return () if first is None else session_panel_lines(first, with_status=False)


def _expires_text(booking: Booking) -> str:
    if booking.request_expires_at is None:
        return ""
    return moment_text(booking.request_expires_at)


def request_letters(booking: Booking, kind: str) -> list[tuple[tuple[str, str], Letter]]:
    """The ((address, name), Letter) pairs to send about a request."""
    page = absolute_url(reverse("booking-detail", kwargs={"booking_id": booking.pk}))
    first = booking.sessions.order_by("number").first()
    # Named and dated as every letter about a session is: "LGA ... for Wigan Council, Monday ..."
    title = f"{booking.offer.title} for {booking.council.name}" + (
        f", {day_text(first.start)}" if first is not None else ""
    )
    offer = f"the {booking.offer.title}"
    booker = _who(booking.booked_by)
    approver = request_approver(booking)
    contact = letter_contact(offer=booking.offer, council=booking.council)
    facts = with_reference(
        (
            ("Council", booking.council.name),
            ("Offer", booking.offer.title),
            *_when_lines(booking),
            ("Requested by", booker[1] if booker else "the council"),
        ),
        booking,
    )
    letters = []
    if kind == ASKED and approver is not None:
        letters.append(
            (
                approver,
                Letter(
                    subject=f"Request to approve: {title}",
                    greeting=f"Dear {approver[1]},",
                    paragraphs=(
                        f"{booking.council.name} has asked for {offer}. It needs your approval "
                        "before the peers are invited.",
                        "The proposed panel's time is held for the council until "
                        f"{_expires_text(booking)}; if the request is not decided by then, the "
                        "time is released.",
                    ),
                    facts=facts,
                    focus=booking.notes,
                    panel=_panel_lines(booking),
                    actions=(
                        (
                            "Approve the request",
                            decision_url(booking_id=booking.pk, decision=APPROVE),
                        ),
                        (
                            "Decline the request",
                            decision_url(booking_id=booking.pk, decision=DECLINE),
                        ),
                        ("The booking", page),
                    ),
                    notes=(
                        "Each link opens a page with a button: nothing is decided until you "
                        "press it. You can also sign in and decide on the requests page.",
                    ),
                ),
            )
        )
    if kind == REJECTED and booker is not None:
        letters.append(
            (
                booker,
                Letter(
                    subject=f"Request declined: {title}",
                    greeting=f"Dear {booker[1]},",
                    paragraphs=(
                        f"Your request for {offer} was declined.",
                        f"The reason given: {booking.decision_reason}",
                        "The time held for it is released. Contact your Principal Adviser to "
                        "talk about other support.",
                    ),
                    facts=facts,
                    actions=(("The booking", page),),
                    contact=contact,
                ),
            )
        )
    if kind == EXPIRED:
        for person in (booker, approver):
            if person is None:
                continue
            letters.append(
                (
                    person,
                    Letter(
                        subject=f"Request expired: {title}",
                        greeting=f"Dear {person[1]},",
                        paragraphs=(
                            f"The request for {offer} was not decided in "
                            f"{settings.REQUEST_WORKING_DAYS} working days, so it has expired "
                            "and the time held for it is released.",
                            "The council can ask again for a new time.",
                        ),
                        facts=facts,
                        actions=(("The booking", page),),
                        contact=contact,
                    ),
                )
            )
    if kind == WITHDRAWN and approver is not None:
        letters.append(
            (
                approver,
                Letter(
                    subject=f"Request withdrawn: {title}",
                    greeting=f"Dear {approver[1]},",
                    paragraphs=(
                        f"{booking.council.name} withdrew its request for {offer}; there is "
                        "nothing to decide.",
                        f"The reason given: {booking.cancel_reason}",
                    ),
                    facts=facts,
                    actions=(("The booking", page),),
                    contact=contact,
                ),
            )
        )
    if kind == ASKED and approver is None:
        logger.warning(
            "Request %s for %s has no Principal Adviser or offer mailbox to ask",
            booking.pk,
            booking.council,
        )
    return letters


def request_letter_send(*, booking_id: int, kind: str) -> int:
    """Send the letters about a request; returns how many were sent."""
    booking = (
        Booking.objects.select_related("offer", "council__principal_adviser", "booked_by")
        .filter(pk=booking_id)
        .first()
    )
    if booking is None:
        return 0
    letters = request_letters(booking, kind)
    for (address, name), letter in letters:
        letter.message(address, name).send()
    return len(letters)
