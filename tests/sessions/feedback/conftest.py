"""Fixtures after the panel: the pool's panel booked by Wigan's booker, its peers' seats
accepted, and the clock moved to the day after it met."""

from datetime import timedelta

import pytest
import time_machine

from sessions.models import Booking, Seat, SeatStatus
from tests.factories import london
from tests.sent_mail import deliver


@pytest.fixture
def panel(pool, roles, django_capture_on_commit_callbacks) -> Booking:
    """The pool's panel, booked and invited, its seats accepted."""
    from tests.factories import a_booking

    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    Seat.objects.filter(session__booking=booking, status=SeatStatus.INVITED).update(
        status=SeatStatus.ACCEPTED
    )
    deliver()  # the invitations, out of the way
    return Booking.objects.select_related("council", "offer").get(pk=booking.pk)


@pytest.fixture
def after(pool, panel):
    """The clock the morning after the panel (a Wednesday), moving on from there."""
    with time_machine.travel(london(pool.day + timedelta(days=1), 9)) as traveller:
        yield traveller
