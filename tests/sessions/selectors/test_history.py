"""The history of a booking: every change recorded with who made it (the signed-in user, the
API token's user, the peer an e-mailed link spoke for, or the system), shown to LGA staff and
the council's Principal Adviser on the booking page and through the API."""

import json
from datetime import UTC
from urllib.parse import urlsplit

import pytest

from peers.selectors import caller_for
from sessions import services
from sessions.models import Booking, Seat, SeatStatus, Session
from sessions.services import answers
from sessions.webinars.models import Registration
from sessions.webinars.services import registrations as webinars
from tests.factories import a_webinar, bearer, london, make_available, make_peer, register

pytestmark = pytest.mark.django_db
PANEL = "recovery-and-renewal-panel"


def call(client, method: str, path: str, user=None, body=None):
    """An API call through the whole stack (middleware included), as a script makes it."""
    headers = {"HTTP_AUTHORIZATION": bearer(user)["Authorization"]} if user else {}
    return getattr(client, method)(
        f"/api{path}",
        data=json.dumps(body) if body is not None else None,
        content_type="application/json",
        **headers,
    )


@pytest.fixture
def booking(client, pool, roles) -> Booking:
    """The pool's panel booked by Wigan's booker with an API token."""
    response = call(
        client,
        "post",
        "/bookings",
        roles.booker,
        {"offer": PANEL, "council": pool.council.pk, "start": london(pool.day, 10).isoformat()},
    )
    assert response.status_code == 201, response.content
    return Booking.objects.get(pk=response.json()["id"])


def history(client, booking, user):
    response = call(client, "get", f"/bookings/{booking.pk}/history", user)
    assert response.status_code == 200, response.content
    return response.json()


def test_a_booking_made_with_an_api_token_is_recorded_as_its_user(client, pool, roles, booking):
    entries = history(client, booking, roles.staff)
    who = {entry["who"] for entry in entries}
    assert who == {roles.booker.username}
    made = entries[0]
    assert made["what"] == "Booking made"
    changes = {c["field"]: (c["before"], c["after"]) for c in made["changes"]}
    assert changes["status"] == (None, "Live")
    assert changes["council"] == (None, "Wigan Council")
    seats = [e for e in entries if " seat of " in e["what"]]
    added = [e for e in seats if "added" in e["what"]]
    assert sorted(e["what"] for e in added) == [
        "LGA lead seat of the session added (Fay Facilitator)",
        "Lead member peer seat of the session added (Lead Labour)",
        "Member peer seat of the session added (Member Green)",
        "Officer peer seat of the session added (Officer Recovery)",
    ]
    # Proposed, then invited when the invites were queued.
    invited = [e for e in seats if "changed" in e["what"]]
    assert len(invited) == 4
    assert all(
        e["changes"] == [{"field": "status", "before": "Proposed", "after": "Invited"}]
        for e in invited
    )
    assert [e["when"] for e in entries] == sorted(e["when"] for e in entries)


def test_a_decline_by_link_names_the_peer_and_the_replacement_is_the_systems(
    client, pool, roles, booking, django_capture_on_commit_callbacks, run_worker
):
    reserve = make_available(
        make_peer(
            name="Reserve Member",
            political_group="conservative",
            home_council=pool.member.home_council,
        )
    )
    seat = Seat.objects.get(peer=pool.member)
    sequence = answers.latest_request_sequence(seat)
    link = answers.answer_url(seat_id=seat.pk, sequence=sequence, answer=answers.DECLINE)
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(urlsplit(link).path).status_code == 200
    run_worker()  # the re-staffing
    assert Seat.objects.get(peer=reserve).status == SeatStatus.INVITED

    entries = history(client, booking, roles.adviser)
    declined = next(
        e
        for e in entries
        if {"field": "status", "before": "Invited", "after": "Declined"} in e["changes"]
    )
    assert declined["who"] == "Member Green (by the link in their e-mail)"
    assert declined["what"] == "Member peer seat of the session changed (Member Green)"
    replacement = next(e for e in entries if e["what"].endswith("(Reserve Member)"))
    assert replacement["who"] == "system"
    assert {"field": "peer", "before": None, "after": "Reserve Member"} in replacement["changes"]
    raised = [e for e in entries if e["what"] == "The session changed"]
    assert raised == []  # SEQUENCE is not a change people read; the time did not move


def test_a_peer_answering_signed_in_is_recorded_as_their_user(client, pool, roles, booking):
    seat = Seat.objects.get(peer=pool.lead)
    response = call(client, "post", f"/seats/{seat.pk}/accept", roles.peer)
    assert response.status_code == 200, response.content
    accepted = history(client, booking, roles.staff)[-1]
    assert accepted["who"] == roles.peer.username
    assert accepted["changes"] == [{"field": "status", "before": "Invited", "after": "Accepted"}]


