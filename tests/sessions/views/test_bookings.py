"""The booking pages: choose a time, book it, see the panel, move it, cancel it."""

import html
import re
from datetime import date, datetime, timedelta

import pytest
from django.utils import timezone

from peers.models import Council, Peer
from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import clock_text, day_text
from sessions.models import Booking, BookingStatus, Seat, SeatStatus
from tests.factories import Pool, bearer, london, make_available, make_council, make_peer, make_user

pytestmark = pytest.mark.django_db

OFFER = "recovery-and-renewal-panel"
BOOK = f"/offers/{OFFER}/book/"
CHECK = f"/offers/{OFFER}/book/check/"


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


def test_a_booker_sees_their_council_fixed_and_the_month_of_the_earliest_day(client, panel):
    response = signed_in(client, panel.booker).get(BOOK)
    assert response.status_code == 200
    text = text_of(response)
    earliest = timezone.localdate() + timedelta(days=10)
    assert "Choose a day" in text
    assert "for Wigan Council" in text
    assert f"{earliest:%B %Y}" in text
    assert '<select name="council"' not in response.content.decode()
    assert "Bolton Council" not in text


def test_an_adviser_picks_among_their_councils_and_staff_among_all(client, panel):
    adviser = make_user()
    make_council("Salford City Council", principal_adviser=adviser)
    Council.objects.filter(pk=panel.council.pk).update(principal_adviser=adviser)
    page = signed_in(client, adviser).get(BOOK).content.decode()
    assert '<select name="council"' in page
    assert "Wigan Council" in page and "Salford City Council" in page
    assert "Bolton Council" not in page
    assert "month-calendar" not in page  # no month until a council is chosen
    page = client.get(BOOK, {"council": panel.council.pk}).content.decode()
    assert "month-calendar" in page
    staff = make_user(is_staff=True)
    page = signed_in(client, staff).get(BOOK).content.decode()
    assert '<select name="council"' in page
    assert "Wigan Council" in page and "Bolton Council" in page


def calendar_counts(response) -> dict[str, int]:
    """The month's days with times, as their accessible names say: 'Tuesday 15 December: 6 times'."""
    return {
        label: int(count)
        for label, count in re.findall(
            r'aria-label="(\w+ \d+ \w+): (\d+) times?"', response.content.decode()
        )
    }


def test_the_month_counts_the_times_the_slot_search_offers_each_day(client, api_client, panel):
    first = panel.day.replace(day=1)
    following = (first + timedelta(days=32)).replace(day=1)
    response = signed_in(client, panel.booker).get(BOOK, {"month": f"{first:%Y-%m}"})
    assert response.status_code == 200
    shown = calendar_counts(response)
    earliest = timezone.localdate() + timedelta(days=10)
    found = api_client.get(
        f"/offers/{OFFER}/slots",
        query_params={
            "council": panel.council.id,
            "start": datetime.combine(max(first, earliest), datetime.min.time(), UK).isoformat(),
            "end": datetime.combine(following, datetime.min.time(), UK).isoformat(),
        },
        headers=bearer(panel.booker),
    ).json()
    expected: dict[str, int] = {}
    for slot in found:
        day = datetime.fromisoformat(slot["start"]).astimezone(UK).date()
        label = f"{day:%A} {day.day} {day:%B}"
        expected[label] = expected.get(label, 0) + 1
    assert shown == expected
    assert shown[f"{panel.day:%A} {panel.day.day} {panel.day:%B}"] > 0
    text = text_of(response)
    assert f"{sum(expected.values())} times on {len(expected)} days in {first:%B}" in text
    page_html = response.content.decode()
    assert f'href="{BOOK}?day={panel.day.isoformat()}#times"' in html.unescape(page_html)


def test_the_month_links_to_the_next_and_previous_months_within_the_horizon(client, panel):
    signed_in(client, panel.booker)
    earliest = timezone.localdate() + timedelta(days=10)
    page_html = client.get(BOOK).content.decode()
    assert "Previous month" not in page_html
    following = (earliest.replace(day=1) + timedelta(days=32)).replace(day=1)
    assert f"?month={following:%Y-%m}#month" in page_html
    page_html = client.get(BOOK, {"month": f"{following:%Y-%m}"}).content.decode()
    assert f"?month={earliest:%Y-%m}#month" in page_html
    assert f"{following:%B %Y}" in page_html


