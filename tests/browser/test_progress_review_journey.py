"""The council's booker books a progress review about ten months after the panel met, with the
keyboard alone, at desktop and phone widths: from the panel's booking page into the booking
journey, a day of the month, a time that says how much of the earlier panel it seats again,
the check of the review (the panel it reviews, who is new to the council), then the booking
and its confirmation. axe finds nothing at any step and nothing scrolls sideways."""

import re
from datetime import timedelta

import pytest
import time_machine
from playwright.sync_api import expect

from peers.models import Peer
from peers.selectors import caller_for
from sessions.feedback.models import ProgressReview
from sessions.models import Booking, BookingStatus, Offer, Seat, SeatStatus
from sessions.services import booking_create
from tests.browser.pages import (
    assert_accessible,
    assert_fits,
    assert_only_styled_classes,
    screenshot,
    sign_in,
    tab_to,
)
from tests.factories import a_signed_in_panel, bookable_day, london, make_available

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_broker")]

PASSWORD = "correct horse battery"  # the factories' password
OFFER = "recovery-and-renewal-panel"
ALL_KEPT = "The same panel as before: all 4 of them."
THREE_KEPT = "3 of the 4 from the earlier panel."
EARLIER = "(on the earlier panel)"
# The earlier panel's member peer is now free only in the mornings: later times seat the
# reserve in their place, so a day offers both kinds of time.
MORNINGS = [{"weekday": d, "start": "09:00", "end": "13:00"} for d in range(5)]


def check(page, axe, name: str):
    assert_fits(page)
    assert_accessible(axe, page)
    assert_only_styled_classes(page)
    screenshot(page, f"progress-review-{name}")


def a_met_panel():
    """Wigan's panel, booked by its booker for a day three weeks on, its seats accepted."""
    panel = a_signed_in_panel()
    day = bookable_day()
    Offer.objects.filter(slug=OFFER).update(needs_approval=False)
    booking = booking_create(
        caller=caller_for(panel.booker),
        offer=Offer.objects.get(slug=OFFER),
        council=panel.council,
        start=london(day, 10),
    )
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED)
    Seat.objects.filter(session__booking=booking, peer__isnull=False).update(
        status=SeatStatus.ACCEPTED
    )
    return Booking.objects.get(pk=booking.pk), panel, day


def press(page, locator, key: str = "Enter"):
    """Tab to `locator`, as a keyboard user moves through the page, and press `key`."""
    tab_to(page, locator)
    page.keyboard.press(key)


