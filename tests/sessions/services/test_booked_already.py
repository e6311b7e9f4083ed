"""Booking the same offer for the same council at the same start a second time (the browser's
Back, then "Book this time" again) is one refusal for a panel and a series alike: the council
already holds it, with a link to that booking; nothing new is booked."""

import html
import re

import pytest

from sessions.models import Booking, Seat
from tests.factories import bearer, london

pytestmark = pytest.mark.django_db
PANEL = "recovery-and-renewal-panel"
SERIES = "one-to-one-leadership-development"


def text_of(response) -> str:
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def book_by_page(client, slug, pool, start):
    return client.post(
        f"/offers/{slug}/book/", {"start": start.isoformat(), "council": pool.council.pk}
    )


@pytest.mark.parametrize("slug", [PANEL, SERIES])
def test_booking_the_same_time_again_says_the_council_holds_it_and_links_to_it(client, pool, slug):
    if slug == SERIES:
        coach = pool.officer
        coach.skills.add(*coach.skills.model.objects.filter(slug="leadership-coaching"))
    start = london(pool.day, 14 if slug == SERIES else 10)
    client.force_login(pool.booker)
    first = book_by_page(client, slug, pool, start)
    assert first.status_code == 302, text_of(first)
    booking = Booking.objects.get()
    seats = Seat.objects.count()

    again = book_by_page(client, slug, pool, start)
    assert again.status_code == 409
    text = text_of(again)
    assert "Wigan Council already holds this booking" in text
    assert f"(booking {booking.reference})" in text
    assert "Nothing new was booked." in text
    assert f'href="/bookings/{booking.pk}/">See booking {booking.reference}</a>' in (
        again.content.decode()
    )
    # Not the wrong reason: the council's own booking holds the peers' time.
    assert "can no longer be staffed" not in text
    assert "busy" not in text
    assert (Booking.objects.count(), Seat.objects.count()) == (1, seats)


def test_the_api_refusal_names_the_booking_and_its_reference(api_client, pool):
    body = {"offer": PANEL, "council": pool.council.id, "start": london(pool.day, 10).isoformat()}
    first = api_client.post("/bookings", json=body, headers=bearer(pool.booker)).json()
    again = api_client.post("/bookings", json=body, headers=bearer(pool.booker))
    assert again.status_code == 409
    assert again.json()["booking"] == first["id"]
    assert again.json()["reference"] == first["reference"]


def test_the_confirmation_of_a_coaching_series_counts_its_one_peer_in_words(client, pool):
    coach = pool.officer
    coach.skills.add(*coach.skills.model.objects.filter(slug="leadership-coaching"))
    client.force_login(pool.booker)
    book_by_page(client, SERIES, pool, london(pool.day, 14))
    booking = Booking.objects.get()
    text = text_of(client.get(f"/bookings/{booking.pk}/confirmation/"))
    assert "The peer on the panel is being sent an invitation now" in text
    assert "Each of the 1 peer" not in text


def test_a_count_is_said_one_way():
    from scheduling.engine.plurals import counted

    assert counted(1, "the peer is", "each of the {n} peers is") == "the peer is"
    assert counted(3, "the peer is", "each of the {n} peers is") == "each of the 3 peers is"
    assert counted(1200, "one", "{n} peers") == "1,200 peers"
