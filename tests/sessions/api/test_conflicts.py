"""Every 409 an operation answers is in its schema: a seat whose booking or session is closed,
a peer who already holds the seat, and a request decided already. And an answer whose status
the schema does not list fails loudly (development and the tests) or is logged (elsewhere)."""

import logging

import pytest
from django.test import Client

from scheduling.api import UndocumentedStatus, api
from scheduling.engine.refusals import Refusal
from sessions.models import HOLDING_SEAT_STATUSES, Seat
from sessions.services import seat_assignment
from tests.factories import a_booking, bearer, london

pytestmark = pytest.mark.django_db


def documented(method: str, path: str) -> set[int]:
    operation = api.get_openapi_schema()["paths"][path][method]
    return {int(code) for code in operation["responses"]}


def assert_conflict(response, method: str, path: str, words: str):
    assert response.status_code == 409, response.content
    assert response["Content-Type"].startswith("application/json")
    assert words in response.json()["detail"], response.json()
    assert 409 in documented(method, path)


@pytest.fixture
def booked(pool, django_capture_on_commit_callbacks):
    return a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)


def lead_seat(pool) -> Seat:
    return Seat.objects.get(peer=pool.lead, status__in=HOLDING_SEAT_STATUSES)


def test_a_seat_of_a_cancelled_booking_is_a_documented_409(pool, booked, staff):
    seat = lead_seat(pool)
    cancelled = Client().post(
        f"/api/bookings/{booked.pk}/cancel",
        data={"reason": "The leader is ill."},
        content_type="application/json",
        headers=bearer(pool.booker),
    )
    assert cancelled.status_code == 200, cancelled.content
    headers = bearer(staff)
    response = Client().get(f"/api/seats/{seat.pk}/candidates", headers=headers)
    assert_conflict(response, "get", "/api/seats/{seat_id}/candidates", "cancelled")
    response = Client().post(
        f"/api/seats/{seat.pk}/assign",
        data={"peer": pool.lead.pk},
        content_type="application/json",
        headers=headers,
    )
    assert_conflict(response, "post", "/api/seats/{seat_id}/assign", "cancelled")


def test_seating_the_peer_who_holds_the_seat_is_a_documented_409(pool, booked, staff):
    seat = lead_seat(pool)
    response = Client().post(
        f"/api/seats/{seat.pk}/assign",
        data={"peer": pool.lead.pk},
        content_type="application/json",
        headers=bearer(staff),
    )
    assert_conflict(response, "post", "/api/seats/{seat_id}/assign", "already holds this seat")
    assert lead_seat(pool).pk == seat.pk


def test_a_hard_rule_refusal_is_a_422_in_a_documented_shape(pool, booked, staff):
    response = Client().post(
        f"/api/seats/{lead_seat(pool).pk}/assign",
        data={"peer": 2**31},
        content_type="application/json",
        headers=bearer(staff),
    )
    assert response.status_code == 422, response.content
    assert response.json()["field"] == "peer"
    shape = documented_shape("post", "/api/seats/{seat_id}/assign", 422)
    assert {"$ref": "#/components/schemas/RuleRefusalOut"} in shape["anyOf"]
    assert {"$ref": "#/components/schemas/InvalidInput"} in shape["anyOf"]


def documented_shape(method: str, path: str, status: int) -> dict:
    responses = api.get_openapi_schema()["paths"][path][method]["responses"]
    return responses[status]["content"]["application/json"]["schema"]


def test_declining_a_booking_that_is_not_a_request_is_a_documented_409(pool, booked, staff):
    response = Client().post(
        f"/api/bookings/{booked.pk}/reject",
        data={"reason": "Too late."},
        content_type="application/json",
        headers=bearer(staff),
    )
    assert_conflict(response, "post", "/api/bookings/{booking_id}/reject", "already approved")
    assert response.json()["booking_status"] == "confirmed"
    booked.refresh_from_db()
    assert booked.status == "confirmed"


@pytest.fixture
def teapot(monkeypatch):
    """Staff's seat chooser refusing with a status no schema lists."""

    def refuse(**kwargs):
        raise Refusal("I am a teapot.", status=418)

    monkeypatch.setattr(seat_assignment, "seat_choice", refuse)


def test_an_undocumented_status_fails_loudly_where_strict(settings, pool, booked, staff, teapot):
    settings.API_STRICT_STATUSES = True
    with pytest.raises(UndocumentedStatus, match=r"GET /seats/\{seat_id\}/candidates .* 418"):
        Client().get(f"/api/seats/{lead_seat(pool).pk}/candidates", headers=bearer(staff))


def test_an_undocumented_status_is_logged_elsewhere(settings, caplog, pool, booked, staff, teapot):
    settings.API_STRICT_STATUSES = False
    with caplog.at_level(logging.ERROR, logger="scheduling.api"):
        response = Client().get(
            f"/api/seats/{lead_seat(pool).pk}/candidates", headers=bearer(staff)
        )
    assert response.status_code == 418
    assert "which its schema does not list" in caplog.text
