"""The booking, request and seat pages on govuk-frontend, at desktop and phone widths: axe finds
nothing, nothing scrolls sideways and no element is left on the legacy styles; then a booker's
journey and a peer's answers done with the keyboard alone (Tab, Enter and Space)."""

import re
from urllib.parse import urlsplit

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from peers.selectors import caller_for
from sessions.models import Booking, Offer, Seat, SeatStatus
from sessions.services import answers, booking_create
from sessions.services import approval_letters as approval
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
    make_user,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_broker")]

PASSWORD = "correct horse battery"  # the factories' password
OFFER = "recovery-and-renewal-panel"


def check(page, axe, name: str):
    assert_fits(page)
    assert_accessible(axe, page)
    assert_only_styled_classes(page)
    screenshot(page, f"booking-{name}")


def a_council_with_a_panel(*, adviser=None):
    """Wigan, its booker, and three peers (each with a sign-in) who can sit on its panel."""
    panel = a_signed_in_panel(adviser=adviser)
    return panel.council, panel.booker, panel.peers


def a_booking(council, by, notes="Cabinet and senior officers.") -> Booking:
    return booking_create(
        caller=caller_for(by),
        offer=Offer.objects.get(slug=OFFER),
        council=council,
        start=london(bookable_day(), 10),
        notes=notes,
    )


def answer_link(live_server, peer, answer: str) -> str:
    seat = Seat.objects.filter(peer=peer).latest("id")
    token = answers.answer_token(
        seat_id=seat.pk, sequence=answers.latest_request_sequence(seat), answer=answer
    )
    return f"{live_server.url}{reverse('answer', kwargs={'token': token})}"


def decide_link(live_server, booking, decision: str) -> str:
    """The adviser's e-mailed link, on the test server."""
    path = urlsplit(approval.decision_url(booking_id=booking.pk, decision=decision)).path
    return f"{live_server.url}{path}"


