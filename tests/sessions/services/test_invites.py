"""Invites for bookings: one iMIP e-mail per recipient, read back from the real message bytes
and by ical.js and libical; moves and cancellations keep the UID and raise the SEQUENCE.

Bookings are made through the booking service (`tests.factories.a_booking`); the sent mail is
read with `tests.sent_mail`.
"""

from datetime import UTC, datetime, timedelta
from email.utils import parseaddr

import pytest
from django.conf import settings
from django.core import mail

from scheduling.engine.uk_time import day_text
from sessions.models import Invite, InviteStatus, Seat, SeatStatus, Session
from sessions.tasks import send_invite
from tests.factories import a_booking, bearer, london, make_available, make_peer
from tests.interop.parsers import read_calendar
from tests.sent_mail import assert_imip, by_recipient, deliver, links

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]


def emails(pool) -> dict[str, str]:
    return {
        "lead": pool.lead.email,
        "member": pool.member.email,
        "officer": pool.officer.email,
        "facilitator": pool.facilitator.email,
        "booker": pool.booker.email,
    }


def utc(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# Booking --------------------------------------------------------------------------------------


def test_a_booking_sends_each_peer_and_the_booker_one_invite(
    api_client, pool, django_capture_on_commit_callbacks
):
    start = london(pool.day, 10)
    booking = a_booking(pool, start, capture=django_capture_on_commit_callbacks)
    session = booking.sessions.get()
    assert set(session.seats.values_list("status", flat=True)) == {SeatStatus.INVITED}
    assert Invite.objects.filter(status=InviteStatus.PENDING).count() == 5

    mails = by_recipient(deliver())
    assert set(mails) == set(emails(pool).values())
    events = {to: assert_imip(message, "REQUEST") for to, message in mails.items()}
    for event in events.values():
        assert event["uid"] == session.uid and event["sequence"] == 0
        assert event["start"]["utc"] == utc(start)
        assert event["end"]["utc"] == utc(start + timedelta(hours=3))
        assert event["summary"] == "LGA Recovery & Renewal Panel for Wigan Council"
        assert event["status"] == "CONFIRMED"
    roles = {to: event["attendees"][0]["role"] for to, event in events.items()}
    # The LGA lead chairs the panel the LGA leads; the lead member peer takes part.
    assert roles == {
        pool.facilitator.email: "CHAIR",
        pool.lead.email: "REQ-PARTICIPANT",
        pool.member.email: "REQ-PARTICIPANT",
        pool.officer.email: "REQ-PARTICIPANT",
        pool.booker.email: "REQ-PARTICIPANT",
    }
    assert all(event["attendees"][0]["rsvp"] == "TRUE" for event in events.values())
    assert events[pool.lead.email]["attendees"][0]["cn"] == "Lead Labour"

    # A peer's invite: the offer, the council, the panel, the answer links, their sessions page.
    lead = mails[pool.lead.email]
    assert lead.subject.startswith("Invitation: LGA Recovery & Renewal Panel for Wigan Council")
    for words in (
        "You are invited to take the Lead member peer seat",
        "Council: Wigan Council",
        "- Member peer: Member Green",
        "- Officer peer: Officer Recovery",
        "- LGA lead: Fay Facilitator",
        "Joining link: to follow (you will be sent an update)",
        f"{settings.SITE_URL}/my-sessions/",
    ):
        assert words in lead.text
    answer_links = links(lead.text)
    assert set(answer_links) == {"accept", "decline"}
    assert f'href="{answer_links["accept"]}"' in lead.html
    assert events[pool.lead.email]["url"] == f"{settings.SITE_URL}/my-sessions/"
    assert "Accept the seat" in events[pool.lead.email]["description"]

    # The booker's: the booking's page, and the panel with each seat's answer.
    booker = mails[pool.booker.email]
    page = f"{settings.SITE_URL}/bookings/{booking.id}/"
    assert booker.subject.startswith("Booked: ")
    assert page in booker.text and f'href="{page}"' in booker.html
    assert "- Lead member peer: Lead Labour (invited)" in booker.text
    assert "/answer/" not in booker.text
    assert events[pool.booker.email]["url"] == page

    assert set(Invite.objects.values_list("status", flat=True)) == {InviteStatus.SENT}
    # Nothing is sent twice: a second run of the same tasks finds nothing to do.
    for invite in Invite.objects.all():
        assert send_invite(invite.pk) == "not-claimed"
    assert len(mail.outbox) == 5


def test_names_with_quotes_and_commas_survive_into_cn(
    api_client, pool, django_capture_on_commit_callbacks
):
    pool.lead.name = 'Bloggs, "Jo": Leader'
    pool.lead.save()
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    lead = by_recipient(deliver())[pool.lead.email]
    event = assert_imip(lead, "REQUEST")
    assert event["attendees"][0]["cn"] == "Bloggs, Jo: Leader"
    assert parseaddr(str(lead.message["To"])) == ("Bloggs, Jo: Leader", pool.lead.email)


# Moving and cancelling -----------------------------------------------------------------------------


def move(api_client, pool, booking: dict, start: datetime, capture) -> dict:
    with capture(execute=True):
        response = api_client.post(
            f"/bookings/{booking.id}/reschedule",
            json={"start": start.isoformat()},
            headers=bearer(pool.booker),
        )
    assert response.status_code == 200, response.json()
    return response.json()


def test_a_move_sends_everyone_an_update_with_the_same_uid_and_a_higher_sequence(
    api_client, pool, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    booking = a_booking(pool, london(pool.day, 10), capture=capture)
    deliver()
    lead_seat = Seat.objects.get(peer=pool.lead)
    lead_seat.status = SeatStatus.ACCEPTED
    lead_seat.save()

    new_start = london(pool.day + timedelta(days=1), 11)
    moved = move(api_client, pool, booking, new_start, capture)
    (session,) = moved["sessions"]
    assert session["sequence"] == 1
    # The time changed: every peer is asked again.
    assert {seat["status"] for seat in session["seats"] if seat["status"] != "withdrawn"} == {
        "invited"
    }
    mails = by_recipient(deliver())
    assert set(mails) == set(emails(pool).values())
    for message in mails.values():
        event = assert_imip(message, "REQUEST")
        assert event["uid"] == booking.sessions.get().uid
        assert event["sequence"] == 1
        assert event["start"]["utc"] == utc(new_start)
    assert mails[pool.lead.email].subject.startswith("Updated invitation: ")
    assert mails[pool.booker.email].subject.startswith("Updated: ")


def test_a_peer_left_out_by_a_move_gets_a_cancel_and_the_replacement_a_request(
    api_client, pool, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    tuesday, wednesday = pool.day, pool.day + timedelta(days=1)
    assert tuesday.weekday() == 1
    make_available(pool.member, weekly=[{"weekday": 1, "start": "09:00", "end": "17:00"}])
    reserve = make_available(
        make_peer(
            name="Reserve Member",
            political_group="conservative",
            home_council=pool.member.home_council,
        ),
        weekly=[{"weekday": 2, "start": "09:00", "end": "17:00"}],
    )
    booking = a_booking(pool, london(tuesday, 10), capture=capture)
    first = by_recipient(deliver())
    assert reserve.email not in first

    move(api_client, pool, booking, london(wednesday, 10), capture)
    mails = by_recipient(deliver())
    assert set(mails) == {
        pool.lead.email,
        pool.officer.email,
        pool.facilitator.email,
        pool.booker.email,
        pool.member.email,
        reserve.email,
    }
    cancel = mails[pool.member.email]
    event = assert_imip(cancel, "CANCEL")
    assert event["status"] == "CANCELLED" and event["sequence"] == 1
    assert event["uid"] == booking.sessions.get().uid
    # It names the session as the peer knew it: Tuesday at 10:00, not the new Wednesday.
    old_start = london(tuesday, 10)
    assert cancel.subject.endswith(day_text(old_start))
    assert cancel.subject.startswith("No longer needed: ")
    known = f"{old_start:%A} {old_start.day} {old_start:%B %Y}, 10:00 to 13:00 (UK time)"
    assert f"Wigan Council on {known}: the booking moved" in cancel.text
    assert known in cancel.html
    assert f"{wednesday:%A}" not in cancel.text + cancel.subject
    assert event["start"]["utc"] == utc(old_start)  # the event as their calendar holds it
    assert b"No longer needed" in cancel.raw  # (read back from the bytes that were sent)
    request = mails[reserve.email]
    event = assert_imip(request, "REQUEST")
    assert event["sequence"] == 1 and "You are invited to take the Member peer seat" in request.text
    assert Seat.objects.get(peer=reserve).status == SeatStatus.INVITED
    assert Seat.objects.get(peer=pool.member).status == SeatStatus.WITHDRAWN


def test_cancelling_sends_everyone_a_cancel(api_client, pool, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    booking = a_booking(pool, london(pool.day, 10), capture=capture)
    deliver()
    with capture(execute=True):
        response = api_client.post(
            f"/bookings/{booking.id}/cancel",
            json={"reason": "The leader is unwell"},
            headers=bearer(pool.booker),
        )
    assert response.status_code == 200
    mails = by_recipient(deliver())
    assert set(mails) == set(emails(pool).values())
    for message in mails.values():
        event = assert_imip(message, "CANCEL")
        assert event["uid"] == booking.sessions.get().uid
        assert event["sequence"] == 1 and event["status"] == "CANCELLED"
        assert message.subject.startswith("Cancelled: ")
        assert "The reason given: The leader is unwell" in message.text
        assert "/answer/" not in message.text
        assert "rsvp" not in event["attendees"][0]  # a cancellation asks for no answer


def test_a_new_joining_link_sends_an_update_and_keeps_the_answers(
    client, api_client, pool, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    booking = a_booking(pool, london(pool.day, 10), capture=capture)
    deliver()
    Seat.objects.filter(peer=pool.officer).update(status=SeatStatus.ACCEPTED)
    session = Session.objects.get()
    client.force_login(pool.booker)

    page = client.get(f"/bookings/{booking.id}/")
    assert f'href="/sessions/{session.pk}/joining-link/"' in page.content.decode()
    url = f"/sessions/{session.pk}/joining-link/"
    form = client.get(url)
    assert form.status_code == 200 and "Joining link" in form.content.decode()

    refused = client.post(url, {"joining_url": "not a link"})
    assert refused.status_code == 200 and "There is a problem" in refused.content.decode()
    session.refresh_from_db()
    assert (session.joining_url, session.sequence) == ("", 0)

    teams = "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc"
    with capture(execute=True):
        response = client.post(url, {"joining_url": teams})
    assert response.status_code == 302
    session.refresh_from_db()
    assert (session.joining_url, session.sequence) == (teams, 1)
    mails = by_recipient(deliver())
    assert set(mails) == set(emails(pool).values())
    events = {}
    for to, message in mails.items():
        accepted = to == pool.officer.email
        event = assert_imip(message, "REQUEST", partstat="ACCEPTED" if accepted else "NEEDS-ACTION")
        events[to] = event
        assert event["sequence"] == 1 and event["location"] == teams
        assert f"Joining link: {teams}" in message.text
    assert Seat.objects.get(peer=pool.officer).status == SeatStatus.ACCEPTED  # kept
    # The peer who accepted keeps their acceptance in the calendar and is not asked again.
    officer = mails[pool.officer.email]
    assert events[pool.officer.email]["attendees"][0]["rsvp"] == "FALSE"
    assert "your answer stands: there is nothing to answer" in officer.text
    assert "answer again" not in officer.text + officer.html
    assert "accept" not in links(officer.text)
    # One who had not answered yet is asked to.
    lead = mails[pool.lead.email]
    assert events[pool.lead.email]["attendees"][0]["rsvp"] == "TRUE"
    assert "You have not answered yet: please accept or decline the seat." in lead.text
    assert "answer again" not in lead.text
    assert set(links(lead.text)) == {"accept", "decline"}
    assert teams in client.get(f"/bookings/{booking.id}/").content.decode()

    # The same link again changes nothing and sends nothing.
    with capture(execute=True):
        client.post(url, {"joining_url": teams})
    assert deliver() == []
    # Someone who does not manage the booking cannot change it.
    client.force_login(pool.other_booker)
    assert client.post(url, {"joining_url": "https://example.org/x"}).status_code == 403


def test_the_sequence_never_goes_down_and_the_uid_never_changes(
    client, api_client, pool, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    booking = a_booking(pool, london(pool.day, 10), capture=capture)
    move(api_client, pool, booking, london(pool.day, 13), capture)
    client.force_login(pool.booker)
    session = Session.objects.get()
    with capture(execute=True):
        client.post(
            f"/sessions/{session.pk}/joining-link/", {"joining_url": "https://zoom.us/j/123"}
        )
    with capture(execute=True):
        api_client.post(
            f"/bookings/{booking.id}/cancel",
            json={"reason": "Postponed"},
            headers=bearer(pool.booker),
        )
    mails = deliver()
    seen: dict[str, list[tuple[str, int]]] = {}
    for message in mails:
        event = read_calendar(message.calendar)["events"][0]
        assert event["uid"] == session.uid
        seen.setdefault(message.to, []).append((message.method, event["sequence"]))
    for to, sequence in seen.items():
        numbers = [n for _, n in sequence]
        assert numbers == sorted(numbers) and len(set(numbers)) == len(numbers), (to, sequence)
        assert sequence[-1] == ("CANCEL", 3)
    session.refresh_from_db()
    assert session.sequence == 3
