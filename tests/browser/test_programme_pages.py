"""The programme dashboard and a booking's history, read by a Principal Adviser in a real
browser at desktop and phone widths: axe finds nothing, and nothing scrolls sideways."""

from datetime import timedelta

import pytest
from playwright.sync_api import expect

from peers.models import Peer, Region
from peers.selectors import caller_for
from sessions import services
from sessions.models import Offer, Seat
from sessions.services import answers, restaffing
from tests.browser.pages import assert_accessible, sign_in
from tests.factories import bookable_day, london, make_available, make_council, make_peer, make_user

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # the factories' password


def a_booked_panel_with_a_decline():
    adviser = make_user("pa-north-west", first_name="Priya", last_name="Shah")
    council = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
        principal_adviser=adviser,
    )
    home = make_council("Cardiff Council", region=Region.WALES, leader_group="labour")
    make_available(make_peer(name="Ann Lead", political_group="labour", home_council=home))
    member = make_available(
        make_peer(name="Gwen Member", political_group="green", home_council=home)
    )
    make_available(make_peer(name="Rhys Reserve", political_group="green", home_council=home))
    make_available(
        make_peer(
            kind="officer", name="Owen Officer", home_council=home, skills=["recovery-planning"]
        )
    )
    make_available(make_peer(kind="facilitator", name="Fay Facilitator", home_council=home))
    booking = services.booking_create(
        caller=caller_for(make_user(is_staff=True)),
        offer=Offer.objects.get(slug="recovery-and-renewal-panel"),
        council=council,
        start=london(bookable_day(), 10),
        notes="Recovery plan",
    )
    seat = Seat.objects.get(peer=Peer.objects.get(pk=member.pk))
    answers.seat_answer(seat_id=seat.pk, accept=False)
    restaffing.booking_restaff(booking_id=booking.pk)  # as the worker does
    return booking


def no_sideways_scroll(page):
    width = page.evaluate("() => document.documentElement.scrollWidth")
    viewport = page.evaluate("() => window.innerWidth")
    assert width <= viewport, f"the page is {width}px wide in a {viewport}px window"


@pytest.mark.parametrize("device", ["page", "phone_page"])
def test_an_adviser_reads_the_programme_and_a_bookings_history(device, request, live_server, axe):
    page = request.getfixturevalue(device)
    booking = a_booked_panel_with_a_decline()
    sign_in(page, live_server, "pa-north-west", PASSWORD)

    menu = page.get_by_role("button", name="Menu")
    if menu.is_visible():  # on a phone the navigation folds into a menu
        menu.click()
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Programme").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Programme")
    day = bookable_day()
    for group, when in (
        ("From", day - timedelta(days=3)),
        ("To (included)", day + timedelta(days=3)),
    ):
        dated = page.get_by_role("group", name=group)
        dated.get_by_label("Day").fill(str(when.day))
        dated.get_by_label("Month").fill(str(when.month))
        dated.get_by_label("Year").fill(str(when.year))
    page.get_by_role("button", name="Show the period").click()
    declines = page.get_by_role("table", name="Declines, and who took the place")
    expect(declines).to_contain_text("Gwen Member")
    expect(declines).to_contain_text("Rhys Reserve (invited)")
    # Each chart's figures are a table for screen readers.
    expect(page.get_by_role("table", name="Bookings by region")).to_contain_text("North West")
    assert_accessible(axe, page)
    no_sideways_scroll(page)

    page.goto(f"{live_server.url}/bookings/{booking.pk}/")
    page.get_by_text("Every change to this booking").click()
    history = page.get_by_role("table", name="History")
    expect(history).to_contain_text("Gwen Member (by the link in their e-mail)")
    expect(history).to_contain_text("Status: from Invited to Declined")
    assert_accessible(axe, page)
    no_sideways_scroll(page)
