"""Hostile and edge input to the whole API: always a JSON answer in the documented shape,
never a server error, and the same on every database (SQLite, PostgreSQL)."""

import json

import pytest
from django.test import Client

from sessions.models import Booking
from tests.factories import bearer, bookable_day, london, make_peer, make_user

pytestmark = pytest.mark.django_db
PANEL = "recovery-and-renewal-panel"


def send(client, method, path, headers, body=None):
    if body is None:
        return getattr(client, method)(path, headers=headers)
    return getattr(client, method)(
        path, data=json.dumps(body), content_type="application/json", headers=headers
    )


def assert_invalid(response, field):
    assert response.status_code == 422, response.content
    assert response["Content-Type"].startswith("application/json")
    assert any(error["loc"][-1] == field for error in response.json()["detail"]), response.json()


@pytest.fixture
def booking(pool):
    response = Client().post(
        "/api/bookings",
        data=json.dumps(
            {
                "offer": PANEL,
                "council": pool.council.id,
                "start": london(bookable_day(), 10).isoformat(),
            }
        ),
        content_type="application/json",
        headers=bearer(pool.booker),
    )
    assert response.status_code == 201, response.content
    return Booking.objects.get(pk=response.json()["id"])


@pytest.mark.parametrize("moment", ["9999-12-31T23:00:00+00:00", "0001-01-01T00:00:00+00:00"])
def test_years_the_service_does_not_plan_for_are_a_clear_422(pool, booking, moment):
    client, headers = Client(), bearer(pool.booker)
    staff = bearer(make_user(is_staff=True))
    near = london(bookable_day(), 10).isoformat()
    council = pool.council.id
    for path, field in [
        (f"/api/offers/{PANEL}/slots?council={council}&start={near}&end={moment}", "end"),
        (f"/api/offers/{PANEL}/slots?council={council}&start={moment}&end={near}", "start"),
        (f"/api/offers/{PANEL}/slots/explain?council={council}&start={moment}", "start"),
        (f"/api/peers/{pool.lead.id}/freebusy?start={near}&end={moment}", "end"),
        (f"/api/peers/{pool.lead.id}/freebusy.ics?start={moment}&end={near}", "start"),
    ]:
        response = client.get(
            path.replace("+", "%2B"), headers=staff if "peers" in path else headers
        )
        assert_invalid(response, field)
        assert "2000 to 2099" in response.json()["detail"][0]["msg"]
    body = {"offer": PANEL, "council": council, "start": moment}
    assert_invalid(send(client, "post", "/api/bookings", headers, body), "start")
    path = f"/api/bookings/{booking.id}/reschedule"
    assert_invalid(send(client, "post", path, headers, {"start": moment}), "start")
    assert Booking.objects.count() == 1


def test_a_start_with_milliseconds_is_read_to_the_second(pool, booking):
    moved = london(bookable_day(), 14)
    response = send(
        Client(),
        "post",
        f"/api/bookings/{booking.id}/reschedule",
        bearer(pool.booker),
        {"start": moved.isoformat(timespec="milliseconds")},
    )
    assert response.status_code == 200, response.content
    booking.refresh_from_db()
    assert booking.sessions.get().start == moved


@pytest.mark.parametrize("name", ["limit", "offset"])
@pytest.mark.parametrize("path", ["/api/councils", "/api/peers"])
def test_paging_past_any_list_is_422(path, name):
    headers = bearer(make_user(is_staff=True))
    assert_invalid(Client().get(f"{path}?{name}={2**63}", headers=headers), name)
    assert Client().get(f"{path}?limit=500&offset=1000000", headers=headers).status_code == 200


def test_a_nul_character_is_refused_in_any_string(pool, booking):
    client, headers = Client(), bearer(pool.booker)
    assert_invalid(send(client, "post", "/api/me/tokens", headers, {"name": "a\x00b"}), "name")
    assert_invalid(client.get("/api/councils?search=wig%00an", headers=headers), "search")
    body = {
        "offer": PANEL,
        "council": pool.council.id,
        "start": london(bookable_day(), 14).isoformat(),
    }
    assert_invalid(
        send(client, "post", "/api/bookings", headers, {**body, "notes": "\x00"}), "notes"
    )
    path = f"/api/bookings/{booking.id}/cancel"
    assert_invalid(send(client, "post", path, headers, {"reason": "no\x00"}), "reason")
    assert Client().get("/api/offers/recovery%00/slots", headers=headers).status_code == 404
    webinar = Client().get("/api/webinars").json()
    if webinar:
        registration = {"name": "A\x00", "email": "a@example.org", "role": "Ward councillor"}
        path = f"/api/webinars/{webinar[0]['id']}/registrations"
        assert_invalid(send(client, "post", path, {}, registration), "name")
    booking.refresh_from_db()
    assert booking.status != "cancelled"


