"""A peer answers an invitation in a real browser: the link's page and its button (without
signing in), a used and a tampered link, and the My sessions page with the calendar feed."""

import re

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from peers.selectors import caller_for
from sessions.models import Offer, Seat, SeatStatus
from sessions.services import answers, booking_create
from tests.browser.pages import assert_accessible, assert_fits, screenshot, sign_in, tab_to
from tests.factories import (
    a_signed_in_panel,
    bookable_day,
    london,
)
from tests.sent_mail import run_queued_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_broker")]

PASSWORD = "correct horse battery"  # the factories' password
OFFER = "recovery-and-renewal-panel"


def a_booked_panel():
    """A panel booked for Wigan, each peer with a sign-in; a reserve member peer free too."""
    panel = a_signed_in_panel(booker="booker9")
    council, booker, peers, reserve = panel.council, panel.booker, panel.peers, panel.reserve
    booking_create(
        caller=caller_for(booker),
        offer=Offer.objects.get(slug=OFFER),
        council=council,
        start=london(bookable_day(), 10),
    )
    return peers, reserve


def seat_of(peer) -> Seat:
    return Seat.objects.filter(peer=peer).latest("id")


def link(live_server, peer, answer: str) -> str:
    seat = seat_of(peer)
    token = answers.answer_token(
        seat_id=seat.pk, sequence=answers.latest_request_sequence(seat), answer=answer
    )
    return f"{live_server.url}{reverse('answer', kwargs={'token': token})}"


