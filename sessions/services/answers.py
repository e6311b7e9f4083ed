"""Peers' answers to their invites: accept or decline, and what a peer sees to answer.

Answers come by signed, expiring links bound to the seat and the SEQUENCE of the message they
came in (opening one changes nothing; only its page's POST does), the signed-in peer's page and
API, and calendar clients' METHOD:REPLY (`reply_apply`). An answer to an older SEQUENCE than the
latest REQUEST the peer was sent is refused. A decline queues the seat's re-staffing
(restaffing.py), which invites the replacement (invites.py).
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from peers.models import Peer
from scheduling.engine.calendar import Reply
from scheduling.engine.refusals import Refusal
from scheduling.engine.uk_time import clock_text, day_text
from sessions import rules
from sessions.mail.links import absolute_url
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    SEAT_ANSWER_REASON_MAX,
    BookingStatus,
    Invite,
    InviteMethod,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.selectors.invites import latest_request_sequence
from sessions.services.restaff_queue import booking_restaff_queue

logger = logging.getLogger(__name__)

ANSWER_SALT = "sessions.seat-answer"
# A link signed before links carried their own end (`until`) worked for this long.
ANSWER_LINK_LIFETIME = timedelta(days=60)
ACCEPT, DECLINE = "accept", "decline"


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
    every: bool = False  # for every session of the series the peer sits on, not this one alone

    @property
    def accept(self) -> bool:
        return self.answer == ACCEPT


def answer_link_expiry(session: Session) -> datetime:
    """When a session's answer links stop working: when it starts, as answering does (a
    session under way or over cannot be answered). The one rule for the links' lifetime: the
    links carry it, and the letters say it (`answer_link_lifetime_text`)."""
    return session.start


def answer_link_lifetime_text(session: Session) -> str:
    """How long the session's answer links work, in the letters' words."""
    until = answer_link_expiry(session)
    return f"until the session starts ({day_text(until)}, {clock_text(until)} UK time)"


def answer_token(
    *,
    seat_id: int,
    sequence: int,
    answer: str,
    until: datetime | None = None,
    every: bool = False,
) -> str:
    """A signed answer link's token. `until`: when it stops working; by default the seat's
    session's `answer_link_expiry`. `every`: it answers every session of the series."""
    if answer not in (ACCEPT, DECLINE):
        raise ValueError(f"answer must be {ACCEPT!r} or {DECLINE!r}, got {answer!r}")
    if until is None:
        until = answer_link_expiry(Session.objects.get(seats__pk=seat_id))
    data = {"seat": seat_id, "seq": sequence, "answer": answer, "until": int(until.timestamp())}
    if every:
        data["all"] = 1
    return signing.dumps(data, salt=ANSWER_SALT)


def answer_url(
    *,
    seat_id: int,
    sequence: int,
    answer: str,
    until: datetime | None = None,
    every: bool = False,
) -> str:
    token = answer_token(
        seat_id=seat_id, sequence=sequence, answer=answer, until=until, every=every
    )
    return absolute_url(reverse("answer", kwargs={"token": token}))


EXPIRED = "This link has expired. Sign in and answer on your sessions page instead."


def answer_ticket(token: str, *, now: datetime | None = None) -> AnswerTicket:
    try:
        data = signing.loads(token, salt=ANSWER_SALT)
        if not isinstance(data, dict):
            raise signing.BadSignature("not a link's payload")
        if "until" not in data:
            signing.loads(token, salt=ANSWER_SALT, max_age=ANSWER_LINK_LIFETIME)
    except signing.SignatureExpired:
        raise AnswerLinkInvalid(expired=True, message=EXPIRED) from None
    except signing.BadSignature:
        raise AnswerLinkInvalid(
            expired=False,
            message="This link is not valid: it may have been cut short or changed. Use the "
            "link in the e-mail exactly as it came, or sign in and answer on your sessions page.",
        ) from None
    try:
        ticket = AnswerTicket(
            seat_id=int(data["seat"]),
            sequence=int(data["seq"]),
            answer=str(data["answer"]),
            every=bool(data.get("all")),
        )
        until = data.get("until")
        closed = until is not None and (now or timezone.now()).timestamp() >= int(until)
    except (KeyError, TypeError, ValueError):
        raise AnswerLinkInvalid(expired=False, message="This link is not valid.") from None
    if ticket.answer not in (ACCEPT, DECLINE):
        raise AnswerLinkInvalid(expired=False, message="This link is not valid.")
    if closed:
        raise AnswerLinkInvalid(
            expired=True,
            message="This link has expired: the session it answers has started or taken place.",
        )
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


def seat_answer_problem(seat: Seat, *, now: datetime | None = None) -> AnswerRefused | None:
    """Why the seat's peer, signed in, cannot answer for it now, if they cannot (a read)."""
    return _answer_problem(seat, sequence=None, once=False, now=now or timezone.now())


