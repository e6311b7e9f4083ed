import pytest

from peers.models import ApiToken, Council, Region
from peers.services import api_token_issue, api_token_revoke, token_hash
from tests.factories import bearer, make_booker, make_council, make_councillor, make_peer, make_user

pytestmark = pytest.mark.django_db


def test_me_signed_out_is_401_json(api_client):
    response = api_client.get("/me")
    assert response.status_code == 401
    assert response.json() == {"detail": "Unauthorized"}


def test_me_for_a_booker_names_their_council(api_client):
    council = make_council("Wigan Council")
    user = make_booker(council)
    body = api_client.get("/me", headers=bearer(user)).json()
    assert body["roles"] == ["booker"]
    assert body["council"] == {"id": council.id, "name": "Wigan Council", "slug": council.slug}
    assert body["peer_id"] is None


def test_me_for_staff_adviser_peer_and_councillor(api_client):
    staff = make_user(is_staff=True)
    assert api_client.get("/me", headers=bearer(staff)).json()["roles"] == ["staff"]

    adviser = make_user()
    advised = [make_council(principal_adviser=adviser), make_council(principal_adviser=adviser)]
    make_council()  # someone else's
    body = api_client.get("/me", headers=bearer(adviser)).json()
    assert body["roles"] == ["adviser"]
    assert sorted(c["id"] for c in body["advised_councils"]) == sorted(c.id for c in advised)

    peer_user = make_user()
    peer = make_peer(user=peer_user)
    body = api_client.get("/me", headers=bearer(peer_user)).json()
    assert body["roles"] == ["peer"]
    assert body["peer_id"] == peer.id

    cardiff = make_council("Cardiff Council", region=Region.WALES)
    councillor = make_councillor(cardiff)
    body = api_client.get("/me", headers=bearer(councillor)).json()
    assert body["roles"] == ["councillor"]
    assert body["council"]["name"] == "Cardiff Council"


def test_me_with_a_browser_session(client):
    user = make_user("officer", password="a long demo passphrase")
    assert client.login(username="officer", password="a long demo passphrase")
    response = client.get("/api/me")
    assert response.status_code == 200
    assert response.json()["username"] == user.username


@pytest.mark.parametrize(
    "header",
    ["Bearer lga_not-a-real-token", "Bearer ", "Token abc", "Bearer " + "x" * 40],
)
def test_unknown_or_malformed_bearer_is_401(api_client, header):
    assert api_client.get("/me", headers={"Authorization": header}).status_code == 401


def test_revoked_token_and_inactive_user_are_401(api_client):
    user = make_user()
    issued = api_token_issue(user=user, name="report")
    headers = {"Authorization": f"Bearer {issued.secret}"}
    assert api_client.get("/me", headers=headers).status_code == 200
    api_token_revoke(user=user, token_id=issued.token.id)
    assert api_client.get("/me", headers=headers).status_code == 401

    other = make_user()
    other_headers = bearer(other)
    other.is_active = False
    other.save()
    assert api_client.get("/me", headers=other_headers).status_code == 401


def test_tokens_are_stored_only_as_hashes(api_client):
    user = make_user()
    issued = api_token_issue(user=user, name="nightly export")
    stored = ApiToken.objects.get(pk=issued.token.pk)
    assert stored.token_hash == token_hash(issued.secret)
    assert issued.secret not in {stored.token_hash, stored.prefix, stored.name}
    assert issued.secret.startswith(stored.prefix)
    api_client.get("/me", headers={"Authorization": f"Bearer {issued.secret}"})
    stored.refresh_from_db()
    assert stored.last_used_at is not None


def test_council_search(api_client):
    user = make_user()
    wigan = make_council("Wigan Council", region=Region.NORTH_WEST, council_type="metropolitan")
    make_council("Cardiff Council", region=Region.WALES, council_type="welsh-unitary")
    headers = bearer(user)

    body = api_client.get("/councils?search=wig", headers=headers).json()
    assert body["count"] == 1
    assert body["items"][0]["name"] == "Wigan Council"
    assert body["items"][0]["region_name"] == "North West"
    assert body["items"][0]["council_type_name"] == "Metropolitan borough"
    assert body["items"][0]["id"] == wigan.id

    body = api_client.get("/councils?region=wales", headers=headers).json()
    assert [c["name"] for c in body["items"]] == ["Cardiff Council"]


def test_council_search_rejects_bad_parameters_naming_the_field(api_client):
    headers = bearer(make_user())
    response = api_client.get("/councils?region=mars", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "region"]

    response = api_client.get("/councils?limit=many", headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "limit"


def test_council_search_needs_sign_in(api_client):
    assert api_client.get("/councils").status_code == 401


def test_peer_records_are_visible_to_the_peer_and_staff_only(api_client):
    peer_user = make_user()
    peer = make_peer(user=peer_user, skills=["finance"])
    other_peer = make_peer()
    staff = make_user(is_staff=True)

    own = api_client.get(f"/peers/{peer.id}", headers=bearer(peer_user))
    assert own.status_code == 200
    assert own.json()["skills"] == ["finance"]

    forbidden = api_client.get(f"/peers/{other_peer.id}", headers=bearer(peer_user))
    assert forbidden.status_code == 403
    assert "own" in forbidden.json()["detail"]

    assert api_client.get(f"/peers/{other_peer.id}", headers=bearer(staff)).status_code == 200
    assert api_client.get("/peers/999999", headers=bearer(staff)).status_code == 404
    assert api_client.get("/peers", headers=bearer(peer_user)).status_code == 403
    assert api_client.get("/peers?kind=member", headers=bearer(staff)).json()["count"] == 2


def test_issue_a_token_through_the_api(api_client):
    user = make_user()
    response = api_client.post("/me/tokens", json={"name": "monthly report"}, headers=bearer(user))
    assert response.status_code == 201
    secret = response.json()["token"]
    assert (
        api_client.get("/me", headers={"Authorization": f"Bearer {secret}"}).json()["username"]
        == user.username
    )


def test_rejected_token_requests_change_nothing(api_client):
    user = make_user()
    headers = bearer(user)
    before = ApiToken.objects.count()

    assert api_client.post("/me/tokens", json={"name": "x"}).status_code == 401
    response = api_client.post("/me/tokens", json={"name": "   "}, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "name"
    response = api_client.post("/me/tokens", json={}, headers=headers)
    assert response.status_code == 422
    assert ApiToken.objects.count() == before


def test_nobody_can_revoke_someone_elses_token(api_client):
    owner, stranger = make_user(), make_user()
    issued = api_token_issue(user=owner, name="owner's script")
    response = api_client.delete(f"/me/tokens/{issued.token.id}", headers=bearer(stranger))
    assert response.status_code == 404
    issued.token.refresh_from_db()
    assert issued.token.revoked_at is None
    assert (
        api_client.delete(f"/me/tokens/{issued.token.id}", headers=bearer(owner)).status_code == 204
    )


def test_session_writes_need_the_csrf_token():
    from django.test import Client

    user = make_user("csrfcheck", password="a long demo passphrase")
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    before = ApiToken.objects.count()
    response = client.post("/api/me/tokens", {"name": "x"}, content_type="application/json")
    assert response.status_code == 403
    assert ApiToken.objects.count() == before


def test_councils_are_unique_by_name():
    make_council("Leeds City Council")
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        Council.objects.create(
            name="Leeds City Council",
            slug="leeds-2",
            council_type="metropolitan",
            region="london",
            leader_group="labour",
        )
