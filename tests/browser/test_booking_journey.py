"""A council booker chooses a month, a day and a time, checks the answers, books and is told
what happens next, with the keyboard alone, on a desktop and on a phone; then cancels."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from peers.models import Peer, Region
from peers.services import availability_update
from sessions.models import Booking, BookingStatus
from tests.browser.pages import assert_accessible, sign_in
from tests.factories import (
    bookable_day,
    make_available,
    make_booker,
    make_council,
    make_peer,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # the factories' password
OFFER = "recovery-and-renewal-panel"
DESKTOP, PHONE = 1280, 390
# Set to a folder to keep a screenshot of each step (for looking at the pages by eye).
SCREENSHOTS = os.environ.get("BROWSER_SCREENSHOTS", "")


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "phone"])
def sized_page(request, chromium):
    width = request.param
    phone = width == PHONE
    context = chromium.new_context(
        viewport={"width": width, "height": 844 if phone else 900},
        is_mobile=phone,
        has_touch=phone,
        locale="en-GB",
        timezone_id="Europe/London",
    )
    page = context.new_page()
    page.set_default_timeout(15_000)
    page.width = width
    yield page
    context.close()


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
    make_available(make_peer(kind="facilitator", name="Fay Facilitator", home_council=home))
    make_booker(council, username)
    return council


def check_page(page, axe, step: str):
    """No violations, nothing wider than the screen, and a screenshot if asked for."""
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"), step
    assert_accessible(axe, page)
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{SCREENSHOTS}/{page.width}-{step}.png", full_page=True)


def press_on(page, locator, key: str = "Enter"):
    """Move the keyboard focus to `locator` and press `key`: no pointer involved."""
    locator.focus()
    expect(locator).to_be_focused()
    page.keyboard.press(key)


def test_a_booker_chooses_a_day_and_a_time_checks_and_books_by_keyboard(
    sized_page, live_server, axe
):
    page = sized_page
    a_council_with_a_panel("booker1")
    day = bookable_day()
    day_name = f"{day:%A} {day.day} {day:%B}"
    sign_in(page, live_server, "booker1", PASSWORD)

    page.goto(f"{live_server.url}/offers/{OFFER}/")
    press_on(page, page.get_by_role("link", name="Book this offer"))

    # The month: days with times are links named with their count of times.
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a day")
    if not page.get_by_role("link", name=re.compile(rf"^{day_name}: \d+ times$")).count():
        press_on(page, page.get_by_role("link", name="Next month"))
    expect(page.get_by_role("heading", level=2, name=f"{day:%B %Y}")).to_be_visible()
    check_page(page, axe, "1-month")
    press_on(page, page.get_by_role("link", name=re.compile(rf"^{day_name}: \d+ times$")))

    # The day: its times as a group of radios, each with its panel in plain words.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Choose a time on {day:%A} {day.day} {day:%B %Y}"
    )
    ten = page.get_by_role("radio", name="10:00 to 13:00")
    expect(page.locator("#time-0900-panel")).to_contain_text(
        "Lead member peer: Ann Lead, Labour, like your leader"
    )
    expect(page.locator("#time-1000-panel")).to_contain_text(
        "The same panel as at 09:00: Ann Lead, Gwen Member, Owen Officer and Fay Facilitator."
    )
    expect(page.locator("main")).not_to_contain_text("seniority")
    check_page(page, axe, "2-day")

    # Continue without choosing: the error summary leads back to the times.
    press_on(page, page.get_by_role("button", name="Continue"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Choose a time.")
    check_page(page, axe, "3-day-error")
    press_on(page, summary.get_by_role("link", name="Choose a time."))

    # Choose 10:00 with the arrow keys, write a note, continue.
    press_on(page, page.get_by_role("radio").first, " ")
    for _ in range(12):
        if ten.is_checked():
            break
        page.keyboard.press("ArrowDown")
    expect(ten).to_be_checked()
    press_on(page, page.get_by_label("Notes for the LGA and the panel (optional)"), "End")
    page.keyboard.type("Cabinet and senior officers.")
    # Tab leads on to the optional "Who will attend" rows (test_participants_journey.py fills
    # them); this booker names nobody and goes on.
    page.keyboard.press("Tab")
    expect(page.get_by_role("group", name="Participant 1").get_by_label("Name")).to_be_focused()
    press_on(page, page.get_by_role("button", name="Continue"))

    # Check your answers: the time, the panel in words, the notes, with change links.
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before booking")
    answers = page.locator(".govuk-summary-list")
    expect(answers).to_contain_text(f"{day:%A} {day.day} {day:%B %Y}, 10:00 to 13:00")
    expect(answers).to_contain_text("Officer peer: Owen Officer, Chief executive")
    expect(answers).to_contain_text("Cabinet and senior officers.")
    expect(page.get_by_role("link", name="Change date and time")).to_be_visible()
    check_page(page, axe, "4-check")
    press_on(page, page.get_by_role("button", name="Book this time"))

    # Confirmation: the reference and what happens next.
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking made")
    booking = Booking.objects.get()
    expect(page.locator(".govuk-panel")).to_contain_text(booking.reference)
    assert re.fullmatch(r"RRP-\d{2}-0001", booking.reference)
    expect(page.locator("main")).to_contain_text(f"give your reference, {booking.reference}")
    expect(page.get_by_role("heading", name="What happens next")).to_be_visible()
    expect(page.locator("main")).to_contain_text("Each of the 3 peers on the panel")
    check_page(page, axe, "5-confirmation")
    assert booking.notes == "Cabinet and senior officers."
    assert {seat.peer.name for seat in booking.sessions.get().seats.all()} == {
        "Ann Lead",
        "Fay Facilitator",
        "Gwen Member",
        "Owen Officer",
    }

    # The booking, and cancelling it with the keyboard.
    press_on(page, page.get_by_role("link", name="See the booking and its panel"))
    expect(page.locator(".app-seat-list")).to_contain_text(
        "Why this peer: Labour, like your leader"
    )
    expect(page.locator(".app-seat-list")).not_to_contain_text("fit of")
    check_page(page, axe, "6-booking")
    press_on(page, page.get_by_label("Why are you cancelling?"), "End")
    page.keyboard.type("The cabinet meeting moved.")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Cancel this booking")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("The booking is cancelled")
    assert Booking.objects.get().status == BookingStatus.CANCELLED

    # The bookings list finds it by its reference, typed as it might be said on the phone.
    page.goto(f"{live_server.url}/bookings/")
    code, year, number = booking.reference.split("-")
    press_on(page, page.get_by_label("Find a booking"), "End")
    page.keyboard.type(f"{code.lower()} {year} {int(number)}")
    page.keyboard.press("Enter")
    expect(page.locator("#found-count")).to_have_text(re.compile(r"^1 booking matches"))
    expect(page.get_by_role("table")).to_contain_text(booking.reference)
    check_page(page, axe, "10-bookings-found")


def test_why_not_another_time_is_answered_beside_the_times(sized_page, live_server, axe):
    page = sized_page
    a_council_with_a_panel("booker2")
    day = bookable_day()
    sign_in(page, live_server, "booker2", PASSWORD)
    page.goto(f"{live_server.url}/offers/{OFFER}/book/?day={day.isoformat()}")
    side = page.get_by_role("complementary")
    press_on(page, side.get_by_label("Start time (UK time)"), "End")
    page.keyboard.type("18:00")
    page.keyboard.press("Enter")
    expect(side.get_by_role("status")).to_contain_text("Outside office hours")
    expect(side.get_by_role("status")).to_contain_text("UK time")
    expect(side.get_by_role("status")).not_to_contain_text("London time")
    check_page(page, axe, "7-why-not")


def test_an_adviser_chooses_the_council_and_accepts_a_changed_panel(sized_page, live_server, axe):
    page = sized_page
    council = a_council_with_a_panel("booker3")
    adviser = make_user("adviser3")
    council.principal_adviser = adviser
    council.save()
    make_council("Salford City Council", principal_adviser=adviser)
    day = bookable_day()
    sign_in(page, live_server, "adviser3", PASSWORD)
    page.goto(f"{live_server.url}/offers/{OFFER}/book/")
    page.get_by_label("Council").select_option(label="Wigan Council")
    press_on(page, page.get_by_role("button", name="Show days with times"))
    expect(page.get_by_role("table")).to_be_visible()
    check_page(page, axe, "8-adviser-month")

    # The day's panel is shown; then the lead goes on leave before the booker books.
    page.goto(f"{live_server.url}/offers/{OFFER}/book/?council={council.pk}&day={day.isoformat()}")
    press_on(page, page.get_by_role("radio", name="10:00 to 13:00"), " ")
    press_on(page, page.get_by_role("button", name="Continue"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before booking")
    ann = Peer.objects.get(name="Ann Lead")
    availability_update(peer=ann, leave=[{"first_day": day, "last_day": day}])
    make_available(
        make_peer(name="Rhys Lead", political_group="labour", home_council=ann.home_council)
    )
    press_on(page, page.get_by_role("button", name="Book this time"))
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The panel has changed")
    expect(summary).to_contain_text("Ann Lead was shown, Rhys Lead now")
    expect(summary).to_contain_text("is no longer free then")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Lead member peer: Rhys Lead")
    check_page(page, axe, "9-panel-changed")
    assert not Booking.objects.exists()
    press_on(page, page.get_by_role("button", name="Book with the new panel"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking made")
    seats = {seat.peer.name for seat in Booking.objects.get().sessions.get().seats.all()}
    assert seats == {"Rhys Lead", "Gwen Member", "Owen Officer", "Fay Facilitator"}


def test_booking_the_same_series_again_links_to_the_booking_the_council_holds(
    sized_page, live_server, axe
):
    page = sized_page
    council = a_council_with_a_panel("booker4")
    owen = Peer.objects.get(name="Owen Officer")
    owen.skills.add(*owen.skills.model.objects.filter(slug="leadership-coaching"))
    day = bookable_day()
    sign_in(page, live_server, "booker4", PASSWORD)
    page.goto(
        f"{live_server.url}/offers/one-to-one-leadership-development/book/?day={day.isoformat()}"
    )
    page.get_by_role("radio", name=re.compile("^14:00")).check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before booking")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking made")
    booking = Booking.objects.get()

    # Back to the check page, and "Book this time" again.
    page.go_back()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before booking")
    page.get_by_role("button", name="Book this time").click()
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text(f"{council.name} already holds this booking")
    expect(summary).not_to_contain_text("can no longer be staffed")
    check_page(page, axe, "11-already-booked")
    press_on(page, summary.get_by_role("link", name=f"See booking {booking.reference}"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        f"One-to-one leadership development for {council.name}"
    )
    assert Booking.objects.count() == 1
