"""The catalogue is loaded by a migration from the seed documents and served to anyone."""

import pytest

from sessions.models import Offer

pytestmark = pytest.mark.django_db

SEED_TITLES = [
    "LGA Recovery & Renewal Panel",
    "Finance-themed Recovery Panel",
    "LGA Bespoke Remote Peer Support",
    "One-to-one leadership development",
    "Emergency Coaching and Mentoring Support",
    "Virtual communications health check",
    "Health and Wellbeing Board reset: virtual peer support",
    "Virtual commercial surgeries",
    "The role of the ward councillor",
    "The importance of opposition",
    "What good opposition looks like",
    "Rapid innovation",
    "Leading a council with a multi-party cabinet",
    "COVID-19 and mental health",
    "COVID-19 and ethnicity",
    "COVID-19 and health inequalities",
    "Workforce regional webinars",
    "One Public Estate regional webinars",
    "PAS Fireside Chats",
]


def test_catalogue_lists_the_seed_offers(api_client):
    response = api_client.get("/offers")
    assert response.status_code == 200
    titles = [offer["title"] for offer in response.json()]
    for title in SEED_TITLES:
        assert title in titles


def test_recovery_and_renewal_panel_format_and_roles(api_client):
    body = api_client.get("/offers/recovery-and-renewal-panel").json()
    assert body["contact_email"] == "PeerChallenge@local.gov.uk"
    assert body["status"] == "available"
    assert body["audience"].startswith("Lead politicians and senior officers")
    assert body["format"]["duration_minutes"] == 180
    assert body["format"]["duration_text"] == "2–3 hours"
    roles = {slot["name"]: slot for slot in body["role_slots"]}
    assert roles["Lead member peer"]["kind"] == "member"
    assert roles["Lead member peer"]["political_rule"] == "same-as-leader"
    assert roles["Member peer"]["kind"] == "member"
    assert roles["Officer peer"]["kind"] == "officer"


def test_statuses_formats_and_contacts(api_client):
    offers = {o["slug"]: o for o in api_client.get("/offers").json()}
    assert offers["finance-recovery-panel"]["status"] == "coming-soon"
    assert offers["webinar-leading-a-council-with-a-multi-party-cabinet"]["status"] == "coming-soon"
    # Suspended until 1 November 2020 in the seed: that day has passed, so it is available.
    ended = offers["corporate-peer-challenge"]
    assert (ended["status"], ended["status_text"]) == ("available", "Available")
    assert ended["suspended_until"] is None
    assert offers["pas-fireside-chats"]["contact_email"] == "PAS@local.gov.uk"
    assert offers["workforce-regional-webinars"]["contact_email"] == "workforce@local.gov.uk"
    assert (
        offers["one-public-estate-regional-webinars"]["contact_email"]
        == "onepublicestate@local.gov.uk"
    )
    assert offers["virtual-commercial-surgeries"]["contact_email"] == "productivity@local.gov.uk"
    # The leadership offer has no mailbox of its own: councils go through their Principal Adviser.
    assert offers["one-to-one-leadership-development"]["contact_email"] == ""

    coaching = api_client.get("/offers/one-to-one-leadership-development").json()
    assert coaching["format"]["session_count"] == 3
    assert coaching["format"]["spacing_days"] == 14
    assert [s["name"] for s in coaching["role_slots"]] == ["Leadership Academy facilitator"]

    bespoke = api_client.get("/offers/bespoke-remote-peer-support").json()
    assert bespoke["format"]["delivery"] == "multi-day"
    # Three half-days with one team: 9 hours, within most peers' monthly hours cap.
    assert bespoke["format"]["duration_text"] == "3 days"
    assert bespoke["format"]["description"] == "3 days, 3 hours a day"
    assert (bespoke["format"]["session_count"], bespoke["format"]["duration_minutes"]) == (3, 180)
    assert bespoke["conflict_same_region"] is True

    solace = api_client.get("/offers/emergency-coaching-and-mentoring").json()
    assert solace["partner"] == "SOLACE"

    webinar = api_client.get("/offers/webinar-role-of-the-ward-councillor").json()
    assert webinar["format"]["delivery"] == "webinar"
    assert webinar["format"]["seats"] >= 1
    assert webinar["topic"] == "leadership"


def test_catalogue_filters(api_client):
    webinars = api_client.get("/offers?delivery=webinar").json()
    assert webinars and all(o["topic"] for o in webinars)
    health = api_client.get("/offers?topic=health-and-wellbeing").json()
    assert {o["slug"] for o in health} == {
        "hwb-webinar-mental-health",
        "hwb-webinar-ethnicity",
        "hwb-webinar-health-inequalities",
    }
    soon = api_client.get("/offers?status=coming-soon").json()
    assert all(o["status"] == "coming-soon" for o in soon) and len(soon) >= 3


def test_catalogue_rejects_unknown_filters_and_slugs(api_client):
    response = api_client.get("/offers?status=maybe")
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "status"]

    response = api_client.get("/offers/no-such-offer")
    assert response.status_code == 404
    assert response.json() == {"detail": "Not Found"}


def test_catalogue_is_data_staff_can_edit(api_client):
    offer = Offer.objects.get(slug="finance-recovery-panel")
    offer.status = "available"
    offer.save()
    assert api_client.get("/offers/finance-recovery-panel").json()["status"] == "available"


def test_catalogue_pages(client):
    page = client.get("/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "LGA Recovery &amp; Renewal Panel" in html
    assert "The importance of opposition" in html

    detail = client.get("/offers/recovery-and-renewal-panel/").content.decode()
    assert "Lead member peer" in detail
    assert "same political group as the council&#x27;s leader" in detail
    assert "PeerChallenge@local.gov.uk" in detail

    leadership = client.get("/offers/one-to-one-leadership-development/").content.decode()
    assert "Three sessions of 1 hour, 14 days apart" in leadership
    assert "Principal Adviser" in leadership

    filtered = client.get("/?programme=planning").content.decode()
    assert "PAS Fireside Chats" in filtered
    assert "LGA Recovery &amp; Renewal Panel" not in filtered

    assert client.get("/offers/no-such-offer/").status_code == 404
