"""The pages where staff choose, a booker checks a move, and staff read the programme and the
admin's history, at desktop and phone widths: axe finds nothing, nothing scrolls sideways,
and each is done with the keyboard alone where a choice is made (Tab, Space and Enter)."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from peers.selectors import caller_for
from sessions.models import Booking, Offer, Seat
from sessions.services import answers, booking_create
from sessions.views.staffing import FIRST_SHOWN
from tests.browser.pages import (
    assert_accessible,
    assert_fits,
    assert_only_styled_classes,
    screenshot,
    sign_in,
    tab_to,
)
from tests.factories import (
    a_signed_in_panel,
    bookable_day,
    london,
    make_available,
    make_council,
    make_peer,
    make_user,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_broker")]

PASSWORD = "correct horse battery"  # the factories' password
OFFER = "recovery-and-renewal-panel"


def check(page, axe, name: str, *, site: bool = True):
    assert_fits(page)
    assert_accessible(axe, page)
    if site:
        assert_only_styled_classes(page)
    screenshot(page, f"staff-{name}")


def a_booked_panel(*, extra_members: int = 0) -> tuple[Booking, dict]:
    """Wigan's panel booked by its booker, with more Green member peers free to sit."""
    panel = a_signed_in_panel()
    home = make_council("Swansea Council", leader_group="labour")
    for k in range(extra_members):
        make_available(
            make_peer(
                name=f"Extra Green {k:02d}",
                political_group="green",
                home_council=home,
                skills=["finance"] if k == 4 else [],
            )
        )
    booking = booking_create(
        caller=caller_for(panel.booker),
        offer=Offer.objects.get(slug=OFFER),
        council=panel.council,
        start=london(bookable_day(), 10),
        notes="Cabinet and senior officers.",
    )
    return booking, panel.peers


