from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peers.models import DateOverride, Leave, WeeklyWindow
from tests.factories import make_peer, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer_client(client):
    user = make_user()
    peer = make_peer(user=user)
    client.force_login(user)
    client.peer = peer
    return client


def test_only_peers_see_the_page(client):
    assert client.get("/availability/").status_code == 302
    client.force_login(make_user())
    assert client.get("/availability/").status_code == 403


def test_save_weekly_hours(peer_client):
    response = peer_client.post(
        "/availability/",
        {"action": "hours", "day_1": "09:00-12:00, 14:00-17:00", "day_3": "9:30-16:30"},
    )
    assert response.status_code == 302
    windows = [
        (w.weekday, f"{w.start:%H:%M}", f"{w.end:%H:%M}")
        for w in WeeklyWindow.objects.filter(peer=peer_client.peer)
    ]
    assert windows == [(1, "09:00", "12:00"), (1, "14:00", "17:00"), (3, "09:30", "16:30")]
    html = peer_client.get("/availability/").content.decode()
    assert "Your weekly hours are saved." in html
    assert 'value="09:00-12:00, 14:00-17:00"' in html


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("9 till 5", "Enter hours like 09:00-12:00"),
        ("17:00-09:00", "must be later than its start"),
        ("09:00-12:00, 11:00-13:00", "overlap"),
    ],
)
def test_bad_weekly_hours_show_the_error_on_that_day_and_keep_the_text(peer_client, typed, message):
    WeeklyWindow.objects.create(peer=peer_client.peer, weekday=0, start="10:00", end="11:00")
    html = peer_client.post(
        "/availability/", {"action": "hours", "day_0": "10:00-11:00", "day_2": typed}
    ).content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_day_2">' in html
    assert message in html
    assert f'value="{typed}"' in html
    assert WeeklyWindow.objects.filter(peer=peer_client.peer).count() == 1


def test_add_and_remove_a_date_override(peer_client):
    day = date.today() + timedelta(days=3)
    response = peer_client.post(
        "/availability/", {"action": "override", "date": day.isoformat(), "hours": ""}
    )
    assert response.status_code == 302
    override = DateOverride.objects.get(peer=peer_client.peer)
    assert (override.date, override.windows) == (day, [])
    html = peer_client.get("/availability/").content.decode()
    assert "Not available that date" in html
    peer_client.post(f"/availability/overrides/{override.id}/remove/")
    assert not DateOverride.objects.exists()


def test_a_malformed_override_date_is_refused(peer_client):
    html = peer_client.post(
        "/availability/", {"action": "override", "date": "2026-02-30", "hours": ""}
    ).content.decode()
    assert "Date must be a real date" in html
    assert not DateOverride.objects.exists()


def test_leave_with_the_days_the_wrong_way_round(peer_client):
    first, last = date.today() + timedelta(days=20), date.today() + timedelta(days=10)
    html = peer_client.post(
        "/availability/",
        {"action": "leave", "first_day": first.isoformat(), "last_day": last.isoformat()},
    ).content.decode()
    assert "There is a problem" in html
    assert '<a href="#id_last_day_day">' in html
    assert "The last day of leave must be the same as or after the first day." in html
    assert not Leave.objects.exists()
    peer_client.post(
        "/availability/",
        {
            "action": "leave",
            "first_day": last.isoformat(),
            "last_day": first.isoformat(),
            "note": "Holiday",
        },
    )
    assert Leave.objects.get().note == "Holiday"


def test_settings_refuse_a_negative_cap(peer_client):
    data = {
        "action": "settings",
        "time_zone": "Europe/London",
        "nation": "wales",
        "bank_holidays_block": "on",
        "monthly_session_cap": "-1",
        "monthly_hours_cap": "10",
        "buffer_minutes": "30",
    }
    html = peer_client.post("/availability/", data).content.decode()
    assert "The most sessions a month must be 0 or more." in html
    peer_client.peer.refresh_from_db()
    assert peer_client.peer.nation == "england"
    data["monthly_session_cap"] = "2"
    assert peer_client.post("/availability/", data).status_code == 302
    peer_client.peer.refresh_from_db()
    assert (peer_client.peer.nation, peer_client.peer.monthly_session_cap) == ("wales", 2)


def test_upload_errors_are_shown_on_the_file_field(peer_client):
    upload = SimpleUploadedFile("notes.ics", b"Dear all, the meeting is moved.")
    html = peer_client.post(
        "/availability/", {"action": "calendar_file", "file": upload}
    ).content.decode()
    assert '<a href="#id_file">' in html


def test_a_private_address_is_refused_as_a_feed(peer_client):
    html = peer_client.post(
        "/availability/", {"action": "calendar_url", "url": "http://192.168.1.10/cal.ics"}
    ).content.decode()
    assert '<a href="#id_url">' in html


def test_the_same_leave_twice_is_listed_once_and_overlapping_leave_is_one_entry(peer_client):
    first, last = date.today() + timedelta(days=10), date.today() + timedelta(days=14)
    leave = {"action": "leave", "first_day": first.isoformat(), "last_day": last.isoformat()}
    peer_client.post("/availability/", {**leave, "note": "Holiday"})
    again = peer_client.post("/availability/", leave, follow=True).content.decode()
    assert "You already had leave from" in again and "so it is listed once." in again
    assert list(Leave.objects.values_list("first_day", "last_day", "note")) == [
        (first, last, "Holiday")
    ]

    # Leave over part of it, and beyond: one entry from the first day to the last.
    later = last + timedelta(days=5)
    over = peer_client.post(
        "/availability/",
        {
            **leave,
            "first_day": (first + timedelta(days=2)).isoformat(),
            "last_day": later,
            "note": "Conference",
        },
        follow=True,
    ).content.decode()
    assert "It overlapped leave you already had, so they are now one entry:" in over
    assert list(Leave.objects.values_list("first_day", "last_day", "note")) == [
        (first, later, "Holiday; Conference")
    ]
    # Removing it removes all of it.
    peer_client.post(f"/availability/leave/{Leave.objects.get().pk}/remove/")
    assert not Leave.objects.exists()