def test_a_days_times_show_their_panels_in_plain_words(client, panel):
    response = signed_in(client, panel.booker).get(BOOK, {"day": panel.day.isoformat()})
    assert response.status_code == 200
    text = text_of(response)
    assert f"Choose a time on {long_date(panel.day)}" in text
    assert "10:00 to 13:00" in text
    assert "14:00 to 17:00" in text  # peers are free 09:00-17:00: 14:00 is the last start
    assert "14:30 to 17:30" not in text
    assert (
        "Lead member peer: Lead Labour, Labour, like your leader; "
        "new to panels for metropolitan boroughs; from Cardiff Council"
    ) in text
    assert (
        "Officer peer: Officer Recovery, Chief executive; brings a skill this panel needs" in text
    )
    assert (
        "The same panel as at 09:00: Lead Labour, Member Green, Officer Recovery and Fay Facilitator."
        in text
    )
    for score in ("seniority", "fit of", "(+", "Next best"):
        assert score not in text
    page_html = response.content.decode()
    value = london(panel.day, 10).isoformat()
    assert f'type="radio" value="{value}"' in page_html
    assert f'name="panel@{value}" value="{panel.lead.pk}|Lead member peer"' in page_html
    # The notes and "why not" sit beside the times, not below a wall of them.
    assert page_html.index('name="notes"') < page_html.index("Why not another time?")
    assert "Explain this time" in text


def test_a_day_without_times_says_so(client, panel):
    Peer.objects.filter(pk=panel.officer.pk).update(is_active=False)
    text = text_of(signed_in(client, panel.booker).get(BOOK, {"day": panel.day.isoformat()}))
    assert "No times on this day" in text
    assert "Choose another day" in text


def test_a_day_outside_the_bookable_range_goes_back_to_the_month(client, panel):
    signed_in(client, panel.booker)
    past = timezone.localdate() - timedelta(days=1)
    text = text_of(client.get(BOOK, {"day": past.isoformat()}))
    assert "There is a problem" in text
    assert "Choose a day from" in text


def test_why_not_this_time_is_answered_beside_the_days_times(client, panel):
    signed_in(client, panel.booker)
    day = {"day": panel.day.isoformat()}
    soon = timezone.localdate() + timedelta(days=2)
    text = text_of(client.get(BOOK, {**day, "why-date": soon.isoformat(), "why-time": "10:00"}))
    assert "That time cannot be booked" in text
    assert "Inside the 10-day minimum notice" in text

    book(client, panel, 10)
    text = text_of(
        client.get(BOOK, {**day, "why-date": panel.day.isoformat(), "why-time": "11:00"})
    )
    assert "A whole panel cannot be staffed then" in text
    assert re.search(
        r"(Lead member|Member|Officer) peer: the only [a-z ]+ peer is busy at that time", text
    )
    text = text_of(
        client.get(BOOK, {**day, "why-date": panel.day.isoformat(), "why-time": "14:00"})
    )
    assert "A whole panel can be staffed then" in text


def test_why_with_a_bad_time_shows_the_problem(client, panel):
    response = signed_in(client, panel.booker).get(
        BOOK, {"day": panel.day.isoformat(), "why-date": panel.day.isoformat(), "why-time": "ten"}
    )
    page_html = response.content.decode()
    assert '<a href="#id_why-time">' in page_html
    assert "Enter the time as hours and minutes" in page_html


# Check your answers, booking, confirmation -------------------------------------------------------


def shown_panel(panel: Pool) -> list[str]:
    return [
        f"{panel.lead.pk}|Lead member peer",
        f"{panel.member.pk}|Member peer",
        f"{panel.officer.pk}|Officer peer",
        f"{panel.facilitator.pk}|LGA lead",
    ]


def chosen(panel: Pool, hour: int = 10, **extra) -> dict:
    value = london(panel.day, hour).isoformat()
    return {
        "start": value,
        "council": panel.council.pk,
        "day": panel.day.isoformat(),
        f"panel@{value}": shown_panel(panel),
        **extra,
    }


def test_check_your_answers_carries_the_panel_shown(client, panel):
    signed_in(client, panel.booker)
    response = client.post(CHECK, chosen(panel, notes="Cabinet and chief officers."))
    assert response.status_code == 200
    text = text_of(response)
    assert "Check your answers before booking" in text
    assert "Offer LGA Recovery & Renewal Panel" in text
    assert "Council Wigan Council" in text
    assert f"Date and time (UK time) {long_date(panel.day)}, 10:00 to 13:00" in text
    assert "Lead member peer: Lead Labour, Labour, like your leader" in text
    assert "Notes for the LGA and the panel Cabinet and chief officers." in text
    assert "Change date and time" in text and "Change notes" in text
    page_html = response.content.decode()
    value = london(panel.day, 10).isoformat()
    carried = re.findall(rf'name="panel@{re.escape(value)}" value="([^"]+)"', page_html)
    assert sorted(carried) == sorted(shown_panel(panel))
    assert 'name="notes" value="Cabinet and chief officers."' in page_html
    assert not Booking.objects.exists()  # nothing is booked until the booker says so


