"""The booking pages: choose a time, book it, see the panel, move it, cancel it."""

import html
import re
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from peers.models import Council, Peer
from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import day_text
from sessions.models import Booking, BookingStatus, Seat, SeatStatus
from tests.factories import make_council, make_peer, make_user
from tests.sessions.conftest import Pool, london, make_available

pytestmark = pytest.mark.django_db

OFFER = "recovery-and-renewal-panel"
BOOK = f"/offers/{OFFER}/book/"


def long_date(day: date) -> str:
    return f"{day:%A} {day.day} {day:%B %Y}"


@pytest.fixture
def panel(pool) -> Pool:
    """Exactly one Recovery & Renewal panel's worth of peers, for two Labour-led councils."""
    return pool


def signed_in(client, user):
    client.force_login(user)
    return client


def book(client, panel: Pool, hour: int = 10, council: Council | None = None, **extra):
    return client.post(
        BOOK,
        {
            "start": london(panel.day, hour).isoformat(),
            "council": (council or panel.council).pk,
            **extra,
        },
    )


def text_of(response) -> str:
    """The page's visible words, tags dropped and spaces collapsed, for phrase checks."""
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


# The offer page's way in -------------------------------------------------------------------------


def test_the_offer_page_invites_a_booker_to_book(client, panel):
    page_html = signed_in(client, panel.booker).get(f"/offers/{OFFER}/").content.decode()
    assert f'href="{BOOK}"' in page_html
    assert "Book this offer" in page_html


def test_the_offer_page_asks_others_to_sign_in_or_ask_their_adviser(client, panel):
    page_html = client.get(f"/offers/{OFFER}/").content.decode()
    assert "Sign in to book" in page_html
    assert "Book this offer" not in page_html
    signed_in(client, make_user())
    text = text_of(client.get(f"/offers/{OFFER}/"))
    assert "ask your council's Principal Adviser" in text
    assert "Book this offer" not in text


def test_offers_that_cannot_be_booked_have_no_way_in(client, panel):
    signed_in(client, panel.booker)
    assert "Book this offer" not in client.get("/offers/finance-recovery-panel/").content.decode()
    response = client.get("/offers/finance-recovery-panel/book/")
    assert response.status_code == 200
    assert "cannot be booked" in text_of(response)


# Access ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("path", [BOOK, "/bookings/", "/bookings/1/"])
def test_anonymous_visitors_are_sent_to_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")


def test_someone_who_books_for_no_council_is_refused(client, panel):
    assert signed_in(client, make_user()).get(BOOK).status_code == 403


def test_a_booker_cannot_look_for_or_book_times_for_another_council(client, panel):
    signed_in(client, panel.booker)
    response = client.get(
        BOOK, {"council": panel.other_council.pk, "start": panel.day.isoformat(), "weeks": 1}
    )
    assert response.status_code == 403
    assert book(client, panel, council=panel.other_council).status_code == 403
    assert not Booking.objects.exists()


def test_another_councils_booker_cannot_see_or_change_a_booking(client, panel):
    book(signed_in(client, panel.booker), panel)
    booking = Booking.objects.get()
    signed_in(client, panel.other_booker)
    assert client.get(f"/bookings/{booking.pk}/").status_code == 403
    assert client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Not ours"}).status_code == 403
    assert client.get(BOOK, {"booking": booking.pk}).status_code == 403
    assert booking.council.name not in client.get("/bookings/").content.decode()
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


# Looking for times -------------------------------------------------------------------------------


def test_a_booker_sees_their_council_fixed_and_sensible_defaults(client, panel):
    response = signed_in(client, panel.booker).get(BOOK)
    page_html = response.content.decode()
    assert response.status_code == 200
    assert "Wigan Council" in page_html
    assert f'<input type="hidden" name="council" value="{panel.council.pk}"' in page_html
    earliest = timezone.localdate() + timedelta(days=10)
    assert f'value="{earliest.isoformat()}"' in page_html
    assert 'name="weeks" value="4"' in page_html
    assert "Bolton Council" not in page_html


