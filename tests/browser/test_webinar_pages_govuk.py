"""The webinar, calendar and programme pages on govuk-frontend, in each of their states, at
desktop and phone widths: axe-clean, no sideways scrolling, none left on the legacy styles; and
a councillor registering, copying their calendar link and cancelling by keyboard alone."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from peers.models import Region
from peers.selectors import caller_for
from sessions import services
from sessions.models import Offer, Session
from sessions.webinars.models import RegistrationRequest
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.services import letters as webinar_letters
from sessions.webinars.services import registrations as webinar_services
from tests.browser.pages import assert_accessible, assert_fits, screenshot, sign_in
from tests.factories import (
    OPPOSITION,
    WARD,
    a_webinar,
    bookable_day,
    london,
    make_available,
    make_council,
    make_councillor,
    make_peer,
    make_user,
)

pytestmark = pytest.mark.django_db(transaction=True)

PASSWORD = "correct horse battery"  # the factories' password


@pytest.fixture(autouse=True)
def _links_to_the_live_server(settings, live_server):
    settings.SITE_URL = live_server.url  # e-mails and feeds link to the server under test
    from django.core.cache import cache

    from sessions.webinars.selectors.feeds import feed_memory_clear

    cache.clear()
    feed_memory_clear()


def check(page, axe, name: str, heading: str) -> None:
    """The page has its heading, is wholly on govuk-frontend, fits and is accessible."""
    expect(page.get_by_role("heading", level=1)).to_have_text(heading)
    expect(page.locator("main")).not_to_have_class(re.compile(r"\bapp-legacy\b"))
    assert_fits(page)
    assert_accessible(axe, page)
    screenshot(page, name)


def place_for(session: Session, email: str, name: str = "Ann Jones"):
    return webinar_services.registration_create(
        session=session, name=name, email=email, council_name="Anytown Council", role="Leader"
    ).registration


def test_finding_and_registering_for_a_webinar(sized_page, live_server, axe):
    page = sized_page
    ward = a_webinar(WARD, days=14)
    full = a_webinar(OPPOSITION, days=10, capacity=1)
    place_for(full, "ann@example.org")

    page.goto(f"{live_server.url}/webinars/")
    expect(page.locator(".app-webinar-card")).to_have_count(2)
    check(page, axe, "webinar-list", "Webinars")

    page.goto(f"{live_server.url}/webinars/{ward.pk}/")
    check(page, axe, "webinar-detail", "The role of the ward councillor")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your name.")
    check(page, axe, "webinar-detail-error", "The role of the ward councillor")

    page.get_by_label("Your name").fill("Ceri Jones")
    page.get_by_label("E-mail address").fill("ceri.jones@example.gov.uk")
    page.get_by_label("Or type your council's name").fill("Vale of Glamorgan Council")
    page.get_by_label("Your role").fill("Cabinet member")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("status").first).to_contain_text("ceri.jones@example.gov.uk")
    check(page, axe, "webinar-check-email", "Check your e-mail")

    request = RegistrationRequest.objects.get(email="ceri.jones@example.gov.uk")
    confirm = reverse(
        "webinar-registration-confirm",
        kwargs={"key": webinar_links.registration_confirm_key(request)},
    )
    page.goto(live_server.url + confirm)
    check(page, axe, "webinar-confirm", "Confirm your registration")
    page.get_by_role("button", name="Confirm my place").click()
    expect(page.get_by_role("status").first).to_contain_text("invitation to ceri.jones")
    expect(page.locator("#private-link")).to_have_value(re.compile(r"/calendars/u/.+\.ics$"))
    check(page, axe, "webinar-registered", "You have a place")
    page.goto(live_server.url + confirm)
    check(page, axe, "webinar-confirm-again", "You are already registered")
    page.goto(f"{live_server.url}/webinars/places/not-a-key/confirm/")
    check(page, axe, "webinar-confirm-invalid", "This link is not valid")

    # A full webinar: the waiting list, from the form to the page that says where you are.
    page.goto(f"{live_server.url}/webinars/{full.pk}/")
    expect(page.get_by_role("heading", level=2, name="Join the waiting list")).to_be_visible()
    check(page, axe, "webinar-detail-full", "The importance of opposition")
    waiting = webinar_services.registration_request(
        session=full,
        name="Bo Evans",
        email="bo@example.org",
        council_name="Anytown Council",
        role="Ward councillor",
    )
    page.goto(
        live_server.url
        + reverse(
            "webinar-registration-confirm",
            kwargs={"key": webinar_links.registration_confirm_key(waiting)},
        )
    )
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_role("status").first).to_contain_text("You are number 1")
    check(page, axe, "webinar-registered-waiting", "You are on the waiting list")

    # A cancelled webinar says so instead of offering the form.
    webinar_services.webinar_cancel(session=full)
    page.goto(f"{live_server.url}/webinars/{full.pk}/")
    expect(page.get_by_text("This webinar is cancelled.")).to_be_visible()
    expect(page.get_by_role("button", name="Join the waiting list")).to_have_count(0)
    check(page, axe, "webinar-detail-cancelled", "The importance of opposition")


def test_cancel_links_and_my_webinars(sized_page, live_server, axe):
    page = sized_page
    ward = a_webinar(WARD, days=14)
    user = make_councillor(make_council("Vale of Glamorgan Council"), "ceri")
    mine = place_for(ward, user.email, name="Ceri Jones")
    other = place_for(a_webinar(OPPOSITION, days=9, capacity=1), "ann@example.org")
    waiting = place_for(other.session, user.email, name="Ceri Jones")

    cancel = webinar_letters.registration_links(mine)["cancel"]
    page.goto(cancel)
    check(page, axe, "webinar-cancel", "Cancel your place")
    page.get_by_role("button", name="Cancel my place").click()
    expect(page.get_by_role("status").first).to_contain_text("We have sent a cancellation")
    check(page, axe, "webinar-cancelled", "Your place is cancelled")
    page.goto(f"{live_server.url}/webinars/places/not-a-key/cancel/")
    check(page, axe, "webinar-cancel-invalid", "This link is not valid")

    sign_in(page, live_server, "ceri", PASSWORD)
    page.goto(f"{live_server.url}/webinars/mine/")
    place = page.get_by_role("region", name="The importance of opposition")
    expect(place).to_contain_text("Waiting list: number 1")
    check(page, axe, "my-webinars", "My webinars")
    place.get_by_role("button", name="Leave the waiting list").click()
    expect(page.get_by_role("status").first).to_contain_text("You have left the waiting list")
    check(page, axe, "my-webinars-empty", "My webinars")

    # A cancel link after its webinar has ended has expired.
    now = timezone.now()
    Session.objects.filter(pk=waiting.session_id).update(
        start=now - timedelta(hours=2), end=now - timedelta(hours=1)
    )
    page.goto(webinar_letters.registration_links(waiting)["cancel"])
    check(page, axe, "webinar-cancel-expired", "This link has expired")


def test_calendar_pages(sized_page, live_server, axe):
    page = sized_page
    place = place_for(a_webinar(WARD, days=14), "ann@example.org")

    page.goto(f"{live_server.url}/calendars/")
    page.get_by_text("Leadership", exact=True).click()  # each topic folds away
    for name in ("Google Calendar", "Outlook with a work account (Microsoft 365)", "Outlook.com"):
        expect(
            page.get_by_role("link", name=f"Add to {name} – LGA webinars: Leadership")
        ).to_be_visible()
    expect(page.get_by_role("button", name="Copy link – LGA webinars").first).to_be_visible()
    check(page, axe, "feed-list", "Webinar calendars")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("alert")).to_contain_text("Enter your e-mail address")
    check(page, axe, "feed-list-error", "Webinar calendars")

    page.goto(webinar_letters.registration_links(place)["calendar"])
    check(page, axe, "feed-manage", "Your private calendar link")
    page.get_by_role("button", name="Get a new private calendar link").click()
    expect(page.locator("#private-link")).to_have_value(re.compile(r"/calendars/u/.+\.ics$"))
    check(page, axe, "feed-manage-new-link", "Your private calendar link")
    page.get_by_role("button", name="Turn off my private calendar link").click()
    expect(page.get_by_role("status").first).to_contain_text("turned off")
    check(page, axe, "feed-manage-off", "Your private calendar link")
    page.goto(f"{live_server.url}/calendars/link/not-a-key/")
    check(page, axe, "feed-manage-expired", "This link has expired or is not valid")


def test_the_programme_dashboard(sized_page, live_server, axe):
    page = sized_page
    adviser = make_user("pa-north-west", first_name="Priya", last_name="Shah")
    council = make_council(
        "Metropolitan Borough of Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
        principal_adviser=adviser,
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
    day = bookable_day()
    services.booking_create(
        caller=caller_for(make_user(is_staff=True)),
        offer=Offer.objects.get(slug="recovery-and-renewal-panel"),
        council=council,
        start=london(day, 10),
        notes="",
    )
    ward = a_webinar(WARD, days=(day - timezone.localdate()).days)
    place_for(ward, "ann@example.org")
    sign_in(page, live_server, "pa-north-west", PASSWORD)

    start, end = day - timedelta(days=3), day + timedelta(days=3)
    page.goto(f"{live_server.url}/programme/?start={start}&end={end}")
    expect(page.get_by_role("table", name="Bookings by region")).to_contain_text("North West")
    expect(page.get_by_role("table", name="Places taken against capacity")).to_contain_text(
        "The role of the ward councillor"
    )
    expect(page.get_by_role("link", name=re.compile(r"\(CSV\)$"))).to_have_attribute(
        "href", f"/programme/export.csv?start={start}&end={end}"
    )
    check(page, axe, "programme", "Programme")
    page.goto(f"{live_server.url}/programme/?start={end}&end={start}")
    expect(page.get_by_role("alert")).to_contain_text("There is a problem")
    check(page, axe, "programme-error", "Programme")


def test_the_locked_out_page(sized_page, live_server, axe, settings):
    page = sized_page
    make_user("jo")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        page.goto(f"{live_server.url}/accounts/sign-in/")
        page.get_by_label("Username").fill("jo")
        page.get_by_label("Password").fill("not the password")
        page.get_by_role("button", name="Sign in").click()
    check(page, axe, "locked-out", "Sign-in locked for now")


def tab_to(page, target, *, limit: int = 80) -> None:
    """Press Tab until `target` has the focus, as a keyboard user moves through a page."""
    for _ in range(limit):
        if target.evaluate("el => el === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {target}")


def test_a_councillor_registers_copies_the_link_and_cancels_by_keyboard(page, live_server, axe):
    ward = a_webinar(WARD, days=14)
    user = make_councillor(make_council("Vale of Glamorgan Council"), "ceri")
    user.first_name, user.last_name = "Ceri", "Jones"
    user.save()
    sign_in(page, live_server, "ceri", PASSWORD)
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)

    # Registering with their own address: the form is filled in from the account.
    page.goto(f"{live_server.url}/webinars/{ward.pk}/")
    tab_to(page, page.get_by_role("button", name="Register", exact=True))
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("You have a place")

    # Copying the private calendar's link.
    name = "LGA webinars: your registrations"
    tab_to(page, page.get_by_role("button", name=f"Copy link – {name}"))
    page.keyboard.press("Enter")
    expect(page.locator("#private-link ~ .copy-status")).to_have_text("Link copied.")
    assert (
        page.evaluate("navigator.clipboard.readText()")
        == page.locator("#private-link").input_value()
    )
    # And a public calendar's, on the same page.
    tab_to(page, page.get_by_role("button", name="Copy link – LGA webinars: Leadership"))
    page.keyboard.press("Space")
    expect(page.locator("#feed-link ~ .copy-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()").endswith(
        "/calendars/webinars/leadership.ics"
    )

    # Cancelling from My webinars.
    tab_to(
        page, page.get_by_role("navigation", name="Main").get_by_role("link", name="My webinars")
    )
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("My webinars")
    tab_to(page, page.get_by_role("button", name="Cancel my place on The role of the ward"))
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text(
        "Your place on The role of the ward councillor is cancelled."
    )
    assert_accessible(axe, page)
    assert ward.registrations.get(email=user.email).status == "cancelled"
