"""Searches running while the pool changes: a booking, a calendar import, two changes to one
peer at once. Nothing fails, nothing is double-booked, and once the writers are done every
search sees what they wrote and the kept free time equals a rebuild. Real threads, real
database connections (SQLite here; PostgreSQL when DATABASE_URL is set)."""

import json
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.test import Client

from peers.free_time import free_time_build, kept_window
from peers.models import FreeTime
from peers.services import availability_update
from sessions.models import Booking
from tests.factories import (
    assert_no_peer_double_booked,
    at_once,
    bearer,
    bookable_day,
    import_calendar,
    london,
)

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("catalogue", "empty_broker"),
]

OFFER = "recovery-and-renewal-panel"


def search(headers, council, day):
    return Client().get(
        f"/api/offers/{OFFER}/slots",
        {
            "council": council.id,
            "start": london(day, 0).isoformat(),
            "end": london(day, 23).isoformat(),
        },
        headers=headers,
    )


def starts(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [slot["start"] for slot in response.json()]


def calendar(start, end) -> bytes:
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\n"
        "UID:busy@example.org\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n"
        f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n"
        "SUMMARY:Busy\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    ).encode()


def assert_kept_equals_rebuild(peers):
    ids = [peer.id for peer in peers]
    window = kept_window(FreeTime.objects.get(peer=peers[0]).start + timedelta(days=1))
    for peer in peers:
        row = FreeTime.objects.get(peer=peer)
        bits = np.unpackbits(np.frombuffer(bytes(row.bits), dtype=np.uint8))[: row.slots]
        expected = free_time_build(peer_ids=[peer.id], grid=window)[0]
        assert row.start == window.start
        assert np.array_equal(bits.astype(bool), expected), peer.name
    assert len(ids) == FreeTime.objects.filter(peer_id__in=ids).count()


def test_searches_during_a_booking_answer_and_then_see_it(pool):
    headers, other = bearer(pool.booker), bearer(pool.other_booker)
    for round_ in range(2):
        day = bookable_day() + timedelta(days=round_)
        start = london(day, 10)
        assert starts(search(headers, pool.council, day))

        body = {"offer": OFFER, "council": pool.council.id, "start": start.isoformat()}
        booked, *searched = at_once(
            [
                lambda body=body: Client().post(
                    "/api/bookings",
                    data=json.dumps(body),
                    content_type="application/json",
                    headers=headers,
                ),
                lambda day=day: search(headers, pool.council, day),
                lambda day=day: search(other, pool.other_council, day),
            ]
        )
        assert booked.status_code == 201, booked.json()
        for response in searched:
            starts(response)  # either side of the booking, but an answer
        # The one panel is taken: after the booking no search offers a time that overlaps it
        # (with the peers' 30-minute buffer either side).
        held_from, held_until = london(day, 9, 30), london(day, 13, 30)
        for offered in starts(search(headers, pool.council, day)) + starts(
            search(other, pool.other_council, day)
        ):
            begins = datetime.fromisoformat(offered)
            assert begins + timedelta(hours=3) <= held_from or begins >= held_until, offered
    assert Booking.objects.count() == 2
    assert_no_peer_double_booked()


def test_a_calendar_import_during_searches_is_seen_by_the_next_search(pool):
    headers = bearer(pool.booker)
    day = bookable_day()
    assert starts(search(headers, pool.council, day))
    busy_all_day = calendar(london(day, 7), london(day, 19))
    upload, *searched = at_once(
        [
            lambda: import_calendar(pool.lead, busy_all_day),
            lambda: search(headers, pool.council, day),
            lambda: search(headers, pool.council, day),
        ]
    )
    assert upload.event_count == 1
    for response in searched:
        starts(response)
    # The only Labour member peer is busy all day: no panel can be led that day.
    assert starts(search(headers, pool.council, day)) == []
    assert_kept_equals_rebuild([pool.lead, pool.member, pool.officer])


def test_two_changes_to_one_peer_at_once_are_both_kept(pool):
    day = bookable_day()
    for round_ in range(3):
        hours = [{"weekday": d, "start": f"{8 + round_:02d}:00", "end": "16:00"} for d in range(5)]
        busy = calendar(london(day, 9 + round_), london(day, 10 + round_))
        done = at_once(
            [
                lambda hours=hours: availability_update(peer=pool.lead, weekly=hours),
                lambda busy=busy: import_calendar(pool.lead, busy),
            ]
        )
        assert all(result is not None for result in done)
        assert_kept_equals_rebuild([pool.lead])
