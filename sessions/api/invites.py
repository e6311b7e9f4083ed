"""Seats and answers: a peer's seats, accept and decline."""

from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from peers.schemas import BodyIn
from peers.selectors import caller_for
from sessions import rules
from sessions.models import Seat
from sessions.participants.selectors import participants_brief
from sessions.schemas import ParticipantBriefOut
from sessions.selectors import peer_seats
from sessions.services import answers

router = Router(tags=["seats"])


class PeerSeatOut(Schema):
    id: int
    session: int
    uid: str
    sequence: int
    title: str
    offer: str
    council: str
    role: str
    status: str
    session_status: str
    start: datetime
    end: datetime
    joining_url: str
    notes: str = Field(
        description="What the council wants the panel to focus on, as its booker wrote it"
    )
    answered_sequence: int | None
    can_accept: bool
    can_decline: bool
    participants: list[ParticipantBriefOut] = Field(
        description="Who the panel will meet from the council: names, roles and answers"
    )


class DeclineIn(BodyIn):
    reason: str = Field(default="", description="Why the peer declines (optional)")


class SeatRefusalOut(Schema):
    detail: str
    code: str


def _seat_out(row: peer_seats.PeerSeat) -> dict:
    seat, session = row.seat, row.session
    return {
        "id": seat.id,
        "session": session.id,
        "uid": session.uid,
        "sequence": session.sequence,
        "title": row.title,
        "offer": session.offer.slug,
        "council": session.booking.council.name if session.booking else "",
        "role": seat.role_name,
        "status": seat.status,
        "session_status": session.status,
        "start": session.start,
        "end": session.end,
        "joining_url": session.joining_url,
        "notes": row.focus,
        "answered_sequence": seat.answered_sequence,
        "can_accept": row.can_accept,
        "can_decline": row.can_decline,
        "participants": participants_brief(session.booking) if session.booking else [],
    }


def _peer(request):
    caller = caller_for(request.user)
    rules.require(rules.may_answer_seats(caller), "Only peers have seats.")
    return caller.peer


def _answer(request, seat_id: int, *, accept: bool, reason: str = ""):
    peer = _peer(request)
    get_object_or_404(Seat, pk=seat_id)
    answers.seat_answer(seat_id=seat_id, accept=accept, peer=peer, reason=reason)
    seat = Seat.objects.select_related("session__offer", "session__booking__council").get(
        pk=seat_id
    )
    return _seat_out(peer_seats.peer_seat(seat))


@router.get("/seats", response=list[PeerSeatOut], summary="The caller's seats, soonest first")
def seat_list(request):
    return [_seat_out(row) for row in peer_seats.peer_seats(peer=_peer(request))]


@router.post(
    "/seats/{int:seat_id}/accept",
    response={200: PeerSeatOut, 409: SeatRefusalOut},
    summary="Accept a seat",
)
def seat_accept(request, seat_id: int):
    return _answer(request, seat_id, accept=True)


@router.post(
    "/seats/{int:seat_id}/decline",
    response={200: PeerSeatOut, 409: SeatRefusalOut},
    summary="Decline a seat; a replacement is then found in the background and the council told",
    description="The body is optional: `reason`, why, is kept on the seat (and so in its "
    "history) for LGA staff, as the answer page's reason is. 422: a reason over 1,000 "
    "characters.",
)
def seat_decline(request, seat_id: int, body: DeclineIn | None = None):
    return _answer(request, seat_id, accept=False, reason=body.reason if body else "")