def test_a_change_made_outside_any_request_is_the_systems(client, pool, roles, booking):
    # As a task in the worker or a command would: no one is signed in.
    services.booking_cancel(caller=caller_for(roles.staff), booking=booking, reason="Called off")
    entries = history(client, booking, roles.staff)
    cancelled = next(e for e in entries if e["what"] == "Booking changed")
    assert cancelled["who"] == "system"
    assert {"field": "status", "before": "Live", "after": "Cancelled"} in cancelled["changes"]
    withdrawn = [
        e
        for e in entries
        if {"field": "status", "before": "Invited", "after": "Withdrawn"} in e["changes"]
    ]
    assert len(withdrawn) == 4


def test_setting_the_joining_link_through_the_api_is_recorded(client, pool, roles, booking):
    session = Session.objects.get(booking=booking)
    url = "https://meet.example.org/wigan-panel"
    response = call(
        client, "put", f"/sessions/{session.pk}/joining-link", roles.booker, {"joining_url": url}
    )
    assert response.status_code == 200, response.content
    assert response.json()["joining_url"] == url
    last = history(client, booking, roles.adviser)[-1]
    assert last["what"] == "The session changed"
    assert last["who"] == roles.booker.username
    assert last["changes"] == [{"field": "joining_url", "before": None, "after": url}]


def test_moving_a_booking_records_the_new_time_and_no_false_withdrawals(
    client, pool, roles, booking
):
    response = call(
        client,
        "post",
        f"/bookings/{booking.pk}/reschedule",
        roles.booker,
        {"start": london(pool.day, 13).isoformat()},
    )
    assert response.status_code == 200, response.content
    entries = history(client, booking, roles.staff)
    moved = next(e for e in entries if e["what"] == "The session changed")
    fields = {c["field"]: c for c in moved["changes"]}
    assert fields["start"]["before"] == london(pool.day, 10).astimezone(UTC).isoformat()
    assert fields["start"]["after"] == london(pool.day, 13).astimezone(UTC).isoformat()
    assert set(fields) == {"start", "end"}
    # The same three peers are kept: none of them was ever recorded as withdrawn.
    assert not any(
        c["after"] == "Withdrawn" for e in entries for c in e["changes"] if c["field"] == "status"
    )


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 200),
        ("adviser", 200),
        ("other_adviser", 403),
        ("booker", 403),
        ("peer", 403),
        ("councillor", 403),
        (None, 401),
    ],
)
def test_who_may_see_a_bookings_history(client, roles, booking, who, status):
    user = getattr(roles, who) if who else None
    response = call(client, "get", f"/bookings/{booking.pk}/history", user)
    assert response.status_code == status, response.content
    assert "detail" in response.json() or status == 200


def test_an_unknown_bookings_history_is_404(client, roles):
    assert call(client, "get", "/bookings/999999/history", roles.staff).status_code == 404


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("staff", 200),
        ("adviser", 200),
        ("booker", 200),
        ("other_adviser", 403),
        ("peer", 403),
        ("councillor", 403),
        (None, 401),
    ],
)
def test_who_may_set_a_joining_link_through_the_api(client, roles, booking, who, status):
    session = Session.objects.get(booking=booking)
    user = getattr(roles, who) if who else None
    url = f"https://meet.example.org/{who}"
    response = call(
        client, "put", f"/sessions/{session.pk}/joining-link", user, {"joining_url": url}
    )
    assert response.status_code == status, response.content
    session.refresh_from_db()
    assert (session.joining_url == url) == (status == 200)


def test_a_joining_link_that_is_not_a_link_is_422_and_changes_nothing(client, roles, booking):
    session = Session.objects.get(booking=booking)
    response = call(
        client,
        "put",
        f"/sessions/{session.pk}/joining-link",
        roles.staff,
        {"joining_url": "not a link"},
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "joining_url"]
    assert Session.objects.get(pk=session.pk).joining_url == ""
    assert (
        call(
            client, "put", "/sessions/999999/joining-link", roles.staff, {"joining_url": ""}
        ).status_code
        == 404
    )


def test_the_booking_page_shows_the_history_to_staff_and_the_adviser_only(client, roles, booking):
    for user, shown in [(roles.staff, True), (roles.adviser, True), (roles.booker, False)]:
        client.force_login(user)
        page = client.get(f"/bookings/{booking.pk}/").content.decode()
        assert ('id="history-title"' in page) == shown, user
        if shown:
            assert "Booking made" in page
            assert "Status: Live" in page
            assert "Status: from Proposed to Invited" in page


def test_a_webinar_place_is_recorded_as_the_registrants_and_shown_in_the_admin(client, roles):
    webinar = a_webinar(days=10, capacity=5)
    place = register(
        webinar, "ann@example.org", name="Ann Councillor", council_name="Wigan Council"
    ).registration
    webinars.registration_cancel(registration=place)
    records = list(Registration.history.filter(id=place.pk).order_by("history_date"))
    assert [r.status for r in records] == ["registered", "cancelled"]
    assert {r.history_actor for r in records} == {"Ann Councillor (the registrant)"}

    client.force_login(roles.staff)
    roles.staff.is_superuser = True
    roles.staff.save()
    page = client.get(f"/admin/offer_sessions/registration/{place.pk}/history/")
    assert page.status_code == 200
    assert "View history" in page.content.decode()  # reverting is turned off
