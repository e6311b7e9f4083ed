"""An offer's status follows its date: a suspension or a "coming soon" whose day has come is
available on the catalogue pages, in the API, for booking and for registering, and staff
are told in the admin that the date has passed."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from sessions.models import Booking, Offer, OfferStatus
from sessions.offer_status import offer_state
from tests.factories import (
    PANEL,
    WARD,
    a_webinar,
    bearer,
    bookable_day,
    in_days,
    london,
    make_user,
    register,
)

pytestmark = pytest.mark.django_db
DAY = date(2027, 3, 1)  # a Monday
CHALLENGE = "corporate-peer-challenge"


@pytest.mark.parametrize(
    ("status", "until", "starts", "today", "expected"),
    [
        ("suspended", DAY, None, DAY - timedelta(days=1), ("suspended", "Suspended until Monday 1 March 2027", "")),
        ("suspended", DAY, None, DAY, ("available", "Available", "The suspension ended on Monday 1 March 2027")),
        ("suspended", DAY, None, DAY + timedelta(days=2000), ("available", "Available", "The suspension ended on Monday 1 March 2027")),
        ("coming-soon", None, None, DAY, ("coming-soon", "Coming soon", "")),
        ("coming-soon", None, DAY, DAY - timedelta(days=1), ("coming-soon", "Coming soon, from Monday 1 March 2027", "")),
        ("coming-soon", None, DAY, DAY, ("available", "Available", "It was coming soon, from Monday 1 March 2027")),
        ("available", DAY, DAY, DAY - timedelta(days=9), ("available", "Available", "")),
    ],
)  # fmt: skip
def test_the_status_today_follows_the_date(status, until, starts, today, expected):
    state = offer_state(status=status, suspended_until=until, available_from=starts, today=today)
    assert (state.status, state.text, state.lapsed) == expected


def test_the_seeded_suspension_that_ended_in_2020_is_not_shown(api_client, client):
    offer = Offer.objects.get(slug=CHALLENGE)
    assert (offer.status, offer.suspended_until) == ("suspended", date(2020, 11, 1))
    for path in ("/", f"/offers/{CHALLENGE}/"):
        page = client.get(path).content.decode()
        assert "Suspended until" not in page
        assert "1 November 2020" not in page  # the past date is not shown as a status
        assert "suspended until November 2020 while" in page  # the words say it is over
    body = api_client.get(f"/offers/{CHALLENGE}").json()
    assert (body["status"], body["status_text"], body["suspended_until"]) == (
        "available",
        "Available",
        None,
    )
    slugs = {
        o["slug"] for o in api_client.get("/offers", query_params={"status": "suspended"}).json()
    }
    assert CHALLENGE not in slugs
    available = api_client.get("/offers", query_params={"status": "available"}).json()
    assert CHALLENGE in {o["slug"] for o in available}


def test_a_suspension_still_to_end_is_shown_with_its_day_everywhere(api_client, client):
    until = in_days(40)
    Offer.objects.filter(slug=CHALLENGE).update(suspended_until=until)
    body = api_client.get(f"/offers/{CHALLENGE}").json()
    assert body["status"] == "suspended"
    assert body["suspended_until"] == until.isoformat()
    assert body["status_text"].startswith("Suspended until ")
    slugs = {
        o["slug"] for o in api_client.get("/offers", query_params={"status": "suspended"}).json()
    }
    assert slugs == {CHALLENGE}
    assert body["status_text"] in client.get(f"/offers/{CHALLENGE}/").content.decode()


def test_a_coming_offer_says_its_day_and_opens_on_it(api_client):
    Offer.objects.filter(slug="finance-recovery-panel").update(available_from=in_days(10))
    body = api_client.get("/offers/finance-recovery-panel").json()
    assert (body["status"], body["available_from"]) == ("coming-soon", in_days(10).isoformat())
    assert body["status_text"].startswith("Coming soon, from ")
    Offer.objects.filter(slug="finance-recovery-panel").update(available_from=in_days(0))
    body = api_client.get("/offers/finance-recovery-panel").json()
    assert (body["status"], body["available_from"]) == ("available", None)


def test_booking_goes_by_the_status_today(api_client, pool):
    start = london(bookable_day(), 10)

    def book():
        return api_client.post(
            "/bookings",
            json={"offer": PANEL, "council": pool.council.id, "start": start.isoformat()},
            headers=bearer(pool.booker),
        )

    Offer.objects.filter(slug=PANEL).update(
        status=OfferStatus.SUSPENDED, suspended_until=in_days(1)
    )
    refused = book()
    assert refused.status_code == 422
    assert "cannot be booked: suspended until" in refused.json()["detail"][0]["msg"]
    assert not Booking.objects.exists()

    Offer.objects.filter(slug=PANEL).update(suspended_until=in_days(0))
    assert book().status_code == 201, "the suspension has ended: the offer can be booked"


def test_registering_goes_by_the_status_today():
    webinar = a_webinar(WARD)
    Offer.objects.filter(slug=WARD).update(
        status=OfferStatus.COMING_SOON, available_from=in_days(1)
    )
    with pytest.raises(Exception, match="Registration has not opened yet"):
        register(webinar, "early@council.gov.uk")
    Offer.objects.filter(slug=WARD).update(available_from=in_days(0))
    assert register(webinar, "ontime@council.gov.uk").created


@pytest.fixture
def staff_client(client):
    client.force_login(make_user("lga-admin", is_staff=True, is_superuser=True))
    return client


def test_staff_are_told_in_the_admin_when_a_date_has_passed(staff_client):
    warning = (
        "Corporate Peer Challenge: the suspension ended on Sunday 1 November 2020, so the "
        "catalogue shows it as available and councils can book it."
    )
    listing = staff_client.get("/admin/offer_sessions/offer/").content.decode()
    assert warning in listing
    offer = Offer.objects.get(slug=CHALLENGE)
    page = staff_client.get(f"/admin/offer_sessions/offer/{offer.pk}/change/").content.decode()
    assert warning in page
    assert "Status today" in page
    # Only the lapsed offer is named.
    assert "Finance-themed Recovery Panel: " not in listing
    assert staff_client.get("/admin/offer_sessions/offer/add/").status_code == 200


def test_the_admin_refuses_a_new_date_that_has_already_passed(staff_client):
    offer = Offer.objects.get(slug="finance-recovery-panel")
    page = staff_client.get(f"/admin/offer_sessions/offer/{offer.pk}/change/")
    form = page.context["adminform"].form
    data = {
        name: form.initial.get(name, "")
        for name in form.fields
        if form.initial.get(name) is not None
    }
    data.update(
        {
            "status": "coming-soon",
            "available_from": timezone.localdate().isoformat(),
            "role_slots-TOTAL_FORMS": "0",
            "role_slots-INITIAL_FORMS": "0",
        }
    )
    response = staff_client.post(f"/admin/offer_sessions/offer/{offer.pk}/change/", data)
    assert response.status_code == 200
    assert "Enter a date after today" in response.content.decode()
    offer.refresh_from_db()
    assert offer.available_from is None

    data["available_from"] = in_days(5).isoformat()
    response = staff_client.post(f"/admin/offer_sessions/offer/{offer.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:2000]
    offer.refresh_from_db()
    assert offer.available_from == in_days(5)