def test_an_adviser_picks_among_their_councils_and_staff_among_all(client, panel):
    adviser = make_user()
    make_council("Salford City Council", principal_adviser=adviser)
    Council.objects.filter(pk=panel.council.pk).update(principal_adviser=adviser)
    page = signed_in(client, adviser).get(BOOK).content.decode()
    assert '<select name="council"' in page
    assert "Wigan Council" in page and "Salford City Council" in page
    assert "Bolton Council" not in page
    staff = make_user(is_staff=True)
    page = signed_in(client, staff).get(BOOK).content.decode()
    assert '<select name="council"' in page
    assert "Wigan Council" in page and "Bolton Council" in page


def test_times_are_listed_by_uk_day_with_their_proposed_panels(client, panel):
    response = signed_in(client, panel.booker).get(
        BOOK, {"council": panel.council.pk, "start": panel.day.isoformat(), "weeks": 1}
    )
    assert response.status_code == 200
    text = text_of(response)
    assert long_date(panel.day) in text
    assert "10:00 to 13:00" in text
    assert "Lead member peer: Lead Labour Member peer (Labour), Cardiff Council" in text
    assert "Officer peer: Officer Recovery Officer peer (Chief executive), Cardiff Council" in text
    assert f"Book 10:00 on {panel.day:%A} {panel.day.day} {panel.day:%B}" in text
    page_html = response.content.decode()
    assert f'name="start" value="{london(panel.day, 10).isoformat()}"' in page_html
    assert 'name="csrfmiddlewaretoken"' in page_html
    # Peers are free 09:00-17:00, so a three-hour panel starts at 14:00 at the latest.
    assert "14:00 to 17:00" in text
    assert "14:30 to 17:30" not in text


def test_no_times_says_so_and_suggests_widening_the_range(client, panel):
    Peer.objects.filter(pk=panel.officer.pk).update(is_active=False)
    text = text_of(
        signed_in(client, panel.booker).get(BOOK, {"start": panel.day.isoformat(), "weeks": 1})
    )
    assert "No times for Wigan Council" in text
    assert "Try a later date or more weeks" in text
    assert "Book 10:00" not in text


@pytest.mark.parametrize(
    ("query", "message", "field"),
    [
        ({"start": "2026-02-30", "weeks": "4"}, "Enter a real date", "id_start"),
        ({"start": "next week", "weeks": "4"}, "Enter a real date", "id_start"),
        ({"start": "", "weeks": "4"}, "Enter the first date to look from", "id_start"),
        ({"weeks": "9"}, "Look at most 8 weeks ahead at a time", "id_weeks"),
        ({"weeks": "0"}, "Enter a number of weeks from 1 to 8", "id_weeks"),
        ({"weeks": "four"}, "Enter a number of weeks from 1 to 8", "id_weeks"),
    ],
)
def test_a_bad_query_shows_the_problem_and_nothing_else(client, panel, query, message, field):
    query = {"start": panel.day.isoformat(), **query}
    response = signed_in(client, panel.booker).get(BOOK, query)
    assert response.status_code == 200
    page_html = response.content.decode()
    assert "There is a problem" in page_html
    assert f'<a href="#{field}">' in page_html
    assert message in page_html
    assert "Book 10:00" not in page_html
    assert "<title>Error:" in page_html


def test_a_date_in_the_past_or_beyond_the_horizon_is_refused(client, panel):
    signed_in(client, panel.booker)
    past = timezone.localdate() - timedelta(days=1)
    assert (
        "The date is in the past"
        in client.get(BOOK, {"start": past.isoformat(), "weeks": 1}).content.decode()
    )
    far = timezone.localdate() + timedelta(days=400)
    assert (
        "Bookings open only up to"
        in client.get(BOOK, {"start": far.isoformat(), "weeks": 1}).content.decode()
    )


def test_why_cannot_i_have_a_time_explains_in_plain_words(client, panel):
    signed_in(client, panel.booker)
    search = {"council": panel.council.pk, "start": panel.day.isoformat(), "weeks": 1}
    soon = timezone.localdate() + timedelta(days=2)
    text = text_of(client.get(BOOK, {**search, "why-date": soon.isoformat(), "why-time": "10:00"}))
    assert "That time cannot be booked" in text
    assert "Inside the 10-day minimum notice" in text

    book(client, panel, 10)
    text = text_of(
        client.get(BOOK, {**search, "why-date": panel.day.isoformat(), "why-time": "11:00"})
    )
    assert "A whole panel cannot be staffed then" in text
    assert re.search(
        r"(Lead member|Member|Officer) peer: the only [a-z ]+ peer is busy at that time", text
    )

    text = text_of(
        client.get(BOOK, {**search, "why-date": panel.day.isoformat(), "why-time": "14:00"})
    )
    assert "A whole panel can be staffed then" in text


