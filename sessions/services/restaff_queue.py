"""When re-staffing runs: queuing `restaffing.booking_restaff` for the worker after a peer
gives up a place, again for a booking whose task was lost, and for bookings with a place still
unfilled when peers' time is freed or added.

Apart from re-staffing itself, so that answers and bookings can queue it without importing
what re-staffing imports (the invites, which import the answers' links).
"""

from datetime import datetime, timedelta

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_q.tasks import async_task

from peers.models import Peer
from sessions.models import HOLDING_SEAT_STATUSES, BookingStatus, Seat, SeatStatus, SessionStatus

RESTAFF_TASK = "sessions.tasks.restaff_booking"

# A decline this old whose place is still empty lost its task (e.g. the broker was down).
LOST_AFTER = timedelta(minutes=5)


def booking_restaff_queue(*, booking_id: int) -> None:
    """Re-staff the booking in the worker once the current transaction commits.

    Robust: the answer is already committed, so a broker that cannot take the task is logged
    and `restaff_lost_queue` picks the booking up later.
    """
    transaction.on_commit(lambda: async_task(RESTAFF_TASK, booking_id), robust=True)


def restaff_lost_queue(*, now: datetime | None = None) -> list[int]:
    """Queue again the re-staffing of bookings with a place given up a while ago and never
    re-staffed (its task was lost); returns their ids. Safe to repeat: re-staffing is
    idempotent."""
    now = now or timezone.now()
    refilled = Seat.objects.filter(
        session=OuterRef("session"),
        role_name=OuterRef("role_name"),
        position=OuterRef("position"),
        status__in=HOLDING_SEAT_STATUSES,
    )
    booking_ids = sorted(
        set(
            Seat.objects.filter(
                status=SeatStatus.DECLINED,
                updated_at__lt=now - LOST_AFTER,
                session__status=SessionStatus.SCHEDULED,
                session__start__gt=now,
                session__booking__isnull=False,
            )
            .exclude(session__booking__status=BookingStatus.CANCELLED)
            .filter(~Exists(refilled))
            .values_list("session__booking_id", flat=True)
        )
    )
    for booking_id in booking_ids:
        async_task(RESTAFF_TASK, booking_id)
    return booking_ids


def unfilled_bookings_near(
    *, times: list[tuple[datetime, datetime]], but: int | None = None, now: datetime | None = None
) -> list[int]:
    """Live bookings with a place left unfilled on a session still to come near `times` (the
    same month or so, where a peer's time or monthly cap freed there could count): the bookings
    worth re-staffing when peers' time is freed or added. Re-staffing one with nothing to fill
    changes nothing."""
    if not times:
        return []
    now = now or timezone.now()
    margin = timedelta(days=31)
    unfilled = Seat.objects.filter(
        peer__isnull=True,
        status__in=HOLDING_SEAT_STATUSES,
        session__status=SessionStatus.SCHEDULED,
        session__start__gt=now,
        session__start__lt=max(end for _, end in times) + margin,
        session__end__gt=min(start for start, _ in times) - margin,
        session__booking__status=BookingStatus.CONFIRMED,
    )
    if but is not None:
        unfilled = unfilled.exclude(session__booking_id=but)
    return sorted(set(unfilled.values_list("session__booking_id", flat=True)))


def unfilled_restaff_queue(*, start: datetime, end: datetime) -> list[int]:
    """Re-staff (in the worker) every live booking with an unfilled place in or near [start,
    end): called when a peer adds time there. Returns the bookings queued."""
    booking_ids = unfilled_bookings_near(times=[(start, end)])
    for booking_id in booking_ids:
        booking_restaff_queue(booking_id=booking_id)
    return booking_ids


def unfilled_restaff_for_availability(sender, *, peer: Peer, **kwargs) -> list[int]:
    """A peer saved their availability: re-staff, in the worker, the live bookings with a place
    still unfilled on a session to come (the peer may now be free for it). Connected to
    peers.held_time.availability_saved."""
    now = timezone.now()
    return unfilled_restaff_queue(start=now, end=now + timedelta(days=400))
