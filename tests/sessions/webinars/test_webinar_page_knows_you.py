"""A signed-in councillor's webinar page shows their place or waiting-list number, with the
button to give it up, instead of the form; registering again says nothing was sent; and the
private calendar is said one true way in each state, on My webinars too."""

import re

import pytest

from sessions.models import Invite
from sessions.webinars.models import FeedToken, Registration, RegistrationStatus
from sessions.webinars.services import feed_tokens as webinar_feed_tokens
from tests.factories import (
    JOIN,
    OPPOSITION,
    a_webinar,
    make_council,
    make_councillor,
    make_user,
    register,
)

pytestmark = pytest.mark.django_db
FORM = {
    "name": "Ceri Jones",
    "email": "ceri@example.org",
    "council": "",
    "council_name": "Cardiff Council",
    "role": "Cabinet member",
}


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def private_feed_values(response) -> list[str]:
    return re.findall(
        r'value="https?://[^"/]+(/calendars/u/[^"]+\.ics)"', response.content.decode()
    )


@pytest.fixture
def ceri(client):
    user = make_councillor(make_council("Cardiff Council"), "ceri")  # ceri@example.org
    client.force_login(user)
    return user


def test_a_councillor_with_a_place_sees_it_not_the_form(client, ceri):
    webinar = a_webinar()
    register(webinar, "ceri@example.org")
    page = client.get(f"/webinars/{webinar.pk}/")
    text = page_text(page)
    assert "Your place" in text and "You have a place" in text
    assert "under ceri@example.org" in text
    assert JOIN in page.content.decode()
    assert 'name="email"' not in page.content.decode()  # no form
    assert "Cancel my place" in text

    # Giving it up from the webinar's page comes back to it, with the form again.
    registration = Registration.objects.get(email="ceri@example.org")
    gone = client.post(
        f"/webinars/mine/{registration.pk}/cancel/", {"back": "webinar"}, follow=True
    )
    assert gone.redirect_chain[-1][0] == f"/webinars/{webinar.pk}/"
    assert "is cancelled. It goes to the first person waiting." in page_text(gone)
    assert 'name="email"' in gone.content.decode()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CANCELLED


def test_a_waiting_councillor_sees_their_number_and_can_leave(client, ceri):
    webinar = a_webinar(capacity=1)
    register(webinar, "ann@example.org")
    register(webinar, "ceri@example.org")
    text = page_text(client.get(f"/webinars/{webinar.pk}/"))
    assert "You are on the waiting list" in text
    assert "You are number 1 on the waiting list" in text and "You hold no place yet" in text
    assert JOIN not in text
    assert "Leave the waiting list" in text
    registration = Registration.objects.get(email="ceri@example.org")
    left = client.post(
        f"/webinars/mine/{registration.pk}/cancel/", {"back": "webinar"}, follow=True
    )
    assert "You have left the waiting list" in page_text(left)


def test_someone_else_signed_in_still_sees_the_form(client):
    client.force_login(make_user("sam"))  # sam@example.org, not a councillor
    webinar = a_webinar()
    register(webinar, "sam@example.org")
    assert 'name="email"' in client.get(f"/webinars/{webinar.pk}/").content.decode()


def test_the_form_addresses_the_reader(client):
    text = page_text(client.get(f"/webinars/{a_webinar().pk}/"))
    assert "open it to confirm the address is yours" in text
    assert "theirs" not in text


def test_registering_again_from_a_stale_page_says_nothing_was_sent(client, ceri):
    webinar = a_webinar()
    client.post(f"/webinars/{webinar.pk}/", FORM)
    sent = Invite.objects.count()
    again = client.post(f"/webinars/{webinar.pk}/", FORM, follow=True)
    text = page_text(again)
    assert "You already have a place" in text
    assert "Nothing has changed, and we have not sent you another e-mail" in text
    assert "We have e-mailed" not in text
    assert Invite.objects.count() == sent


def test_the_waiting_list_page_does_not_claim_a_calendar_entry(client, ceri):
    webinar = a_webinar(capacity=1)
    register(webinar, "ann@example.org")
    page = client.post(f"/webinars/{webinar.pk}/", FORM, follow=True)
    text = page_text(page)
    assert "You are on the waiting list" in text
    assert "Until then you hold no place" in text
    assert "added to your private calendar" not in text
    assert "marked “waiting list”" in text
    # The first registration brings the link, shown once.
    assert len(private_feed_values(page)) == 1
    again = page_text(client.post(f"/webinars/{webinar.pk}/", FORM, follow=True))
    assert "You are already on the waiting list" in again
    assert "we have not sent you another e-mail" in again


def test_my_webinars_gives_the_private_calendar_in_each_state(client, ceri):
    webinar = a_webinar(OPPOSITION)
    Registration.objects.create(
        session=webinar, name="Ceri", email="ceri@example.org", role="Councillor"
    )  # made without a link, as older rows were
    page = client.get("/webinars/mine/")
    text = page_text(page)
    assert "Your private calendar" in text
    assert "You do not have a private calendar link." in text
    assert "Get a private calendar link" in text and "Turn off" not in text

    got = client.post("/webinars/mine/calendar/", {"action": "renew"})
    assert got.status_code == 200 and got["Cache-Control"].startswith("max-age=0")
    (first,) = private_feed_values(got)
    text = page_text(got)
    assert "Here is your private calendar link." in text and "no longer works" not in text
    for way in ("webcal://", "calendar.google.com", "outlook.office.com", "outlook.live.com"):
        assert way in got.content.decode()
    assert "Copy link" in text
    assert client.get(first).status_code == 200

    text = page_text(client.get("/webinars/mine/"))
    assert "You have a private calendar link. We cannot show it again" in text
    assert private_feed_values(client.get("/webinars/mine/")) == []

    renewed = client.post("/webinars/mine/calendar/", {"action": "renew"})
    (second,) = private_feed_values(renewed)
    assert "Here is your new private calendar link. The old one no longer works" in page_text(
        renewed
    )
    assert client.get(first).status_code == 404 and client.get(second).status_code == 200

    off = client.post("/webinars/mine/calendar/", {"action": "revoke"}, follow=True)
    assert "Your private calendar link is turned off: nobody can use it." in page_text(off)
    assert client.get(second).status_code == 404
    assert not FeedToken.objects.filter(revoked_at__isnull=True).exists()
    assert client.post("/webinars/mine/calendar/", {"action": "nope"}).status_code == 404


def test_the_calendar_actions_are_a_councillors_own(client):
    client.force_login(make_user("sam"))
    assert client.post("/webinars/mine/calendar/", {"action": "renew"}).status_code == 403
    assert not FeedToken.objects.exists()


def test_after_turning_it_off_a_new_registration_says_so(client, ceri):
    register(a_webinar(), "ceri@example.org")
    webinar_feed_tokens.feed_token_revoke(email="ceri@example.org")
    other = a_webinar(OPPOSITION)
    text = page_text(client.post(f"/webinars/{other.pk}/", FORM, follow=True))
    assert "You have a place" in text
    assert "Your private calendar link is turned off: nobody can use it." in text
    assert "My webinars" in text