def test_a_body_over_the_size_limit_is_413_json(settings, pool):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 10_000
    body = {"offer": PANEL, "council": pool.council.id, "start": "2030-01-01T10:00:00Z"}
    response = send(
        Client(), "post", "/api/bookings", bearer(pool.booker), {**body, "notes": "x" * 20_000}
    )
    assert response.status_code == 413
    assert "10,000 bytes" in response.json()["detail"]
    assert Booking.objects.count() == 0


@pytest.mark.parametrize(
    "path",
    ["/api/bookings/-1", "/api/bookings/99999999", "/api/no-such-thing", "/api/seats/x/accept"],
)
def test_unknown_addresses_under_the_api_are_json_404(path, pool):
    for client in (Client(), Client(enforce_csrf_checks=True)):
        response = client.get(path, headers=bearer(pool.booker))
        assert response.status_code == 404
        assert response.json() == {"detail": "Not Found"}
    if not path[-1].isdigit():
        response = Client(enforce_csrf_checks=True).post(path, headers=bearer(pool.booker))
        assert response.status_code == 404


def test_signed_out_posts_are_401_and_sessions_still_need_csrf(pool):
    client = Client(enforce_csrf_checks=True)
    body = {
        "offer": PANEL,
        "council": pool.council.id,
        "start": london(bookable_day(), 10).isoformat(),
    }
    response = send(client, "post", "/api/bookings", {}, body)
    assert (response.status_code, response.json()) == (401, {"detail": "Unauthorized"})
    client.force_login(pool.booker)
    response = send(client, "post", "/api/bookings", {}, body)
    assert response.status_code == 403
    assert "CSRF" in response.json()["detail"]
    assert Booking.objects.count() == 0
    client.get("/")  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    response = send(client, "post", "/api/bookings", {"X-CSRFToken": token}, body)
    assert response.status_code == 201


def test_peer_records_and_unknown_peers(pool):
    headers = bearer(make_user(is_staff=True))
    assert Client().get(f"/api/peers/{make_peer().id}", headers=headers).status_code == 200
    assert Client().get(f"/api/peers/{2**63}", headers=headers).status_code == 404


def test_values_of_another_type_than_the_schema_says_are_422(pool):
    """A JSON body is read as its schema says: "1" is not a number, 0 is not false, and a time
    or date is text in RFC 3339's form (not seconds since 1970, nor a date without dashes).
    A whole number written 4.0 is a number, as JSON Schema counts it."""
    client, headers = Client(), bearer(pool.booker)
    start = london(bookable_day(), 10)
    body = {"offer": PANEL, "council": pool.council.id, "start": start.isoformat()}
    for change, field in [
        ({"council": str(pool.council.id)}, "council"),
        ({"council": pool.council.id + 0.5}, "council"),
        ({"start": int(start.timestamp())}, "start"),
        ({"start": start.strftime("%Y%m%dT%H%M%S%z")}, "start"),
        ({"start": start.isoformat(timespec="minutes")}, "start"),
    ]:
        assert_invalid(send(client, "post", "/api/bookings", headers, {**body, **change}), field)
    query = f"council={pool.council.id}&start={int(start.timestamp())}&end={start.isoformat()}"
    response = client.get(f"/api/offers/{PANEL}/slots?{query.replace('+', '%2B')}", headers=headers)
    assert_invalid(response, "start")
    assert Booking.objects.count() == 0
    peer_user = make_user()
    make_peer(user=peer_user)
    availability = {"monthly_session_cap": 4, "monthly_hours_cap": 12}
    path = "/api/peers/me/availability"
    for change, field in [
        ({"bank_holidays_block": 0}, "bank_holidays_block"),
        ({"monthly_session_cap": "4"}, "monthly_session_cap"),
        ({"leave": [{"first_day": "20991201", "last_day": "2099-12-02"}]}, "first_day"),
    ]:
        response = send(client, "put", path, bearer(peer_user), {**availability, **change})
        assert_invalid(response, field)
    assert send(client, "put", path, bearer(peer_user), availability).status_code == 200
    whole = {**availability, "monthly_session_cap": 4.0}
    response = send(client, "put", path, bearer(peer_user), whole)
    assert response.status_code == 200, response.content
    assert response.json()["monthly_session_cap"] == 4
