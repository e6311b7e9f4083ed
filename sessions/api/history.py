"""A booking's history: who changed what, and when (LGA staff and the council's adviser)."""

from ninja import Router

from peers.selectors import caller_for
from sessions import selectors
from sessions.schemas import HistoryEntryOut
from sessions.selectors.history import booking_history, history_out

router = Router(tags=["programme"])


@router.get(
    "/bookings/{int:booking_id}/history",
    response=list[HistoryEntryOut],
    summary="Every change to a booking (its sessions, seats, participants, pre-reading, attendance, feedback note, actions and progress review): who, when, before and after",
)
def booking_history_list(request, booking_id: int):
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    return history_out(booking_history(caller=caller, booking=booking))
