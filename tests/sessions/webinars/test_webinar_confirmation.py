"""Registering an address that is not the caller's own: the address confirms by a signed link
before anything holds a place or opens a calendar, and every answer is the same whether or not
the address was known (issue: registrations leaking between people)."""

import json
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.core import mail, signing
from django.test import Client
from django.utils import timezone

from sessions.models import Invite, Session
from sessions.webinars.models import (
    FeedToken,
    Registration,
    RegistrationRequest,
    RegistrationStatus,
)
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.services import letters as webinar_letters
from sessions.webinars.services import registrations as services
from tests.factories import (
    JOIN,
    OPPOSITION,
    a_webinar,
    bearer,
    make_user,
    register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(feed_checking_client):
    """The `client`: every feed a test is served is also read by ical.js and libical."""
    return feed_checking_client


MALLORY = {
    "name": "Click here to claim your prize",
    "council_name": "Prize Draw Council",
    "role": "Winner notification",
}
FORM = {"council": "", **MALLORY}


def api_post(api_client, session, email, headers=None):
    return api_client.post(
        f"/webinars/{session.pk}/registrations",
        json={**MALLORY, "email": email},
        headers=headers or {},
    )


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def send_confirmations() -> list:
    """Run the confirmation task for every request (as the worker would); the messages sent."""
    before = len(mail.outbox)
    for request_id in RegistrationRequest.objects.order_by("id").values_list("id", flat=True):
        webinar_letters.registration_confirmation_send(request_id)
    return mail.outbox[before:]


def link_in(text: str, part: str) -> str:
    return next(word for word in text.split() if part in word).rstrip(".,)")


def held() -> tuple:
    """Everything that gives someone a place, a calendar or a message about a webinar."""
    return (
        sorted(Registration.objects.values_list("email", "status", "name", "session_id")),
        Invite.objects.count(),
        sorted(FeedToken.objects.values_list("email", "revoked_at")),
    )


# The same answer for every address -----------------------------------------------------------


def test_the_api_answers_byte_for_byte_the_same_for_known_and_unknown_addresses(
    api_client, django_capture_on_commit_callbacks
):
    session = a_webinar(capacity=1)
    register(session, "known@example.org", name="Kim Known")
    register(session, "waiting@example.org", name="Wyn Waiting")
    register(a_webinar(OPPOSITION), "elsewhere@example.org")
    before = held()
    answers = []
    for email in (
        "known@example.org",
        "waiting@example.org",
        "elsewhere@example.org",
        "never@example.org",
    ):
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            response = api_post(api_client, session, email)
        answers.append(
            (response.status_code, response.content, response["Content-Type"], len(callbacks))
        )
    assert answers[0][0] == 202
    assert all(answer == answers[0] for answer in answers), answers
    body = json.loads(answers[0][1])
    assert body["status"] == "confirmation-sent" and body["webinar"] == session.pk
    assert "id" not in body and "feed_url" not in body
    assert held() == before  # nothing holds a place, no invite, no calendar

    # Each address is sent exactly one e-mail, none with the words the requester typed.
    sent = send_confirmations()
    assert sorted(m.to[0] for m in sent) == [
        "elsewhere@example.org",
        "known@example.org",
        "never@example.org",
        "waiting@example.org",
    ]
    for message in sent:
        raw = message.message().as_bytes()
        for typed in MALLORY.values():
            assert typed.encode() not in raw
    by_address = {m.to[0]: m for m in sent}
    assert by_address["known@example.org"].subject.startswith("You are already registered")
    assert "You already have a place on it" in by_address["known@example.org"].body
    assert "number 1 on its waiting list" in by_address["waiting@example.org"].body
    assert "/confirm/" not in by_address["known@example.org"].body
    assert by_address["never@example.org"].subject.startswith("Confirm your place")
    assert by_address["elsewhere@example.org"].subject.startswith("Confirm your place")
    assert held() == before
    # The known registrations keep the name their owners gave.
    assert Registration.objects.get(email="known@example.org").name == "Kim Known"


def test_the_page_answers_the_same_for_known_and_unknown_addresses(client):
    session = a_webinar()
    register(session, "known@example.org")
    before = held()
    redirects, pages = [], []
    for email in ("known@example.org", "never@example.org"):
        response = client.post(f"/webinars/{session.pk}/", {**FORM, "email": email})
        redirects.append((response.status_code, response["Location"]))
        page = client.get(response["Location"])
        # The Content-Security-Policy nonce is new on every response, whoever asks.
        text = re.sub(r'nonce="[^"]+"', 'nonce="NONCE"', page.content.decode())
        pages.append((page.status_code, text.replace(email, "ADDRESS")))
    assert redirects[0] == redirects[1] == (302, f"/webinars/{session.pk}/check-your-email/")
    assert pages[0] == pages[1]
    assert "Check your e-mail" in pages[0][1]
    assert "We have sent a link to ADDRESS" in pages[0][1]
    assert held() == before
    assert len(send_confirmations()) == 2


# Nothing for a foreign address until it confirms --------------------------------------------


def test_a_foreign_address_gets_no_place_and_no_calendar_until_its_owner_confirms(
    api_client, client, read_mail, django_capture_on_commit_callbacks
):
    session = a_webinar()
    # Someone registers the victim's address, signed out and then signed in as themselves.
    assert api_post(api_client, session, "victim@example.org").status_code == 202
    mallory = bearer(make_user("mallory"))
    assert api_post(api_client, session, "victim@example.org", headers=mallory).status_code == 202
    assert held() == ([], 0, [])
    assert client.get(f"/webinars/{session.pk}/").context["webinar"].registered == 0

    # The owner reads the e-mail (its real bytes) and follows the link.
    messages = send_confirmations()
    assert [m.to for m in messages] == [["victim@example.org"]] * 2
    message = read_mail(messages[-1])
    assert message["headers"]["To"] == "victim@example.org"
    # (A long subject is folded onto the header's next line; its text starts after the fold.)
    assert message["headers"]["Subject"].strip().startswith("Confirm your place: The role of")
    assert "Someone (we hope you) asked to register this address" in message["text"]
    assert "The link works for 48 hours." in message["text"]
    link = link_in(message["text"], "/confirm/")
    assert f'href="{link}"' in message["text/html"]
    assert "Click here" not in message["text"] + message["text/html"]
    path = urlsplit(link).path

    owner = Client()
    page = owner.get(path)
    assert page.status_code == 200
    assert "Confirm your registration" in page_text(page)
    assert held() == ([], 0, [])  # opening the link changes nothing

    with django_capture_on_commit_callbacks(execute=False):
        done = owner.post(path)
    assert done.status_code == 302 and done["Location"] == f"/webinars/{session.pk}/registered/"
    registration = Registration.objects.get()
    assert (registration.email, registration.status) == (
        "victim@example.org",
        RegistrationStatus.REGISTERED,
    )
    assert list(Invite.objects.values_list("recipient_email", "method")) == [
        ("victim@example.org", "REQUEST")
    ]
    # The private calendar is shown to the owner's browser, once, and to nobody else.
    registered = owner.get(done["Location"])
    (private,) = re.findall(
        r'value="https?://[^/"]+(/calendars/u/[^"]+\.ics)"', registered.content.decode()
    )
    assert JOIN.encode() in client.get(private).content
    assert FeedToken.objects.filter(email="victim@example.org", revoked_at=None).count() == 1

    # The other link (the second request) now says so, and changes nothing.
    first_link = link_in(read_mail(messages[0])["text"], "/confirm/")
    again = owner.get(urlsplit(first_link).path)
    assert "You are already registered" in page_text(again)
    owner.post(urlsplit(first_link).path)
    assert Registration.objects.count() == 1 and Invite.objects.count() == 1


def test_a_session_without_its_csrf_token_is_treated_as_signed_out(client):
    """A page on another site cannot register the signed-in person: without the CSRF token the
    API does not take the session as a sign-in, and the address must confirm by e-mail."""
    session = a_webinar()
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(make_user("sam"))
    url = f"/api/webinars/{session.pk}/registrations"
    body = json.dumps({**MALLORY, "email": "sam@example.org"})
    forged = browser.post(url, body, content_type="application/json")
    assert forged.status_code == 202
    assert not Registration.objects.exists()

    token = browser.get("/webinars/").cookies["csrftoken"].value
    own = browser.post(url, body, content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert own.status_code == 201
    assert Registration.objects.get().email == "sam@example.org"


def test_signed_in_with_the_same_address_registers_at_once_on_the_page(client):
    session = a_webinar()
    client.force_login(make_user("sam"))
    response = client.post(f"/webinars/{session.pk}/", {**FORM, "email": "SAM@example.org"})
    assert response["Location"] == f"/webinars/{session.pk}/registered/"
    assert Registration.objects.get().email == "sam@example.org"
    other = client.post(f"/webinars/{session.pk}/", {**FORM, "email": "friend@example.org"})
    assert other["Location"] == f"/webinars/{session.pk}/check-your-email/"
    assert not Registration.objects.filter(email="friend@example.org").exists()


# The confirmation link ------------------------------------------------------------------------


def a_request(session: Session, email: str = "sam@example.org") -> RegistrationRequest:
    return services.registration_request(session=session, email=email, **MALLORY)


def stale(key: str, salt: str, age: timedelta) -> str:
    """The same key as if it had been signed `age` ago."""
    payload = key.rsplit(":", 2)[0]
    signed_at = timezone.now() - age
    return signing.Signer(salt=salt).sign(
        f"{payload}:{signing.b62_encode(int(signed_at.timestamp()))}"
    )


def test_the_confirmation_link_expires_and_refuses_tampering(client):
    session = a_webinar()
    request = a_request(session)
    key = webinar_links.registration_confirm_key(request)
    assert webinar_links.registration_request_for_key(key).request == request

    old = stale(
        key, webinar_links.CONFIRM_SALT, webinar_links.CONFIRM_LINK_AGE + timedelta(minutes=1)
    )
    for method in (client.get, client.post):
        expired = method(f"/webinars/places/{old}/confirm/")
        assert expired.status_code == 410
        assert "This link has expired" in page_text(expired)
        assert "register again" in page_text(expired)
    young = stale(
        key, webinar_links.CONFIRM_SALT, webinar_links.CONFIRM_LINK_AGE - timedelta(minutes=5)
    )
    assert client.get(f"/webinars/places/{young}/confirm/").status_code == 200

    cancel_key = webinar_links.registration_cancel_key(
        register(session, "ann@example.org").registration
    )
    for bad in (key[:-2] + "xx", key.replace(":", ":x", 1), "nonsense", cancel_key):
        for method in (client.get, client.post):
            refused = method(f"/webinars/places/{bad}/confirm/")
            assert refused.status_code == 404, bad
            assert "This link is not valid" in page_text(refused)
    # A key whose address no longer matches the request is refused too.
    RegistrationRequest.objects.filter(pk=request.pk).update(email="other@example.org")
    assert webinar_links.registration_request_for_key(key).request is None
    assert not Registration.objects.filter(email__in=["sam@example.org", "other@example.org"])


def test_confirming_a_webinar_that_closed_meanwhile_holds_nothing(client):
    session = a_webinar()
    path = f"/webinars/places/{webinar_links.registration_confirm_key(a_request(session))}/confirm/"
    services.webinar_cancel(session=session)
    page = client.get(path)
    assert "This webinar is cancelled." in page_text(page)
    assert "Confirm my place" not in page_text(page)
    refused = client.post(path)
    assert refused.status_code == 409
    assert "There is a problem" in page_text(refused)
    assert not Registration.objects.exists()


def test_requests_are_validated_like_registrations_and_write_nothing_when_invalid(api_client):
    session = a_webinar()
    response = api_client.post(
        f"/webinars/{session.pk}/registrations",
        json={**MALLORY, "email": "not an address"},
    )
    assert response.status_code == 422
    assert [p["loc"] for p in response.json()["detail"]] == [["body", "email"]]
    assert not RegistrationRequest.objects.exists()


# The waiting list ------------------------------------------------------------------------------


def test_joining_the_waiting_list_sends_an_email_with_a_way_to_leave(
    client, read_mail, django_capture_on_commit_callbacks
):
    session = a_webinar(capacity=1)
    register(session, "ann@example.org")
    path = f"/webinars/places/{webinar_links.registration_confirm_key(a_request(session))}/confirm/"
    assert "Join the waiting list" in page_text(client.get(path))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(path)
    sam = Registration.objects.get(email="sam@example.org")
    assert sam.status == RegistrationStatus.WAITING
    assert len(callbacks) == 1  # the waiting-list e-mail's task
    assert "You are number 1 on the waiting list" in page_text(
        client.get(f"/webinars/{session.pk}/registered/")
    )

    assert webinar_letters.waiting_list_mail_send(sam.pk) is True
    message = read_mail(mail.outbox[-1])
    assert message["headers"]["To"] == "sam@example.org"
    assert message["headers"]["Subject"].startswith(
        "You are on the waiting list: The role of the ward councillor"
    )
    assert "so you are on the waiting list: number 1." in message["text"]
    assert "text/calendar" not in message  # a letter, not an invitation
    assert "Dear Click here to claim your prize," in message["text"]  # the owner's own words now
    leave = urlsplit(link_in(message["text"], "/cancel/")).path
    assert f'{leave}"' in message["text/html"]

    page = client.get(leave)
    assert "Leave the waiting list" in page_text(page)
    client.post(leave)
    sam.refresh_from_db()
    assert sam.status == RegistrationStatus.CANCELLED
    assert not Invite.objects.filter(recipient_email="sam@example.org").exists()
    # Nobody waiting any more: the task, run late, sends nothing.
    assert webinar_letters.waiting_list_mail_send(sam.pk) is False


# Cancel links expire --------------------------------------------------------------------------


def test_a_cancel_link_expires_when_the_webinar_ends(client):
    session = a_webinar()
    ann = register(session, "ann@example.org").registration
    path = urlsplit(webinar_letters.registration_links(ann)["cancel"]).path
    assert client.get(path).status_code == 200
    now = timezone.now()
    Session.objects.filter(pk=session.pk).update(
        start=now - timedelta(hours=2), end=now - timedelta(hours=1)
    )
    for method in (client.get, client.post):
        expired = method(path)
        assert expired.status_code == 410
        text = page_text(expired)
        assert "This link has expired" in text
        assert "Cancel links stop working when their webinar ends" in text
    assert Registration.objects.get(pk=ann.pk).status == RegistrationStatus.REGISTERED

    # And a genuine key older than any webinar is refused whatever the webinar's date.
    key = urlsplit(path).path.split("/")[3]
    old = stale(key, webinar_links.CANCEL_SALT, webinar_links.CANCEL_LINK_AGE + timedelta(days=1))
    assert webinar_links.registration_for_cancel_key(old) is None
    invalid = client.get(f"/webinars/places/{old}/cancel/")
    assert invalid.status_code == 404
    assert "This link is not valid" in page_text(invalid)