def test_continuing_without_a_time_asks_for_one(client, panel):
    response = signed_in(client, panel.booker).post(
        CHECK, {"council": panel.council.pk, "day": panel.day.isoformat(), "notes": "Kept"}
    )
    assert response.status_code == 422
    text = text_of(response)
    assert "There is a problem" in text
    assert "Choose a time." in text
    assert "Kept" in text
    assert not Booking.objects.exists()


def test_booking_seats_the_panel_checked_and_confirms_with_a_reference(client, panel):
    signed_in(client, panel.booker)
    response = client.post(BOOK, chosen(panel, notes="Our cabinet will attend."))
    booking = Booking.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/bookings/{booking.pk}/confirmation/"
    assert booking.notes == "Our cabinet will attend."
    session = booking.sessions.get()
    assert session.start == london(panel.day, 10)
    assert {(s.role_name, s.peer_id) for s in session.seats.all()} == {
        ("Lead member peer", panel.lead.pk),
        ("Member peer", panel.member.pk),
        ("Officer peer", panel.officer.pk),
        ("LGA lead", panel.facilitator.pk),
    }
    text = text_of(client.get(response["Location"]))
    assert "Booking made" in text
    assert re.fullmatch(r"RRP-\d{2}-0001", booking.reference)
    assert f"Your booking reference {booking.reference}" in text
    assert "What happens next" in text
    assert (
        "Each of the 3 peers on the panel is being sent an invitation now, to accept or "
        "decline, and so is Fay Facilitator, who leads it."
    ) in text
    assert "Your panel is led by Fay Facilitator of the LGA, who chairs the session." in text
    assert f"{long_date(panel.day)}, 10:00 to 13:00" in text


def test_the_confirmation_of_a_request_says_who_is_asked_to_decide_by_when_in_uk_time(
    client, panel
):
    adviser = make_user(first_name="Priya", last_name="Adviser")
    Council.objects.filter(pk=panel.council.pk).update(principal_adviser=adviser)
    signed_in(client, panel.booker)
    client.post(BOOK, chosen(panel))
    booking = Booking.objects.get()
    expires = timezone.now() + timedelta(days=7)
    Booking.objects.filter(pk=booking.pk).update(status="requested", request_expires_at=expires)
    text = text_of(client.get(f"/bookings/{booking.pk}/confirmation/"))
    assert "Booking requested" in text
    # It does not presume the outcome, and the deadline says it is UK time.
    assert (
        "Requested: your Principal Adviser, Priya Adviser, is asked to approve or decline it by "
        f"{day_text(expires)}, {clock_text(expires)} (UK time)."
    ) in text
    assert "will approve" not in text
    detail = text_of(client.get(f"/bookings/{booking.pk}/"))
    assert f"until {day_text(expires)}, {clock_text(expires)} (UK time);" in detail
    assert f"Waiting for approval (until {day_text(expires)}, {clock_text(expires)} (UK time))" in (
        detail
    )


def test_without_an_adviser_the_confirmation_names_the_offers_team(client, panel):
    signed_in(client, panel.booker)
    client.post(BOOK, chosen(panel))
    booking = Booking.objects.get()
    Booking.objects.filter(pk=booking.pk).update(
        status="requested", request_expires_at=timezone.now() + timedelta(days=7)
    )
    text = text_of(client.get(f"/bookings/{booking.pk}/confirmation/"))
    assert "Requested: the LGA Recovery & Renewal Panel team is asked to approve or decline" in text


def test_another_councils_booker_cannot_see_a_confirmation(client, panel):
    book(signed_in(client, panel.booker), panel)
    booking = Booking.objects.get()
    response = signed_in(client, panel.other_booker).get(f"/bookings/{booking.pk}/confirmation/")
    assert response.status_code == 403


def test_a_changed_panel_is_shown_with_why_and_can_be_accepted(client, panel):
    signed_in(client, panel.booker)
    stale = chosen(panel)
    value = stale["start"]
    stale[f"panel@{value}"] = [
        f"{panel.member.pk}|Lead member peer",
        f"{panel.lead.pk}|Member peer",
        f"{panel.officer.pk}|Officer peer",
        f"{panel.facilitator.pk}|LGA lead",
    ]
    response = client.post(BOOK, stale)
    assert response.status_code == 409
    assert not Booking.objects.exists()
    text = text_of(response)
    assert "The panel has changed" in text
    assert "Lead member peer: Member Green was shown, Lead Labour now." in text
    assert "Book with the new panel" in text
    fresh = re.findall(
        rf'name="panel@{re.escape(value)}" value="([^"]+)"', response.content.decode()
    )
    assert sorted(fresh) == sorted(shown_panel(panel))
    response = client.post(BOOK, {**stale, f"panel@{value}": fresh})
    assert response.status_code == 302
    assert Booking.objects.count() == 1


