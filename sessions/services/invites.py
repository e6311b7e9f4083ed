"""Invites for booked sessions: who is told what, and how peers' answers are taken.

Every message is an outbox row (`outbox.invite_queue`) written in the transaction of the change
that causes it, at the session's SEQUENCE after that change:

- a new booking: a REQUEST to each seated peer and to the council's booker;
- a move: a REQUEST at the raised SEQUENCE to everyone still concerned, a CANCEL to a peer
  the new time left out; a cancellation: a CANCEL to everyone concerned;
- a new joining link: a REQUEST (update) to everyone concerned;
- a re-staffing after a decline or leave (run by the worker, see restaffing.py; everyone else
  kept where possible): the replacement gets a REQUEST, a peer the re-solve moved off gets a
  CANCEL, the booker gets an update saying what changed, and when no eligible peer is left the
  seat stays unfilled and the council's principal adviser is sent the session for information
  (ROLE=NON-PARTICIPANT).

Each message names only its recipient as ATTENDEE: peers' addresses are not handed to the
council or to each other, and a replacement does not disturb the rest of the panel. The text
of a message is built when it is sent (`invite_content`), from the session as it then is.

"Concerned" means: holding a seat now, the booker, or anyone whose latest message for the
session is a REQUEST (the adviser, once told). SEQUENCE only ever goes up: every change that
sends something raises it first.

Answers: signed, expiring links bound to the seat and the SEQUENCE of the message they came in
(opening one changes nothing; only its page's POST does), the signed-in peer's page and API,
and calendar clients' METHOD:REPLY (`reply_apply`). An answer to an older SEQUENCE than the
latest REQUEST the peer was sent is refused.
"""

import logging
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Max, Min, Prefetch, Q
from django.urls import reverse
from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from peers.models import Peer
from scheduling.engine.calendar import Reply
from scheduling.engine.refusals import Refusal
from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import day_text, when_text
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    BookingStatus,
    Delivery,
    FeedToken,
    Invite,
    InviteMethod,
    InviteStatus,
    Registration,
    RegistrationStatus,
    Reminder,
    ReminderKind,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.panels import offer_format
from sessions.selectors import absolute_url, booking_state
from sessions.selectors import webinars as webinar_selectors
from sessions.services.letters import Contact, Letter, letter_contact
from sessions.services.outbox import InviteContent, invite_queue, invite_time
from sessions.services.restaffing import booking_restaff_queue

logger = logging.getLogger(__name__)

REQUEST, CANCEL = InviteMethod.REQUEST, InviteMethod.CANCEL
CHAIR, PARTICIPANT, FOR_INFORMATION = "CHAIR", "REQ-PARTICIPANT", "NON-PARTICIPANT"

ANSWER_SALT = "sessions.seat-answer"
ANSWER_LINK_LIFETIME = timedelta(days=60)
ACCEPT, DECLINE = "accept", "decline"

REMINDERS = (  # (kind, how long before the start it is due), latest first
    (ReminderKind.TWO_HOURS, timedelta(hours=2)),
    (ReminderKind.TWO_DAYS, timedelta(hours=48)),
)


# Who is who -------------------------------------------------------------------------------------


def _booker(booking: Booking | None) -> tuple[str, str] | None:
    user = booking.booked_by if booking is not None else None
    if user is None or not user.email:
        return None
    return user.email, user.get_full_name() or user.username


def _adviser(booking: Booking | None) -> tuple[str, str] | None:
    user = booking.council.principal_adviser if booking is not None else None
    if user is None or not user.email:
        return None
    return user.email, user.get_full_name() or user.username


def _lead_roles(session: Session) -> frozenset[str]:
    return frozenset(role.name for role in offer_format(session.offer).roles if role.lead)


def _seat_role(seat: Seat, lead_roles: frozenset[str]) -> str:
    # The lead member peer chairs the panel; everyone else on it takes part.
    return CHAIR if seat.role_name in lead_roles else PARTICIPANT


def _holding(session: Session) -> list[Seat]:
    return list(
        Seat.objects.filter(session=session, status__in=HOLDING_SEAT_STATUSES, peer__isnull=False)
        .select_related("peer")
        .order_by("id")
    )


def _latest_invites(session: Session) -> dict[str, Invite]:
    """Each recipient's latest message for the session (by SEQUENCE)."""
    latest: dict[str, Invite] = {}
    for invite in (
        Invite.objects.filter(session=session).select_related("seat").order_by("sequence", "id")
    ):
        latest[invite.recipient_email] = invite
    return latest


