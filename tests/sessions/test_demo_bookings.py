"""The demo bookings: made through the services, in several states, with a decline, a
replacement and an unfilled seat, so the dashboard and each history show something."""

from io import StringIO

import pytest
from django.core.management import call_command

from sessions.models import Booking, BookingStatus, Seat, SeatStatus

pytestmark = [pytest.mark.django_db, pytest.mark.needs_approval]


def test_seed_demo_books_panels_in_several_states_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Bookings: 6 demo bookings" in out.getvalue()
    bookings = Booking.objects.all()
    assert {b.status for b in bookings} == {
        BookingStatus.CONFIRMED,
        BookingStatus.CANCELLED,
        BookingStatus.REQUESTED,  # one waiting for the adviser; the rest approved
    }
    statuses = set(Seat.objects.values_list("status", flat=True))
    assert {SeatStatus.ACCEPTED, SeatStatus.INVITED, SeatStatus.DECLINED} <= statuses
    assert {SeatStatus.WITHDRAWN} <= statuses
    assert Seat.objects.filter(peer__isnull=True, status=SeatStatus.PROPOSED).exists()
    # Declines are the peers' own, by the link in their e-mail; the replacements the system's.
    declined = Seat.history.filter(status=SeatStatus.DECLINED).first()
    assert declined.history_actor.endswith("(by the link in their e-mail)")
    assert Seat.history.filter(history_user=None, history_actor="").exists()
    # The demo peer sign-in has a session to answer: staff seated them by hand.
    demo_peer_seat = Seat.objects.get(peer__user__username="peer", status=SeatStatus.INVITED)
    assert demo_peer_seat.session.booking.status == BookingStatus.CONFIRMED

    # Run again, nothing is added (the past panels of the demo's learning points included).
    bookings, seats = Booking.objects.count(), Seat.objects.count()
    call_command("seed_demo", stdout=StringIO())
    assert (Booking.objects.count(), Seat.objects.count()) == (bookings, seats)
