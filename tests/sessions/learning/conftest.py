"""A panel of the sessions fixtures' pool (Wigan's Recovery & Renewal Panel) whose peers and
LGA lead accepted their seats, seen after it has ended, and its points at each visibility."""

from dataclasses import dataclass
from datetime import timedelta

import pytest

from peers.selectors import caller_for
from sessions.learning import services
from sessions.learning.models import Elsewhere, LearningPoint, Theme, Visibility
from sessions.models import HOLDING_SEAT_STATUSES, Booking, Seat
from sessions.services import answers
from tests.factories import a_booking, london


@dataclass
class Panel:
    booking: Booking
    lead_seat: Seat  # the lead member peer's (roles.peer)
    chair_seat: Seat  # the LGA facilitator's (roles.lga_lead)
    seats: list[Seat]  # every accepted seat


def words(visibility=Visibility.PANEL, **changes) -> services.PointWords:
    fields = {
        "theme": Theme.FINANCE,
        "doing": "A rolling three-year budget reviewed with residents every quarter.",
        "why": "Residents see the trade-offs early, so savings are agreed rather than imposed.",
        "elsewhere": Elsewhere.YES,
        "visibility": visibility,
        **changes,
    }
    return services.PointWords(**fields)


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


def give(panel: Panel, roles, visibility=Visibility.PANEL, **changes) -> LearningPoint:
    """A point from the lead member peer, signed in."""
    return services.point_give(
        seat=panel.lead_seat,
        words=words(visibility, **changes),
        caller=caller_for(roles.peer),
    )


def published(panel: Panel, roles, visibility, **changes) -> LearningPoint:
    """A point shared with the sector and through its last step (checked, or agreed)."""
    point = give(panel, roles, visibility, **changes)
    if visibility == Visibility.ANONYMOUS:
        return services.point_check(point=point, caller=caller_for(roles.lga_lead))
    return services.point_agree(point=point, caller=caller_for(roles.booker))