def latest_request_sequence(seat: Seat) -> int | None:
    """The SEQUENCE of the latest REQUEST queued for this seat: the version answers refer to."""
    return Invite.objects.filter(seat=seat, method=REQUEST).aggregate(m=Max("sequence"))["m"]


# Queueing on changes ----------------------------------------------------------------------------


def _mark_invited(seats: list[Seat], *, reset_answers: bool) -> None:
    # A new time needs a new answer; an update that leaves the time alone keeps the answer.
    statuses = HOLDING_SEAT_STATUSES if reset_answers else (SeatStatus.PROPOSED,)
    changed = [s for s in seats if s.status in statuses]
    for seat in changed:
        seat.status, seat.updated_at = SeatStatus.INVITED, timezone.now()
    bulk_update_with_history(changed, Seat, ["status", "updated_at"])


def _queue_for_seat(session: Session, seat: Seat, method: str, lead_roles) -> None:
    """A message about `session` to the peer in `seat`."""
    invite_queue(
        session=session,
        recipient_email=seat.peer.email,
        recipient_name=seat.peer.name,
        method=method,
        seat=seat,
        role=_seat_role(seat, lead_roles),
    )


def _queue_to_concerned(session: Session, *, reset_answers: bool) -> None:
    """REQUEST at the session's SEQUENCE to everyone concerned; CANCEL to peers left out."""
    holding = _holding(session)
    lead_roles = _lead_roles(session)
    seated = {seat.peer.email.strip().lower() for seat in holding}
    for seat in holding:
        _queue_for_seat(session, seat, REQUEST, lead_roles)
    _mark_invited(holding, reset_answers=reset_answers)
    booker = _booker(session.booking)
    if booker is not None:
        invite_queue(
            session=session,
            recipient_email=booker[0],
            recipient_name=booker[1],
            method=REQUEST,
            gather=True,
        )
    booker_email = booker[0].strip().lower() if booker else None
    for email, invite in _latest_invites(session).items():
        if invite.method != REQUEST or email in seated or email == booker_email:
            continue
        if invite.seat_id is None:
            if invite.role != FOR_INFORMATION:
                continue
            # Someone sent the session for information (the adviser): keep them up to date.
            invite_queue(
                session=session,
                recipient_email=email,
                recipient_name=invite.recipient_name,
                method=REQUEST,
                role=invite.role,
                gather=True,
            )
        elif invite.seat.status == SeatStatus.WITHDRAWN:
            # A peer the change left out: take the session out of their calendar.
            invite_queue(
                session=session,
                recipient_email=email,
                recipient_name=invite.recipient_name,
                method=CANCEL,
                seat=invite.seat,
                role=invite.role,
            )


def _sessions_of(booking: Booking):
    return (
        Session.objects.filter(booking=booking)
        .select_related("offer", "booking__council__principal_adviser", "booking__booked_by")
        .order_by("number")
    )


def booking_invites_queue(*, booking: Booking) -> None:
    """A booking made or moved (its SEQUENCE raised): a REQUEST to every seated peer, the booker
    and anyone else concerned, and a CANCEL to a peer the move left out. Call inside the
    transaction of the change; the seats become "invited".
    """
    for session in _sessions_of(booking):
        _queue_to_concerned(session, reset_answers=True)


def booking_cancelled_invites_queue(*, booking: Booking) -> None:
    """A cancelled booking (SEQUENCE already raised): a CANCEL to everyone concerned."""
    for session in _sessions_of(booking):
        session_cancelled_invites_queue(session=session)


def session_cancelled_invites_queue(*, session: Session) -> None:
    for email, invite in _latest_invites(session).items():
        if invite.method != REQUEST:
            continue
        if invite.seat_id is not None and invite.seat.status == SeatStatus.DECLINED:
            continue  # they said no already; their calendar has nothing to remove
        invite_queue(
            session=session,
            recipient_email=email,
            recipient_name=invite.recipient_name,
            method=CANCEL,
            seat=invite.seat,
            role=invite.role,
        )


def session_updated_invites_queue(*, session: Session) -> None:
    """The session's details changed but not its time (e.g. the joining link): an update to all."""
    session = _sessions_of(session.booking).get(pk=session.pk) if session.booking else session
    _queue_to_concerned(session, reset_answers=False)


def seat_released_invites_queue(*, seat: Seat) -> None:
    """A peer's availability no longer covers their seat (the session's SEQUENCE already
    raised): a CANCEL takes the session out of their calendar. Their replacement and the
    booker are told by the re-staffing."""
    _queue_for_seat(seat.session, seat, CANCEL, _lead_roles(seat.session))


# Answers ----------------------------------------------------------------------------------------


