"""Councils booking the same peers at the same moment: one wins, the others get 409 with
alternatives, and no peer is ever double-booked. Real threads, real database connections."""

import json
from datetime import timedelta

import pytest
from django.db import IntegrityError, connection, transaction
from django.test import Client

from sessions.models import Booking, Seat, Session
from tests.factories import (
    assert_no_peer_double_booked,
    at_once,
    bearer,
    bookable_day,
    london,
    make_booker,
    make_council,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("catalogue")]


def book_at_once(attempts, start):
    """Start every (user, council) booking at the same instant; return the responses."""
    headers = [bearer(user) for user, _ in attempts]

    def booking(i, council):
        body = {
            "offer": "recovery-and-renewal-panel",
            "council": council.id,
            "start": start.isoformat(),
        }
        return lambda: Client().post(
            "/api/bookings",
            data=json.dumps(body),
            content_type="application/json",
            headers=headers[i],
        )

    return at_once([booking(i, council) for i, (_, council) in enumerate(attempts)])


def test_two_councils_booking_the_last_free_panel_at_once(pool):
    for round_ in range(3):
        start = london(bookable_day() + timedelta(days=round_), 10)
        first, second = book_at_once(
            [(pool.booker, pool.council), (pool.other_booker, pool.other_council)], start
        )
        assert sorted([first.status_code, second.status_code]) == [201, 409], (
            first.json(),
            second.json(),
        )
        loser = first if first.status_code == 409 else second
        assert loser.json()["detail"] == "That time can no longer be staffed."
        assert loser.json()["alternatives"]
        assert_no_peer_double_booked()
    assert Booking.objects.count() == 3
    assert Session.objects.count() == 3


def test_five_councils_at_once_only_one_wins(pool):
    attempts = [(pool.booker, pool.council), (pool.other_booker, pool.other_council)]
    for n in range(3):
        council = make_council(f"Extra Council {n}", leader_group="labour")
        attempts.append((make_booker(council), council))
    responses = book_at_once(attempts, london(bookable_day(), 11))
    assert sorted(r.status_code for r in responses) == [201, 409, 409, 409, 409]
    assert Booking.objects.count() == 1
    assert_no_peer_double_booked()


def test_ten_councils_at_once_get_one_panel_and_nine_conflicts_never_a_server_error(pool):
    attempts = [(pool.booker, pool.council), (pool.other_booker, pool.other_council)]
    for n in range(8):
        council = make_council(f"Crowded Council {n}", leader_group="labour")
        attempts.append((make_booker(council), council))
    responses = book_at_once(attempts, london(bookable_day(), 14))
    assert sorted(r.status_code for r in responses) == [201] + [409] * 9, [
        r.content[:200] for r in responses if r.status_code >= 500
    ]
    assert Booking.objects.count() == 1
    assert_no_peer_double_booked()


def test_the_database_itself_refuses_overlapping_holds_on_postgresql(pool):
    if connection.vendor != "postgresql":
        pytest.skip(
            "exclusion constraints are PostgreSQL's; SQLite serialises booking transactions instead"
        )
    response = Client().post(
        "/api/bookings",
        data=json.dumps(
            {
                "offer": "recovery-and-renewal-panel",
                "council": pool.council.id,
                "start": london(bookable_day(), 10).isoformat(),
            }
        ),
        content_type="application/json",
        headers=bearer(pool.booker),
    )
    assert response.status_code == 201
    seat = Seat.objects.get(peer=pool.lead)
    other = Session.objects.create(
        offer=seat.session.offer,
        start=seat.session.start + timedelta(hours=1),
        end=seat.session.end + timedelta(hours=1),
        uid="overlap@peers.local.gov.uk",
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Seat.objects.create(
            session=other,
            role_name="Member peer",
            peer=pool.lead,
            held_from=other.start,
            held_until=other.end,
        )
    # A withdrawn seat holds no time, so it does not clash.
    Seat.objects.create(
        session=other,
        role_name="Member peer",
        peer=pool.lead,
        held_from=other.start,
        held_until=other.end,
        status="withdrawn",
    )
