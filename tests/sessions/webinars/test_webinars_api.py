"""The webinar API: browse by topic, register (signed in with one's own address at once;
otherwise the address confirms by e-mail), clear refusals, throttling."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from sessions.models import Invite, Offer, Session
from sessions.webinars.models import FeedToken, Registration, RegistrationRequest
from sessions.webinars.services import registrations as services
from tests.factories import (
    JOIN,
    OPPOSITION,
    a_webinar,
    bearer,
    make_council,
    make_user,
    register,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def client(feed_checking_client):
    """The `client`: every feed a test is served is also read by ical.js and libical."""
    return feed_checking_client


SAM = {
    "name": "Sam Okafor",
    "email": "sam@example.org",
    "council_name": "Anytown Borough Council",
    "role": "Ward councillor",
}


def post(api_client, session_id, body=None, ip="127.0.0.1", headers=None):
    return api_client.post(
        f"/webinars/{session_id}/registrations",
        json=SAM if body is None else body,
        META={"REMOTE_ADDR": ip},
        headers=headers or {},
    )


@pytest.fixture
def sam():
    """Sam's own account (sam@example.org), signed in by a bearer token."""
    return bearer(make_user("sam"))


def nothing_written():
    return not (
        Registration.objects.exists()
        or RegistrationRequest.objects.exists()
        or Invite.objects.exists()
        or FeedToken.objects.exists()
    )


def test_upcoming_webinars_by_topic_in_uk_time(api_client):
    winter = a_webinar(days=20, hour=18, capacity=3)
    opposition = a_webinar(OPPOSITION, days=10)
    register(winter, "ann@example.org")
    response = api_client.get("/webinars")
    assert response.status_code == 200
    listed = response.json()
    assert [w["id"] for w in listed] == [opposition.pk, winter.pk]
    ward = listed[1]
    assert ward["title"] == "The role of the ward councillor"
    assert ward["topic"] == "leadership" and ward["topic_name"] == "Leadership"
    assert ward["summary"].startswith("The first of the councillor webinars")
    assert "pre-recorded short videos and live discussion" in ward["description"]
    assert datetime.fromisoformat(ward["start"]) == winter.start
    assert ward["when"].endswith("18:00 to 19:00 (UK time)")
    assert (ward["capacity"], ward["places_left"], ward["waiting"]) == (3, 2, 0)
    assert ward["registration_open"] is True and ward["closed_reason"] == ""
    assert ward["url"].endswith(f"/webinars/{winter.pk}/")
    assert ward["feed"]["webcal"].startswith("webcal://")
    assert ward["feed"]["microsoft365"].startswith(
        "https://outlook.office.com/calendar/0/addfromweb?url="
    )
    assert ward["feed"]["https"].endswith("/calendars/webinars/leadership.ics")
    assert JOIN not in response.content.decode()

    # Times carry the UK offset of their date: +01:00 in summer time.
    summer = a_webinar(OPPOSITION, days=1, hour=10)
    Session.objects.filter(pk=summer.pk).update(
        start=datetime(2027, 6, 15, 9, tzinfo=UTC), end=datetime(2027, 6, 15, 10, tzinfo=UTC)
    )
    (read,) = [w for w in api_client.get("/webinars").json() if w["id"] == summer.pk]
    assert read["start"] == "2027-06-15T10:00:00+01:00"
    assert read["when"] == "Tuesday 15 June 2027, 10:00 to 11:00 (UK time)"

    only = api_client.get("/webinars", query_params={"topic": "opposition"}).json()
    assert [w["id"] for w in only] == [opposition.pk, summer.pk]
    assert api_client.get("/webinars", query_params={"topic": "finance"}).json() == []
    unknown = api_client.get("/webinars", query_params={"topic": "astrology"})
    assert unknown.status_code == 404
    assert "No such topic" in unknown.json()["detail"]


def test_past_and_cancelled_webinars_are_not_listed(api_client):
    past = a_webinar()
    now = timezone.now()
    Session.objects.filter(pk=past.pk).update(start=now - timedelta(hours=2), end=now)
    services.webinar_cancel(session=a_webinar(OPPOSITION))
    assert api_client.get("/webinars").json() == []
    assert api_client.get(f"/webinars/{past.pk}").json()["registration_open"] is False
    Session.objects.filter(pk=past.pk).update(recording_url="https://video.example.org/r/9")
    assert api_client.get(f"/webinars/{past.pk}").json()["recording_url"] == (
        "https://video.example.org/r/9"
    )


def test_register_ones_own_address_signed_in(api_client, client, sam):
    session = a_webinar()
    response = post(api_client, session.pk, headers=sam)
    assert response.status_code == 201, response.json()
    body = response.json()
    registration = Registration.objects.get()
    assert body["id"] == registration.pk and body["webinar"] == session.pk
    assert (body["status"], body["invited"], body["waiting_position"]) == (
        "registered",
        True,
        None,
    )
    assert body["feed_url"].startswith("http") and body["feed_url"].endswith(".ics")
    assert body["feed"]["webcal"] == "webcal://" + body["feed_url"].split("://", 1)[1]
    assert body["feed"]["google"].startswith("https://calendar.google.com/calendar/r?cid=webcal")
    assert list(Invite.objects.values_list("method", "recipient_email", "sequence")) == [
        ("REQUEST", "sam@example.org", 0)
    ]
    feed_path = body["feed_url"].split("testlocation", 1)[1]
    feed = client.get(feed_path)
    assert feed.status_code == 200 and JOIN.encode() in feed.content

    # A second webinar: the same feed, no new link; the first link now shows both.
    other = a_webinar(OPPOSITION)
    second = post(api_client, other.pk, headers=sam)
    assert second.status_code == 201
    assert second.json()["feed_url"] is None
    assert second.json()["private_calendar"] == "live"
    assert second.json()["note"] == (
        "You have a place: we have e-mailed you an invitation with the joining link. Your "
        "private calendar link lists your webinars; it cannot be shown again. Get a new one "
        "with the link in any e-mail about your webinars."
    )
    assert client.get(feed_path).content.count(b"BEGIN:VEVENT") == 2

    # Registering again is harmless, and says so: the same registration, nothing sent.
    again = post(api_client, session.pk, {**SAM, "email": "SAM@example.org"}, headers=sam)
    assert again.status_code == 200
    assert again.json()["id"] == registration.pk and again.json()["feed_url"] is None
    assert again.json()["invited"] is False
    assert again.json()["note"].startswith(
        "You already have a place: nothing has changed, and no e-mail was sent."
    )
    assert "e-mailed you an invitation" not in again.json()["note"]
    assert Registration.objects.count() == 2 and Invite.objects.count() == 2