class AnswerRefused(Refusal):
    """An answer that cannot be taken: why, in words for the peer; nothing was changed."""

    status = 409

    def __init__(self, code: str, message: str):
        # code: unknown, cancelled, started, withdrawn, declined, stale, answered
        super().__init__(message, code=code)
        self.code = code
        self.message = message


@dataclass
class AnswerLinkInvalid(Exception):
    expired: bool
    message: str

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class AnswerTicket:
    """What a signed answer link says: this seat, this SEQUENCE, this answer."""

    seat_id: int
    sequence: int
    answer: str

    @property
    def accept(self) -> bool:
        return self.answer == ACCEPT


def answer_token(*, seat_id: int, sequence: int, answer: str) -> str:
    if answer not in (ACCEPT, DECLINE):
        raise ValueError(f"answer must be {ACCEPT!r} or {DECLINE!r}, got {answer!r}")
    return signing.dumps({"seat": seat_id, "seq": sequence, "answer": answer}, salt=ANSWER_SALT)


def answer_url(*, seat_id: int, sequence: int, answer: str) -> str:
    token = answer_token(seat_id=seat_id, sequence=sequence, answer=answer)
    return absolute_url(reverse("answer", kwargs={"token": token}))


def answer_ticket(token: str) -> AnswerTicket:
    try:
        data = signing.loads(token, salt=ANSWER_SALT, max_age=ANSWER_LINK_LIFETIME)
    except signing.SignatureExpired:
        raise AnswerLinkInvalid(
            expired=True,
            message="This link has expired. Sign in and answer on your sessions page instead.",
        ) from None
    except signing.BadSignature:
        raise AnswerLinkInvalid(
            expired=False,
            message="This link is not valid: it may have been cut short or changed. Use the "
            "link in the e-mail exactly as it came, or sign in and answer on your sessions page.",
        ) from None
    try:
        ticket = AnswerTicket(
            seat_id=int(data["seat"]), sequence=int(data["seq"]), answer=str(data["answer"])
        )
    except (KeyError, TypeError, ValueError):
        raise AnswerLinkInvalid(expired=False, message="This link is not valid.") from None
    if ticket.answer not in (ACCEPT, DECLINE):
        raise AnswerLinkInvalid(expired=False, message="This link is not valid.")
    return ticket


def _answer_problem(
    seat: Seat, *, sequence: int | None, once: bool, now: datetime
) -> AnswerRefused | None:
    session = seat.session
    booking = session.booking
    if session.status == SessionStatus.CANCELLED or (
        booking is not None and booking.status == BookingStatus.CANCELLED
    ):
        return AnswerRefused(
            "cancelled",
            f"This session was cancelled, so there is nothing to answer: the {seat.role_name} "
            "seat is released.",
        )
    if session.start <= now:
        return AnswerRefused("started", "This session has already started or taken place.")
    if seat.status == SeatStatus.WITHDRAWN:
        return AnswerRefused(
            "withdrawn",
            "You are no longer on this panel (the booking moved or the panel changed), "
            "so there is nothing to answer.",
        )
    if seat.status == SeatStatus.DECLINED:
        return AnswerRefused(
            "declined", "You have already declined this seat; it has been offered to another peer."
        )
    if sequence is None:
        return None
    latest = latest_request_sequence(seat)
    if latest is not None and sequence < latest:
        return AnswerRefused(
            "stale",
            "This invitation has been updated since: answer with the links in the latest e-mail, "
            "or on your sessions page.",
        )
    if once and seat.answered_sequence is not None and seat.answered_sequence >= sequence:
        done = "accepted" if seat.status == SeatStatus.ACCEPTED else "answered"
        return AnswerRefused(
            "answered",
            f"You have already {done} this invitation, so this link has been used. To change "
            "your answer, sign in and use your sessions page.",
        )
    return None


def answer_problem(ticket: AnswerTicket, *, now: datetime | None = None) -> AnswerRefused | None:
    """Why a link's answer cannot be taken now, if it cannot (a read: it changes nothing)."""
    seat = _seat_for_answer(ticket.seat_id)
    return _answer_problem(seat, sequence=ticket.sequence, once=True, now=now or timezone.now())


def _seat_for_answer(seat_id: int, *, lock: bool = False) -> Seat:
    seats = Seat.objects.select_related(
        "peer", "session__offer", "session__booking__council", "session__booking__booked_by"
    )
    if lock:
        seats = seats.select_for_update(of=("self",))
    seat = seats.filter(pk=seat_id).first()
    if seat is None:
        raise AnswerRefused("unknown", "There is no such seat: the link may be out of date.")
    return seat


