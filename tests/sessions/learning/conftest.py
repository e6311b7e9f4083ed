"""A panel of the sessions fixtures' pool (Wigan's Recovery & Renewal Panel) whose peers and
LGA lead accepted their seats, seen after it has ended (helpers: points.py)."""

from datetime import timedelta

import pytest

from sessions.models import HOLDING_SEAT_STATUSES, Seat
from sessions.services import answers
from tests.factories import a_booking, london
from tests.sessions.learning.points import Panel


@pytest.fixture
def panel(pool, roles, django_capture_on_commit_callbacks, time_machine) -> Panel:
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    seats = list(Seat.objects.filter(session__booking=booking, status__in=HOLDING_SEAT_STATUSES))
    for seat in seats:
        answers.seat_answer(seat_id=seat.pk, accept=True)
    session = seats[0].session
    time_machine.move_to(session.end + timedelta(hours=1), tick=False)
    return Panel(
        booking=booking,
        lead_seat=Seat.objects.get(session__booking=booking, peer=pool.lead),
        chair_seat=Seat.objects.get(session__booking=booking, peer=pool.facilitator),
        seats=[Seat.objects.get(pk=seat.pk) for seat in seats],
    )
