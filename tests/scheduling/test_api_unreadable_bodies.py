"""A body the API cannot read is a 400 with a JSON `detail` on every operation that takes one,
whatever is wrong with it: not JSON, or a multipart body without its boundary or cut short."""

import pytest
from django.test import Client

from scheduling.api import api
from tests.factories import bearer, make_peer, make_user

pytestmark = pytest.mark.django_db

FILE_PART = (
    b'--edge\r\nContent-Disposition: form-data; name="file"; filename="busy.ics"\r\n'
    b"Content-Type: text/calendar\r\n\r\nBEGIN:VCALENDAR\r\n"
)


def operations_with_a_body(kind: str) -> list[tuple[str, str]]:
    return [
        (method, _concrete(path))
        for path, methods in SCHEMA["paths"].items()
        for method, operation in methods.items()
        if kind in operation.get("requestBody", {}).get("content", {})
    ]


def _concrete(path: str) -> str:
    """The path with each parameter filled in: the body is read before the object is looked up."""
    parts = []
    for part in path.split("/"):
        if part.startswith("{"):
            part = "recovery-and-renewal-panel" if part == "{slug}" else "1"
        parts.append(part)
    return "/".join(parts)


SCHEMA = api.get_openapi_schema()
FILE_OPERATIONS = operations_with_a_body("multipart/form-data")
JSON_OPERATIONS = operations_with_a_body("application/json")


def test_the_walk_finds_the_operations():
    assert ("post", "/api/peers/me/busy-calendar") in FILE_OPERATIONS
    assert ("post", "/api/bookings") in JSON_OPERATIONS and len(JSON_OPERATIONS) >= 8


@pytest.fixture
def headers():
    user = make_user(is_staff=True)
    make_peer(user=user)
    return bearer(user)


def assert_unreadable(response, *words):
    assert response.status_code == 400, response.content
    assert response["Content-Type"].startswith("application/json")
    detail = response.json()["detail"]
    assert isinstance(detail, str) and all(word in detail for word in words), detail


@pytest.mark.parametrize(("method", "path"), FILE_OPERATIONS)
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("multipart/form-data", FILE_PART),
        ("multipart/form-data; boundary=", FILE_PART),
        ("multipart/form-data; boundary=ed\x01ge", FILE_PART),
    ],
)
def test_a_multipart_body_without_its_boundary_is_400_json(
    headers, method, path, content_type, body
):
    response = getattr(Client(raise_request_exception=False), method)(
        path, data=body, content_type=content_type, headers=headers
    )
    assert_unreadable(response, "multipart/form-data")


@pytest.mark.parametrize(("method", "path"), FILE_OPERATIONS)
def test_a_multipart_body_from_a_session_without_csrf_is_answered_in_json(method, path):
    """With its CSRF cookie but no header, the session's CSRF check looks for the token in the
    form, so it is the check that meets the broken body: still a 400 in JSON."""
    user = make_user()
    make_peer(user=user)
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    client.force_login(user)
    client.get("/")  # the page sets the CSRF cookie
    assert client.cookies["csrftoken"].value
    response = getattr(client, method)(path, data=FILE_PART, content_type="multipart/form-data")
    assert_unreadable(response, "multipart/form-data")


@pytest.mark.parametrize(("method", "path"), JSON_OPERATIONS)
@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("application/json", b'{"name": "half'),
        ("application/json", b"\xff\xfe{}"),
        ("multipart/form-data", FILE_PART),
    ],
)
def test_a_body_that_is_not_json_is_400_json(headers, method, path, content_type, body):
    response = getattr(Client(raise_request_exception=False), method)(
        path, data=body, content_type=content_type, headers=headers
    )
    assert_unreadable(response, "not valid JSON")


def test_an_unreadable_body_is_documented_where_it_can_occur():
    for path, methods in SCHEMA["paths"].items():
        for method, operation in methods.items():
            if "requestBody" in operation:
                codes = {int(code) for code in operation["responses"]}
                assert {400, 413} <= codes, (method, path)
