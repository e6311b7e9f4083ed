"""Fixtures for the pre-reading: the storage in a folder of the test's own, and the pool's
panel booked by Wigan's booker."""

import json

import pytest

from sessions.models import Booking
from tests.factories import london
from tests.sessions.packs.files import PANEL, api


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    """The default storage in a folder of this test's own."""
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def booking(client, pool, roles, django_capture_on_commit_callbacks) -> Booking:
    """The pool's panel booked by Wigan's booker; its peers are invited."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api(
            client,
            "post",
            "/bookings",
            roles.booker,
            data=json.dumps(
                {
                    "offer": PANEL,
                    "council": pool.council.pk,
                    "start": london(pool.day, 10).isoformat(),
                }
            ),
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    return Booking.objects.get(pk=response.json()["id"])
