"""Reading and recording a session's attendance through the API, as a test's caller."""

from tests.factories import bearer


def attendance(api_client, session, user, marks=None):
    path = f"/sessions/{session.pk}/attendance"
    if marks is None:
        return api_client.get(path, headers=bearer(user))
    return api_client.post(path, json=marks, headers=bearer(user))
