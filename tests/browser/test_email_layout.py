"""Every kind of e-mail, as sent, rendered in Chromium at a phone's width: the layout fits
390 px with no sideways scrolling. Set EMAIL_SCREENSHOTS to a folder to keep a screenshot
of each (at 390 px, and at 1280 px for the desktop)."""

import os
from datetime import timedelta
from pathlib import Path

import pytest
from django.core import mail
from django.test import Client
from ninja.testing import TestClient

from peers.models import Peer
from scheduling.api import api
from sessions.models import Offer, Seat, Session
from sessions.programme.reminders import reminders_send
from sessions.services.answers import seat_answer
from sessions.webinars.services import letters as webinar_letters
from sessions.webinars.services import registrations as webinars
from tests.factories import (
    bearer,
    bookable_day,
    london,
    make_available,
    make_booker,
    make_council,
    make_peer,
    make_user,
)
from tests.sent_mail import Mail, deliver, run_queued_tasks

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.usefixtures("empty_broker")]

NOTES = (
    "Please focus on the budget gap, our children's services improvement plan and rebuilding "
    "trust with the town and parish councils after a difficult year."
)


def every_kind_of_message() -> list[Mail]:
    """A booking's whole life and a webinar's e-mails, as the service sends them."""
    adviser = make_user("pat.adviser", first_name="Pat", last_name="Okafor")
    council = make_council("Wigan Council", leader_group="labour", principal_adviser=adviser)
    home = make_council("Cardiff Council", leader_group="labour")
    lead = make_available(
        make_peer(name="Lead Labour", political_group="labour", home_council=home)
    )
    make_available(make_peer(name="Member Green", political_group="green", home_council=home))
    officer = make_available(
        make_peer(
            kind="officer",
            name="Officer Recovery",
            home_council=home,
            skills=["recovery-planning"],
        )
    )
    Peer.objects.filter(pk=officer.pk).update(time_zone="Europe/Paris")  # a peer abroad
    make_available(make_peer(kind="facilitator", name="Fay Facilitator", home_council=home))
    booker = make_booker(council)
    start = london(bookable_day(), 10)
    client = TestClient(api)
    made = client.post(
        "/bookings",
        json={
            "offer": "recovery-and-renewal-panel",
            "council": council.id,
            "start": start.isoformat(),
            "notes": NOTES,
        },
        headers=bearer(booker),
    )
    assert made.status_code == 201, made.json()
    deliver()  # invitations, and the booker's "Booked"
    seat_answer(seat_id=Seat.objects.get(peer=officer).pk, accept=True)
    session = Session.objects.get()
    pages = Client()
    pages.force_login(booker)
    teams = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_NjQ5ZTA2YjEtZWFkZi00Mzc2LWJk"
    pages.post(f"/sessions/{session.pk}/joining-link/", {"joining_url": teams})
    deliver()  # updates: the acceptance kept for the officer
    seat_answer(seat_id=Seat.objects.get(peer=lead).pk, accept=False)
    run_queued_tasks()  # the re-staffing: the seat stays unfilled, the adviser is told
    deliver()  # ... and the booker's summary
    reminders_send(now=start - timedelta(hours=1))
    client.post(
        f"/bookings/{made.json()['id']}/cancel",
        json={"reason": "The leader is unwell"},
        headers=bearer(booker),
    )
    deliver()

    webinar = webinars.webinar_schedule(
        offer=Offer.objects.get(slug="webinar-role-of-the-ward-councillor"),
        start=london(bookable_day(weekday=2), 18),
        joining_url="https://zoom.us/j/987654321",
    )
    webinars.registration_create(
        session=webinar,
        email="sam@example.org",
        name="Sam Okafor",
        council_name="Anytown Borough Council",
        role="Ward councillor",
    )
    deliver()
    webinars.registration_request(
        session=webinar,
        email="kim@example.org",
        name="Kim Jones",
        council_name="Anytown Borough Council",
        role="Ward councillor",
    )
    run_queued_tasks()
    webinar_letters.feed_manage_link_send("sam@example.org")
    return [Mail.of(message) for message in mail.outbox]


def test_every_kind_of_email_fits_a_phone_without_sideways_scrolling(chromium):
    messages = every_kind_of_message()
    subjects = {message.subject.split(":")[0] for message in messages}
    for kind in ("Invitation", "Booked", "Updated invitation", "Updated", "Seat unfilled"):
        assert kind in subjects, subjects
    assert {"Reminder", "Cancelled", "Your place", "Confirm your place"} <= subjects, subjects
    assert "Your LGA webinar calendar link" in subjects
    keep = os.environ.get("EMAIL_SCREENSHOTS")
    phone = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    desktop = chromium.new_context(viewport={"width": 1280, "height": 900})
    try:
        for n, message in enumerate(messages):
            for context, width in ((phone, 390), (desktop, 1280)):
                page = context.new_page()
                page.set_content(message.html)
                scroll = page.evaluate("document.documentElement.scrollWidth")
                assert scroll <= width, (message.subject, width, scroll)
                if keep:
                    name = f"{n:02d}-{message.to.split('@')[0]}-{width}.png"
                    page.screenshot(path=str(Path(keep) / name), full_page=True)
                page.close()
    finally:
        phone.close()
        desktop.close()