def test_a_peer_answers_with_the_links_in_the_invitation(page, live_server, axe):
    peers, reserve = a_booked_panel()

    # Accept: the link shows the seat and a button; only the button changes anything.
    accept = link(live_server, peers["lead"], "accept")
    page.goto(accept)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept this seat?")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Lead member peer")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Gwen Member")
    assert_accessible(axe, page)
    assert seat_of(peers["lead"]).status == SeatStatus.INVITED
    page.get_by_role("button", name="Accept the seat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: seat accepted")
    assert_accessible(axe, page)
    assert seat_of(peers["lead"]).status == SeatStatus.ACCEPTED

    # The same link again: a clear page, no button.
    page.goto(accept)
    expect(page.get_by_role("alert")).to_contain_text("You have already accepted this invitation")
    expect(page.get_by_role("button", name="Accept the seat")).to_have_count(0)
    assert_accessible(axe, page)

    # Decline: the page answers at once; the worker then gives the seat to the reserve.
    page.goto(link(live_server, peers["member"], "decline"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to decline this seat?"
    )
    page.get_by_role("button", name="Decline the seat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: seat declined")
    expect(page.get_by_role("main")).to_contain_text("The LGA is finding a replacement")
    assert_accessible(axe, page)
    assert seat_of(peers["member"]).status == SeatStatus.DECLINED
    assert not Seat.objects.filter(peer=reserve).exists()
    run_queued_tasks()
    assert seat_of(reserve).status == SeatStatus.INVITED

    # A link cut short or changed.
    tampered = accept[:-6] + ("x" if accept[-6] != "x" else "y") + accept[-5:]
    page.goto(tampered)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link cannot be used")
    expect(page.get_by_role("alert")).to_contain_text("This link is not valid")
    assert_accessible(axe, page)


def test_a_peer_answers_on_my_sessions_and_gets_a_feed_link(page, live_server, axe):
    peers, _ = a_booked_panel()
    sign_in(page, live_server, "owen", PASSWORD)
    page.get_by_role("link", name="My sessions").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions")
    session = page.locator("main section.govuk-summary-card")
    expect(session).to_have_count(1)
    expect(session).to_contain_text("LGA Recovery & Renewal Panel for Wigan Council")
    expect(session).to_contain_text("Invited")
    assert_accessible(axe, page)

    session.get_by_role("button", name="Accept").click()
    expect(page.get_by_role("status")).to_contain_text("You have accepted the Officer peer seat")
    expect(page.locator("main section.govuk-summary-card")).to_contain_text("Accepted")
    assert seat_of(peers["officer"]).status == SeatStatus.ACCEPTED
    assert_accessible(axe, page)

    page.get_by_role("button", name="Create a feed link").click()
    feed = page.locator("#peer-feed")
    expect(feed).to_have_value(re.compile(r"/calendars/u/.+\.ics$"))
    url = feed.input_value()
    # The one subscribe component every feed has: webcal, Google, Microsoft 365, Outlook.com.
    expect(page.get_by_role("link", name=re.compile("^Subscribe"))).to_have_attribute(
        "href", url.replace("http://", "webcal://").replace("https://", "webcal://")
    )
    for name in ("Add to Google Calendar", "Add to Outlook with a work account (Microsoft 365)"):
        expect(page.get_by_role("link", name=re.compile(re.escape(name)))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Add to Outlook.com"))).to_be_visible()
    page.get_by_role("button", name=re.compile("^Copy link")).click()
    expect(page.locator("#peer-feed ~ .copy-status")).not_to_be_empty()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Turn off the feed").click()
    expect(page.get_by_role("status")).to_contain_text("Your calendar feed is turned off")
    expect(page.get_by_role("button", name="Create a feed link")).to_be_visible()


def test_withdrawing_from_an_accepted_panel_asks_first_and_takes_a_reason(
    sized_page, live_server, axe
):
    page = sized_page
    peers, _ = a_booked_panel()
    seat = seat_of(peers["officer"])
    answers.seat_answer(seat_id=seat.pk, accept=True, peer=peers["officer"])
    peers["officer"].time_zone = "Asia/Kolkata"
    peers["officer"].save()
    sign_in(page, live_server, "owen", PASSWORD)
    page.goto(f"{live_server.url}/my-sessions/")
    card = page.locator("main section.govuk-summary-card")
    expect(card).to_contain_text("Accepted")
    expect(card).to_contain_text("(UK time); ")
    expect(card).to_contain_text("your time (Asia/Kolkata)")
    withdraw = card.get_by_role("button", name=re.compile("^Withdraw"))
    tab_to(page, withdraw)
    page.keyboard.press("Enter")

    # The question, what will happen, and an optional reason: nothing has changed yet.
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to withdraw from this panel?"
    )
    main = page.get_by_role("main")
    expect(main).to_contain_text("The LGA looks for another peer to take your seat straight away.")
    expect(main).to_contain_text("The council's booker is told who takes your place.")
    assert seat_of(peers["officer"]).status == SeatStatus.ACCEPTED
    assert_fits(page)
    assert_accessible(axe, page)
    screenshot(page, "withdraw-confirmation")

    # "No, keep my seat" goes back and changes nothing.
    page.get_by_role("link", name="No, keep my seat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My sessions")
    assert seat_of(peers["officer"]).status == SeatStatus.ACCEPTED

    page.locator("main section.govuk-summary-card").get_by_role(
        "button", name=re.compile("^Withdraw")
    ).click()
    page.get_by_label("Why are you withdrawing? (optional)").fill("I am unwell that week.")
    page.get_by_role("button", name="Yes, withdraw from this panel").click()
    expect(page.get_by_role("status")).to_contain_text(
        "You have withdrawn from the Officer peer seat"
    )
    expect(page.locator("main section.govuk-summary-card")).to_contain_text("Declined")
    assert_fits(page)
    assert_accessible(axe, page)
    declined = seat_of(peers["officer"])
    assert (declined.status, declined.answer_reason) == (
        SeatStatus.DECLINED,
        "I am unwell that week.",
    )


def test_a_coach_answers_a_whole_series_on_my_sessions(sized_page, live_server, axe):
    from peers.models import Skill

    page = sized_page
    panel = a_signed_in_panel(booker="booker9")
    coach = panel.peers["officer"]
    coach.skills.add(Skill.objects.get(slug="leadership-coaching"))
    booking_create(
        caller=caller_for(panel.booker),
        offer=Offer.objects.get(slug="one-to-one-leadership-development"),
        council=panel.council,
        start=london(bookable_day(), 14),
    )
    sign_in(page, live_server, "owen", PASSWORD)
    page.goto(f"{live_server.url}/my-sessions/")
    cards = page.locator("main section.govuk-summary-card")
    expect(cards).to_have_count(3)
    expect(cards.first).to_contain_text("All sessions of the series")
    expect(cards.first).to_contain_text("Session 3 of 3:")
    assert_fits(page)
    assert_accessible(axe, page)
    cards.first.get_by_role("button", name=re.compile("^Accept all 3 sessions")).click()
    expect(page.get_by_role("status")).to_contain_text("on all 3 sessions of the series")
    assert {s.status for s in Seat.objects.filter(peer=coach)} == {SeatStatus.ACCEPTED}

    page.locator("main section.govuk-summary-card").first.get_by_role(
        "button", name=re.compile("^Withdraw from all 3 sessions")
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to withdraw from all 3 sessions of this series?"
    )
    expect(page.get_by_role("main")).to_contain_text("Session 2 of 3:")
    assert_fits(page)
    assert_accessible(axe, page)
    screenshot(page, "withdraw-from-a-series")
    page.get_by_role("link", name="No, keep my seat").click()
    assert {s.status for s in Seat.objects.filter(peer=coach)} == {SeatStatus.ACCEPTED}


def test_one_joining_link_for_a_series(sized_page, live_server, axe):
    from peers.models import Skill

    page = sized_page
    panel = a_signed_in_panel(booker="booker9")
    panel.peers["officer"].skills.add(Skill.objects.get(slug="leadership-coaching"))
    booking = booking_create(
        caller=caller_for(panel.booker),
        offer=Offer.objects.get(slug="one-to-one-leadership-development"),
        council=panel.council,
        start=london(bookable_day(), 14),
    )
    first = booking.sessions.order_by("number").first()
    sign_in(page, live_server, "booker9", PASSWORD)
    page.goto(f"{live_server.url}/sessions/{first.pk}/joining-link/")
    every = page.get_by_label("Use this link for all 3 sessions of this booking still to come")
    expect(every).to_be_checked()
    assert_fits(page)
    assert_accessible(axe, page)
    page.get_by_label("Joining link", exact=True).fill("https://meet.example.org/series")
    page.get_by_role("button", name="Save the joining link").click()
    expect(page.get_by_role("status")).to_contain_text("The joining link is saved")
    assert set(booking.sessions.values_list("joining_url", flat=True)) == {
        "https://meet.example.org/series"
    }
