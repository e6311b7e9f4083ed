"""The people the participants' tests name, and the calls they make."""

from tests.factories import PANEL, bearer, london

LEADER = {"name": "Jo Bloggs", "role": "Leader", "email": "jo.bloggs@wigan.gov.uk"}
CHIEF = {"name": "Sam Smith", "role": "Chief executive", "email": "sam.smith@wigan.gov.uk"}
CABINET = {"name": "Ash Patel", "role": "Cabinet member", "email": "ash.patel@wigan.gov.uk"}


def book_with(api_client, pool, capture, participants, **extra) -> dict:
    with capture(execute=True):
        response = api_client.post(
            "/bookings",
            json={
                "offer": PANEL,
                "council": pool.council.id,
                "start": london(pool.day, 10).isoformat(),
                "participants": participants,
                **extra,
            },
            headers=bearer(pool.booker),
        )
    assert response.status_code == 201, response.json()
    return response.json()


def put(api_client, booking_id, participants, user, capture=None):
    def call():
        return api_client.put(
            f"/bookings/{booking_id}/participants",
            json={"participants": participants},
            headers=bearer(user),
        )

    if capture is None:
        return call()
    with capture(execute=True):
        return call()