def answer_problem(ticket: AnswerTicket, *, now: datetime | None = None) -> AnswerRefused | None:
    """Why a link's answer cannot be taken now, if it cannot (a read: it changes nothing)."""
    seat = _seat_for_answer(ticket.seat_id)
    return _answer_problem(seat, sequence=ticket.sequence, once=True, now=now or timezone.now())


def answer_reason_clean(reason: str) -> str:
    """A decline's optional reason, trimmed; too long or holding a NUL character is refused."""
    reason = (reason or "").strip()
    if "\x00" in reason:
        raise ValidationError({"reason": "The reason must not contain a NUL character."})
    if len(reason) > SEAT_ANSWER_REASON_MAX:
        raise ValidationError(
            {
                "reason": f"The reason must be {SEAT_ANSWER_REASON_MAX:,} characters or fewer "
                f"(it has {len(reason):,})."
            }
        )
    return reason


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
    reason: str = "",
    now: datetime | None = None,
) -> Seat:
    """Accept or decline a seat; a decline queues the seat's re-staffing for the worker.

    `peer`: the signed-in peer answering (it must be their seat); None for a signed link or a
    calendar reply, which carry their own proof. `sequence`: the SEQUENCE the answer refers to
    (links and replies); None answers the latest. `once`: a link's answer can be taken once.
    `reason`: what a peer declining or withdrawing says, if anything; kept on the seat (and so
    in the history) for LGA staff and the adviser, never sent to the council.
    Only the seat's row is locked: the answer returns at once, and the worker finds the
    replacement under the booking lock (`restaffing.booking_restaff`).
    """
    now = now or timezone.now()
    reason = answer_reason_clean(reason) if not accept else ""
    with transaction.atomic():
        seat = _seat_for_answer(seat_id, lock=True)
        if peer is not None:
            rules.require(rules.may_answer_seat(peer, seat), "This is not your seat.")
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
        seat.answer_reason = reason
        seat.save(update_fields=["status", "answered_sequence", "answer_reason", "updated_at"])
        if seat.session.booking_id is not None:
            booking_restaff_queue(booking_id=seat.session.booking_id)
    return seat


# Calendar replies -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplyOutcome:
    applied: bool
    detail: str


def _reply_seat(reply: Reply, *, lock: bool = False) -> Seat | ReplyOutcome:
    """The seat a REPLY answers, or why it changes nothing: the UID must be one the service
    issued, the attendee a peer it invited to that session, the answer ACCEPTED or DECLINED, to
    the latest SEQUENCE sent, and no older (DTSTAMP) than the last reply taken for the seat."""
    session = Session.objects.filter(uid=reply.uid).first()
    if session is None:
        logger.warning("Reply skipped: unknown UID %s (from %s)", reply.uid, reply.attendee)
        return ReplyOutcome(False, f"skipped: no session has UID {reply.uid}")
    seats = Seat.objects.filter(session=session, peer__email__iexact=reply.attendee).order_by("-id")
    if lock:
        seats = seats.select_for_update(of=("self",))
    seats = list(seats)
    invited = Invite.objects.filter(
        session=session, recipient_email__iexact=reply.attendee, method=InviteMethod.REQUEST
    ).exists()
    if not seats or not invited:
        why = "holds no seat on" if not seats else "was never sent an invitation to"
        logger.warning("Reply skipped: %s %s session %s", reply.attendee, why, session.uid)
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
    if seat.reply_dtstamp is not None and reply.dtstamp < seat.reply_dtstamp:
        logger.info(
            "Reply ignored: %s's answer on %s is stamped %s, before the last one taken (%s)",
            reply.attendee,
            reply.uid,
            reply.dtstamp.isoformat(),
            seat.reply_dtstamp.isoformat(),
        )
        return ReplyOutcome(
            False, "ignored: an answer stamped (DTSTAMP) before the last one taken for this seat"
        )
    return seat


def reply_check(reply: Reply) -> ReplyOutcome | None:
    """Why `reply_apply` would change nothing, or None if it would take the answer (a read)."""
    found = _reply_seat(reply)
    return found if isinstance(found, ReplyOutcome) else None


def reply_apply(reply: Reply, *, now: datetime | None = None) -> ReplyOutcome:
    """Take one attendee's METHOD:REPLY (see `_reply_seat` for what is refused)."""
    with transaction.atomic():
        found = _reply_seat(reply, lock=True)
        if isinstance(found, ReplyOutcome):
            return found
        seat = found
        latest = latest_request_sequence(seat)
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
        Seat.objects.filter(pk=seat.pk).update(reply_dtstamp=reply.dtstamp)
    return ReplyOutcome(True, f"{'accepted' if accept else 'declined'}: {reply.attendee}")
