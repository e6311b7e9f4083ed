"""Who may give, read, check, agree to and search learning points: each check the pages, the
API and the search make (docs/architecture.md, "Who may").

A point's readers follow its visibility:
- the panel and the council (the default): its panel's seated peers, the council's bookers
  and Principal Adviser, the LGA lead and LGA staff;
- the LGA only: whoever gave it, the panel's LGA lead, the council's Principal Adviser and
  LGA staff;
- shared with the sector: once published, everyone who may read the library; until then as
  "the panel and the council".
Whoever gave a point may always read it. Anyone who may not read a point is answered as if it
did not exist.
"""

from peers.rules import require  # noqa: F401  (the one way to refuse, re-exported)
from peers.selectors import Caller
from sessions.learning.models import LearningPoint, Visibility
from sessions.models import Booking, Seat, SeatStatus
from sessions.rules import leads_booking


def _on_panel(caller: Caller, booking: Booking) -> bool:
    """A peer (or the LGA lead) who sat on one of the booking's sessions."""
    return caller.peer is not None and (
        Seat.objects.filter(
            session__booking_id=booking.pk, peer=caller.peer, status=SeatStatus.ACCEPTED
        ).exists()
    )


def _leads(caller: Caller, booking: Booking) -> bool:
    """The booking's LGA lead (sessions.rules decides who that is), once they have sat on it."""
    return leads_booking(caller, booking) and _on_panel(caller, booking)


def _council_side(caller: Caller, booking: Booking) -> bool:
    council = caller.booker_council
    return (council is not None and council.id == booking.council_id) or (
        booking.council_id in caller.advised_council_ids
    )


def may_give_learning(caller: Caller, seat: Seat) -> bool:
    """Learning points for a seat: its own peer (a signed link names the seat, and its
    proof is its signature)."""
    return caller.peer is not None and seat.peer_id == caller.peer.id


def _reads_unshared(caller: Caller, point: LearningPoint) -> bool:
    """Reads the point whatever the sector may: by who they are, not by its publication."""
    if caller.is_staff or (caller.peer is not None and point.seat.peer_id == caller.peer.id):
        return True
    booking = point.booking
    if point.visibility == Visibility.LGA:
        return booking.council_id in caller.advised_council_ids or _leads(caller, booking)
    return _council_side(caller, booking) or _on_panel(caller, booking)


def may_read_point(caller: Caller, point: LearningPoint) -> bool:
    if not caller.user.is_authenticated:
        return False
    if point.published_at is not None and may_read_library(caller):
        return True
    return _reads_unshared(caller, point)


def may_see_council(caller: Caller, point: LearningPoint) -> bool:
    """Whether a point's council (and so its booking and panel) may be named to its reader:
    not to those who read it only because it is shared with the sector anonymously."""
    if not caller.user.is_authenticated:
        return False
    if point.visibility == Visibility.NAMED and point.published_at is not None:
        return may_read_library(caller)
    return _reads_unshared(caller, point)


def may_read_panel_points(caller: Caller, booking: Booking) -> bool:
    """A booking's page of learning points: LGA staff, the council's bookers and adviser, and
    the panel (each point on it still asks `may_read_point`)."""
    return caller.user.is_authenticated and (
        caller.is_staff or _council_side(caller, booking) or _on_panel(caller, booking)
    )


def may_check_wording(caller: Caller, point: LearningPoint) -> bool:
    """That an anonymous point names no council: the panel's LGA lead, or LGA staff."""
    return caller.is_staff or _leads(caller, point.booking)


def may_agree_to_naming(caller: Caller, point: LearningPoint) -> bool:
    """That the sector may read a point naming the council: the council's booker alone."""
    council = caller.booker_council
    return council is not None and council.id == point.booking.council_id


def may_read_library(caller: Caller) -> bool:
    """The learning library: signed-in councils' bookers, peers, advisers and LGA staff."""
    return caller.user.is_authenticated and (
        caller.is_staff
        or caller.booker_council is not None
        or caller.peer is not None
        or bool(caller.advised_council_ids)
    )
