"""Fixtures for attendance: the pool's panel booked by Wigan's booker, the council's
participants it names, and "now" moved to the afternoon of its day, after it has started."""

import pytest
import time_machine

from peers.selectors import caller_for
from sessions.models import HOLDING_SEAT_STATUSES, Booking, Seat, Session
from sessions.participants.models import Participant
from sessions.participants.services import participants_set
from tests.factories import a_booking, london
from tests.sessions.participants.people import CHIEF, LEADER


@pytest.fixture
def booking(pool, django_capture_on_commit_callbacks) -> Booking:
    return a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)


@pytest.fixture
def session(booking) -> Session:
    return booking.sessions.get()


@pytest.fixture
def seats(session) -> dict[str, Seat]:
    """The session's seats by role: the three peers' and the LGA lead's."""
    held = session.seats.filter(status__in=HOLDING_SEAT_STATUSES, peer__isnull=False)
    return {seat.role_name: seat for seat in held.select_related("peer")}


@pytest.fixture
def participants(pool, booking) -> dict[str, Participant]:
    """Wigan's leader and chief executive, named by the booker on the morning of the panel."""
    named = participants_set(
        caller=caller_for(pool.booker),
        booking=booking,
        people=[LEADER, CHIEF],
        now=london(pool.day, 9),
    )
    return {p.role: p for p in named}


@pytest.fixture
def after(pool):
    """Now is 14:00 on the panel's day: it started at 10:00."""
    with time_machine.travel(london(pool.day, 14), tick=False) as traveller:
        yield traveller
