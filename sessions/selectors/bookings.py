"""Reads of bookings: the ones a caller may see, a search, requests waiting for a decision,
where a booking stands (`booking_state`) and the time a peer's seats hold."""

from datetime import datetime

from django.db.models import Prefetch, Q, QuerySet
from django.shortcuts import get_object_or_404

from peers.held_time import HeldTime
from peers.selectors import Caller, councils_for
from scheduling.engine.uk_time import moment_text
from sessions import rules
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Booking,
    BookingStatus,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.references import reference_as_written


def _bookings() -> QuerySet[Booking]:
    return Booking.objects.select_related("offer", "council").prefetch_related(
        "offer__role_slots",
        Prefetch(
            "sessions",
            queryset=Session.objects.prefetch_related(
                Prefetch(
                    "seats",
                    queryset=Seat.objects.select_related("peer__home_council").order_by("id"),
                )
            ),
        ),
    )


def booking_list(*, caller: Caller, reference: str = "", q: str = "") -> QuerySet[Booking]:
    """The bookings a caller may see: staff all; advisers their councils'; bookers their council's.

    `reference`: the one booking with that reference, written as a person may type or say it
    ('rrp 26 7'); `q`: bookings whose reference, council or offer contains the words."""
    bookings = _bookings()
    if not caller.is_staff:
        bookings = bookings.filter(council__in=councils_for(caller))
    if reference.strip():
        bookings = bookings.filter(
            reference=reference_as_written(reference) or reference.strip().upper()
        )
    if q.strip():
        bookings = bookings.filter(booking_search(q))
    return bookings


def booking_search(text: str) -> Q:
    """Bookings a search for `text` finds: by reference (whole, as quoted, or a part of it), or
    every word in the council's name or the offer's title."""
    text = text.strip()
    found = Q(reference__icontains=text)
    quoted = reference_as_written(text)
    if quoted:
        found |= Q(reference=quoted)
    words = Q()
    for word in text.split():
        words &= Q(council__name__icontains=word) | Q(offer__title__icontains=word)
    return found | words


def requests_waiting(*, caller: Caller) -> QuerySet[Booking]:
    """Requests waiting for approval that the caller decides, oldest first: staff all;
    advisers their councils'; nobody else any."""
    bookings = _bookings().filter(status=BookingStatus.REQUESTED).order_by("created_at", "id")
    if caller.is_staff:
        return bookings
    return bookings.filter(council_id__in=caller.advised_council_ids)


def booking_get(*, caller: Caller, booking_id: int) -> Booking:
    booking = get_object_or_404(_bookings(), pk=booking_id)
    rules.require(rules.may_read_booking(caller, booking), "You cannot see this booking.")
    return booking


def booking_state(booking: Booking) -> str:
    """Where a booking stands, from its seats: the one wording the API, pages and e-mails use.

    Counting every place (a role slot's seat) of its sessions still scheduled: "Cancelled";
    "Needs attention" while a place has been left unfilled (no eligible peer was found);
    "Confirmed" once every place is accepted; otherwise "Being staffed (2 of 3 accepted)"
    (a place a peer gave up counts as being staffed until the re-staffing fills it).
    """
    if booking.status == BookingStatus.CANCELLED:
        return "Cancelled"
    if booking.status == BookingStatus.REQUESTED:
        until = booking.request_expires_at
        if until is None:
            return "Waiting for approval"
        return f"Waiting for approval (until {moment_text(until)})"
    if booking.status in (BookingStatus.REJECTED, BookingStatus.EXPIRED):
        return booking.get_status_display()
    per_session = sum(slot.count for slot in booking.offer.role_slots.all())
    places = accepted = 0
    for session in booking.sessions.all():
        if session.status != SessionStatus.SCHEDULED:
            continue
        holding = [seat for seat in session.seats.all() if seat.status in HOLDING_SEAT_STATUSES]
        if any(seat.peer_id is None for seat in holding):
            return "Needs attention"
        places += per_session
        accepted += sum(seat.status == SeatStatus.ACCEPTED for seat in holding)
    if accepted >= places:
        return "Confirmed"
    return f"Being staffed ({accepted} of {places} accepted)"


def seat_held_times(*, peer_id: int, start: datetime, end: datetime) -> list[HeldTime]:
    """The seats a peer holds on scheduled sessions between start and end, as held time (the
    engine adds the peer's buffer). Registered with peers.held_time when the app starts."""
    seats = (
        Seat.objects.filter(
            peer_id=peer_id,
            status__in=HOLDING_SEAT_STATUSES,
            session__status=SessionStatus.SCHEDULED,
            session__start__lt=end,
            session__end__gt=start,
        )
        .select_related("session__offer", "session__booking__council")
        .order_by("session__start", "id")
    )
    return [
        HeldTime(
            key=seat.pk,
            start=seat.session.start,
            end=seat.session.end,
            label=f"{seat.session.offer.title}"
            + (f" for {seat.session.booking.council.name}" if seat.session.booking else ""),
        )
        for seat in seats
    ]
