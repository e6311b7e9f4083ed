"""Webinar pages: browse, register, the confirmation with the private calendar, cancel from
the e-mail's link, and managing the private calendar link."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.utils import timezone

from peers.models import Councillor
from sessions.models import Invite
from sessions.webinars.models import FeedToken, Registration, RegistrationStatus
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.selectors import webinars as selectors
from sessions.webinars.services import letters as webinar_letters
from sessions.webinars.services import registrations as services
from tests.factories import (
    JOIN,
    OPPOSITION,
    a_webinar,
    make_council,
    make_user,
    register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(feed_checking_client):
    """The `client`: every feed a test is served is also read by ical.js and libical."""
    return feed_checking_client


FORM = {
    "name": "Sam Okafor",
    "email": "sam@example.org",
    "council": "",
    "council_name": "Anytown Borough Council",
    "role": "Ward councillor",
}


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def feed_paths(response) -> list[str]:
    return re.findall(r'value="https?://[^/"]+(/calendars/[^"]+\.ics)"', response.content.decode())


def test_the_list_shows_upcoming_webinars_in_uk_time_with_places_and_topic_filter(client):
    ward = a_webinar(days=20, hour=18, capacity=2)
    a_webinar(OPPOSITION, days=10)
    register(ward, "ann@example.org")
    register(ward, "bob@example.org")
    response = client.get("/webinars/")
    assert response.status_code == 200
    text = page_text(response)
    assert "2 upcoming webinars" in text
    start = ward.start.astimezone(selectors.UK)
    assert f"{start:%A} {start.day} {start:%B %Y}, 18:00 to 19:00 (UK time)" in text
    assert "Full: you can join the waiting list" in text
    assert "100 places left" in text
    assert "The importance of opposition" in text
    assert feed_paths(response) == ["/calendars/webinars.ics"]
    assert 'href="webcal://testserver/calendars/webinars.ics"' in response.content.decode()

    filtered = client.get("/webinars/", {"topic": "opposition"})
    assert "1 upcoming webinar" in page_text(filtered)
    assert "The role of the ward councillor" not in page_text(filtered)
    assert feed_paths(filtered) == ["/calendars/webinars/opposition.ics"]
    assert client.get("/webinars/", {"topic": "astrology"}).status_code == 404


def test_register_ones_own_address_signed_in_then_see_the_private_calendar(client):
    client.force_login(make_user("sam"))  # sam@example.org
    session = a_webinar()
    page = client.get(f"/webinars/{session.pk}/")
    assert page.status_code == 200
    assert "Register" in page_text(page) and JOIN not in page.content.decode()
    response = client.post(f"/webinars/{session.pk}/", FORM)
    assert response.status_code == 302
    assert response["Location"] == f"/webinars/{session.pk}/registered/"
    confirmation = client.get(response["Location"])
    text = page_text(confirmation)
    assert "You have a place" in text
    assert "We have e-mailed an invitation to sam@example.org" in text
    private, public = feed_paths(confirmation)
    assert private.startswith("/calendars/u/") and public == "/calendars/webinars/leadership.ics"
    assert confirmation["Cache-Control"].startswith("max-age=0")
    feed = client.get(private)
    assert feed.status_code == 200 and JOIN.encode() in feed.content
    assert Invite.objects.get().method == "REQUEST"

    # The same browser registers for another webinar: no new link, the old one lists both.
    other = a_webinar(OPPOSITION)
    client.post(f"/webinars/{other.pk}/", FORM)
    again = client.get(f"/webinars/{other.pk}/registered/")
    assert feed_paths(again) == ["/calendars/webinars/opposition.ics"]
    text = page_text(again)
    assert "You have a private calendar link. We cannot show it again" in text
    assert "added to your private calendar" not in text
    assert client.get(private).content.count(b"BEGIN:VEVENT") == 2


def test_a_signed_in_councillor_finds_the_form_filled_in(client):
    user = make_user("cllr", first_name="Ceri", last_name="Jones")
    council = make_council("Cardiff Council")
    Councillor.objects.create(user=user, council=council, role="Cabinet member")
    client.force_login(user)
    form = client.get(f"/webinars/{a_webinar().pk}/").context["form"]
    assert form.initial == {
        "name": "Ceri Jones",
        "email": "cllr@example.org",
        "council": council.pk,
        "role": "Cabinet member",
    }


def test_form_errors_are_shown_and_nothing_is_written(client):
    session = a_webinar()
    response = client.post(
        f"/webinars/{session.pk}/", {**FORM, "email": "sam at example", "council_name": ""}
    )
    assert response.status_code == 200
    text = page_text(response)
    assert "There is a problem" in text
    assert "Enter an e-mail address in the right form" in text
    assert "Choose your council from the list, or type its name." in text
    assert "<title>Error: " in response.content.decode()
    assert not Registration.objects.exists() and not FeedToken.objects.exists()


def test_closed_and_full_webinars_say_so(client):
    client.force_login(make_user("sam"))  # sam@example.org
    session = a_webinar(capacity=1)
    register(session, "ann@example.org")
    full = client.get(f"/webinars/{session.pk}/")
    assert "Join the waiting list" in page_text(full)
    assert f'action="/webinars/{session.pk}/"' in full.content.decode()  # the form
    waiting = client.post(f"/webinars/{session.pk}/", FORM)
    confirmation = client.get(waiting["Location"])
    assert "You are on the waiting list" in page_text(confirmation)
    assert "You are number 1 on the waiting list" in page_text(confirmation)

    services.webinar_cancel(session=session)
    closed = client.get(f"/webinars/{session.pk}/")
    assert "This webinar is cancelled." in page_text(closed)
    assert f'action="/webinars/{session.pk}/"' not in closed.content.decode()  # no form
    refused = client.post(f"/webinars/{session.pk}/", {**FORM, "email": "new@example.org"})
    assert refused.status_code == 409
    assert not Registration.objects.filter(email="new@example.org").exists()
    assert client.get("/webinars/424242/").status_code == 404


def test_too_many_attempts_on_the_page_are_429(client, settings):
    settings.WEBINAR_THROTTLE = {"client": 2, "address": 5}
    session = a_webinar()
    for n in range(2):
        client.post(f"/webinars/{session.pk}/", {**FORM, "email": f"p{n}@example.org"})
    refused = client.post(f"/webinars/{session.pk}/", {**FORM, "email": "p9@example.org"})
    assert refused.status_code == 429
    assert 0 < int(refused["Retry-After"]) <= 60
    assert "Too many requests" in page_text(refused)
    assert not Registration.objects.filter(email="p9@example.org").exists()


def test_cancel_from_the_emails_link(client):
    session = a_webinar(capacity=1)
    ann = register(session, "ann@example.org").registration
    bob = register(session, "bob@example.org").registration
    link = webinar_letters.registration_links(ann)["cancel"]
    path = urlsplit(link).path

    page = client.get(path)
    assert page.status_code == 200
    assert "Cancel your place" in page_text(page)
    assert Registration.objects.get(pk=ann.pk).status == RegistrationStatus.REGISTERED  # GET only

    done = client.post(path)
    assert done.status_code == 302 and done["Location"] == path
    assert "Your place is cancelled" in page_text(client.get(path))
    ann.refresh_from_db()
    bob.refresh_from_db()
    assert ann.status == RegistrationStatus.CANCELLED
    assert bob.status == RegistrationStatus.REGISTERED
    assert list(Invite.objects.order_by("id").values_list("method", "recipient_email", "sequence"))[
        -2:
    ] == [("CANCEL", "ann@example.org", 1), ("REQUEST", "bob@example.org", 1)]
    # A second press changes nothing.
    client.post(path)
    assert Invite.objects.count() == 3

    tampered = path.replace(":", ":x", 1)
    assert client.get(tampered).status_code == 404
    assert client.post(tampered).status_code == 404
    assert client.get("/webinars/places/nonsense/cancel/").status_code == 404


def test_manage_the_private_link_from_the_emails_link(client):
    result = register(a_webinar(), "sam@example.org")
    old_feed = f"/calendars/u/{result.feed_token}.ics"
    link = webinar_letters.registration_links(result.registration)["calendar"]
    path = urlsplit(link).path

    page = client.get(path)
    assert page.status_code == 200
    assert "You have a private calendar link." in page_text(page)
    assert feed_paths(page) == []  # the secret cannot be shown again

    renewed = client.post(path, {"action": "renew"})
    assert renewed.status_code == 200
    (new_feed,) = feed_paths(renewed)
    assert "Here is your new private calendar link. The old one no longer works" in page_text(
        renewed
    )
    assert new_feed != old_feed
    assert client.get(new_feed).status_code == 200
    assert client.get(old_feed).status_code == 404

    revoked = client.post(path, {"action": "revoke"})
    assert revoked.status_code == 302
    assert "Your private calendar link is turned off: nobody can use it" in page_text(
        client.get(path)
    )
    assert client.get(new_feed).status_code == 404

    expired = client.get("/calendars/link/not-a-key/")
    assert expired.status_code == 404
    assert "This link has expired or is not valid" in page_text(expired)


def test_the_manage_link_expires(client):
    registration = register(a_webinar(), "sam@example.org").registration
    fresh = webinar_links.calendar_manage_key(registration)
    assert webinar_links.email_for_manage_key(fresh) == "sam@example.org"
    # The same key as if signed just over six months ago.
    payload = fresh.rsplit(":", 2)[0]
    signed_at = timezone.now() - webinar_links.MANAGE_LINK_AGE - timedelta(days=1)
    stale = signing.Signer(salt=webinar_links.MANAGE_SALT).sign(
        f"{payload}:{signing.b62_encode(int(signed_at.timestamp()))}"
    )
    assert webinar_links.email_for_manage_key(stale) is None
    response = client.get(f"/calendars/link/{stale}/")
    assert response.status_code == 404
    assert "This link has expired or is not valid" in page_text(response)


def test_asking_for_a_link_by_email_never_says_whether_the_address_registered(
    client, django_capture_on_commit_callbacks
):
    register(a_webinar(), "sam@example.org")
    page = client.get("/calendars/")
    assert page.status_code == 200
    paths = feed_paths(page)
    assert paths[0] == "/calendars/webinars.ics"
    assert "/calendars/webinars/opposition.ics" in paths
    assert "/calendars/webinars/health-and-wellbeing.ics" in paths

    answers = []
    for email in ("sam@example.org", "nobody@example.org"):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = client.post("/calendars/", {"email": email}, follow=True)
        answers.append((response.status_code, page_text(response), len(callbacks)))
    assert answers[0] == answers[1]
    assert "If that address has registered for a webinar" in answers[0][1]
    assert mail.outbox == []

    bad = client.post("/calendars/", {"email": "nope"})
    assert "Enter an e-mail address in the right form" in page_text(bad)


def test_asking_for_links_too_often_is_429(client, settings):
    settings.WEBINAR_THROTTLE = {"client": 10, "address": 1}
    assert client.post("/calendars/", {"email": "sam@example.org"}).status_code == 302
    refused = client.post("/calendars/", {"email": "SAM@example.org"})
    assert refused.status_code == 429
    assert "Too many requests" in page_text(refused)
    assert client.post("/calendars/", {"email": "kim@example.org"}).status_code == 302


def test_the_link_page_does_not_say_turned_off_to_someone_who_never_had_a_link(client):
    # A registration made without a calendar link (as the demo data and older rows are).
    session = a_webinar()
    registration = Registration.objects.create(
        session=session, name="Sam Okafor", email="sam@example.org", role="Ward councillor"
    )
    path = urlsplit(webinar_letters.registration_links(registration)["calendar"]).path
    text = page_text(client.get(path))
    assert "You do not have a private calendar link." in text
    assert "turned off" not in text and "Turn off" not in text
    assert "Get a private calendar link" in text

    got = client.post(path, {"action": "renew"})
    (feed,) = feed_paths(got)
    assert client.get(feed).status_code == 200
    # There was no old link, so nothing says one stopped working.
    assert "Here is your private calendar link." in page_text(got)
    assert "no longer works" not in page_text(got)
    client.post(path, {"action": "revoke"})
    assert "Your private calendar link is turned off" in page_text(client.get(path))


def test_every_subscribe_list_offers_microsoft_365_work_accounts(client):
    session = a_webinar()
    html = client.get(f"/webinars/{session.pk}/").content.decode()
    assert (
        'href="https://outlook.office.com/calendar/0/addfromweb?url=http%3A%2F%2Ftestserver'
        '%2Fcalendars%2Fwebinars%2Fleadership.ics&amp;name=LGA%20webinars%3A%20Leadership"'
    ) in html
    assert "Add to Outlook with a work account (Microsoft 365)" in page_text(
        client.get("/calendars/")
    )
