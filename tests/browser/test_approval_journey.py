"""A request through the Principal Adviser in a real browser, at a desktop's and a phone's
width: the booker requests a panel, sees it waiting, the adviser approves from the link in
their e-mail (a page whose button decides), and the peers are invited."""

import re
from urllib.parse import urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from playwright.sync_api import expect

from peers.models import Region
from peers.selectors import caller_for
from sessions.models import Booking, BookingStatus, Offer, SeatStatus
from sessions.services import booking_create
from tests.browser.pages import assert_accessible, sign_in, tab_to
from tests.factories import (
    bookable_day,
    london,
    make_available,
    make_booker,
    make_council,
    make_peer,
    make_user,
)
from tests.sent_mail import Mail, run_queued_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_broker")]

PASSWORD = "correct horse battery"  # the factories' password
OFFER = "recovery-and-renewal-panel"


def a_council_with_an_adviser():
    Offer.objects.filter(slug=OFFER).update(needs_approval=True)
    council = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
        principal_adviser=make_user("adviser1", first_name="Ada", last_name="Adviser"),
    )
    home = make_council("Cardiff Council", region=Region.WALES, leader_group="labour")
    peers = [
        make_available(make_peer(name="Ann Lead", political_group="labour", home_council=home)),
        make_available(make_peer(name="Gwen Member", political_group="green", home_council=home)),
        make_available(
            make_peer(
                kind="officer", name="Owen Officer", home_council=home, skills=["recovery-planning"]
            )
        ),
        make_available(make_peer(kind="facilitator", name="Fay Facilitator", home_council=home)),
    ]
    make_booker(council, "booker1")
    return council, peers


def check_page(page, axe):
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(axe, page)


def sent_since(before: int) -> list[Mail]:
    return [Mail.of(message) for message in mail.outbox[before:]]


def test_the_booker_requests_the_adviser_approves_from_the_email_and_the_peers_are_invited(
    sized_page, chromium, live_server, axe
):
    page = sized_page
    council, peers = a_council_with_an_adviser()
    day = bookable_day()
    sign_in(page, live_server, "booker1", PASSWORD)

    page.goto(f"{live_server.url}/offers/{OFFER}/")
    expect(page.locator("main")).to_contain_text(
        "Needs your council's Principal Adviser's approval"
    )
    page.goto(f"{live_server.url}/offers/{OFFER}/book/?day={day.isoformat()}")
    page.get_by_role("radio", name="10:00 to 13:00").check()
    page.get_by_role("button", name="Continue").click()
    page.get_by_role("button", name="Send the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking requested")
    expect(page.locator("main")).to_contain_text("Waiting for approval")
    check_page(page, axe)
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.REQUESTED
    assert {s.status for s in booking.sessions.get().seats.all()} == {SeatStatus.PROPOSED}

    # The booker sees it waiting on the booking page.
    page.goto(f"{live_server.url}/bookings/{booking.pk}/")
    expect(page.locator("#request-status")).to_contain_text("waiting for approval by Ada Adviser")
    check_page(page, axe)

    # The adviser's e-mail: approve and decline links, and no invitation for anyone yet.
    before = len(mail.outbox)
    run_queued_tasks()
    (letter,) = sent_since(before)
    assert letter.to == "adviser1@example.org"
    approve = re.search(r"Approve the request:\s+(\S+)", letter.text).group(1)

    # The adviser opens the link on their device, without signing in: a page and a button.
    context = chromium.new_context(
        viewport=page.viewport_size, locale="en-GB", timezone_id="Europe/London"
    )
    adviser = context.new_page()
    adviser.goto(f"{live_server.url}{urlsplit(approve).path}")
    expect(adviser.get_by_role("heading", level=1)).to_have_text("Approve this request?")
    expect(adviser.locator("main")).to_contain_text("Ann Lead")
    check_page(adviser, axe)
    assert Booking.objects.get().status == BookingStatus.REQUESTED
    adviser.get_by_role("button", name="Approve the request").click()
    expect(adviser.get_by_role("heading", level=1)).to_have_text("Request approved")
    expect(adviser.get_by_role("status")).to_contain_text("the peers are invited")
    check_page(adviser, axe)
    context.close()

    # The peers are invited; the booker sees the new state.
    assert Booking.objects.get().status == BookingStatus.CONFIRMED
    before = len(mail.outbox)
    run_queued_tasks()
    invited = {m.to for m in sent_since(before) if m.method == "REQUEST"}
    assert {p.email for p in peers} <= invited
    page.goto(f"{live_server.url}/bookings/{booking.pk}/")
    expect(page.locator("main")).to_contain_text("Being staffed (0 of 4 accepted)")
    expect(page.locator("main")).to_contain_text("Ada Adviser (by the link in their e-mail)")
    check_page(page, axe)


