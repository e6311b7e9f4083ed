"""Demo bookings, made through the services as people would make them, so the programme
dashboard, the admin and each booking's history show something on a fresh `make run`:
a booking whose panel has all accepted, one where a peer declined and another took the seat,
one left with an unfilled seat after its only eligible peers declined, one still waiting for
answers, a cancelled one and a request waiting for approval. Staff then seat the demo peer by
hand where the rules allow, so the `peer` sign-in has a session to answer.

Idempotent: once the demo bookings exist, running it again adds nothing. A time that cannot
be staffed is skipped (the summary says how many were made).
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone

from peers.models import Council, Peer
from peers.selectors import caller_for
from scheduling.engine.refusals import Refusal
from scheduling.engine.uk_time import LONDON
from sessions import services
from sessions.models import HOLDING_SEAT_STATUSES, Booking, BookingStatus, Offer, Seat
from sessions.pool import staffable_starts
from sessions.services import answers, restaffing, seat_assignment

DEMO_NOTE = "Demo booking: "
PANEL = "recovery-and-renewal-panel"
MOST_DECLINES = 15  # how many peers in a row may turn down the seat left unfilled


@dataclass(frozen=True)
class DemoBooking:
    council: str  # slug
    by: str  # the demo sign-in who books
    weeks_ahead: int
    story: str  # accepted, declined, unfilled, waiting, cancelled, requested
    notes: str


DEMO_BOOKINGS = [
    DemoBooking(
        "wigan-council",
        "booker",
        4,
        "accepted",
        "Focus on the council's recovery plan and the budget gap.",
    ),
    DemoBooking(
        "blackpool-council",
        "adviser",
        5,
        "declined",
        "Tourism economy and town-centre recovery.",
    ),
    DemoBooking(
        "manchester-city-council",
        "staff",
        6,
        "unfilled",
        "Partnership working across the city region.",
    ),
    DemoBooking(
        "leeds-city-council",
        "staff",
        5,
        "waiting",
        "Children's services and the leadership team's priorities.",
    ),
    DemoBooking(
        "liverpool-city-council",
        "adviser",
        7,
        "cancelled",
        "Governance review after the elections.",
    ),
    DemoBooking(
        "wigan-council",
        "booker",
        8,
        "requested",
        "A second look at the recovery plan after the budget is set.",
    ),
]


def _holding(booking: Booking) -> list[Seat]:
    return list(
        Seat.objects.filter(
            session__booking=booking, status__in=HOLDING_SEAT_STATUSES, peer__isnull=False
        )
        .select_related("peer")
        .order_by("id")
    )


def _answer(seat: Seat, *, accept: bool) -> None:
    # As the peer would, by the link in their e-mail; a decline is then re-staffed as the
    # worker would (the task it was queued for finds nothing left to do).
    answers.seat_answer(seat_id=seat.pk, accept=accept)
    if not accept:
        restaffing.booking_restaff(booking_id=seat.session.booking_id)


def _tell_story(booking: Booking, story: str, staff) -> None:
    if story == "requested":
        return  # left waiting for the adviser
    if booking.status == BookingStatus.REQUESTED:
        services.booking_approve(caller=caller_for(staff), booking=booking)
    seats = _holding(booking)
    if story == "accepted":
        for seat in seats:
            _answer(seat, accept=True)
    elif story == "declined":
        member = next(s for s in seats if s.role_name == "Member peer")
        _answer(member, accept=False)
        for seat in _holding(booking):
            if seat.role_name != "Member peer":
                _answer(seat, accept=True)
    elif story == "unfilled":
        role = "Lead member peer"
        for _ in range(MOST_DECLINES):
            seat = next((s for s in _holding(booking) if s.role_name == role), None)
            if seat is None:
                break
            _answer(seat, accept=False)
    elif story == "cancelled":
        services.booking_cancel(
            caller=caller_for(staff), booking=booking, reason="The council postponed the review."
        )


def _seat_demo_peer(staff) -> bool:
    """Staff choose the demo peer for a member seat of a live demo booking, as they would on
    the booking page, through the same hard rules; False when no such seat allows it."""
    seats = Seat.objects.filter(
        session__booking__notes__startswith=DEMO_NOTE,
        session__booking__status=BookingStatus.CONFIRMED,
        status__in=HOLDING_SEAT_STATUSES,
        role_name="Member peer",
    ).order_by("session__start", "id")
    demo_peer = Peer.objects.filter(user__username="peer").first()
    if demo_peer is None:
        return False
    for seat in seats:
        try:
            seat_assignment.seat_assign(caller=caller_for(staff), seat=seat, peer_id=demo_peer.pk)
        except (Refusal, ValidationError):
            continue
        return True
    return False


def seed_bookings(*, now=None) -> dict:
    """Book the demo panels; returns how many bookings were made."""
    if Booking.objects.filter(notes__startswith=DEMO_NOTE).exists():
        return {"bookings": 0}
    now = now or timezone.now()
    users = {
        u.username: u
        for u in get_user_model().objects.filter(username__in=["staff", "adviser", "booker"])
    }
    offer = Offer.objects.filter(slug=PANEL).first()
    if offer is None or "staff" not in users:
        return {"bookings": 0}
    made = 0
    for plan in DEMO_BOOKINGS:
        council = Council.objects.filter(slug=plan.council).first()
        user = users.get(plan.by)
        if council is None or user is None:
            continue
        # From the start of that UK day, so a panel begins at the day's first staffable time
        # whatever the hour the demo data is loaded.
        day = (now + timedelta(weeks=plan.weeks_ahead)).astimezone(LONDON).date()
        first = datetime.combine(day, time(0), tzinfo=LONDON)
        starts, _ = staffable_starts(
            offer=offer, council=council, range_start=first, range_end=first + timedelta(days=7)
        )
        if not starts:
            continue
        try:
            booking = services.booking_create(
                caller=caller_for(user),
                offer=offer,
                council=council,
                start=starts[0].start,
                notes=DEMO_NOTE + plan.notes,
            )
        except (Refusal, ValidationError):
            continue
        _tell_story(booking, plan.story, users["staff"])
        made += 1
    if made:
        _seat_demo_peer(users["staff"])
    return {"bookings": made}