def test_why_with_a_bad_time_shows_the_problem(client, panel):
    response = signed_in(client, panel.booker).get(
        BOOK,
        {
            "start": panel.day.isoformat(),
            "weeks": 1,
            "why-date": panel.day.isoformat(),
            "why-time": "ten",
        },
    )
    page_html = response.content.decode()
    assert '<a href="#id_why-time">' in page_html
    assert "Enter the time as hours and minutes" in page_html


# Booking -----------------------------------------------------------------------------------------


def test_booking_a_time_shows_the_booking_and_its_panel(client, panel):
    signed_in(client, panel.booker)
    response = book(
        client, panel, 10, notes="Our cabinet and corporate leadership team will attend."
    )
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/"
    assert booking.council == panel.council
    assert booking.notes == "Our cabinet and corporate leadership team will attend."
    session = booking.sessions.get()
    assert session.start == london(panel.day, 10)

    page = client.get(response["Location"])
    text = text_of(page)
    assert "LGA Recovery & Renewal Panel is booked for Wigan Council: 10:00 on" in text
    assert f"{long_date(panel.day)}, 10:00 to 13:00" in text
    for name in ("Lead Labour", "Member Green", "Officer Recovery"):
        assert name in text
    assert "Officer Recovery , Officer peer (Chief executive), Cardiff Council" in text
    assert "Invited" in text
    assert "Why chosen: has 1 of the skills wanted (+2); seniority +3" in text
    assert "senior enough to lead the panel (+2)" in text
    assert "Next best: no other eligible peer was free" in text
    assert "Cancel this booking" in text
    assert f'href="{BOOK}?booking={booking.pk}"' in page.content.decode()


def test_the_runner_up_is_named(client, panel):
    make_available(
        make_peer(
            name="Rhys Reserve", political_group="labour", home_council=panel.lead.home_council
        )
    )
    book(signed_in(client, panel.booker), panel)
    text = text_of(client.get(f"/bookings/{Booking.objects.get().pk}/"))
    assert re.search(r"Next best: (Lead Labour|Rhys Reserve|Member Green) \(fit \d+\)", text)


def test_a_time_that_can_no_longer_be_staffed_shows_why_and_other_times(client, panel):
    # Bolton books 10:00 first; the same peers are the only ones Wigan could have at 11:00.
    book(signed_in(client, panel.other_booker), panel, 10, council=panel.other_council)
    signed_in(client, panel.booker)
    response = book(client, panel, 11, notes="Please focus on the budget.")
    assert response.status_code == 409
    text = text_of(response)
    assert "There is a problem" in text
    assert "That time can no longer be staffed." in text
    assert re.search(
        r"(Lead member|Member|Officer) peer: the only [a-z ]+ peer is busy at that time", text
    )
    assert "Other times near it" in text
    page_html = response.content.decode()
    buttons = re.findall(r'<button type="submit" name="start" value="([^"]+)"', page_html)
    assert buttons
    for value in buttons:
        moment = datetime.fromisoformat(value)
        assert moment.astimezone(UK) >= london(panel.day, 13, 30) or moment.date() != panel.day
    assert "Please focus on the budget." in page_html  # the notes are kept
    assert Booking.objects.count() == 1

    # One of the alternatives books.
    response = client.post(
        BOOK,
        {"start": buttons[0], "council": panel.council.pk, "notes": "Please focus on the budget."},
    )
    assert response.status_code == 302
    assert Booking.objects.filter(council=panel.council).count() == 1


def test_a_time_inside_the_notice_is_refused_with_the_reason(client, panel):
    signed_in(client, panel.booker)
    soon = timezone.localdate() + timedelta(days=3)
    response = client.post(
        BOOK, {"start": london(soon, 10).isoformat(), "council": panel.council.pk}
    )
    assert response.status_code == 200
    text = text_of(response)
    assert "There is a problem" in text
    assert "minimum notice" in text
    assert not Booking.objects.exists()


