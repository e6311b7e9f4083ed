"""The words a booker and an adviser read: 'UK time' for office hours as everywhere else, a
month in words, a seat without nested brackets, the reader addressed by role, and one
"Questions about this booking" line for every offer."""

import re

import pytest
from django.test import Client

from scheduling.engine.uk_time import month_text, zone_time_text
from sessions.models import Offer
from sessions.seat_words import seat_in_words
from tests.factories import a_booking, london

pytestmark = pytest.mark.django_db
PANEL = "recovery-and-renewal-panel"


def text_of(response) -> str:
    import html

    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_a_month_and_a_zones_clock_in_words():
    assert month_text(2026, 12) == "December 2026"
    assert zone_time_text("Europe/London") == "UK time"
    assert zone_time_text("America/New_York") == "New York time"


def test_why_not_another_time_says_uk_time_for_office_hours(api_client, pool):
    from tests.factories import bearer

    answer = api_client.get(
        f"/offers/{PANEL}/slots/explain",
        query_params={"council": pool.council.id, "start": london(pool.day, 18).isoformat()},
        headers=bearer(pool.booker),
    ).json()
    assert any("outside office hours" in reason for reason in answer["reasons"]), answer
    assert all("London time" not in reason for reason in answer["reasons"])
    assert any(reason.endswith("UK time)") for reason in answer["reasons"]), answer


def test_the_reader_is_addressed_by_role(pool, adviser, django_capture_on_commit_callbacks):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    pages = {}
    for who in (pool.booker, adviser):
        client = Client()
        client.force_login(who)
        pages[who] = text_of(client.get(f"/bookings/{booking.pk}/"))
    assert "Why this peer: Labour, like your leader" in pages[pool.booker]
    assert "Why this peer: Labour, like the council's leader" in pages[adviser]
    assert "your leader" not in pages[adviser]
    words = seat_in_words(
        peer={"kind": "member", "political_group": "labour", "home_council": "Cardiff Council"},
        council_leader_group="labour",
        council_type="",
        fit={},
        to_the_council=False,
    )
    assert words == (
        "Labour, like the council's leader; new to panels for councils like it; "
        "from Cardiff Council"
    )


def test_every_offer_gives_a_questions_line_with_the_reference(
    pool, adviser, django_capture_on_commit_callbacks
):
    """An offer without a contact mailbox (as Health and Wellbeing) names the council's
    Principal Adviser, as its letters do; one with a mailbox names its team."""
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    client = Client()
    client.force_login(pool.booker)
    confirmation = f"/bookings/{booking.pk}/confirmation/"
    assert (
        "Questions about this booking: write to the LGA Recovery & Renewal Panel team at "
        f"PeerChallenge@local.gov.uk (give your reference, {booking.reference})."
    ) in text_of(client.get(confirmation))

    Offer.objects.filter(slug=PANEL).update(contact_email="")
    for page in (confirmation, f"/bookings/{booking.pk}/"):
        assert (
            "Questions about this booking: write to Ada Adviser, Principal Adviser for Wigan "
            f"Council, at {adviser.email} (give your reference, {booking.reference})."
        ) in text_of(client.get(page)), page

    # The adviser is that contact: their booking page does not send them to themselves.
    client.force_login(adviser)
    assert "Questions about this booking" not in text_of(client.get(f"/bookings/{booking.pk}/"))