def test_the_booker_books_the_progress_review_with_the_keyboard(sized_page, live_server, axe):
    page = sized_page
    booking, panel, day = a_met_panel()
    earlier = {
        seat.role_name: seat.peer.name
        for seat in Seat.objects.filter(session__booking=booking).select_related("peer")
    }
    assert earlier["Member peer"] == "Gwen Member"
    # The week after the panel, the review's page says from when it can be booked.
    with time_machine.travel(london(day + timedelta(weeks=1), 9), tick=True):
        sign_in(page, live_server, "booker1", PASSWORD)
        page.goto(f"{live_server.url}/offers/{OFFER}/book/?review={booking.pk}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Book a progress review")
        expect(page.locator("main")).to_contain_text("You can book it from")
        check(page, axe, "0-not-yet")

    # Forty weeks on: the review is offered from thirty-nine weeks after the panel.
    with time_machine.travel(london(day + timedelta(weeks=40), 9), tick=True):
        make_available(Peer.objects.get(name="Gwen Member"), weekly=MORNINGS)
        sign_in(page, live_server, "booker1", PASSWORD)  # long after the last sign-in expired
        page.goto(f"{live_server.url}/bookings/{booking.pk}/")
        press(page, page.get_by_role("link", name="Book a progress review"))

        # The month: the journey's own words for a review, and days with times.
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Book a progress review: choose a day"
        )
        expect(page.locator("main")).to_contain_text(f"(booking {booking.reference})")
        days = page.get_by_role("link", name=re.compile(r"^\w+ \d+ \w+: \d+ times?$"))
        if not days.count():
            press(page, page.get_by_role("link", name="Next month"))
        expect(days.first).to_be_visible()
        check(page, axe, "1-month")
        press(page, days.first)

        # The day: each time says how much of the earlier panel it seats again, and marks
        # each returning peer.
        expect(page.get_by_role("heading", level=1)).to_contain_text(
            "Progress review: choose a time on"
        )
        radios = page.get_by_role("radio")
        hints = [
            page.locator(f"#{radio.get_attribute('id')}-panel").inner_text()
            for radio in radios.all()
        ]
        assert hints, "no times offered"
        # Each time's own description (what a screen reader reads with its radio) says who
        # returns, also where it names the panel of an earlier time rather than repeat it.
        for hint in hints:
            kept = 4 if ALL_KEPT in hint else 3 if THREE_KEPT in hint else None
            assert kept is not None, hint
            assert hint.count(EARLIER) == kept, hint
            assert f"Rhys Reserve {EARLIER}" not in hint
        assert ALL_KEPT in hints[0], hints[0]
        kept_three = next(n for n, hint in enumerate(hints) if THREE_KEPT in hint)
        assert "Member peer: Rhys Reserve, " in hints[kept_three], hints[kept_three]
        assert any("The same panel as at" in hint for hint in hints), hints
        check(page, axe, "2-day")

        # Continue without a time: the error summary takes the focus and leads to the times.
        press(page, page.get_by_role("button", name="Continue"))
        summary = page.locator(".govuk-error-summary")
        expect(summary).to_contain_text("Choose a time.")
        expect(summary).to_be_focused()
        expect(page).to_have_title(re.compile(r"^Error: Progress review: choose a time on "))
        check(page, axe, "3-day-error")
        press(page, summary.get_by_role("link", name="Choose a time."))
        expect(radios.first).to_be_focused()

        # Space chooses the first time (the whole earlier panel); on a phone the arrow keys
        # move on to the first time that seats the reserve in the member peer's place.
        page.keyboard.press("Space")
        expect(radios.first).to_be_checked()
        chosen = 0 if page.width_name == "desktop" else kept_three
        for _ in range(chosen):
            page.keyboard.press("ArrowDown")
        expect(radios.nth(chosen)).to_be_checked()
        expect(radios.nth(chosen)).to_be_focused()
        press(page, page.get_by_role("button", name="Continue"))

        # The check: the panel it reviews, and who is new to the council.
        expect(page.get_by_role("heading", level=1)).to_have_text(
            "Check the progress review before booking"
        )
        answers = page.locator(".govuk-summary-list")
        reviews = answers.locator("#reviewed-row")
        expect(reviews.locator("dt")).to_have_text("The panel it reviews")
        expect(reviews.locator("dd")).to_contain_text(f"Booking {booking.reference}")
        for role, name in earlier.items():
            expect(reviews.locator("dd")).to_contain_text(f"{role}: {name}")
        new = answers.locator("#joining-row")
        expect(new.locator("dt")).to_have_text("New to the council")
        if page.width_name == "desktop":
            expect(new.locator("dd")).to_have_text("Nobody: the same panel sits again")
        else:
            expect(new.locator("dd")).to_have_text(
                "Rhys Reserve (in place of Gwen Member, who is not free or may not sit then)"
            )
        check(page, axe, "4-check")
        press(page, page.get_by_role("button", name="Book the progress review"))

        # The confirmation, and the review seats the panel the check showed.
        expect(page.get_by_role("heading", level=1)).to_have_text("Booking made")
        review = ProgressReview.objects.select_related("review").get(panel=booking).review
        expect(page.locator(".govuk-panel")).to_contain_text(review.reference)
        expect(page.locator("main")).to_contain_text("Each of the 3 peers on the panel")
        check(page, axe, "5-confirmation")
        seated = {
            seat.role_name: seat.peer.name
            for seat in review.sessions.get().seats.filter(peer__isnull=False)
        }
        if page.width_name == "desktop":
            assert seated == earlier
        else:
            assert seated == earlier | {"Member peer": "Rhys Reserve"}

        # Back to the earlier panel's review: it is booked, and says which booking it is.
        page.goto(f"{live_server.url}/bookings/{booking.pk}/progress-review/")
        expect(page.get_by_role("heading", level=1)).to_have_text("Book a progress review")
        expect(page.get_by_role("link", name=f"booking {review.reference}")).to_be_visible()
        check(page, axe, "6-already-booked")
