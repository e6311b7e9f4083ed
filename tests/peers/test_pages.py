import pytest

from peers.models import ApiToken
from tests.factories import make_council, make_user

pytestmark = pytest.mark.django_db


def test_sign_in_with_a_wrong_password_shows_an_error_summary_and_keeps_the_username(client):
    make_user("jo.williams", password="a long demo passphrase")
    response = client.post("/accounts/sign-in/", {"username": "jo.williams", "password": "wrong"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "There is a problem" in html
    assert "Enter a correct username and password" in html
    assert 'value="jo.williams"' in html
    assert "<title>Error: Sign in" in html


def test_sign_in_with_nothing_typed_names_each_field(client):
    html = client.post("/accounts/sign-in/", {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username.</a>' in html
    assert '<a href="#id_password">Enter your password.</a>' in html


def test_sign_in_and_out(client):
    make_user("jo.williams", password="a long demo passphrase")
    response = client.post(
        "/accounts/sign-in/", {"username": "jo.williams", "password": "a long demo passphrase"}
    )
    assert response.status_code == 302
    assert client.get("/api/me").json()["username"] == "jo.williams"
    response = client.post("/accounts/sign-out/")
    assert response.status_code == 302
    assert client.get("/api/me").status_code == 401


def test_council_page_needs_sign_in_and_searches(client):
    response = client.get("/councils/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/sign-in/")

    make_council("Wigan Council")
    make_council("Cardiff Council", region="wales")
    client.force_login(make_user())
    html = client.get("/councils/?search=wig").content.decode()
    assert "Wigan Council" in html
    assert "Cardiff Council" not in html
    assert "1 council" in html

    html = client.get("/councils/?region=nowhere").content.decode()
    assert "There is a problem" in html


def test_account_page_issues_a_token_once_and_revokes_it(client):
    user = make_user()
    client.force_login(user)
    html = client.post("/account/", {"name": "bookings report"}).content.decode()
    token = ApiToken.objects.get(user=user)
    assert "Copy it now" in html
    assert token.prefix in html
    # The secret is shown once only.
    assert "Copy it now" not in client.get("/account/").content.decode()

    response = client.post(f"/account/tokens/{token.id}/revoke/")
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_account_page_with_no_token_name_shows_the_error_and_creates_nothing(client):
    client.force_login(make_user())
    html = client.post("/account/", {"name": ""}).content.decode()
    assert "There is a problem" in html
    assert "Give the token a name" in html
    assert ApiToken.objects.count() == 0


def test_revoking_someone_elses_token_is_404(client):
    owner = make_user()
    client.force_login(owner)
    client.post("/account/", {"name": "mine"})
    token = ApiToken.objects.get(user=owner)
    client.force_login(make_user())
    assert client.post(f"/account/tokens/{token.id}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_admin_is_for_staff_only(client):
    client.force_login(make_user())
    assert client.get("/admin/peers/peer/").status_code == 302
    client.force_login(make_user(is_staff=True, is_superuser=True))
    assert client.get("/admin/peers/peer/").status_code == 200
    assert client.get("/admin/offer_sessions/offer/").status_code == 200


def test_api_docs_and_schema_are_served(client):
    assert client.get("/api/docs").status_code == 200
    schema = client.get("/api/openapi.json").json()
    assert "/api/offers/{slug}" in schema["paths"]
