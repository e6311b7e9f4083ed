"""A council booker finds a time, books it, sees the panel and cancels, in a real browser."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peers.models import Region
from sessions.models import Booking, BookingStatus
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import bookable_day, make_available, make_booker, make_council, make_peer

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # the factories' password
OFFER = "recovery-and-renewal-panel"


def a_council_with_a_panel(username: str):
    council = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
    )
    home = make_council("Cardiff Council", region=Region.WALES, leader_group="labour")
    make_available(make_peer(name="Ann Lead", political_group="labour", home_council=home))
    make_available(make_peer(name="Gwen Member", political_group="green", home_council=home))
    make_available(
        make_peer(
            kind="officer", name="Owen Officer", home_council=home, skills=["recovery-planning"]
        )
    )
    make_booker(council, username)
    return council


def times_heading(page):
    return page.get_by_role("heading", level=2, name=re.compile(r"times? for Wigan Council"))


def test_a_booker_books_a_panel_and_cancels_it(page, live_server, axe):
    a_council_with_a_panel("booker1")
    day = bookable_day()
    sign_in(page, live_server, "booker1", PASSWORD)

    # The offer, and the way in.
    page.goto(f"{live_server.url}/offers/{OFFER}/")
    assert_accessible(axe, page)
    page.get_by_role("link", name="Book this offer").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a time")
    expect(page.get_by_text("Wigan Council", exact=True)).to_be_visible()
    assert_accessible(axe, page)

    # The search, typed with the keyboard: the weeks, then the date, and Enter to submit.
    page.get_by_label("Number of weeks").focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("1")
    page.get_by_label("From").focus()
    page.keyboard.type(day.strftime("%m%d%Y"))
    page.keyboard.press("Enter")
    expect(times_heading(page)).to_be_visible()
    day_heading = f"{day:%A} {day.day} {day:%B %Y}"
    expect(page.get_by_role("heading", level=3, name=day_heading)).to_be_visible()
    first = page.locator(".time-option").first
    expect(first).to_contain_text("09:00 to 12:00")
    expect(first.get_by_role("list", name="Proposed panel")).to_contain_text("Ann Lead")
    assert_accessible(axe, page)

    # A question about a time that is not offered.
    soon = timezone.localdate() + timedelta(days=2)
    page.get_by_label("Date", exact=True).fill(soon.isoformat())
    page.get_by_label("Start time (UK time)").fill("10:00")
    page.get_by_role("button", name="Explain this time").click()
    expect(page.locator(".explanation")).to_contain_text("Inside the 10-day minimum notice")
    assert_accessible(axe, page)

    # Book 10:00 with a note.
    page.get_by_label("Notes for the LGA and the panel (optional)").fill(
        "Cabinet and senior officers."
    )
    page.get_by_role("button", name=f"Book 10:00 on {day:%A} {day.day} {day:%B}").click()
    expect(page.get_by_role("status")).to_contain_text("is booked for Wigan Council: 10:00 on")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "LGA Recovery & Renewal Panel for Wigan Council"
    )
    seats = page.locator(".seat")
    expect(seats).to_have_count(3)
    for name in ("Ann Lead", "Gwen Member", "Owen Officer"):
        expect(page.locator(".seat-list")).to_contain_text(name)
    expect(seats.filter(has_text="Owen Officer")).to_contain_text(
        "Why chosen: has 1 of the skills wanted"
    )
    expect(page.get_by_text(f"{day_heading}, 10:00 to 13:00")).to_be_visible()
    assert_accessible(axe, page)

    # Cancel, with the keyboard only: no reason first, then follow the summary to the field.
    page.get_by_label("Why are you cancelling?").focus()
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Cancel this booking")).to_be_focused()
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Say why you are cancelling the booking.")
    assert_accessible(axe, page)
    summary.get_by_role("link").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Why are you cancelling?")).to_be_focused()
    page.keyboard.type("The cabinet meeting moved.")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The booking is cancelled")
    expect(page.locator(".summary-list")).to_contain_text("The cabinet meeting moved.")
    assert_accessible(axe, page)
    assert Booking.objects.get().status == BookingStatus.CANCELLED

    # The list of bookings.
    page.get_by_role("link", name="Bookings", exact=True).click()
    expect(page.get_by_role("table")).to_contain_text("Cancelled")
    assert_accessible(axe, page)


def test_the_times_and_the_booking_fit_a_phone(phone_page, live_server, axe):
    a_council_with_a_panel("booker2")
    day = bookable_day()
    sign_in(phone_page, live_server, "booker2", PASSWORD)
    phone_page.goto(f"{live_server.url}/offers/{OFFER}/book/?start={day.isoformat()}&weeks=1")
    expect(times_heading(phone_page)).to_be_visible()
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(axe, phone_page)

    phone_page.get_by_role("button", name=f"Book 11:00 on {day:%A} {day.day} {day:%B}").click()
    expect(phone_page.get_by_role("status")).to_contain_text("is booked")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(axe, phone_page)