def test_a_bookers_pages(sized_page, live_server, axe):
    page = sized_page
    a_council_with_a_panel()
    day = bookable_day()
    sign_in(page, live_server, "booker1", PASSWORD)

    page.goto(f"{live_server.url}/offers/{OFFER}/book/?month={day:%Y-%m}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a day")
    expect(page.get_by_role("table")).to_be_visible()
    check(page, axe, "month")

    page.goto(f"{live_server.url}/offers/{OFFER}/book/?day={day.isoformat()}")
    expect(page.get_by_role("radio", name="10:00 to 13:00")).to_be_visible()
    check(page, axe, "day")
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("alert")).to_contain_text("Choose a time.")
    check(page, axe, "day-error")
    page.get_by_label("Start time (UK time)").fill("18:00")
    page.get_by_role("button", name="Explain this time").click()
    expect(page.get_by_role("complementary").get_by_role("status")).to_contain_text(
        "Outside office hours"
    )
    check(page, axe, "day-why-not")

    page.get_by_role("radio", name="10:00 to 13:00").check()
    page.get_by_role("button", name="Continue").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before booking")
    check(page, axe, "check")
    page.get_by_role("button", name="Book this time").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Booking made")
    expect(page.locator(".govuk-panel")).to_contain_text(Booking.objects.get().reference)
    check(page, axe, "confirmation")

    page.get_by_role("link", name="See the booking and its panel").click()
    expect(page.locator(".govuk-tag").first).to_have_text("Being staffed (0 of 4 accepted)")
    expect(page.locator(".app-seat-list")).to_contain_text(
        "Why this peer: Labour, like your leader"
    )
    expect(page.locator(".app-seat-list")).not_to_contain_text("Next best")
    check(page, axe, "detail-booker")
    page.get_by_role("button", name="Cancel this booking").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why you are cancelling the booking.")
    check(page, axe, "detail-error")

    page.get_by_role("link", name="add the joining link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Joining link")
    check(page, axe, "joining-link")
    page.get_by_label(re.compile("Joining link")).fill("not a link")
    page.get_by_role("button", name="Save the joining link").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, axe, "joining-link-error")

    page.goto(f"{live_server.url}/bookings/")
    expect(
        page.get_by_role("link", name=re.compile("^LGA Recovery & Renewal Panel"))
    ).to_be_visible()
    check(page, axe, "list")

    page.goto(f"{live_server.url}/offers/finance-recovery-panel/book/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("cannot be booked here")
    check(page, axe, "closed")


def test_staff_pages_show_the_scores_the_history_and_choosing_a_peer(sized_page, live_server, axe):
    page = sized_page
    council, _, _ = a_council_with_a_panel()
    make_user("staff1", is_staff=True)
    booking = a_booking(council, make_user(is_staff=True))
    sign_in(page, live_server, "staff1", PASSWORD)

    page.goto(f"{live_server.url}/bookings/{booking.pk}/")
    expect(page.locator(".app-seat-list")).to_contain_text("Why chosen:")
    expect(page.locator(".app-seat-list")).to_contain_text("Next best:")
    page.get_by_text("Every change to this booking").click()
    expect(page.get_by_role("table", name="History")).to_be_visible()
    check(page, axe, "detail-staff")

    page.get_by_role("link", name="Choose another peer for the Member peer seat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Choose a peer for the Member peer seat"
    )
    check(page, axe, "seat-assign")
    page.get_by_role("button", name="Seat this peer").click()
    expect(page.get_by_role("alert")).to_be_visible()
    check(page, axe, "seat-assign-error")


def test_an_advisers_request_pages(sized_page, live_server, axe):
    page = sized_page
    Offer.objects.filter(slug=OFFER).update(needs_approval=True)
    adviser = make_user("adviser1", first_name="Ada", last_name="Adviser")
    council, booker, _ = a_council_with_a_panel(adviser=adviser)
    booking = a_booking(council, booker)
    sign_in(page, live_server, "adviser1", PASSWORD)

    page.goto(f"{live_server.url}/requests/")
    expect(page.get_by_role("link", name=re.compile("^Wigan Council"))).to_be_visible()
    check(page, axe, "requests")
    page.get_by_role("link", name=re.compile("^Wigan Council")).click()
    expect(page.locator("#request-status")).to_contain_text("waiting for approval by Ada Adviser")
    check(page, axe, "detail-request")

    page.goto(decide_link(live_server, booking, approval.DECLINE))
    expect(page.get_by_role("heading", level=1)).to_have_text("Decline this request?")
    check(page, axe, "decide")
    page.get_by_role("button", name="Decline the request").click()
    expect(page.get_by_role("alert")).to_contain_text("Say why you are declining the request.")
    check(page, axe, "decide-error")
    page.get_by_label(re.compile("Why")).fill("The council's budget meeting moved.")
    page.get_by_role("button", name="Decline the request").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Request declined")
    check(page, axe, "decide-done")
    page.goto(decide_link(live_server, booking, approval.APPROVE))
    expect(page.get_by_role("alert")).to_contain_text("Nothing has been changed.")
    check(page, axe, "decide-closed")


def test_a_peers_pages(sized_page, live_server, axe):
    page = sized_page
    council, booker, peers = a_council_with_a_panel()
    a_booking(council, booker)

    accept = answer_link(live_server, peers["lead"], "accept")
    page.goto(accept)
    expect(page.get_by_role("heading", level=1)).to_have_text("Accept this seat?")
    check(page, axe, "answer")
    page.get_by_role("button", name="Accept the seat").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: seat accepted")
    check(page, axe, "answer-done")
    page.goto(accept)
    expect(page.get_by_role("alert")).to_contain_text("You have already accepted this invitation")
    check(page, axe, "answer-used")
    page.goto(answer_link(live_server, peers["member"], "decline"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Are you sure you want to decline this seat?"
    )
    check(page, axe, "answer-decline")

    sign_in(page, live_server, "owen", PASSWORD)
    page.goto(f"{live_server.url}/my-sessions/")
    card = page.locator("main section.govuk-summary-card")
    expect(card).to_contain_text("Invited")
    check(page, axe, "my-sessions")
    page.get_by_role("button", name="Create a feed link").click()
    expect(page.locator("#peer-feed")).to_have_value(re.compile(r"/calendars/u/.+\.ics$"))
    check(page, axe, "my-sessions-feed")


def test_a_booker_books_with_the_keyboard_alone(sized_page, live_server, axe):
    """Offer → month → day → a time → check your answers → booked, by Tab, Space and Enter."""
    page = sized_page
    a_council_with_a_panel()
    day = bookable_day()
    day_name = f"{day:%A} {day.day} {day:%B}"
    sign_in(page, live_server, "booker1", PASSWORD)

    page.goto(f"{live_server.url}/offers/{OFFER}/")
    tab_to(page, page.get_by_role("link", name="Book this offer"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a day")
    day_link = page.get_by_role("link", name=re.compile(rf"^{day_name}: \d+ times$"))
    if not day_link.count():
        tab_to(page, page.get_by_role("link", name="Next month"))
        page.keyboard.press("Enter")
        expect(page.get_by_role("heading", level=2, name=f"{day:%B %Y}")).to_be_visible()
    tab_to(page, day_link)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Choose a time on {day_name} {day:%Y}"
    )
    first = page.get_by_role("radio").first
    tab_to(page, first)
    page.keyboard.press("Space")
    expect(first).to_be_checked()
    tab_to(page, page.get_by_label("Notes for the LGA and the panel (optional)"))
    page.keyboard.type("Cabinet and senior officers.")
    tab_to(page, page.get_by_role("button", name="Continue"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Check your answers before booking")
    expect(page.locator(".govuk-summary-list")).to_contain_text("Cabinet and senior officers.")
    tab_to(page, page.get_by_role("button", name="Book this time"))
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", level=1)).to_have_text("Booking made")
    booking = Booking.objects.get()
    assert booking.notes == "Cabinet and senior officers."
    assert booking.sessions.get().start == london(day, 9)  # the first time offered
    assert_only_styled_classes(page)


def test_a_peer_answers_with_the_keyboard_alone(sized_page, live_server, axe):
    """Accepting from the e-mail's link with Enter, declining with Space, and accepting on
    My sessions, reaching each button by Tab."""
    page = sized_page
    council, booker, peers = a_council_with_a_panel()
    a_booking(council, booker)

    page.goto(answer_link(live_server, peers["lead"], "accept"))
    tab_to(page, page.get_by_role("button", name="Accept the seat"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: seat accepted")
    assert Seat.objects.get(peer=peers["lead"]).status == SeatStatus.ACCEPTED

    page.goto(answer_link(live_server, peers["member"], "decline"))
    tab_to(page, page.get_by_role("button", name="Decline the seat"))
    page.keyboard.press("Space")
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank you: seat declined")
    assert Seat.objects.get(peer=peers["member"]).status == SeatStatus.DECLINED

    sign_in(page, live_server, "owen", PASSWORD)
    page.goto(f"{live_server.url}/my-sessions/")
    tab_to(page, page.get_by_role("button", name=re.compile("^Accept the seat")))
    page.keyboard.press("Space")
    expect(page.get_by_role("status")).to_contain_text("You have accepted the Officer peer seat")
    assert Seat.objects.get(peer=peers["officer"]).status == SeatStatus.ACCEPTED
    assert_accessible(axe, page)
