"""A councillor's own webinars: "My webinars" and GET /api/me/registrations, with places and
waiting-list positions; giving up a place and leaving a waiting list from there."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from sessions.models import Session
from sessions.webinars.models import Registration, RegistrationStatus
from sessions.webinars.services import registrations as services
from tests.factories import (
    JOIN,
    OPPOSITION,
    a_webinar,
    bearer,
    invites,
    make_booker,
    make_council,
    make_councillor,
    register,
)

pytestmark = pytest.mark.django_db


def page_text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


@pytest.fixture
def ceri():
    return make_councillor(make_council("Cardiff Council"), "ceri")  # ceri@example.org


@pytest.fixture
def places(ceri):
    """Ceri has a place on one webinar and is second on another's waiting list; other rows of
    theirs (cancelled, over) and other people's are not theirs to see here."""
    ward = a_webinar(days=14)
    full = a_webinar(OPPOSITION, days=10, capacity=1, joining_url="https://meet.example.org/o")
    register(full, "ann@example.org")
    register(full, "bob@example.org")
    mine = {
        "place": register(ward, "Ceri@example.org").registration,
        "waiting": register(full, "ceri@example.org").registration,
    }
    gone = register(a_webinar(days=20), "ceri@example.org").registration
    services.registration_cancel(registration=gone)
    over = register(a_webinar(days=2), "ceri@example.org").registration
    now = timezone.now()
    Session.objects.filter(pk=over.session_id).update(
        start=now - timedelta(hours=3), end=now - timedelta(hours=2)
    )
    register(a_webinar(days=5), "someone@example.org")
    return mine


def test_the_api_lists_places_and_waiting_list_positions_soonest_first(api_client, ceri, places):
    response = api_client.get("/me/registrations", headers=bearer(ceri))
    assert response.status_code == 200
    waiting, place = response.json()  # the opposition webinar is sooner
    assert (waiting["id"], waiting["status"], waiting["waiting_position"]) == (
        places["waiting"].pk,
        "waiting",
        2,
    )
    assert waiting["status_text"] == "Waiting list: number 2"
    assert waiting["joining_url"] == ""  # no place, no joining link
    assert (place["id"], place["status"], place["waiting_position"]) == (
        places["place"].pk,
        "registered",
        None,
    )
    assert place["joining_url"] == JOIN and place["can_cancel"] is True
    assert place["title"] == "The role of the ward councillor"
    assert place["when"].endswith("10:00 to 11:00 (UK time)")
    assert place["url"].endswith(f"/webinars/{places['place'].session_id}/")


def test_only_signed_in_councillors_have_registrations(api_client, ceri, places):
    assert api_client.get("/me/registrations").status_code == 401
    booker = make_booker(make_council("Wigan Council"))
    refused = api_client.get("/me/registrations", headers=bearer(booker))
    assert refused.status_code == 403 and refused.json()["detail"]
    cancel = api_client.post(
        f"/me/registrations/{places['place'].pk}/cancel", headers=bearer(booker)
    )
    assert cancel.status_code == 403
    assert Registration.objects.get(pk=places["place"].pk).status == RegistrationStatus.REGISTERED


def test_leave_a_waiting_list_and_cancel_a_place_through_the_api(api_client, ceri, places):
    auth = bearer(ceri)
    left = api_client.post(f"/me/registrations/{places['waiting'].pk}/cancel", headers=auth)
    assert left.status_code == 200
    assert (left.json()["status"], left.json()["can_cancel"]) == ("cancelled", False)
    assert invites(places["waiting"].session) == [
        ("REQUEST", "ann@example.org", 0)
    ]  # nothing to withdraw from a calendar

    session = places["place"].session
    register(session, "next@example.org")
    Session.objects.filter(pk=session.pk).update(capacity=2)  # both places are now taken
    waiting = register(session, "waits@example.org").registration
    assert waiting.status == RegistrationStatus.WAITING
    gave_up = api_client.post(f"/me/registrations/{places['place'].pk}/cancel", headers=auth)
    assert gave_up.status_code == 200 and gave_up.json()["status"] == "cancelled"
    waiting.refresh_from_db()
    assert waiting.status == RegistrationStatus.REGISTERED
    assert invites(session)[-2:] == [
        ("CANCEL", "ceri@example.org", 1),
        ("REQUEST", "waits@example.org", 1),
    ]
    assert [r["id"] for r in api_client.get("/me/registrations", headers=auth).json()] == []


def test_someone_elses_registration_is_not_found_and_unchanged(api_client, ceri, places):
    theirs = Registration.objects.get(email="someone@example.org")
    response = api_client.post(f"/me/registrations/{theirs.pk}/cancel", headers=bearer(ceri))
    assert response.status_code == 404
    assert (
        api_client.post("/me/registrations/987654/cancel", headers=bearer(ceri)).status_code == 404
    )
    theirs.refresh_from_db()
    assert theirs.status == RegistrationStatus.REGISTERED


def test_a_webinar_that_has_taken_place_cannot_be_given_up(api_client, ceri, places):
    now = timezone.now()
    Session.objects.filter(pk=places["place"].session_id).update(
        start=now - timedelta(hours=1), end=now + timedelta(minutes=1)
    )
    Session.objects.filter(pk=places["place"].session_id).update(end=now - timedelta(minutes=1))
    response = api_client.post(
        f"/me/registrations/{places['place'].pk}/cancel", headers=bearer(ceri)
    )
    assert response.status_code == 409
    assert response.json()["detail"] == "This webinar has already taken place."


# The page --------------------------------------------------------------------------------------


def test_my_webinars_page_lists_and_gives_up_places(client, ceri, places):
    client.force_login(ceri)
    page = client.get("/webinars/mine/")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'href="/webinars/mine/" aria-current="page">(<[^>]+>)*My webinars<', html)
    text = page_text(page)
    assert text.index("The importance of opposition") < text.index("The role of the ward")
    assert "Waiting list: number 2" in text and "You have a place" in text
    assert f'href="{JOIN}"' in html
    assert "Leave the waiting list for The importance of opposition" in text
    assert "Cancel my place on The role of the ward councillor" in text
    assert page["Cache-Control"].startswith("max-age=0")

    left = client.post(f"/webinars/mine/{places['waiting'].pk}/cancel/")
    assert left.status_code == 302 and left["Location"] == "/webinars/mine/"
    after = page_text(client.get("/webinars/mine/"))
    assert "You have left the waiting list for The importance of opposition." in after
    assert "Waiting list" not in after.replace("You have left the waiting list", "")

    client.post(f"/webinars/mine/{places['place'].pk}/cancel/")
    after = page_text(client.get("/webinars/mine/"))
    assert "Your place on The role of the ward councillor is cancelled." in after
    assert "You have no upcoming webinars." in after
    session = places["place"].session
    assert ("CANCEL", "ceri@example.org", 1) in invites(session)


def test_my_webinars_page_is_for_signed_in_councillors_and_their_own_rows(client, ceri, places):
    assert client.get("/webinars/mine/")["Location"].startswith("/accounts/sign-in/")
    theirs = Registration.objects.get(email="someone@example.org")
    client.force_login(ceri)
    assert client.get(f"/webinars/mine/{theirs.pk}/cancel/").status_code == 405
    assert client.post(f"/webinars/mine/{theirs.pk}/cancel/").status_code == 404
    assert Registration.objects.get(pk=theirs.pk).status == RegistrationStatus.REGISTERED

    client.force_login(make_booker(make_council("Wigan Council")))
    assert client.get("/webinars/mine/").status_code == 403
    assert "My webinars" not in page_text(client.get("/webinars/"))
