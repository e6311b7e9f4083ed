"""An API call through the whole stack, as a script makes it."""

import json

from tests.factories import bearer


def api(client, method: str, path: str, user=None, body=None):
    """An API call through the whole stack, as a script makes it."""
    headers = {"HTTP_AUTHORIZATION": bearer(user)["Authorization"]} if user else {}
    extra = (
        {"data": json.dumps(body), "content_type": "application/json"} if body is not None else {}
    )
    return getattr(client, method)(f"/api{path}", **extra, **headers)
