"""Who may do what with a booking's pre-reading: each check the pages and the API make.

Reading (the list and every download, checked each time): LGA staff, the council's bookers,
its Principal Adviser, and the peers seated on one of the booking's sessions. Adding: the
council's bookers, the panel's LGA lead and staff, while the pack is open. Removing: whoever
added the document, and staff. Anyone who may not read is answered as if the booking did not exist.
"""

from django.utils import timezone

from peers.rules import require  # noqa: F401  (the one way to refuse, re-exported)
from peers.selectors import Caller
from sessions.models import (
    LIVE_BOOKING_STATUSES,
    Booking,
    SessionStatus,
)
from sessions.packs.models import Document
from sessions.rules import leads_booking, may_read_booking, seated


def may_read_pack(caller: Caller, booking: Booking) -> bool:
    if not caller.user.is_authenticated:
        return False
    return may_read_booking(caller, booking) or seated(caller, booking)


def may_add_to_pack(caller: Caller, booking: Booking) -> bool:
    """LGA staff, the council's bookers, and the panel's LGA lead (the LGA's own briefing)."""
    if caller.is_staff or leads_booking(caller, booking):
        return True
    council = caller.booker_council
    return council is not None and council.id == booking.council_id


def may_remove_document(caller: Caller, document: Document) -> bool:
    if caller.is_staff:
        return True
    return (
        caller.user.is_authenticated
        and document.uploaded_by_id == caller.user.pk
        and may_add_to_pack(caller, document.booking)
    )


def pack_open(booking: Booking, *, now=None) -> bool:
    """Documents are added while the booking stands and a session of it is still to end."""
    now = now or timezone.now()
    return (
        booking.status in LIVE_BOOKING_STATUSES
        and booking.sessions.filter(status=SessionStatus.SCHEDULED, end__gt=now).exists()
    )
