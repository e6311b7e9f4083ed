"""The council's participants in the API: a booking's list, read and replaced whole (the booker,
whoever manages the booking, until its last session starts). Anyone who may not read the
booking is answered as for any booking (404 unknown, 403 another council's)."""

from ninja import Field, Router

from peers.schemas import BodyIn
from peers.selectors import caller_for
from sessions import rules, selectors
from sessions.participants import services
from sessions.participants.models import PARTICIPANTS_MAX
from sessions.participants.selectors import participants_out
from sessions.schemas import ParticipantIn, ParticipantOut

router = Router(tags=["participants"])


class ParticipantsIn(BodyIn):
    participants: list[ParticipantIn] = Field(
        description=f"The whole list, at most {PARTICIPANTS_MAX}, each address once"
    )


def _out(caller, booking) -> list[dict]:
    return participants_out(booking, with_addresses=rules.may_manage_booking(caller, booking))


@router.get(
    "/bookings/{int:booking_id}/participants",
    response=list[ParticipantOut],
    summary="Who will attend from the council, with their answers",
)
def participant_list(request, booking_id: int):
    caller = caller_for(request.user)
    return _out(caller, selectors.booking_get(caller=caller, booking_id=booking_id))


@router.put(
    "/bookings/{int:booking_id}/participants",
    response={200: list[ParticipantOut], 409: None},
    summary="Replace who will attend from the council; those added are invited, those removed "
    "told they are no longer expected",
    description=f"422 (`type: rule`): at most {PARTICIPANTS_MAX}, each with a name and an "
    "address in the right form, no address twice (ignoring case); nothing is changed. 403: "
    "the caller does not manage the booking. 409: the booking is over or its last session has "
    "started.",
)
def participant_replace(request, booking_id: int, payload: ParticipantsIn):
    caller = caller_for(request.user)
    booking = selectors.booking_get(caller=caller, booking_id=booking_id)
    services.participants_set(
        caller=caller, booking=booking, people=[p.dict() for p in payload.participants]
    )
    return _out(caller, booking)
