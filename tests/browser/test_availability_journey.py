from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import expect

from peers.models import Region
from peers.selectors import caller_for
from scheduling.engine.uk_time import day_text
from sessions.models import Offer, Seat, SeatStatus
from sessions.services import booking_create
from tests.browser.conftest import assert_accessible, sign_in
from tests.factories import (
    bookable_day,
    london,
    make_available,
    make_booker,
    make_council,
    make_peer,
    make_user,
)

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_broker")]


def next_weekday(weekday: int) -> date:
    today = date.today()
    return today + timedelta(days=(weekday - today.weekday()) % 7 or 7)


def test_set_hours_add_an_override_and_see_the_preview_change_by_keyboard(page, live_server, axe):
    user = make_user("peer1", password="a long demo passphrase")
    make_peer(user=user, time_zone="Europe/London", bank_holidays_block=False)
    sign_in(page, live_server, "peer1", "a long demo passphrase")
    page.goto(live_server.url + "/availability/")
    assert_accessible(axe, page)

    tuesday = next_weekday(1)
    row = page.get_by_role("row", name=tuesday.strftime("%a %-d %b"))
    expect(row).to_contain_text("–")

    # Weekly hours, typed and submitted with the keyboard alone.
    page.get_by_label("Tuesday").focus()
    page.keyboard.type("09:00-12:00, 14:00-17:00")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your weekly hours are saved.")
    expect(page.get_by_role("row", name=tuesday.strftime("%a %-d %b"))).to_contain_text(
        "09:00–12:00, 14:00–17:00"
    )

    # A mistake is summarised, and the summary link takes focus to the field.
    page.get_by_label("Wednesday").focus()
    page.keyboard.type("9 till 5")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("Enter hours like 09:00-12:00")
    summary.get_by_role("link").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Wednesday")).to_be_focused()
    expect(page.get_by_label("Wednesday")).to_have_value("9 till 5")
    assert_accessible(axe, page)
    page.get_by_label("Wednesday").fill("")
    page.keyboard.press("Enter")

    # Different hours on that Tuesday.
    page.get_by_label("Date", exact=True).focus()
    page.keyboard.type(tuesday.strftime("%m%d%Y"))
    page.get_by_label("Hours that day").focus()
    page.keyboard.type("10:00-11:00")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        f"Your hours for {day_text(tuesday)} are saved."
    )
    expect(page.get_by_role("row", name=tuesday.strftime("%a %-d %b"))).to_contain_text(
        "10:00–11:00"
    )
    following = tuesday + timedelta(days=7)
    expect(page.get_by_role("row", name=following.strftime("%a %-d %b"))).to_contain_text(
        "09:00–12:00"
    )
    assert ZoneInfo("Europe/London")
    assert_accessible(axe, page)


def test_the_page_fits_a_phone(phone_page, live_server, axe):
    user = make_user("peer2", password="a long demo passphrase")
    make_peer(user=user)
    sign_in(phone_page, live_server, "peer2", "a long demo passphrase")
    phone_page.goto(live_server.url + "/availability/")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    assert_accessible(axe, phone_page)


def test_leave_over_a_held_seat_says_the_seat_is_released(page, live_server, axe):
    council = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
    )
    home = make_council("Cardiff Council", region=Region.WALES, leader_group="labour")
    member = make_peer(
        name="Gwen Member",
        political_group="green",
        home_council=home,
        user=make_user("gwen", password="a long demo passphrase"),
    )
    for peer in (
        make_peer(name="Ann Lead", political_group="labour", home_council=home),
        member,
        make_peer(
            kind="officer", name="Owen Officer", home_council=home, skills=["recovery-planning"]
        ),
    ):
        make_available(peer)
    day = bookable_day()
    booking_create(
        caller=caller_for(make_booker(council, "booker8")),
        offer=Offer.objects.get(slug="recovery-and-renewal-panel"),
        council=council,
        start=london(day, 10),
    )

    sign_in(page, live_server, "gwen", "a long demo passphrase")
    page.goto(live_server.url + "/availability/")
    page.get_by_label("First day").fill(day.isoformat())
    page.get_by_label("Last day").fill(day.isoformat())
    page.get_by_role("button", name="Add leave").click()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Your leave is saved.")
    expect(status).to_contain_text(
        "You were seated on a session in that time, so your seat is released and the LGA is "
        "finding a replacement (the council is told): LGA Recovery & Renewal Panel for Wigan "
        f"Council, {day:%A} {day.day} {day:%B %Y}, 10:00 to 13:00."
    )
    assert_accessible(axe, page)
    assert Seat.objects.get(peer=member).status == SeatStatus.DECLINED
