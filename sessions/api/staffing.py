"""Staff step in: the peers who could take a seat, and seating one by hand."""

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema

from peers.schemas import BodyIn
from peers.selectors import caller_for
from sessions import selectors
from sessions.api import presenters
from sessions.models import Seat
from sessions.schemas import BookingOut, PeerBrief
from sessions.services import seat_assignment

router = Router(tags=["staffing"])


class CandidateOut(Schema):
    peer: PeerBrief
    eligible: bool
    fit: dict
    load: int
    rules: list[str]
    why: str


class SeatChoiceOut(Schema):
    seat: int
    role: str
    position: int
    session: int
    peer: PeerBrief | None
    eligible: list[CandidateOut]
    not_eligible: list[CandidateOut]


class AssignIn(BodyIn):
    peer: int


class RuleRefusalOut(Schema):
    """A 422 from the hard rules: the peer named cannot take the seat."""

    detail: str
    field: str = Field(description="The field refused: `peer`")
    rules: list[str] = Field(description="The hard rules broken, e.g. `eligibility`")
    problems: list[str] = []


CLOSED_SEAT = (
    "409 when the seat can no longer be filled by hand: its booking is a request waiting for "
    "approval, declined, expired or cancelled, its session is cancelled or has started, or the "
    "row is history (the place was given up or moved)."
)


def _seat(seat_id: int) -> Seat:
    return get_object_or_404(Seat, pk=seat_id)


@router.get(
    "/seats/{int:seat_id}/candidates",
    response={200: SeatChoiceOut, 409: None},
    summary="Every eligible peer for a seat, best first with why, and why the others are not "
    "(staff; the council's Principal Adviser may read)",
    description=CLOSED_SEAT,
)
def seat_candidates(request, seat_id: int):
    choice = seat_assignment.seat_choice(caller=caller_for(request.user), seat=_seat(seat_id))
    rows = [presenters.candidate_out(c) for c in choice.candidates]
    seat = choice.seat
    return {
        "seat": seat.pk,
        "role": seat.role_name,
        "position": seat.position,
        "session": seat.session_id,
        "peer": presenters.peer_brief(seat.peer) if seat.peer else None,
        "eligible": [r for r in rows if r["eligible"]],
        "not_eligible": [r for r in rows if not r["eligible"]],
    }


@router.post(
    "/seats/{int:seat_id}/assign",
    response={200: BookingOut, 409: None, 422: RuleRefusalOut},
    summary="Seat a chosen peer (staff): the same hard rules apply (422 naming the one broken); "
    "a peer there before is withdrawn, and invites follow",
    description=f"{CLOSED_SEAT} Also 409 when the peer already holds the seat. 422 when the "
    "peer is unknown or inactive, or breaks a hard rule (`rules` and `problems` say which).",
)
def seat_assign(request, seat_id: int, payload: AssignIn):
    caller = caller_for(request.user)
    row = seat_assignment.seat_assign(caller=caller, seat=_seat(seat_id), peer_id=payload.peer)
    return presenters.booking_out(
        selectors.booking_get(caller=caller, booking_id=row.session.booking_id), caller=caller
    )
