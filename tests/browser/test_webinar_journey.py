"""A councillor finds a webinar, registers, confirms the address from the e-mail, gets the
invitation, subscribes to their private calendar, renews its link and cancels their place from
the e-mail; and, signed in, manages their places on "My webinars"; in a real browser."""

import re
from datetime import timedelta
from urllib.parse import unquote

import pytest
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from sessions.models import Invite, Offer, Session
from sessions.tasks import send_invite
from sessions.webinars.models import RegistrationRequest
from sessions.webinars.services.letters import (
    registration_confirmation_send,
    registration_links,
    waiting_list_mail_send,
)
from sessions.webinars.services.registrations import registration_create, webinar_schedule
from tests.browser.pages import assert_accessible, sign_in
from tests.factories import make_council, make_councillor

pytestmark = pytest.mark.django_db(transaction=True)

JOIN = "https://meet.example.org/j/ward-councillor"
EMAIL = "ceri.jones@example.gov.uk"


@pytest.fixture(autouse=True)
def _links_to_the_live_server(settings, live_server):
    settings.SITE_URL = live_server.url  # e-mails and feeds link to the server under test
    from django.core.cache import cache

    from sessions.webinars.selectors.feeds import feed_memory_clear

    cache.clear()
    feed_memory_clear()


def schedule(slug: str, days: int, **fields):
    start = timezone.localtime() + timedelta(days=days)
    start = start.replace(hour=18, minute=30, second=0, microsecond=0)
    return webinar_schedule(offer=Offer.objects.get(slug=slug), start=start, **fields)


def link_in(text: str, path_part: str) -> str:
    return next(word for word in text.split() if path_part in word).rstrip(".,)")


