"""The API when its database, pooler or Redis is out of reach for a moment (a restart under a
request in flight): a 503 with a JSON body and Retry-After, not a server error page. The same
through the real pgbouncer: tests/cluster/test_faults.py."""

import pytest
from django.db import InterfaceError, OperationalError
from redis.exceptions import ConnectionError as RedisConnectionError

from sessions import selectors


@pytest.mark.parametrize(
    "failure",
    [
        OperationalError("server closed the connection unexpectedly"),
        InterfaceError("connection already closed"),
        RedisConnectionError("Error 111 connecting to 127.0.0.1:6379. Connection refused."),
    ],
)
def test_an_api_request_that_cannot_reach_a_store_is_answered_503_in_json(
    api_client, monkeypatch, failure
):
    def unreachable(**kwargs):
        raise failure

    monkeypatch.setattr(selectors, "offer_list", unreachable)
    response = api_client.get("/offers")
    assert response.status_code == 503
    assert response["Retry-After"] == "5"
    assert response.json() == {
        "detail": "The service could not reach its database or task queue just now. "
        "Try again in a few seconds."
    }


@pytest.mark.django_db
def test_a_failure_that_is_not_about_reaching_a_store_is_not_hidden_as_503(api_client, monkeypatch):
    def broken(**kwargs):
        raise ValueError("a fault in the code")

    monkeypatch.setattr(selectors, "offer_list", broken)
    with pytest.raises(ValueError, match="a fault in the code"):
        api_client.get("/offers")
