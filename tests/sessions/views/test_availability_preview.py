"""The preview under "What councils will be offered": only what councils can book (the peer's
free time within the hours sessions run), in the peer's time and UK time, and a session the peer
sits on told apart from the buffer kept around it."""

from datetime import date, timedelta

import pytest

from peers.selectors import availability_preview
from tests.factories import a_booking, london, make_peer, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]

WEEKDAYS_9_TO_5 = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(7)]


def a_january_wednesday() -> date:
    """A Wednesday in the middle of next January: no bank holiday, and New York is five hours
    behind London (neither keeps summer time)."""
    day = date(date.today().year + 1, 1, 12)
    return day + timedelta(days=(2 - day.weekday()) % 7)


def a_peer_in(zone: str):
    from peers.services import availability_replace

    peer = make_peer(user=make_user())
    availability_replace(
        peer=peer,
        time_zone=zone,
        weekly=WEEKDAYS_9_TO_5,
        overrides=[],
        leave=[],
        monthly_session_cap=6,
        monthly_hours_cap=30,
        buffer_minutes=30,
        bank_holidays_block=False,
        nation="england",
    )
    peer.refresh_from_db()
    return peer


def test_a_peer_in_new_york_sees_only_the_hours_councils_can_book_in_both_times():
    wednesday = a_january_wednesday()
    days = {
        row.date: row
        for row in availability_preview(a_peer_in("America/New_York"), today=wednesday, days=4)
    }
    row = days[wednesday]
    # 09:00-17:00 New York is 14:00-22:00 in the UK: councils book until 17:30 UK time.
    assert row.free == ["09:00–12:30 (14:00–17:30 UK time)"]
    assert row.blocked == [
        "Outside the hours sessions run (09:00–17:30 UK time): 12:30–17:00 (17:30–22:00 UK time)"
    ]
    saturday = days[wednesday + timedelta(days=3)]
    assert saturday.free == []
    assert saturday.blocked == [
        "Councils book working days only: 09:00–17:00 (14:00–22:00 UK time)"
    ]


def test_a_uk_peer_sees_no_second_time_and_office_hours_still_apply():
    wednesday = a_january_wednesday()
    (row,) = availability_preview(a_peer_in("Europe/London"), today=wednesday, days=1)
    assert row.free == ["09:00–17:00"]
    assert row.blocked == []


def test_a_booked_session_and_its_buffer_are_told_apart(pool, django_capture_on_commit_callbacks):
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    (row,) = availability_preview(pool.lead, today=pool.day, days=1)
    assert row.blocked == [
        "Session: LGA Recovery & Renewal Panel for Wigan Council 10:00–13:00",
        "Buffer around a session (30 minutes): 09:30–10:00, 13:00–13:30",
    ]
    assert row.free == ["09:00–09:30", "13:30–17:00"]