def test_a_councillor_registers_subscribes_and_cancels(page, live_server, axe):
    ward = schedule("webinar-role-of-the-ward-councillor", 14, joining_url=JOIN)
    schedule("webinar-importance-of-opposition", 10)

    # Browse, and narrow to a topic.
    page.goto(f"{live_server.url}/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Webinars").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Webinars")
    expect(page.get_by_role("heading", level=2, name="2 upcoming webinars")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_label("Topic").select_option(label="Leadership")
    page.get_by_role("button", name="Show webinars").click()
    expect(page.get_by_role("heading", level=2, name="1 upcoming webinar")).to_be_visible()
    card = page.locator(".app-webinar-card")
    expect(card).to_contain_text("18:30 to 19:30 (UK time)")
    expect(card).to_contain_text("100 places left")
    subscribe = page.get_by_role("link", name="Subscribe to LGA webinars: Leadership")
    expect(subscribe).to_have_attribute(
        "href", re.compile(r"^webcal://.+/calendars/webinars/leadership\.ics$")
    )

    # The webinar, and registering for it.
    page.get_by_role("link", name="The role of the ward councillor").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("The role of the ward councillor")
    expect(page.get_by_text("pre-recorded short videos and live discussion")).to_be_visible()
    assert_accessible(axe, page)
    page.get_by_role("button", name="Register").click()  # empty: the errors, named
    expect(page.get_by_role("alert")).to_contain_text("Enter your name.")
    assert_accessible(axe, page)
    page.get_by_label("Your name").fill("Ceri Jones")
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Or type your council's name").fill("Vale of Glamorgan Council")
    page.get_by_label("Your role").fill("Cabinet member")
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    expect(page.get_by_role("status").first).to_contain_text(f"We have sent a link to {EMAIL}")
    assert_accessible(axe, page)
    assert not Invite.objects.exists()

    # The e-mail's link opens a page with a button; the place is taken when it is pressed.
    registration_confirmation_send(RegistrationRequest.objects.get(email=EMAIL).pk)
    (confirmation,) = mail.outbox
    assert confirmation.to == [EMAIL] and "Ceri Jones" not in confirmation.body
    page.goto(link_in(confirmation.body, "/confirm/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your registration")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Confirm my place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You have a place")
    expect(page.get_by_role("status").first).to_contain_text(f"invitation to {EMAIL}")
    assert_accessible(axe, page)

    # The private calendar: every way to subscribe, and the link to copy.
    name = "LGA webinars: your registrations"
    private_url = page.locator("#private-link").input_value()
    assert re.fullmatch(rf"{re.escape(live_server.url)}/calendars/u/\d+-[\w-]+\.ics", private_url)
    webcal = page.get_by_role("link", name=f"Subscribe to {name}").get_attribute("href")
    assert webcal == "webcal://" + private_url.split("://", 1)[1]
    google = page.get_by_role("link", name=f"Add to Google Calendar – {name}").get_attribute("href")
    assert unquote(google.split("cid=", 1)[1]) == webcal
    work = page.get_by_role(
        "link", name=f"Add to Outlook with a work account (Microsoft 365) – {name}"
    ).get_attribute("href")
    assert work.startswith("https://outlook.office.com/calendar/0/addfromweb?url=")
    outlook = page.get_by_role("link", name=f"Add to Outlook.com – {name}").get_attribute("href")
    assert outlook.startswith("https://outlook.live.com/calendar/0/addfromweb?url=")
    assert unquote(outlook.split("url=", 1)[1].split("&", 1)[0]) == private_url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=live_server.url)
    page.get_by_role("button", name=f"Copy link – {name}").click()
    expect(page.locator("#private-link ~ .copy-status")).to_have_text("Link copied.")
    assert page.evaluate("navigator.clipboard.readText()") == private_url

    feed = page.request.get(private_url)
    assert feed.status == 200
    assert feed.headers["content-type"] == "text/calendar; charset=utf-8"
    assert ward.uid in feed.text() and f"LOCATION:{JOIN}" in feed.text()
    public = page.request.get(f"{live_server.url}/calendars/webinars.ics")
    assert ward.uid in public.text() and JOIN not in public.text()

    # The invitation e-mail, from the outbox.
    invite = Invite.objects.get(recipient_email=EMAIL)
    assert (invite.method, invite.sequence) == ("REQUEST", 0)
    assert send_invite(invite.pk) == "sent"
    message = mail.outbox[1]
    assert message.subject.startswith("Your place: The role of the ward councillor")
    assert JOIN in message.body
    calendar = next(body for body, kind in message.alternatives if kind == "text/calendar")
    assert "METHOD:REQUEST" in calendar and ward.uid in calendar

    # A new private link, from the e-mail's link: the old one stops working.
    page.goto(link_in(message.body, "/calendars/link/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Your private calendar link")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Get a new private calendar link").click()
    new_url = page.locator("#private-link").input_value()
    assert new_url != private_url
    assert page.request.get(private_url).status == 404
    assert page.request.get(new_url).status == 200

    # Cancel from the e-mail's link: a page, a button, then the cancellation follows.
    page.goto(link_in(message.body, "/cancel/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Cancel your place")
    assert_accessible(axe, page)
    page.get_by_role("button", name="Cancel my place").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Your place is cancelled")
    assert_accessible(axe, page)
    cancel = Invite.objects.get(recipient_email=EMAIL, method="CANCEL")
    assert cancel.sequence == 1
    assert send_invite(cancel.pk) == "sent"
    assert "METHOD:CANCEL" in next(
        b for b, k in mail.outbox[2].alternatives if k == "text/calendar"
    )
    after = page.request.get(new_url).text()
    assert "STATUS:CANCELLED" in after and ward.uid in after

    # Asking for a link by e-mail says the same for any address.
    page.goto(f"{live_server.url}/calendars/")
    assert_accessible(axe, page)
    page.get_by_label("E-mail address you registered with").fill("someone@example.org")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("status").first).to_contain_text(
        "If that address has registered for a webinar"
    )


def test_webinar_pages_fit_a_phone(phone_page, live_server):
    ward = schedule("webinar-role-of-the-ward-councillor", 14, joining_url=JOIN)
    for path in ("/webinars/", f"/webinars/{ward.pk}/", "/calendars/"):
        phone_page.goto(f"{live_server.url}{path}")
        expect(phone_page.get_by_role("heading", level=1)).to_be_visible()
        overflow = phone_page.evaluate(
            "document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"


def fits_the_width(page) -> None:
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_register_confirm_then_leave_the_waiting_list_from_my_webinars(
    request, width, live_server, axe
):
    page = request.getfixturevalue("page" if width == "desktop" else "phone_page")
    ward = schedule("webinar-role-of-the-ward-councillor", 14, joining_url=JOIN, capacity=1)
    registration_create(
        session=ward, name="Ann", email="ann@example.org", council_name="X", role="Leader"
    )
    user = make_councillor(make_council("Vale of Glamorgan Council"), "ceri")
    user.set_password("a long enough password")
    user.save()

    # Signed out, the councillor registers their address: the webinar is full.
    page.goto(f"{live_server.url}/webinars/{ward.pk}/")
    page.get_by_label("Your name").fill("Ceri Jones")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Or type your council's name").fill("Vale of Glamorgan Council")
    page.get_by_label("Your role").fill("Ward councillor")
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your e-mail")
    fits_the_width(page)
    assert_accessible(axe, page)

    # The confirmation link: a page with a button.
    registration_confirmation_send(RegistrationRequest.objects.get(email=user.email).pk)
    page.goto(link_in(mail.outbox[-1].body, "/confirm/"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your registration")
    fits_the_width(page)
    assert_accessible(axe, page)
    page.get_by_role("button", name="Join the waiting list").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("You are on the waiting list")
    expect(page.get_by_role("status").first).to_contain_text("You are number 1")

    # The waiting-list e-mail says how to leave; signed in, so does "My webinars".
    waiting = ward.registrations.get(email=user.email)
    assert waiting_list_mail_send(waiting.pk) is True
    assert "Leave the waiting list" in mail.outbox[-1].body
    sign_in(page, live_server, "ceri", "a long enough password")
    if width == "phone":
        page.goto(f"{live_server.url}/webinars/mine/")
    else:
        nav = page.get_by_role("navigation", name="Main")
        nav.get_by_role("link", name="My webinars").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My webinars")
    place = page.get_by_role("region", name="The role of the ward councillor")
    expect(place).to_contain_text("Waiting list: number 1")
    fits_the_width(page)
    assert_accessible(axe, page)
    place.get_by_role("button", name="Leave the waiting list").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").first).to_contain_text(
        "You have left the waiting list for The role of the ward councillor."
    )
    expect(page.get_by_text("You have no upcoming webinars.")).to_be_visible()
    fits_the_width(page)
    assert_accessible(axe, page)
    waiting.refresh_from_db()
    assert waiting.status == "cancelled"


def test_expired_and_broken_links_say_so_plainly(page, live_server, axe):
    ward = schedule("webinar-role-of-the-ward-councillor", 14, joining_url=JOIN)
    place = registration_create(
        session=ward, name="Ann", email="ann@example.org", council_name="X", role="Leader"
    ).registration
    cancel = registration_links(place)["cancel"]
    now = timezone.now()
    Session.objects.filter(pk=ward.pk).update(
        start=now - timedelta(hours=2), end=now - timedelta(hours=1)
    )
    page.goto(cancel)
    expect(page.get_by_role("heading", level=1)).to_have_text("This link has expired")
    assert_accessible(axe, page)
    page.goto(f"{live_server.url}/webinars/places/not-a-key/confirm/")
    expect(page.get_by_role("heading", level=1)).to_have_text("This link is not valid")
    assert_accessible(axe, page)