def test_a_time_that_can_no_longer_be_staffed_says_why_and_links_other_times(client, panel):
    # Bolton books 10:00 first; the same peers are the only ones Wigan could have at 11:00.
    book(signed_in(client, panel.other_booker), panel, 10, council=panel.other_council)
    signed_in(client, panel.booker)
    response = client.post(BOOK, chosen(panel, 11, notes="Please focus on the budget."))
    assert response.status_code == 409
    text = text_of(response)
    assert "That time can no longer be staffed" in text
    assert re.search(
        r"(Lead member|Member|Officer) peer: the only [a-z ]+ peer is busy at that time", text
    )
    links = re.findall(
        r"day=(\d{4}-\d{2}-\d{2})&amp;start=([^#\"]+)#times", response.content.decode()
    )
    assert links
    assert Booking.objects.count() == 1


def test_a_time_inside_the_notice_is_refused_with_the_reason(client, panel):
    signed_in(client, panel.booker)
    soon = timezone.localdate() + timedelta(days=3)
    response = client.post(
        BOOK, {"start": london(soon, 10).isoformat(), "council": panel.council.pk}
    )
    assert response.status_code == 409
    text = text_of(response)
    assert "minimum notice" in text
    assert not Booking.objects.exists()


@pytest.mark.parametrize("start", ["", "tomorrow at ten", "2026-12-08T10:00:00"])
def test_a_malformed_choice_is_refused(client, panel, start):
    response = signed_in(client, panel.booker).post(
        BOOK, {"start": start, "council": panel.council.pk, "day": panel.day.isoformat()}
    )
    assert response.status_code == 422
    assert "There is a problem" in response.content.decode()
    assert not Booking.objects.exists()


def test_an_adviser_books_for_one_of_their_councils(client, panel):
    adviser = make_user()
    Council.objects.filter(pk=panel.council.pk).update(principal_adviser=adviser)
    signed_in(client, adviser)
    assert book(client, panel).status_code == 302
    assert Booking.objects.get().booked_by == adviser
    assert book(client, panel, 14, council=panel.other_council).status_code == 403


def test_the_booking_page_explains_the_panel_in_words_and_keeps_scores_for_staff(client, panel):
    signed_in(client, panel.booker)
    book(client, panel, 10)
    booking = Booking.objects.get()
    text = text_of(client.get(f"/bookings/{booking.pk}/"))
    assert "Why this peer: Labour, like your leader" in text
    for score in ("seniority", "fit of", "Next best", "(+"):
        assert score not in text
    signed_in(client, make_user(is_staff=True))
    text = text_of(client.get(f"/bookings/{booking.pk}/"))
    assert "Why chosen: has 1 of the skills wanted (+2); seniority +3" in text
    assert "senior enough to lead the panel (+2)" in text
    assert "Next best: no other eligible peer was free" in text


def test_the_runner_up_is_named_for_staff(client, panel):
    make_available(
        make_peer(
            name="Rhys Reserve", political_group="labour", home_council=panel.lead.home_council
        )
    )
    book(signed_in(client, panel.booker), panel)
    signed_in(client, make_user(is_staff=True))
    text = text_of(client.get(f"/bookings/{Booking.objects.get().pk}/"))
    assert re.search(r"Next best: (Lead Labour|Rhys Reserve|Member Green) \(fit \d+\)", text)


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
    assert "Being staffed (0 of 4 accepted)" in text


def test_moving_a_booking_to_another_time(client, panel):
    signed_in(client, panel.booker)
    book(client, panel, 10)
    booking = Booking.objects.get()
    page = client.get(BOOK, {"booking": booking.pk})
    assert "Move the booking: choose a day" in text_of(page)
    later = panel.day + timedelta(days=1)
    page = client.get(BOOK, {"booking": booking.pk, "day": later.isoformat()})
    assert f"Move the booking to {long_date(later)}" in text_of(page)
    response = client.post(
        CHECK,
        {
            "start": london(later, 10).isoformat(),
            "council": panel.council.pk,
            "booking": booking.pk,
        },
    )
    assert "Check the move before you confirm it" in text_of(response)
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