def test_staff_search_the_seat_chooser_and_seat_a_peer_by_keyboard(sized_page, live_server, axe):
    page = sized_page
    booking, peers = a_booked_panel(extra_members=FIRST_SHOWN + 5)
    make_user("staff1", is_staff=True, first_name="Sam", last_name="Staff")
    seat = Seat.objects.get(peer=peers["member"])
    sign_in(page, live_server, "staff1", PASSWORD)

    page.goto(f"{live_server.url}/seats/{seat.pk}/assign/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Choose a peer for the Member peer seat"
    )
    expect(page.get_by_role("radio")).to_have_count(FIRST_SHOWN)
    expect(page.locator("#eligible-count")).to_contain_text(f"The best {FIRST_SHOWN} of")
    # The peers who cannot take the seat are folded away: the page stays a few screens long.
    expect(page.get_by_text("Ann Lead, Cardiff Council")).to_be_hidden()
    height = page.evaluate("document.documentElement.scrollHeight")
    assert height < 7000, f"the chooser is {height}px tall"
    check(page, axe, "seat-chooser")

    # Search by keyboard: the form is answered by the server.
    tab_to(page, page.get_by_label("Search peers by name, council or skill"))
    page.keyboard.type("finance")
    page.keyboard.press("Enter")
    expect(page.get_by_role("radio")).to_have_count(1)
    expect(page.locator("#eligible-count")).to_contain_text(
        f"1 of the {FIRST_SHOWN + 7} eligible peers matches “finance”"
    )
    check(page, axe, "seat-chooser-search")

    # The ineligible, with why, open from the keyboard.
    page.goto(f"{live_server.url}/seats/{seat.pk}/assign/")
    tab_to(page, page.locator("#not-eligible summary"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("table", name=re.compile("Not eligible"))).to_contain_text("Ann Lead")
    check(page, axe, "seat-chooser-not-eligible")

    radio = page.get_by_role("radio").nth(1)
    name = radio.get_attribute("value")
    tab_to(page, page.get_by_role("radio").first)
    page.keyboard.press("ArrowDown")  # a radio group moves by arrow, as the platform does
    expect(radio).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Seat this peer"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile("Recovery"))
    chosen = Seat.objects.filter(peer_id=int(name)).latest("id")
    assert chosen.runner_up, "the seat records its next best"
    cards = page.locator(".app-seat-list .govuk-summary-card")
    member = cards.filter(has=page.get_by_role("heading", name="Member peer", exact=True))
    expect(member).to_contain_text("Next best:")
    expect(member).not_to_contain_text("no other eligible peer was free")
    check(page, axe, "detail-after-choosing")


def test_a_booker_checks_a_move_beside_the_booking_now(sized_page, live_server, axe):
    page = sized_page
    panel = a_signed_in_panel()
    tuesday = bookable_day()
    # The member sits on Tuesdays only; the reserve member peer is free every weekday.
    make_available(panel.peers["member"], weekly=[{"weekday": 1, "start": "09:00", "end": "17:00"}])
    booking = booking_create(
        caller=caller_for(panel.booker),
        offer=Offer.objects.get(slug=OFFER),
        council=panel.council,
        start=london(tuesday, 10),
        notes="",
    )
    answers.seat_answer(seat_id=Seat.objects.get(peer=panel.peers["lead"]).pk, accept=True)
    wednesday = tuesday + timedelta(days=1)
    sign_in(page, live_server, "booker1", PASSWORD)
    page.goto(f"{live_server.url}/offers/{OFFER}/book/?booking={booking.pk}&day={wednesday}")
    first = page.get_by_role("radio").first  # a radio group is reached at its first
    tab_to(page, first)
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Check the move before you confirm it"
    )
    summary = page.locator(".govuk-summary-list")
    expect(summary).to_contain_text("Date and time now (UK time)")
    expect(summary).to_contain_text(f"{tuesday:%A} {tuesday.day} {tuesday:%B %Y}, 10:00 to 13:00")
    expect(page.locator("#leaving-row")).to_contain_text("Gwen Member")
    expect(page.locator("#joining-row")).to_contain_text("Rhys Reserve")
    check(page, axe, "check-the-move")
    tab_to(page, page.get_by_role("button", name="Move the booking"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_be_visible()
    assert Seat.objects.filter(peer=panel.reserve).exists()


def test_staff_read_the_spread_of_the_work(sized_page, live_server, axe):
    page = sized_page
    a_booked_panel(extra_members=3)
    make_user("staff1", is_staff=True)
    sign_in(page, live_server, "staff1", PASSWORD)
    day = bookable_day()
    page.goto(
        f"{live_server.url}/programme/?start={day - timedelta(days=3)}&end={day + timedelta(days=3)}"
    )
    # The panel's three peers, and apart from them its LGA lead, Fay Facilitator.
    spread = page.locator("#spread")
    expect(spread).to_contain_text("Every eligible peer")
    expect(spread).to_contain_text("Peers who had time free")
    expect(spread).to_contain_text("Peers seated at least once (3)")
    expect(
        page.get_by_role("table", name="The distribution the spread is measured on")
    ).to_be_visible()
    theirs = page.locator("#facilitators-spread")
    expect(theirs).to_contain_text("Every eligible facilitator (1)")
    expect(theirs).to_contain_text("Facilitators seated at least once (1)")
    distribution = page.get_by_role(
        "table", name="The distribution the facilitators' spread is measured on"
    )
    expect(distribution).to_be_visible()
    # One facilitator, on one session, who had time free.
    expect(distribution.get_by_role("row", name="1 1 1", exact=True)).to_be_visible()
    loaded = page.get_by_role(
        "table", name="The most loaded facilitators against their monthly caps"
    )
    expect(loaded).to_contain_text("Fay Facilitator")
    expect(
        page.get_by_role("table", name="The most loaded peers against their monthly caps")
    ).not_to_contain_text("Fay Facilitator")
    check(page, axe, "programme-spread")


def test_the_admin_history_fits_a_phone_and_names_who_acted(sized_page, live_server, axe):
    page = sized_page
    booking, peers = a_booked_panel()
    seat = Seat.objects.get(peer=peers["lead"])
    answers.seat_answer(seat_id=seat.pk, accept=False, once=True)  # as by the e-mailed link
    make_user("admin1", is_staff=True, is_superuser=True)
    sign_in(page, live_server, "admin1", PASSWORD)
    page.goto(f"{live_server.url}/admin/offer_sessions/seat/{seat.pk}/history/")
    table = page.locator("#change-history")
    expect(table).to_contain_text("Ann Lead (by the link in their e-mail)")
    expect(table).to_contain_text("Status: from Invited to Declined")
    expect(table).not_to_contain_text("None")
    check(page, axe, "admin-seat-history", site=False)
    page.goto(f"{live_server.url}/admin/offer_sessions/booking/{booking.pk}/history/")
    expect(page.locator("#change-history")).to_contain_text("Status: Live")
    check(page, axe, "admin-booking-history", site=False)