def seat_answer(
    *,
    seat_id: int,
    accept: bool,
    peer: Peer | None = None,
    sequence: int | None = None,
    once: bool = True,
    now: datetime | None = None,
) -> Seat:
    """Accept or decline a seat; a decline queues the seat's re-staffing for the worker.

    `peer`: the signed-in peer answering (it must be their seat); None for a signed link or a
    calendar reply, which carry their own proof. `sequence`: the SEQUENCE the answer refers to
    (links and replies); None answers the latest. `once`: a link's answer can be taken once.
    Only the seat's row is locked: the answer returns at once, and the worker finds the
    replacement under the booking lock (`restaffing.booking_restaff`).
    """
    now = now or timezone.now()
    with transaction.atomic():
        seat = _seat_for_answer(seat_id, lock=True)
        if peer is not None and seat.peer_id != peer.id:
            raise PermissionDenied("This is not your seat.")
        problem = _answer_problem(seat, sequence=sequence, once=once, now=now)
        if problem is not None:
            raise problem
        latest = latest_request_sequence(seat)
        answered = sequence if sequence is not None else latest
        if peer is None and seat.peer is not None:
            # No one is signed in: the link or the calendar reply speaks for the seat's peer.
            how = "the link in their e-mail" if once else "a calendar reply"
            seat._history_actor = f"{seat.peer.name} (by {how})"
        if accept:
            if seat.status != SeatStatus.ACCEPTED or seat.answered_sequence != answered:
                seat.status = SeatStatus.ACCEPTED
                seat.answered_sequence = answered
                seat.save(update_fields=["status", "answered_sequence", "updated_at"])
            return seat
        seat.status = SeatStatus.DECLINED
        seat.answered_sequence = answered
        seat.save(update_fields=["status", "answered_sequence", "updated_at"])
        if seat.session.booking_id is not None:
            booking_restaff_queue(booking_id=seat.session.booking_id)
    return seat


# Re-staffing ------------------------------------------------------------------------------------


@dataclass
class RestaffMessages:
    invited: list[Seat] = field(default_factory=list)  # sent a REQUEST
    removed: list[Seat] = field(default_factory=list)  # moved off: sent a CANCEL
    unfilled: list[Seat] = field(default_factory=list)  # no one found


def session_restaffed_invites_queue(
    *, session: Session, created: list[Seat], withdrawn: list[Seat]
) -> RestaffMessages:
    """A session re-staffed (its SEQUENCE already raised): a REQUEST to each peer newly seated,
    a CANCEL to a peer moved off it, an update to the booker saying what changed, and the
    session to the adviser for information when a place stays empty (and after, while they
    follow it)."""
    told = RestaffMessages()
    lead_roles = _lead_roles(session)
    new_here = [s for s in created if s.session_id == session.id]
    seated = {s.peer_id for s in _holding(session)}
    for seat in new_here:
        if seat.peer_id is None:
            told.unfilled.append(seat)
            continue
        _queue_for_seat(session, seat, REQUEST, lead_roles)
        told.invited.append(seat)
    for seat in withdrawn:
        if seat.session_id != session.id or seat.peer_id is None or seat.peer_id in seated:
            continue
        _queue_for_seat(session, seat, CANCEL, lead_roles)
        told.removed.append(seat)
    booker = _booker(session.booking)
    if booker is not None:
        # The booker's update says what changed (see _booker_content).
        invite_queue(
            session=session,
            recipient_email=booker[0],
            recipient_name=booker[1],
            method=REQUEST,
            gather=True,
        )
    adviser = _adviser(session.booking)
    if adviser is None:
        if any(s.peer_id is None for s in new_here):
            logger.warning(
                "A seat of session %s is unfilled and %s has no principal adviser to tell",
                session.uid,
                session.booking.council,
            )
        return told
    latest = _latest_invites(session).get(adviser[0].strip().lower())
    told_before = latest is not None and latest.method == REQUEST
    if told_before or any(s.peer_id is None for s in new_here):
        invite_queue(
            session=session,
            recipient_email=adviser[0],
            recipient_name=adviser[1],
            method=REQUEST,
            role=FOR_INFORMATION,
            gather=True,
        )
    return told


# Calendar replies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyOutcome:
    applied: bool
    detail: str


