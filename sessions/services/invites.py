"""Invites for booked sessions: who is told what, and what each message says.

Every message is an outbox row (`outbox.invite_queue`) written in the transaction of the change
that causes it, at the session's SEQUENCE after that change:

- a new booking: a REQUEST to each seated peer, the council's booker and each participant the
  booker named (the council's people attending, sessions/participants/);
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
of a message is built when it is sent (`invite_words.invite_content`), from the session as it then is.

"Concerned" means: holding a seat now, the booker, or anyone whose latest message for the
session is a REQUEST (the adviser, once told). SEQUENCE only ever goes up: every change that
sends something raises it first.

Peers' answers to these messages are taken in answers.py; what each message says is
invite_words.py; reminders before a session are sent by sessions/programme/reminders.py.
"""

import logging
from dataclasses import dataclass, field

from django.utils import timezone
from simple_history.utils import bulk_update_with_history

from scheduling.engine.panels import chair_roles
from sessions.mail.outbox import invite_queue
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    Invite,
    InviteMethod,
    Seat,
    SeatStatus,
    Session,
)
from sessions.pool import offer_format

logger = logging.getLogger(__name__)

REQUEST, CANCEL = InviteMethod.REQUEST, InviteMethod.CANCEL
NEEDS_ACTION = "needs-action"  # a participant's answer before they give one
CHAIR, PARTICIPANT, FOR_INFORMATION = "CHAIR", "REQ-PARTICIPANT", "NON-PARTICIPANT"


# Who is who -------------------------------------------------------------------------------------


def booker_address(booking: Booking | None) -> tuple[str, str] | None:
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
    return chair_roles(offer_format(session.offer).roles)


def _seat_role(seat: Seat, lead_roles: frozenset[str]) -> str:
    # Whoever leads the panel chairs it; everyone else on it takes part.
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


def _queue_to_booker(session: Session) -> tuple[str, str] | None:
    """A REQUEST to the council's booker (gathered with the booking's other messages); their
    address and name, or None when the booking has no booker to tell."""
    booker = booker_address(session.booking)
    if booker is not None:
        invite_queue(
            session=session,
            recipient_email=booker[0],
            recipient_name=booker[1],
            method=REQUEST,
            gather=True,
        )
    return booker


def _queue_to_concerned(session: Session, *, reset_answers: bool) -> None:
    """REQUEST at the session's SEQUENCE to everyone concerned; CANCEL to peers left out."""
    holding = _holding(session)
    lead_roles = _lead_roles(session)
    seated = {seat.peer.email.strip().lower() for seat in holding}
    for seat in holding:
        _queue_for_seat(session, seat, REQUEST, lead_roles)
    _mark_invited(holding, reset_answers=reset_answers)
    booker = _queue_to_booker(session)
    booker_email = booker[0].strip().lower() if booker else None
    _queue_to_participants(session, reset_answers=reset_answers)
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


def _queue_to_participants(session: Session, *, reset_answers: bool) -> None:
    """REQUEST at the session's SEQUENCE to each participant the booker named (reached through
    the booking: their room is above this one). A new time asks them again, as it asks peers."""
    if session.booking is None:
        return
    named = list(session.booking.participants.filter(removed_at__isnull=True).order_by("id"))
    for participant in named:
        invite_queue(
            session=session,
            recipient_email=participant.email,
            recipient_name=participant.name,
            method=REQUEST,
            participant=participant,
        )
    if reset_answers:
        answered = [p for p in named if p.answer != NEEDS_ACTION]
        for participant in answered:
            participant.answer, participant.answered_at = NEEDS_ACTION, None
        if answered:
            bulk_update_with_history(answered, type(answered[0]), ["answer", "answered_at"])


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
            participant=invite.participant,
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
    # The booker's update says what changed (see _booker_content).
    _queue_to_booker(session)
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