def test_a_directory_council_can_be_chosen_by_id(api_client, sam):
    council = make_council("Wigan Council")
    response = post(
        api_client, a_webinar().pk, {**SAM, "council": council.pk, "council_name": ""}, headers=sam
    )
    assert response.status_code == 201
    assert Registration.objects.get().council == council


def test_a_full_webinar_puts_people_on_the_waiting_list(api_client, sam):
    session = a_webinar(capacity=1)
    register(session, "ann@example.org")
    response = post(api_client, session.pk, headers=sam)
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["invited"], body["waiting_position"]) == ("waiting", False, 1)
    assert not Invite.objects.filter(recipient_email="sam@example.org").exists()
    assert body["note"].startswith(
        "Every place is taken: you are number 1 on the waiting list and hold no place yet."
    )
    assert "added to your private calendar" not in body["note"]

    again = post(api_client, session.pk, headers=sam)
    assert again.status_code == 200
    assert (again.json()["invited"], again.json()["waiting_position"]) == (False, 1)
    assert again.json()["note"].startswith(
        "You are already number 1 on the waiting list: nothing has changed, and no e-mail was sent."
    )


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"email": "sam at example.org"}, "email"),
        ({"email": "sam@"}, "email"),
        ({"name": ""}, "name"),
        ({"council_name": ""}, "council"),
        ({"council": 424242}, "council"),
        ({"role": " "}, "role"),
    ],
)
def test_invalid_input_is_422_naming_the_field_and_writes_nothing(api_client, change, field):
    response = post(api_client, a_webinar().pk, {**SAM, **change})
    assert response.status_code == 422
    problems = response.json()["detail"]
    # The schema's own rules (a blank name or role) name the field after the body's parameter.
    assert [(p["loc"][0], p["loc"][-1]) for p in problems] == [("body", field)]
    assert problems[0]["msg"]
    assert nothing_written()


def test_a_missing_field_is_422(api_client):
    response = post(api_client, a_webinar().pk, {"name": "Sam"})
    assert response.status_code == 422
    assert any(p["loc"][-1] == "email" for p in response.json()["detail"])
    assert nothing_written()


@pytest.mark.parametrize("state", ["cancelled", "past", "started", "coming-soon"])
def test_closed_webinars_are_409_with_a_reason_and_write_nothing(api_client, state):
    session = a_webinar()
    now = timezone.now()
    if state == "cancelled":
        services.webinar_cancel(session=session)
    elif state == "past":
        Session.objects.filter(pk=session.pk).update(
            start=now - timedelta(days=1, hours=1), end=now - timedelta(days=1)
        )
    elif state == "started":
        Session.objects.filter(pk=session.pk).update(start=now - timedelta(minutes=1))
    else:
        Offer.objects.filter(pk=session.offer_id).update(status="coming-soon")
    response = post(api_client, session.pk)
    assert response.status_code == 409
    assert response.json()["detail"] in {
        "This webinar is cancelled.",
        "This webinar has already taken place.",
        "Registration closed when the webinar started.",
        "Registration has not opened yet.",
    }
    assert nothing_written()


def test_unknown_webinars_and_panel_sessions_are_404(api_client):
    assert post(api_client, 987654).status_code == 404
    panel = Offer.objects.get(slug="recovery-and-renewal-panel")
    start = timezone.now() + timedelta(days=20)
    session = Session.objects.create(
        offer=panel, start=start, end=start + timedelta(hours=3), uid="panel@example"
    )
    assert post(api_client, session.pk).status_code == 404
    assert api_client.get(f"/webinars/{session.pk}").status_code == 404
    assert nothing_written()


def test_too_many_registrations_from_one_client_or_for_one_address_are_429(api_client, settings):
    settings.WEBINAR_THROTTLE = {"client": 3, "address": 2}
    session = a_webinar()
    for n in range(3):
        ok = post(api_client, session.pk, {**SAM, "email": f"person{n}@example.org"})
        assert ok.status_code == 202
    refused = post(api_client, session.pk, {**SAM, "email": "person9@example.org"})
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("Too many requests")
    assert 0 < int(refused["Retry-After"]) <= 60
    assert not RegistrationRequest.objects.filter(email="person9@example.org").exists()
    # Another client is fine, until it tries the same address too often.
    assert post(api_client, session.pk, ip="10.1.1.1").status_code == 202
    assert post(api_client, session.pk, ip="10.1.1.2").status_code == 202
    assert post(api_client, session.pk, ip="10.1.1.3").status_code == 429