def reply_apply(reply: Reply, *, now: datetime | None = None) -> ReplyOutcome:
    """Take one attendee's METHOD:REPLY: match the UID and the address; older SEQUENCEs are ignored."""
    session = Session.objects.filter(uid=reply.uid).first()
    if session is None:
        logger.warning("Reply skipped: unknown UID %s (from %s)", reply.uid, reply.attendee)
        return ReplyOutcome(False, f"skipped: no session has UID {reply.uid}")
    seats = list(
        Seat.objects.filter(session=session, peer__email__iexact=reply.attendee).order_by("-id")
    )
    if not seats:
        logger.warning("Reply skipped: %s holds no seat on session %s", reply.attendee, session.uid)
        return ReplyOutcome(False, f"skipped: {reply.attendee} is not a peer on {reply.uid}")
    seat = next((s for s in seats if s.status in HOLDING_SEAT_STATUSES), seats[0])
    if reply.partstat not in ("ACCEPTED", "DECLINED"):
        logger.info("Reply skipped: %s answered %s", reply.attendee, reply.partstat)
        return ReplyOutcome(False, f"skipped: {reply.partstat} is not an answer we take")
    latest = latest_request_sequence(seat)
    if latest is not None and reply.sequence < latest:
        logger.info(
            "Reply ignored: %s answered SEQUENCE %s of %s; the latest sent is %s",
            reply.attendee,
            reply.sequence,
            reply.uid,
            latest,
        )
        return ReplyOutcome(
            False, f"ignored: an answer to SEQUENCE {reply.sequence}, older than {latest}"
        )
    accept = reply.partstat == "ACCEPTED"
    try:
        seat_answer(
            seat_id=seat.pk,
            accept=accept,
            sequence=max(reply.sequence, latest or 0),
            once=False,
            now=now,
        )
    except AnswerRefused as refused:
        logger.info("Reply skipped for %s on %s: %s", reply.attendee, reply.uid, refused)
        return ReplyOutcome(False, f"skipped: {refused.message}")
    return ReplyOutcome(True, f"{'accepted' if accept else 'declined'}: {reply.attendee}")


# What the messages say --------------------------------------------------------------------------


def session_title(session: Session) -> str:
    title = session.title or session.offer.title
    if session.booking is not None:
        title = f"{title} for {session.booking.council.name}"
    if session.offer.session_count > 1:
        title += f" (session {session.number} of {session.offer.session_count})"
    return title


def _when(
    session: Session, *, at: tuple[datetime, datetime] | None = None, zone: str | None = None
) -> str:
    """The session's time in UK time, and in `zone` beside it where that shows other times."""
    start, end = at or (session.start, session.end)
    return when_text(start, end, zone)


def _day(session: Session, *, at: tuple[datetime, datetime] | None = None) -> str:
    return day_text((at or (session.start, session.end))[0])


def _contact(session: Session) -> Contact:
    return letter_contact(
        offer=session.offer, council=session.booking.council if session.booking else None
    )


def _focus(session: Session) -> str:
    """The council's notes for the panel, as the booker wrote them."""
    return session.booking.notes.strip() if session.booking is not None else ""


def invite_keeps_acceptance(invite: Invite) -> bool:
    """Whether this REQUEST goes to a peer who has accepted and need not answer again: an
    update that left the time alone (a move asks everyone again, see _mark_invited)."""
    return (
        invite.method == REQUEST
        and invite.seat is not None
        and invite.seat.status == SeatStatus.ACCEPTED
        and _earlier(invite) is not None
    )


def _panel(session: Session) -> list[Seat]:
    """The latest row for each place on the panel (declined and moved rows stay as history)."""
    order = {role.name: i for i, role in enumerate(offer_format(session.offer).roles)}
    latest: dict[tuple[str, int], Seat] = {}
    for seat in Seat.objects.filter(session=session).select_related("peer").order_by("id"):
        latest[(seat.role_name, seat.position)] = seat
    return sorted(latest.values(), key=lambda s: (order.get(s.role_name, 99), s.position))


def _panel_lines(session: Session, *, with_status: bool) -> tuple[tuple[str, str], ...]:
    lines = []
    for seat in _panel(session):
        if seat.peer is None:
            who = "not filled" + (f" ({seat.unfilled_reason})" if seat.unfilled_reason else "")
        elif seat.status not in HOLDING_SEAT_STATUSES:
            continue
        else:
            who = seat.peer.name + (
                f" ({seat.get_status_display().lower()})" if with_status else ""
            )
        lines.append((seat.role_name, who))
    return tuple(lines)


def _joining_fact(session: Session) -> tuple[str, str]:
    return ("Joining link", session.joining_url or "to follow (you will be sent an update)")


def _earlier(invite: Invite) -> Invite | None:
    return (
        Invite.objects.filter(
            session=invite.session,
            recipient_email=invite.recipient_email,
            sequence__lt=invite.sequence,
        )
        .order_by("-sequence", "-id")
        .first()
    )


