"""The peer's learning form and the learning library in a real browser, at desktop and phone
widths: axe finds nothing, nothing scrolls sideways, the form's errors are summarised and
linked, the radios are reached by keyboard, and the library filters."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from peers.models import Region
from peers.selectors import caller_for
from sessions.learning import services
from sessions.learning.models import Visibility
from sessions.models import Booking, BookingStatus, Offer, Seat, SeatStatus, Session
from sessions.services import booking_create
from tests.browser.pages import assert_accessible, assert_fits, sign_in, tab_to
from tests.factories import (
    bookable_day,
    london,
    make_available,
    make_booker,
    make_council,
    make_peer,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # the factories' password


def a_past_panel():
    """Wigan's panel, its seats accepted, its session yesterday; and a Bolton booker."""
    council = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
    )
    other = make_council("Bolton Council", region=Region.NORTH_WEST, leader_group="labour")
    home = make_council("Cardiff Council", region=Region.WALES, leader_group="labour")
    lead = make_peer(
        name="Ann Lead", political_group="labour", home_council=home, user=make_user("ann")
    )
    for peer in (
        lead,
        make_peer(name="Gwen Member", political_group="green", home_council=home),
        make_peer(
            kind="officer", name="Owen Officer", home_council=home, skills=["recovery-planning"]
        ),
        make_peer(kind="facilitator", name="Fay Facilitator", home_council=home),
    ):
        make_available(peer)
    Offer.objects.filter(slug="recovery-and-renewal-panel").update(needs_approval=False)
    booking = booking_create(
        caller=caller_for(make_booker(council, "wigan-booker")),
        offer=Offer.objects.get(slug="recovery-and-renewal-panel"),
        council=council,
        start=london(bookable_day(), 10),
    )
    # The panel as it stands once it has met: its seats accepted, its session yesterday.
    yesterday = timezone.now() - timedelta(days=1)
    Session.objects.filter(booking=booking).update(
        start=yesterday, end=yesterday + timedelta(hours=2)
    )
    Booking.objects.filter(pk=booking.pk).update(status=BookingStatus.CONFIRMED)
    Seat.objects.filter(session__booking=booking, peer__isnull=False).update(
        status=SeatStatus.ACCEPTED
    )
    make_booker(other, "bolton-booker")
    return Seat.objects.get(session__booking=booking, peer=lead)


def test_the_peers_learning_form(live_server, sized_page, axe):
    page = sized_page
    seat = a_past_panel()
    sign_in(page, live_server, "ann", PASSWORD)
    page.goto(f"{live_server.url}/my-sessions/")
    expect(page.get_by_role("heading", name="Learning points to give")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("link", name="Your learning points: LGA Recovery").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your learning points")
    assert_accessible(axe, page)
    assert_fits(page)

    page.get_by_role("button", name="Save the point").click()
    summary = page.locator(".govuk-error-summary")
    expect(summary).to_contain_text("Select the theme the point is about.")
    expect(summary).to_contain_text("Select whether it would work elsewhere.")
    assert_accessible(axe, page)
    assert_fits(page)
    summary.get_by_role("link", name="Select whether it would work elsewhere.").click()
    expect(page.get_by_label("Yes, it would work in most councils")).to_be_focused()

    page.get_by_label("Theme").select_option(label="Recovery: children's services")
    page.get_by_label("What is the council doing?").fill("Care leavers paired with employers.")
    page.get_by_label("Why does it matter?").fill("Four in five stay in work a year on.")
    page.get_by_label("Yes, it would work in most councils").check()
    shared = page.get_by_label("Shared with the sector, without naming the council")
    tab_to(page, page.get_by_label("The panel and the council"))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")
    expect(shared).to_be_checked()
    page.get_by_role("button", name="Save the point").click()
    expect(page.get_by_text("Your learning point is saved.")).to_be_visible()
    expect(
        page.get_by_text("Waiting for the LGA lead to check it names no council")
    ).to_be_visible()
    assert_accessible(axe, page)
    assert_fits(page)
    assert seat.learning_points.get().visibility == Visibility.ANONYMOUS


def test_the_learning_library(live_server, sized_page, axe):
    page = sized_page
    seat = a_past_panel()
    lead = caller_for(seat.peer.user)
    for theme, doing in (
        ("children", "Care leavers paired with local employers."),
        ("digital", "Resident accounts that keep every request in one place."),
    ):
        point = services.point_give(
            seat=seat,
            words=services.PointWords(
                theme=theme,
                doing=doing,
                why="It works.",
                elsewhere="yes",
                visibility=Visibility.ANONYMOUS,
            ),
            caller=lead,
        )
        services.point_check(point=point, caller=caller_for(make_user(is_staff=True)))
    sign_in(page, live_server, "bolton-booker", PASSWORD)
    page.goto(f"{live_server.url}/learning/")
    expect(page.locator(".govuk-summary-card")).to_have_count(2)
    expect(page.get_by_text("Wigan")).to_have_count(0)
    assert_accessible(axe, page)
    assert_fits(page)

    page.get_by_label("Words").fill("employers")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-summary-card")).to_have_count(1)
    expect(page.get_by_text("Care leavers paired with local employers.")).to_be_visible()
    page.get_by_label("Words").fill("")
    page.get_by_label("Theme").select_option(label="Recovery: digital")
    page.get_by_role("button", name="Apply filters").click()
    expect(page.locator(".govuk-summary-card")).to_have_count(1)
    expect(page.get_by_text("Resident accounts")).to_be_visible()
    assert_accessible(axe, page)

    page.goto(f"{live_server.url}/learning/?start=2027-02-31")
    expect(page.locator(".govuk-error-summary")).to_contain_text("Panels from must be a date")
    assert_accessible(axe, page)
    assert_fits(page)
