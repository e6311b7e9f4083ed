"""A booking's reference: the offer's code, the two-digit year it was made (UK time) and a
running number, e.g. RRP-26-0007. Made by the one booking service; shown on the confirmation,
the booking pages, every letter and calendar text about the booking and the CSV; found by
the bookings list, the admin's search and the API (`reference=` and `q=`)."""

import csv
import importlib
import io
import re
from datetime import timedelta

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import timezone

from scheduling.engine.uk_time import LONDON
from sessions.models import Booking, Offer
from sessions.references import offer_code, reference_as_written
from tests.factories import a_booking, bearer, events_of, london
from tests.sent_mail import by_recipient, deliver

pytestmark = pytest.mark.django_db
PANEL = "recovery-and-renewal-panel"


def this_year() -> str:
    return f"{timezone.now().astimezone(LONDON):%y}"


@pytest.fixture
def two(pool, django_capture_on_commit_callbacks):
    """Two bookings of the Recovery & Renewal Panel: Wigan's, then Bolton's a day later."""
    first = a_booking(pool, london(pool.day, 9), capture=django_capture_on_commit_callbacks)
    second = a_booking(
        pool,
        london(pool.day + timedelta(days=1), 9),
        capture=django_capture_on_commit_callbacks,
        council=pool.other_council,
        booker=pool.other_booker,
    )
    return first, second


def test_each_booking_gets_the_next_reference_of_its_offers_code_and_year(two):
    first, second = two
    assert first.reference == f"RRP-{this_year()}-0001"
    assert second.reference == f"RRP-{this_year()}-0002"


def test_every_catalogue_offer_that_can_be_booked_has_its_own_code():
    bookable = Offer.objects.exclude(delivery="webinar")
    codes = {offer.slug: offer.code for offer in bookable}
    assert codes["recovery-and-renewal-panel"] == "RRP"
    assert codes["hwb-reset-virtual-peer-support"] == "HWB"
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]{1,5}", code) for code in codes.values()), codes
    assert len(set(Offer.objects.values_list("code", flat=True))) == Offer.objects.count()


def test_an_offer_without_a_code_is_known_by_its_titles_initials():
    assert offer_code(Offer(title="LGA Recovery & Renewal Panel")) == "RRP"
    assert offer_code(Offer(title="Support for the Finance of Adult Care")) == "SFAC"
    assert offer_code(Offer(title="?")) == "BKG"
    assert offer_code(Offer(title="X", code="ABC")) == "ABC"


@pytest.mark.parametrize(
    "typed, written",
    [
        ("RRP-26-0007", "RRP-26-0007"),
        ("rrp 26 7", "RRP-26-0007"),
        (" rrp-26-07 ", "RRP-26-0007"),
        ("HWB/27/12", "HWB-27-0012"),
        ("Wigan", None),
        ("RRP-2026-7", None),
        ("", None),
    ],
)
def test_a_reference_is_read_as_a_person_may_type_it(typed, written):
    assert reference_as_written(typed) == written


def test_the_migration_numbers_existing_bookings_in_the_order_they_were_made(two):
    first, second = two
    Booking.objects.filter(pk=first.pk).update(reference="old-1")
    Booking.objects.filter(pk=second.pk).update(reference="old-2")
    migration = importlib.import_module("sessions.migrations.0019_booking_reference")
    migration.codes_and_references(apps, None)
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.reference, second.reference) == (
        f"RRP-{this_year()}-0001",
        f"RRP-{this_year()}-0002",
    )


# The API ------------------------------------------------------------------------------------


def test_the_api_shows_the_reference_and_finds_a_booking_by_it(api_client, pool, two):
    first, second = two
    answer = api_client.get(f"/bookings/{first.pk}", headers=bearer(pool.booker)).json()
    assert answer["id"] == first.pk
    assert answer["reference"] == first.reference

    def found(user, **query):
        response = api_client.get("/bookings", query_params=query, headers=bearer(user))
        assert response.status_code == 200, response.json()
        return [b["reference"] for b in response.json()]

    number = first.reference.rsplit("-", 1)[1]
    assert found(pool.booker, reference=first.reference) == [first.reference]
    assert found(pool.booker, reference=f"rrp {this_year()} {int(number)}") == [first.reference]
    assert found(pool.booker, q=first.reference.lower()) == [first.reference]
    assert found(pool.booker, q="Wigan renewal") == [first.reference]
    # Another council's booking is not found by its reference, nor by a search.
    assert found(pool.booker, reference=second.reference) == []
    assert found(pool.booker, q="Bolton") == []
    assert found(pool.other_booker, q=f"RRP-{this_year()}") == [second.reference]
    assert found(pool.booker, q="Nowhere Council") == []