def _cancel_letter(invite: Invite, name: str) -> Letter:
    """A CANCEL names the session as its recipient knew it (a move may have changed its time)."""
    session = invite.session
    title = session_title(session)
    booking = session.booking
    known = invite_time(invite)
    if session.status == SessionStatus.CANCELLED:
        reason = booking.cancel_reason if booking is not None else ""
        paragraphs = [f"{title} on {_when(session, at=known)} is cancelled."]
        if reason:
            paragraphs.append(f"The reason given: {reason}")
        if invite.seat_id is not None:
            paragraphs.append("Your seat is released; there is nothing more to do.")
        return Letter(
            subject=f"Cancelled: {title}, {_day(session, at=known)}",
            greeting=f"Dear {name},",
            paragraphs=tuple(paragraphs),
        )
    if known != (session.start, session.end):
        why = "the booking moved, and your seat is released"
    elif invite.seat is not None and invite.seat.status == SeatStatus.DECLINED:
        why = (
            "you are no longer available then (your leave, a date or your hours changed), so "
            "your seat is released and the LGA is finding another peer"
        )
    else:
        why = "the panel changed, and your seat is released"
    return Letter(
        subject=f"No longer needed: {title}, {_day(session, at=known)}",
        greeting=f"Dear {name},",
        paragraphs=(
            f"You are no longer needed on the panel for {title} on "
            f"{_when(session, at=known)}: {why}.",
            "The session is taken out of your calendar; nothing more to do. Thank you.",
        ),
    )


def _peer_content(invite: Invite) -> InviteContent:
    session, seat = invite.session, invite.seat
    name = invite.recipient_name or invite.recipient_email
    my_sessions = absolute_url(reverse("my-sessions"))
    if invite.method == CANCEL:
        letter = _cancel_letter(invite, name)
        return _content(letter, session, url=my_sessions, location="")
    title = session_title(session)
    update = _earlier(invite) is not None
    kept = invite_keeps_acceptance(invite)
    expires = timezone.now() + ANSWER_LINK_LIFETIME
    role = seat.role_name
    decline = answer_url(seat_id=seat.pk, sequence=invite.sequence, answer=DECLINE)
    if kept:
        paragraphs = (
            f"The details of the {title} have changed; its time has not. You have accepted "
            f"the {role} seat and your answer stands: there is nothing to answer.",
        )
        actions = (
            ("See your sessions", my_sessions),
            ("I can no longer take the seat", decline),
        )
        notes = ("If you can no longer take the seat, the LGA finds another peer.",)
    else:
        paragraphs = (
            f"You are invited to take the {role} seat on the {title}."
            if not update
            else f"The details of the {title} have changed: please check them and answer again.",
        )
        accept = answer_url(seat_id=seat.pk, sequence=invite.sequence, answer=ACCEPT)
        actions = (
            ("Accept the seat", accept),
            ("Decline the seat", decline),
            ("All your sessions", my_sessions),
        )
        notes = (
            "The accept and decline links work without signing in until "
            f"{day_text(expires)}. If you decline, the LGA finds another peer.",
        )
    letter = Letter(
        subject=f"{'Updated invitation' if update else 'Invitation'}: {title}, {_day(session)}",
        greeting=f"Dear {name},",
        paragraphs=paragraphs,
        facts=(
            ("When", _when(session, zone=seat.peer.time_zone if seat.peer else None)),
            ("Your seat", role),
            ("Council", session.booking.council.name if session.booking else ""),
            ("Offer", session.offer.title),
            _joining_fact(session),
        ),
        focus=_focus(session),
        panel=_panel_lines(session, with_status=False),
        actions=actions,
        notes=notes,
    )
    return _content(letter, session, url=my_sessions, location=session.joining_url)


def _last_sent(invite: Invite) -> Invite | None:
    """The latest message this recipient was actually sent about the session before this one
    (gathered updates that were superseded never went)."""
    return (
        Invite.objects.filter(
            session=invite.session,
            recipient_email=invite.recipient_email,
            sequence__lt=invite.sequence,
            status=InviteStatus.SENT,
        )
        .order_by("-sequence", "-id")
        .first()
    )


