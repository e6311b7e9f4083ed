from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from peers.models import ApiToken
from peers.services import token_hash
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_issue_token_prints_a_working_token_stored_as_a_hash(api_client):
    user = make_user("scripter")
    out = StringIO()
    call_command("issue_token", "scripter", "--name", "nightly export", stdout=out)
    secret = out.getvalue().strip()
    token = ApiToken.objects.get(user=user)
    assert token.name == "nightly export"
    assert token.token_hash == token_hash(secret)
    assert (
        api_client.get("/me", headers={"Authorization": f"Bearer {secret}"}).json()["username"]
        == "scripter"
    )


def test_issue_token_for_an_unknown_user_fails_clearly():
    with pytest.raises(CommandError, match="No active user called 'nobody'"):
        call_command("issue_token", "nobody")
    assert ApiToken.objects.count() == 0