@pytest.mark.parametrize("start", ["", "tomorrow at ten", "2026-12-08T10:00:00"])
def test_a_malformed_choice_is_refused(client, panel, start):
    response = signed_in(client, panel.booker).post(
        BOOK, {"start": start, "council": panel.council.pk}
    )
    assert response.status_code == 200
    assert "There is a problem" in response.content.decode()
    assert not Booking.objects.exists()


def test_an_adviser_books_for_one_of_their_councils(client, panel):
    adviser = make_user()
    Council.objects.filter(pk=panel.council.pk).update(principal_adviser=adviser)
    signed_in(client, adviser)
    assert book(client, panel).status_code == 302
    assert Booking.objects.get().booked_by == adviser
    assert book(client, panel, 14, council=panel.other_council).status_code == 403


# Listing, moving and cancelling ------------------------------------------------------------------


def test_the_bookings_list_is_newest_first_with_uk_times(client, panel):
    signed_in(client, panel.booker)
    book(client, panel, 9)
    book(client, panel, 14)
    later, earlier = Booking.objects.order_by("-created_at")
    response = client.get("/bookings/")
    page_html = response.content.decode()
    assert page_html.index(f"/bookings/{later.pk}/") < page_html.index(f"/bookings/{earlier.pk}/")
    text = text_of(response)
    assert f"{day_text(panel.day)}, 14:00" in text
    assert "Being staffed (0 of 3 accepted)" in text


def test_moving_a_booking_to_another_time(client, panel):
    signed_in(client, panel.booker)
    book(client, panel, 10)
    booking = Booking.objects.get()
    page = client.get(BOOK, {"booking": booking.pk})
    assert "Move the booking to another time" in text_of(page)
    later = panel.day + timedelta(days=1)
    page = client.get(BOOK, {"booking": booking.pk, "start": later.isoformat(), "weeks": 1})
    assert f"Move to 10:00 on {day_text(later)}" in text_of(page)
    response = client.post(
        BOOK,
        {
            "start": london(later, 10).isoformat(),
            "council": panel.council.pk,
            "booking": booking.pk,
        },
    )
    assert response.status_code == 302
    assert Booking.objects.count() == 1
    assert booking.sessions.get().start == london(later, 10)
    assert "The booking is moved to 10:00 on" in text_of(client.get(response["Location"]))


def test_cancelling_needs_a_reason(client, panel):
    signed_in(client, panel.booker)
    book(client, panel)
    booking = Booking.objects.get()
    response = client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "   "})
    assert response.status_code == 200
    page_html = response.content.decode()
    assert "There is a problem" in page_html
    assert '<a href="#id_reason">Say why you are cancelling the booking.</a>' in page_html
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CONFIRMED


def test_cancelling_with_a_reason_releases_the_seats(client, panel):
    signed_in(client, panel.booker)
    book(client, panel)
    booking = Booking.objects.get()
    response = client.post(
        f"/bookings/{booking.pk}/cancel/", {"reason": "The cabinet meeting moved."}
    )
    assert response.status_code == 302
    booking.refresh_from_db()
    assert booking.status == BookingStatus.CANCELLED
    assert booking.cancel_reason == "The cabinet meeting moved."
    assert set(Seat.objects.values_list("status", flat=True)) == {SeatStatus.WITHDRAWN}
    text = text_of(client.get(response["Location"]))
    assert "The booking is cancelled" in text
    assert "Why it was cancelled The cabinet meeting moved." in text
    assert "Cancel this booking" not in text
    assert "Move to another time" not in text
    # Cancelling again is refused in words, not an error page.
    again = client.post(f"/bookings/{booking.pk}/cancel/", {"reason": "Twice"})
    assert "This booking is cancelled." in again.content.decode()


def test_the_bookings_link_is_in_the_navigation_for_bookers_only(client, panel):
    assert 'href="/bookings/"' in signed_in(client, panel.booker).get("/").content.decode()
    assert 'href="/bookings/"' not in signed_in(client, make_user()).get("/").content.decode()