def _changes_since(session: Session, last: Invite) -> tuple[str, ...]:
    """What changed on a session since `last` was sent: its time, answers, declines, places
    unfilled and peers newly invited, in the order they happened."""
    since = last.sent_at or last.created_at
    changes: list[tuple[datetime, str]] = []
    told = (last.session_start, last.session_end)
    if told[0] and told[1] and told != (session.start, session.end):
        changes.append((since, f"The session moved from {when_text(*told)} to {_when(session)}."))
    for seat in Seat.objects.filter(session=session, updated_at__gt=since).select_related("peer"):
        if seat.status == SeatStatus.DECLINED and seat.peer is not None:
            changes.append(
                (seat.updated_at, f"{seat.peer.name} declined the {seat.role_name} seat.")
            )
        elif seat.status == SeatStatus.ACCEPTED and seat.peer is not None:
            changes.append(
                (seat.updated_at, f"{seat.peer.name} accepted the {seat.role_name} seat.")
            )
        elif seat.status in HOLDING_SEAT_STATUSES and seat.peer is None:
            changes.append(
                (
                    seat.updated_at,
                    f"The {seat.role_name} seat could not be filled: {seat.unfilled_reason}. "
                    "Your Principal Adviser has been told.",
                )
            )
    # A seat first invited since then is a new member of the panel.
    first_invited = (
        Invite.objects.filter(session=session, seat__isnull=False, method=REQUEST)
        .values("seat")
        .annotate(first=Min("created_at"))
    )
    new_seats = {row["seat"]: row["first"] for row in first_invited if row["first"] > since}
    for seat in Seat.objects.filter(
        pk__in=new_seats, status__in=(SeatStatus.PROPOSED, SeatStatus.INVITED), peer__isnull=False
    ).select_related("peer"):
        changes.append(
            (new_seats[seat.pk], f"{seat.peer.name} has been invited to the {seat.role_name} seat.")
        )
    return tuple(text for _, text in sorted(changes, key=lambda change: change[0]))


def _booker_content(invite: Invite) -> InviteContent:
    session = invite.session
    booking = session.booking
    name = invite.recipient_name or invite.recipient_email
    page = absolute_url(reverse("booking-detail", kwargs={"booking_id": booking.pk}))
    if invite.method == CANCEL:
        return _content(_cancel_letter(invite, name), session, url=page, location="")
    title = session_title(session)
    earlier = _earlier(invite)
    last = _last_sent(invite)
    changes = _changes_since(session, last) if last is not None else ()
    if earlier is None:
        opening = f"This is the calendar invitation for {title}."
    elif len(changes) > 1:
        opening = (
            f"{title} has changed since our last e-mail: {len(changes)} changes, oldest first."
        )
    else:
        opening = f"{title} has been updated."
    letter = Letter(
        subject=f"{'Updated' if earlier else 'Booked'}: {title}, {_day(session)}",
        greeting=f"Dear {name},",
        paragraphs=(
            opening,
            "Each peer is asked to accept their seat; the booking page shows their answers.",
        ),
        facts=(
            ("When", _when(session)),
            ("Council", booking.council.name),
            ("Offer", session.offer.title),
            ("Booking", booking_state(booking)),
            (
                "Joining link",
                session.joining_url
                or "not set yet (add your online meeting's link on the booking page, "
                "and everyone is sent an update)",
            ),
        ),
        focus=_focus(session),
        panel=_panel_lines(session, with_status=True),
        changes=changes,
        actions=(("See the booking", page),),
    )
    return _content(letter, session, url=page, location=session.joining_url)


def _adviser_content(invite: Invite) -> InviteContent:
    session = invite.session
    booking = session.booking
    name = invite.recipient_name or invite.recipient_email
    page = absolute_url(reverse("booking-detail", kwargs={"booking_id": booking.pk}))
    if invite.method == CANCEL:
        return _content(
            _cancel_letter(invite, name),
            session,
            url=page,
            location="",
            contact=letter_contact(offer=session.offer),
        )
    title = session_title(session)
    unfilled = [s for s in _panel(session) if s.peer is None and s.status in HOLDING_SEAT_STATUSES]
    if unfilled:
        subject = f"Seat unfilled: {title}, {_day(session)}"
        paragraphs = (
            f"A peer declined a seat on the panel for {title}, and no other eligible peer is "
            "free to take it. The seat stays unfilled until a peer is found:",
            *(f"{s.role_name}: {s.unfilled_reason}" for s in unfilled),
            "This is sent to you for information, as the council's Principal Adviser.",
        )
    else:
        subject = f"Updated: {title}, {_day(session)}"
        paragraphs = (f"{title} has been updated; every seat on its panel is now filled.",)
    letter = Letter(
        subject=subject,
        greeting=f"Dear {name},",
        paragraphs=paragraphs,
        facts=(
            ("When", _when(session)),
            ("Council", booking.council.name),
            ("Offer", session.offer.title),
        ),
        focus=_focus(session),
        panel=_panel_lines(session, with_status=True),
        actions=(("See the booking", page),),
    )
    return _content(
        letter,
        session,
        url=page,
        location=session.joining_url,
        contact=letter_contact(offer=session.offer),
    )


def _content(
    letter: Letter, session: Session, *, url: str, location: str, contact: Contact | None = None
) -> InviteContent:
    if letter.contact is None:
        letter = replace(letter, contact=contact or _contact(session))
    return InviteContent(
        subject=letter.subject,
        text=letter.text(),
        html=letter.html(),
        description=letter.description(),
        url=url,
        location=location,
    )


