"""A signed-in councillor's webinar page shows their place, or their number on the waiting
list, with cancel or leave instead of the form; My webinars gives their private calendar
with every way to subscribe; the catalogue shows an offer's status as of today. At desktop
and phone widths: axe-clean, no sideways scrolling, by keyboard alone."""

import re
from datetime import date

import pytest
from playwright.sync_api import expect

from sessions.models import Offer
from sessions.webinars.models import RegistrationStatus
from sessions.webinars.services import registrations as webinar_services
from tests.browser.pages import assert_accessible, assert_fits, screenshot, sign_in, tab_to
from tests.factories import OPPOSITION, WARD, a_webinar, in_days, make_council, make_councillor

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # the factories' password


@pytest.fixture(autouse=True)
def _links_to_the_live_server(settings, live_server):
    settings.SITE_URL = live_server.url


def check(page, axe, name: str, heading: str) -> None:
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    assert_fits(page)
    assert_accessible(axe, page)
    screenshot(page, name)


def place_for(session, email: str, name: str = "Ann Jones"):
    return webinar_services.registration_create(
        session=session, name=name, email=email, council_name="Anytown Council", role="Leader"
    ).registration


@pytest.fixture
def ceri():
    user = make_councillor(make_council("Vale of Glamorgan Council"), "ceri")
    user.first_name, user.last_name = "Ceri", "Jones"
    user.save()
    return user


def test_the_webinar_page_of_a_councillor_with_a_place(sized_page, live_server, axe, ceri):
    page = sized_page
    ward = a_webinar(WARD, days=14)
    mine = place_for(ward, ceri.email, name="Ceri Jones")
    sign_in(page, live_server, "ceri", PASSWORD)

    page.goto(f"{live_server.url}/webinars/{ward.pk}/")
    place = page.get_by_role("region", name="Your place")
    expect(place).to_contain_text("You have a place, under ceri@example.org")
    expect(place.get_by_role("link", name="the joining link")).to_be_visible()
    expect(page.get_by_label("Your name")).to_have_count(0)  # no form to fill in again
    check(page, axe, "webinar-detail-registered", "The role of the ward councillor")

    # Giving the place up by keyboard alone: back on the same page, with the form.
    tab_to(page, place.get_by_role("button", name="Cancel my place"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("is cancelled")
    expect(page.get_by_label("Your name")).to_be_visible()
    check(page, axe, "webinar-detail-after-cancel", "The role of the ward councillor")
    mine.refresh_from_db()
    assert mine.status == RegistrationStatus.CANCELLED


def test_the_webinar_page_of_a_waiting_councillor(sized_page, live_server, axe, ceri):
    page = sized_page
    full = a_webinar(OPPOSITION, days=10, capacity=1)
    place_for(full, "ann@example.org")
    waiting = place_for(full, ceri.email, name="Ceri Jones")
    sign_in(page, live_server, "ceri", PASSWORD)

    page.goto(f"{live_server.url}/webinars/{full.pk}/")
    region = page.get_by_role("region", name="You are on the waiting list")
    expect(region).to_contain_text("You are number 1 on the waiting list")
    expect(region).to_contain_text("You hold no place yet")
    expect(page.get_by_label("Your name")).to_have_count(0)
    check(page, axe, "webinar-detail-waiting", "The importance of opposition")

    tab_to(page, region.get_by_role("button", name="Leave the waiting list"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("You have left the waiting list")
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.CANCELLED


def test_joining_a_waiting_list_says_no_place_is_held(sized_page, live_server, axe, ceri):
    page = sized_page
    full = a_webinar(OPPOSITION, days=10, capacity=1)
    place_for(full, "ann@example.org")
    sign_in(page, live_server, "ceri", PASSWORD)
    page.goto(f"{live_server.url}/webinars/{full.pk}/")
    page.get_by_label("Your role").fill("Cabinet member")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_role("status").first).to_contain_text("Until then you hold no place")
    expect(page.locator("main")).not_to_contain_text("added to your private calendar")
    expect(page.locator("#private-link")).to_have_value(re.compile(r"/calendars/u/.+\.ics$"))
    check(page, axe, "webinar-registered-waiting-signed-in", "You are on the waiting list")


def test_my_webinars_gives_the_private_calendar(sized_page, live_server, axe, ceri):
    page = sized_page
    place_for(a_webinar(WARD, days=14), ceri.email, name="Ceri Jones")  # issues a link
    sign_in(page, live_server, "ceri", PASSWORD)
    page.goto(f"{live_server.url}/webinars/mine/")
    calendar = page.get_by_role("region", name="Your private calendar")
    expect(calendar).to_contain_text("You have a private calendar link. We cannot show it again")
    check(page, axe, "my-webinars-calendar", "My webinars")

    tab_to(page, calendar.get_by_role("button", name="Get a new private calendar link"))
    page.keyboard.press("Enter")
    calendar = page.get_by_role("region", name="Your private calendar")
    expect(calendar).to_contain_text("Here is your new private calendar link.")
    expect(calendar).to_contain_text("The old one no longer works")
    name = "LGA webinars: your registrations"
    for link in (
        f"Subscribe to {name}",
        f"Add to Google Calendar – {name}",
        f"Add to Outlook with a work account (Microsoft 365) – {name}",
        f"Add to Outlook.com – {name}",
    ):
        expect(calendar.get_by_role("link", name=link)).to_be_visible()
    url = page.locator("#private-link").input_value()
    assert page.request.get(url).status == 200
    check(page, axe, "my-webinars-calendar-new", "My webinars")

    tab_to(page, page.get_by_role("button", name="Turn off my private calendar link"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text("turned off: nobody can use it")
    calendar = page.get_by_role("region", name="Your private calendar")
    expect(calendar).to_contain_text("Your private calendar link is turned off")
    assert page.request.get(url).status == 404
    check(page, axe, "my-webinars-calendar-off", "My webinars")


def test_the_catalogue_shows_the_status_of_today(sized_page, live_server, axe):
    page = sized_page
    page.goto(f"{live_server.url}/")
    expect(page.locator("main")).not_to_contain_text("Suspended until Sunday 1 November 2020")
    assert Offer.objects.get(slug="corporate-peer-challenge").suspended_until == date(2020, 11, 1)
    page.goto(f"{live_server.url}/offers/corporate-peer-challenge/")
    expect(page.locator("main .govuk-tag").first).to_have_text("Available")
    check(page, axe, "offer-suspension-ended", "Corporate Peer Challenge")

    Offer.objects.filter(slug="corporate-peer-challenge").update(suspended_until=in_days(30))
    page.reload()
    expect(page.locator("main .govuk-tag").first).to_contain_text("Suspended until")
    check(page, axe, "offer-suspended", "Corporate Peer Challenge")
