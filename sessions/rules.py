"""Who may book, see and change bookings, decide requests, seat peers and read the programme:
each rule a named predicate; a refusal is raised by `require` (peers/rules.py), the one
place, and answered with 403 by the one handler (docs/architecture.md, "Who may")."""

from typing import TYPE_CHECKING

from peers.models import PeerKind
from peers.rules import require
from sessions.models import HOLDING_SEAT_STATUSES, Seat

if TYPE_CHECKING:
    from peers.models import Council, Peer
    from peers.selectors import Caller
    from sessions.models import Booking, Session

__all__ = ["require"]


def may_book_for(caller: "Caller", council: "Council") -> bool:
    """LGA staff for any council, a Principal Adviser for their councils, a booker for theirs
    (`peers.selectors.councils_for` lists the same councils)."""
    return (
        caller.is_staff
        or council.id in caller.advised_council_ids
        or (caller.booker_council is not None and caller.booker_council.id == council.id)
    )


def lead_seats(**where):
    """The seats LGA leads hold where `where` says: who leads is decided here, once (only a
    facilitator may hold a lead seat, and a facilitator holds no other:
    scheduling/engine/panels.py)."""
    return Seat.objects.filter(
        status__in=HOLDING_SEAT_STATUSES, peer__kind=PeerKind.FACILITATOR, **where
    )


def booking_leads(booking: "Booking") -> list["Peer"]:
    """The LGA leads of the booking's sessions, each once, the first session's first."""
    seats = lead_seats(session__booking=booking).select_related("peer")
    return list({s.peer_id: s.peer for s in seats.order_by("session__number", "id")}.values())


def _holds_lead_seat(caller: "Caller", **where) -> bool:
    peer = caller.peer
    return (
        peer is not None
        and peer.kind == PeerKind.FACILITATOR
        and lead_seats(peer=peer, **where).exists()
    )


def leads_booking(caller: "Caller", booking: "Booking") -> bool:
    """The LGA lead of one of the booking's sessions."""
    return _holds_lead_seat(caller, session__booking_id=booking.pk)


def leads_session(caller: "Caller", session: "Session") -> bool:
    """The LGA lead of this session (of a series, each session's lead is its own)."""
    return _holds_lead_seat(caller, session_id=session.pk)


def seated(caller: "Caller", booking: "Booking") -> bool:
    """A peer holding a seat (proposed, invited or accepted) on a session of the booking:
    the panel, who read its pre-reading and its feedback."""
    if caller.peer is None:
        return False
    return Seat.objects.filter(
        session__booking=booking, peer=caller.peer, status__in=HOLDING_SEAT_STATUSES
    ).exists()


def may_read_booking(caller: "Caller", booking: "Booking") -> bool:
    """Whoever may book for the booking's council, and the panel's LGA lead (its notes,
    panel and pre-reading are theirs to prepare with)."""
    return may_book_for(caller, booking.council) or leads_booking(caller, booking)


def may_manage_booking(caller: "Caller", booking: "Booking") -> bool:
    """Move, cancel, or give a joining link: whoever may book for the booking's council."""
    return may_book_for(caller, booking.council)


def may_change_session(caller: "Caller", session: "Session") -> bool:
    """A booked session's joining link: whoever manages its booking, and the panel's LGA
    lead, who often hosts the meeting (a webinar has none)."""
    return session.booking is not None and (
        may_manage_booking(caller, session.booking) or leads_booking(caller, session.booking)
    )


def may_list_requests(caller: "Caller") -> bool:
    """The list of requests waiting: LGA staff, and Principal Advisers (for their councils)."""
    return caller.is_staff or bool(caller.advised_council_ids)


def may_decide_request(caller: "Caller", booking: "Booking") -> bool:
    """Approve or decline a council's request: its Principal Adviser, or the LGA's staff."""
    return caller.is_staff or booking.council_id in caller.advised_council_ids


def may_see_candidates(caller: "Caller", booking: "Booking") -> bool:
    """The peers who could take a seat, and why: LGA staff and the council's Principal
    Adviser."""
    return caller.is_staff or booking.council_id in caller.advised_council_ids


def may_assign_seat(caller: "Caller") -> bool:
    """Choose a peer for a seat by hand: LGA staff."""
    return caller.is_staff


def may_read_history(caller: "Caller", booking: "Booking") -> bool:
    """A booking's history (who changed what, and the reasons peers gave): LGA staff and the
    council's Principal Adviser."""
    return caller.is_staff or booking.council_id in caller.advised_council_ids


def may_read_programme(caller: "Caller") -> bool:
    """The programme's figures: LGA staff (all councils), Principal Advisers (their
    councils: `selectors.programme.programme_scope`)."""
    return caller.is_staff or bool(caller.advised_council_ids)


def may_answer_seats(caller: "Caller") -> bool:
    """Only peers have seats to answer."""
    return caller.peer is not None


def may_answer_seat(peer: "Peer | None", seat: "Seat") -> bool:
    """A signed-in peer answers only their own seat (a signed link or a calendar reply carries
    its own proof and names no peer)."""
    return peer is not None and seat.peer_id == peer.id