def invite_content(invite: Invite) -> InviteContent:
    """What a session's message says to its recipient (a seated peer, the booker, the adviser)."""
    if invite.seat_id is not None:
        return _peer_content(invite)
    if invite.session.booking is None:
        raise ValueError(f"invite {invite.pk} has no seat, registration or booking to speak of")
    if invite.role == FOR_INFORMATION:
        return _adviser_content(invite)
    return _booker_content(invite)


# Reminders --------------------------------------------------------------------------------------


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
        facts=(("When", _when(session, zone=zone)), _joining_fact(session)),
        focus=_focus(session),
        panel=_panel_lines(session, with_status=False),
        actions=tuple(actions),
        contact=_contact(session),
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
            )
            for seat in session.holding
        ]
        booker = _booker(session.booking)
        if booker is not None:
            page = absolute_url(
                reverse("booking-detail", kwargs={"booking_id": session.booking_id})
            )
            recipients.append((*booker, page, (), None))
        if session.booking_id is None:
            page = absolute_url(reverse("webinar-detail", kwargs={"webinar_id": session.pk}))
            for registration in session.places:
                cancel = absolute_url(
                    reverse(
                        "webinar-registration-cancel",
                        kwargs={"key": webinar_selectors.registration_cancel_key(registration)},
                    )
                )
                more = (("Give up your place", cancel),)
                recipients.append((registration.email, registration.name, page, more, None))
        for email, name, url, more, zone in recipients:
            sent += _reminder_send(session, kind, email.strip().lower(), name, url, more, zone)
    return sent


def _reminder_send(
    session: Session,
    kind: str,
    email: str,
    name: str,
    url: str,
    more: tuple = (),
    zone: str | None = None,
) -> int:
    try:
        with transaction.atomic():
            reminder = Reminder.objects.create(
                session=session, recipient_email=email, kind=kind, session_start=session.start
            )
    except IntegrityError:
        return 0  # already sent (or being sent) for this start
    try:
        _reminder_message(session, kind, email, name, url, more, zone).send()
    except Exception:
        logger.exception(
            "Reminder %s for %s to %s failed; retrying later", kind, session.uid, email
        )
        reminder.delete()
        return 0
    return 1


# Reads for the peer's pages ---------------------------------------------------------------------


@dataclass(frozen=True)
class PeerSeat:
    seat: Seat
    session: Session
    title: str
    start: datetime  # UK time
    end: datetime
    panel: tuple[tuple[str, str], ...]
    can_accept: bool
    can_decline: bool
    focus: str = ""  # the council's notes for the panel


def peer_seats(*, peer: Peer, now: datetime | None = None, past_days: int = 90) -> list[PeerSeat]:
    """A peer's seats from `past_days` ago on, latest row per session, soonest first."""
    now = now or timezone.now()
    seats = (
        Seat.objects.filter(
            peer=peer,
            session__end__gte=now - timedelta(days=past_days),
            status__in=[*HOLDING_SEAT_STATUSES, SeatStatus.DECLINED, SeatStatus.WITHDRAWN],
        )
        .select_related("session__offer", "session__booking__council")
        .order_by("session__start", "id")
    )
    latest: dict[int, Seat] = {}
    for seat in seats:
        previous = latest.get(seat.session_id)
        if previous is None or previous.status not in HOLDING_SEAT_STATUSES:
            latest[seat.session_id] = seat
    rows = []
    for seat in latest.values():
        if seat.status == SeatStatus.WITHDRAWN and seat.session.status != SessionStatus.CANCELLED:
            continue  # moved off a panel that still runs: nothing of theirs to show
        rows.append(peer_seat(seat, now=now))
    return rows


def peer_seat(seat: Seat, *, now: datetime | None = None) -> PeerSeat:
    now = now or timezone.now()
    session = seat.session
    open_ = session.status == SessionStatus.SCHEDULED and session.start > now
    return PeerSeat(
        seat=seat,
        session=session,
        title=session_title(session),
        start=session.start.astimezone(UK),
        end=session.end.astimezone(UK),
        panel=_panel_lines(session, with_status=False),
        can_accept=open_ and seat.status in (SeatStatus.PROPOSED, SeatStatus.INVITED),
        can_decline=open_ and seat.status in HOLDING_SEAT_STATUSES,
        focus=_focus(session),
    )


def feed_is_live(*, peer: Peer) -> bool:
    """Whether the peer has a private feed link that still works."""
    return FeedToken.objects.filter(peer=peer, revoked_at__isnull=True).exists()