def test_the_schema_documents_the_reference_and_the_search(api_client):
    schema = api_client.get("/openapi.json").json()
    operation = schema["paths"]["/api/bookings"]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}
    assert set(parameters) >= {"reference", "q"}
    assert "RRP-26-0007" in parameters["reference"]["description"]
    assert parameters["q"]["schema"]["maxLength"] == 200
    booking = schema["components"]["schemas"]["BookingOut"]
    assert "reference" in booking["required"]
    assert "RRP-26-0007" in booking["properties"]["reference"]["description"]


def test_a_search_too_long_is_refused_with_a_reason(api_client, pool):
    response = api_client.get(
        "/bookings", query_params={"q": "x" * 201}, headers=bearer(pool.booker)
    )
    assert response.status_code == 422


# Pages ---------------------------------------------------------------------------------------


def test_the_bookings_list_shows_references_and_finds_one(client, pool, two):
    first, second = two
    client.force_login(pool.booker)
    html = client.get("/bookings/").content.decode()
    assert first.reference in html and second.reference not in html
    assert 'role="search"' in html and 'for="id_q"' in html

    number = int(first.reference.rsplit("-", 1)[1])
    found = client.get("/bookings/", {"q": f"rrp {this_year()} {number}"}).content.decode()
    assert f"/bookings/{first.pk}/" in found
    assert "1 booking matches" in found

    missing = client.get("/bookings/", {"q": second.reference}).content.decode()
    assert f"/bookings/{first.pk}/" not in missing
    assert "No booking you can see matches that search." in missing

    refused = client.get("/bookings/", {"q": "x" * 201})
    assert "There is a problem" in refused.content.decode()
    assert "Search must be 200 characters or fewer." in refused.content.decode()


def test_the_booking_pages_show_the_reference(client, pool, two):
    first, _ = two
    client.force_login(pool.booker)
    detail = client.get(f"/bookings/{first.pk}/").content.decode()
    assert f"Booking {first.reference}" in detail
    confirmation = client.get(f"/bookings/{first.pk}/confirmation/").content.decode()
    assert f"<strong>{first.reference}</strong>" in confirmation
    session = first.sessions.get()
    link = client.get(reverse("joining-link", args=[session.pk]))
    assert f"Booking {first.reference}" in link.content.decode()


def test_the_admin_finds_a_booking_by_its_reference(client, staff, two):
    first, second = two
    staff.is_superuser = True
    staff.save()
    client.force_login(staff)
    html = client.get("/admin/offer_sessions/booking/", {"q": second.reference}).content.decode()
    assert second.reference in html
    assert f"/admin/offer_sessions/booking/{first.pk}/change/" not in html
    assert f"/admin/offer_sessions/booking/{second.pk}/change/" in html


def test_the_csv_export_has_the_reference_of_each_booking_and_seat(client, staff, two):
    first, second = two
    client.force_login(staff)
    day = first.start.astimezone(LONDON).date()
    response = client.get(
        "/programme/export.csv",
        {"start": day.replace(day=1).isoformat(), "end": (day + timedelta(days=40)).isoformat()},
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    bookings = {row["booking"]: row["reference"] for row in rows if row["record"] == "booking"}
    assert bookings == {str(first.pk): first.reference, str(second.pk): second.reference}
    seats = {row["reference"] for row in rows if row["record"] == "seat"}
    assert seats == {first.reference, second.reference}


# Letters and calendar text --------------------------------------------------------------------


@pytest.mark.usefixtures("empty_broker")
def test_every_letter_about_the_booking_and_its_calendar_text_give_the_reference(pool, two):
    first, _ = two
    sent = [m for m in deliver() if "Wigan" in m.subject]
    assert len(sent) == 5  # the booker, three peers and the LGA lead
    for message in sent:
        assert f"Booking reference: {first.reference}" in message.text, message.to
        assert first.reference in message.html
        (event,) = events_of(message.calendar).values()
        assert f"Booking reference: {first.reference}" in event["description"]


@pytest.mark.usefixtures("empty_broker")
def test_the_request_letter_gives_the_reference(
    api_client, pool, adviser, django_capture_on_commit_callbacks
):
    Offer.objects.filter(slug=PANEL).update(needs_approval=True)
    booking = a_booking(pool, london(pool.day, 9), capture=django_capture_on_commit_callbacks)
    letter = by_recipient(deliver())[adviser.email]
    assert f"Booking reference: {booking.reference}" in letter.text
