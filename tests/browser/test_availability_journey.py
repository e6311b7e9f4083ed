from datetime import date, timedelta

import pytest
from playwright.sync_api import expect

from peers import services
from peers.models import Region
from peers.selectors import caller_for
from scheduling.engine.staffing import bank_holiday
from scheduling.engine.uk_time import day_text
from sessions.models import Offer, Seat, SeatStatus
from sessions.services import booking_create
from tests.browser.pages import assert_accessible, assert_fits, sign_in
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
    """The next such weekday that councils can book (not a bank holiday in England), so its
    hours show in the preview."""
    today = date.today()
    day = today + timedelta(days=(weekday - today.weekday()) % 7 or 7)
    while bank_holiday(day):
        day += timedelta(days=7)
    return day


def preview_day(page, day: date):
    return page.locator(f'#preview [data-date="{day.isoformat()}"]')


def type_date(page, group: str, day: date) -> None:
    """Focus the day box of a date input, then type day, month and year, tabbing between."""
    page.get_by_role("group", name=group).get_by_label("Day").focus()
    for part in (day.day, day.month, day.year):
        page.keyboard.type(str(part))
        page.keyboard.press("Tab")


def test_set_hours_add_an_override_and_see_the_preview_change_by_keyboard(page, live_server, axe):
    user = make_user("peer1", password="a long demo passphrase")
    make_peer(user=user, time_zone="Europe/London", bank_holidays_block=False)
    sign_in(page, live_server, "peer1", "a long demo passphrase")
    page.goto(live_server.url + "/availability/")
    assert_accessible(axe, page)

    tuesday = next_weekday(1)
    expect(preview_day(page, tuesday)).to_contain_text(tuesday.strftime("%a %-d %b"))
    expect(preview_day(page, tuesday)).to_contain_text("Not free")

    # Weekly hours, typed and submitted with the keyboard alone.
    page.get_by_label("Tuesday").focus()
    page.keyboard.type("09:00-12:00, 14:00-17:00")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your weekly hours are saved.")
    expect(preview_day(page, tuesday)).to_contain_text("09:00–12:00, 14:00–17:00")

    # A mistake is summarised as a sentence, and the summary link takes focus to the field.
    page.get_by_label("Wednesday").focus()
    page.keyboard.type("17:00-09:00")
    page.keyboard.press("Enter")
    summary = page.get_by_role("alert")
    expect(summary).to_contain_text("The end of '17:00-09:00' must be later than its start")
    # govuk-frontend's error summary takes focus on load, so it is read out first.
    expect(page.locator(".govuk-error-summary")).to_be_focused()
    page.keyboard.press("Tab")
    expect(summary.get_by_role("link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_label("Wednesday")).to_be_focused()
    expect(page.get_by_label("Wednesday")).to_have_value("17:00-09:00")
    assert_accessible(axe, page)
    page.get_by_label("Wednesday").fill("")
    page.keyboard.press("Enter")

    # A date already past is refused with a clear message.
    type_date(page, "Date", date.today() - timedelta(days=2))
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Date must be today or in the future.")
    assert_accessible(axe, page)

    # Different hours on that Tuesday.
    date_group = page.get_by_role("group", name="Date")
    for box in ("Day", "Month", "Year"):
        date_group.get_by_label(box).fill("")
    type_date(page, "Date", tuesday)
    expect(page.get_by_label("Hours that day")).to_be_focused()
    page.keyboard.type("10:00-11:00")
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text(
        f"Your hours for {day_text(tuesday)} are saved."
    )
    expect(preview_day(page, tuesday)).to_contain_text("10:00–11:00")
    expect(preview_day(page, tuesday + timedelta(days=7))).to_contain_text("09:00–12:00")
    assert_accessible(axe, page)

    # The time zone list starts with UK time; a new zone is chosen by keyboard.
    zone = page.get_by_label("Time zone", exact=True)
    expect(zone.locator("option").first).to_have_text("UK time (Europe/London)")
    zone.focus()
    zone.select_option("Europe/Paris")
    page.keyboard.press("Tab")
    page.get_by_role("button", name="Save settings").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status")).to_contain_text("Your settings are saved.")
    expect(page.get_by_text("Times are in your time zone, Europe/Paris.")).to_be_visible()


def test_the_page_fits_a_phone(phone_page, live_server, axe):
    user = make_user("peer2", password="a long demo passphrase")
    make_peer(user=user)
    sign_in(phone_page, live_server, "peer2", "a long demo passphrase")
    phone_page.goto(live_server.url + "/availability/")
    assert_fits(phone_page)
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
        make_peer(kind="facilitator", name="Fay Facilitator", home_council=home),
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
    for group in ("First day of leave", "Last day of leave"):
        leave_day = page.get_by_role("group", name=group)
        leave_day.get_by_label("Day").fill(str(day.day))
        leave_day.get_by_label("Month").fill(str(day.month))
        leave_day.get_by_label("Year").fill(str(day.year))
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


def test_the_preview_wraps_long_reasons_instead_of_cutting_them(sized_page, live_server, axe):
    user = make_user("peer3", password="a long demo passphrase")
    peer = make_peer(user=user, time_zone="Europe/London")
    first = date.today() + timedelta(days=2)
    services.availability_update(
        peer=peer,
        leave=[
            {
                "first_day": first,
                "last_day": first + timedelta(days=2),
                "note": "Visiting the twin town of Kirklees for the annual civic exchange programme",
            }
        ],
    )
    sign_in(sized_page, live_server, "peer3", "a long demo passphrase")
    sized_page.goto(live_server.url + "/availability/")
    day = preview_day(sized_page, first)
    expect(day).to_contain_text("annual civic exchange programme")
    # No text inside the preview is clipped: every box is at least as wide as its content.
    clipped = sized_page.evaluate(
        """() => [...document.querySelectorAll('#preview *')].filter(
            el => el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflow !== 'visible'
        ).length"""
    )
    assert clipped == 0
    assert_fits(sized_page)
    assert_accessible(axe, sized_page)


def test_the_same_leave_added_twice_is_listed_once(sized_page, live_server, axe):
    page = sized_page
    user = make_user("peer4", password="a long demo passphrase")
    make_peer(user=user, time_zone="Europe/London")
    first, last = date.today() + timedelta(days=9), date.today() + timedelta(days=11)
    sign_in(page, live_server, "peer4", "a long demo passphrase")
    page.goto(live_server.url + "/availability/")
    for _ in range(2):
        type_date(page, "First day of leave", first)
        type_date(page, "Last day of leave", last)
        page.get_by_role("button", name="Add leave").click()
    expect(page.get_by_role("status")).to_contain_text(
        f"You already had leave from {day_text(first)} to {day_text(last)}, so it is listed once."
    )
    expect(page.locator("#leave").get_by_role("button", name="Remove")).to_have_count(1)
    assert_fits(page)
    assert_accessible(axe, page)


def test_the_time_zone_list_reads_by_country_with_uk_time_first(sized_page, live_server, axe):
    page = sized_page
    user = make_user("peer5", password="a long demo passphrase")
    make_peer(user=user, time_zone="Europe/London")
    sign_in(page, live_server, "peer5", "a long demo passphrase")
    page.goto(live_server.url + "/availability/")
    zones = page.get_by_label("Time zone", exact=True)
    expect(zones.locator("option").first).to_have_text("UK time (Europe/London)")
    expect(zones.locator("option[value='Africa/Asmera']")).to_have_count(0)
    zones.select_option(label="Eritrea: Asmara")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_role("status")).to_contain_text("Your settings are saved.")
    expect(page.get_by_text("Times are in your time zone, Africa/Asmara.")).to_be_visible()
    assert_fits(page)
    assert_accessible(axe, page)


def test_a_peer_abroad_previews_what_councils_can_book_in_both_times(sized_page, live_server, axe):
    page = sized_page
    user = make_user("peer6", password="a long demo passphrase")
    peer = make_peer(user=user)
    services.availability_update(
        peer=peer,
        time_zone="America/New_York",
        weekly=[{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
    )
    sign_in(page, live_server, "peer6", "a long demo passphrase")
    page.goto(live_server.url + "/availability/")
    preview = page.locator("#preview")
    expect(preview).to_contain_text("Times are yours, with UK time in brackets where it differs.")
    wednesday = next_weekday(2)
    # Whatever the clocks do this week, New York's 09:00-17:00 ends after 17:30 UK time: what
    # councils can book stops there, and the rest is said to be outside the hours.
    expect(preview_day(page, wednesday)).to_contain_text("–17:30 UK time)")
    expect(preview_day(page, wednesday)).to_contain_text("Outside the hours sessions run")
    assert_fits(page)
    assert_accessible(axe, page)