def test_the_adviser_approves_and_staff_seat_another_peer_by_keyboard_alone(
    sized_page, chromium, live_server, axe
):
    page = sized_page
    council, peers = a_council_with_an_adviser()
    make_available(
        make_peer(name="Rhys Reserve", political_group="green", home_council=peers[1].home_council)
    )
    booking_create(
        caller=caller_for(get_user_model().objects.get(username="booker1")),
        offer=Offer.objects.get(slug=OFFER),
        council=council,
        start=london(bookable_day(), 10),
    )
    before = len(mail.outbox)
    run_queued_tasks()
    (letter,) = sent_since(before)
    approve = re.search(r"Approve the request:\s+(\S+)", letter.text).group(1)

    # The adviser: from the e-mailed link to a decision with Tab and Enter.
    page.goto(f"{live_server.url}{urlsplit(approve).path}")
    tab_to(page, page.get_by_role("button", name="Approve the request"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request approved")
    assert Booking.objects.get().status == BookingStatus.CONFIRMED

    # Staff: from the booking to the member seat's candidates, one chosen with Space, seated.
    make_user("staff1", is_staff=True)
    sign_in(page, live_server, "staff1", PASSWORD)
    page.goto(f"{live_server.url}/bookings/{Booking.objects.get().pk}/")
    tab_to(page, page.get_by_role("link", name="Choose another peer for the Member peer seat"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Member peer")
    tab_to(page, page.get_by_role("radio", name=re.compile("Rhys Reserve")))
    page.keyboard.press("Space")
    tab_to(page, page.get_by_role("button", name="Seat this peer"))
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_contain_text("Rhys Reserve is seated and invited.")
    check_page(page, axe)
    seats = Booking.objects.get().sessions.get().seats.filter(role_name="Member peer")
    assert {(s.peer.name, s.status) for s in seats} == {
        ("Rhys Reserve", SeatStatus.INVITED),
        ("Gwen Member", SeatStatus.WITHDRAWN),
    }


def test_the_adviser_declines_instead_from_the_approve_link_by_keyboard(
    sized_page, live_server, axe
):
    page = sized_page
    council, _ = a_council_with_an_adviser()
    booking_create(
        caller=caller_for(get_user_model().objects.get(username="booker1")),
        offer=Offer.objects.get(slug=OFFER),
        council=council,
        start=london(bookable_day(), 10),
    )
    before = len(mail.outbox)
    run_queued_tasks()
    (letter,) = sent_since(before)
    approve = re.search(r"Approve the request:\s+(\S+)", letter.text).group(1)

    page.goto(f"{live_server.url}{urlsplit(approve).path}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Approve this request?")
    expect(page.get_by_role("heading", level=2, name="Or decline it instead")).to_be_visible()
    check_page(page, axe)

    # Declining without a reason: the error summary leads to the reason; nothing is decided.
    tab_to(page, page.get_by_role("button", name="Decline the request"))
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Say why you are declining the request.")
    check_page(page, axe)
    assert Booking.objects.get().status == BookingStatus.REQUESTED
    tab_to(page, summary.get_by_role("link", name="Say why you are declining the request."))
    page.keyboard.press("Enter")
    expect(page.get_by_label("Why are you declining the request?")).to_be_focused()
    page.keyboard.type("The council has a peer challenge booked already.")
    tab_to(page, page.get_by_role("button", name="Decline the request"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Request declined")
    check_page(page, axe)
    booking = Booking.objects.get()
    assert booking.status == BookingStatus.REJECTED
    assert booking.decision_reason == "The council has a peer challenge booked already."
