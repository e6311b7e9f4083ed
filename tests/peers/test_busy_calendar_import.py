"""Busy calendars are read by the worker within a budget; uploads are throttled and size-checked
as they stream; free/busy reads only the window's merged busy times."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from peers import tasks
from peers.models import BusyCalendar, BusyEvent
from scheduling.engine.busy_calendar import MAX_OCCURRENCES_PER_EVENT
from tests.factories import bearer, make_peer, make_user
from tests.hostile_calendars import HOSTILE

pytestmark = pytest.mark.django_db


@pytest.fixture
def peer_user():
    user = make_user()
    make_peer(user=user)
    return user


@pytest.fixture
def peer_client(client, peer_user):
    client.force_login(peer_user)
    client.peer = peer_user.peer
    return client


def soon(days: int, hour: int, minute: int = 0) -> datetime:
    day = datetime.now(UTC).date() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


def diary(*events: tuple[datetime, datetime, str]) -> bytes:
    body = "".join(
        f"BEGIN:VEVENT\r\nUID:e{number}@example.org\r\nDTSTAMP:20260101T000000Z\r\n"
        f"DTSTART:{stamp(start)}\r\nDTEND:{stamp(end)}\r\nSUMMARY:{summary}\r\nEND:VEVENT\r\n"
        for number, (start, end, summary) in enumerate(events)
    )
    return (
        f"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Test//EN\r\n{body}END:VCALENDAR\r\n".encode()
    )


def upload(api_client, user, data, name="diary.ics"):
    return api_client.post(
        "/peers/me/busy-calendar",
        FILES={"file": SimpleUploadedFile(name, data)},
        headers=bearer(user),
    )


def shown_calendar(api_client, user):
    response = api_client.get("/peers/me/availability", headers=bearer(user))
    assert response.status_code == 200
    return response.json()["busy_calendar"]


@pytest.fixture
def uploaded(
    api_client, peer_user, empty_broker, run_worker, django_capture_on_commit_callbacks, settings
):
    """Upload through the API (202 at once), then let the worker read it; returns the calendar
    as `GET /peers/me/availability` shows it. (The bound on reading time is the product's, not a
    test limit: it is lifted here so a busy machine cannot change an outcome.)"""
    settings.BUSY_CALENDAR_READ_SECONDS = 3600

    def send(data, name="diary.ics"):
        with django_capture_on_commit_callbacks(execute=True):
            response = upload(api_client, peer_user, data, name)
        assert response.status_code == 202, response.json()
        assert response.json()["state"] == "pending"
        assert shown_calendar(api_client, peer_user)["state"] == "pending"
        assert len(run_worker()) == 1  # the reading of the calendar
        return shown_calendar(api_client, peer_user)

    return send


def test_an_upload_is_read_by_the_worker_and_overlapping_events_are_stored_merged(uploaded):
    calendar = uploaded(
        diary(
            (soon(3, 9), soon(3, 10), "Briefing"),
            (soon(3, 10), soon(3, 11), "Cabinet"),  # touches the briefing
            (soon(3, 10, 30), soon(3, 12), "Scrutiny"),  # overlaps the cabinet
            (soon(4, 14), soon(4, 15), "Surgery"),
        )
    )
    assert calendar["state"] == "imported" and calendar["last_error"] == ""
    assert (calendar["occurrence_count"], calendar["event_count"]) == (4, 2)
    assert list(BusyEvent.objects.values_list("start", "end", "summary")) == [
        (soon(3, 9), soon(3, 12), "Briefing; Cabinet; Scrutiny"),
        (soon(4, 14), soon(4, 15), "Surgery"),
    ]


def test_a_hostile_calendar_is_refused_by_the_worker_and_the_last_good_busy_times_stay(
    uploaded,
):
    uploaded(diary((soon(3, 9), soon(3, 10), "Briefing")), name="good.ics")
    before = list(BusyEvent.objects.values_list("start", "end"))
    calendar = uploaded(HOSTILE["six hourly events since 2022"](), name="hourly.ics")
    assert calendar["state"] == "refused"
    assert f"repeats more than {MAX_OCCURRENCES_PER_EVENT:,} times" in calendar["last_error"]
    assert calendar["filename"] == "hourly.ics"
    assert list(BusyEvent.objects.values_list("start", "end")) == before
    assert BusyCalendar.objects.get().pending_content == b""

    # Re-expanding the last good file the next day keeps saying why the new one was refused.
    tasks.refresh_busy_calendar(BusyCalendar.objects.get().id)
    assert BusyCalendar.objects.get().state == "refused"


def test_a_file_the_worker_cannot_read_is_refused_with_the_reason(uploaded):
    no_start = b"BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nUID:x\r\nSUMMARY:Lost\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    calendar = uploaded(no_start)
    assert calendar["state"] == "refused"
    assert calendar["last_error"] == 'The event "Lost" has no start time (DTSTART).'
    assert calendar["event_count"] == 0 and not BusyEvent.objects.exists()


def test_a_reading_of_an_older_upload_is_not_stored(
    api_client, peer_user, empty_broker, run_worker, django_capture_on_commit_callbacks
):
    first = diary((soon(3, 9), soon(3, 10), "First"))
    second = diary((soon(5, 9), soon(5, 10), "Second"))
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(api_client, peer_user, first).status_code == 202
        assert upload(api_client, peer_user, second).status_code == 202
    run_worker()  # two readings queued: both read the newest file
    assert list(BusyEvent.objects.values_list("summary", flat=True)) == ["Second"]
    assert shown_calendar(api_client, peer_user)["state"] == "imported"


def test_a_large_calendar_imports_and_free_busy_reads_only_the_window(
    api_client, peer_user, uploaded
):
    calendar = uploaded(HOSTILE["ten years of meetings"]())
    assert calendar["state"] == "imported"
    stored = BusyEvent.objects.count()
    assert stored == calendar["event_count"] <= calendar["occurrence_count"]
    window_end = datetime.now(UTC) + timedelta(weeks=28)
    assert not BusyEvent.objects.filter(start__gte=window_end).exists()
    assert not BusyEvent.objects.filter(end__lte=datetime.now(UTC) - timedelta(days=2)).exists()

    start = datetime.now(UTC).replace(microsecond=0)

    def freebusy(weeks):
        return api_client.get(
            f"/peers/{peer_user.peer.id}/freebusy",
            query_params={
                "start": start.isoformat(),
                "end": (start + timedelta(weeks=weeks)).isoformat(),
            },
            headers=bearer(peer_user),
        )

    freebusy(1)  # the first request of a process loads the bank holidays
    began = time.perf_counter()
    response = freebusy(26)
    print(f"26-week free/busy after a 484 kB import: {time.perf_counter() - began:.2f} s")
    assert response.status_code == 200
    busy = [b for b in response.json()["busy"] if b["reason"] == "busy-calendar"]
    assert 0 < len(busy) <= stored


# Throttling ----------------------------------------------------------------------------------


def test_uploads_and_feed_changes_are_limited_per_hour(api_client, peer_user, settings):
    settings.BUSY_CALENDAR_CHANGES_PER_HOUR = 3
    settings.BUSY_CALENDAR_ALLOW_LOOPBACK = True
    data = diary((soon(3, 9), soon(3, 10), "Briefing"))
    for _ in range(3):
        assert upload(api_client, peer_user, data).status_code == 202
    refused = upload(api_client, peer_user, data)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith("You can upload or change your calendar 3 times")
    assert 0 < int(refused["Retry-After"]) <= 3600

    # Changing the feed counts too; a refused change changes nothing.
    body = {
        "time_zone": "Europe/London",
        "monthly_session_cap": 4,
        "monthly_hours_cap": 12,
        "busy_calendar_url": "http://127.0.0.1:9/me.ics",
    }
    response = api_client.put("/peers/me/availability", json=body, headers=bearer(peer_user))
    assert response.status_code == 429 and response["Retry-After"]
    assert BusyCalendar.objects.get().source == "upload"

    # Another peer has their own count.
    other = make_user()
    make_peer(user=other)
    assert upload(api_client, other, data).status_code == 202


def test_the_page_says_when_uploads_are_limited(peer_client, settings):
    settings.BUSY_CALENDAR_CHANGES_PER_HOUR = 1
    data = diary((soon(3, 9), soon(3, 10), "Briefing"))

    def post():
        return peer_client.post(
            "/availability/",
            {"action": "calendar_file", "file": SimpleUploadedFile("d.ics", data)},
        )

    assert post().status_code == 302
    refused = post()
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "You can upload or change your calendar 1 times an hour" in refused.content.decode()


# The page ------------------------------------------------------------------------------------


def test_the_page_says_the_file_is_being_read_then_what_came_of_it(
    peer_client, empty_broker, run_worker, django_capture_on_commit_callbacks
):
    data = diary((soon(3, 9), soon(3, 10), "Briefing"), (soon(3, 9, 30), soon(3, 11), "Cabinet"))
    with django_capture_on_commit_callbacks(execute=True):
        response = peer_client.post(
            "/availability/",
            {"action": "calendar_file", "file": SimpleUploadedFile("d.ics", data)},
            follow=True,
        )
    html = response.content.decode()
    assert "is received and is being read" in html
    assert "Being read" in html
    run_worker()
    html = peer_client.get("/availability/").content.decode()
    assert "Imported" in html
    assert "(from 2 events, those that overlap or touch merged)" in html


def test_an_oversized_page_upload_is_refused_as_it_streams(peer_client):
    too_big = b"BEGIN:VCALENDAR\r\n" + b"X-FILLER:" + b"x" * 3_000_000 + b"\r\nEND:VCALENDAR\r\n"
    response = peer_client.post(
        "/availability/",
        {"action": "calendar_file", "file": SimpleUploadedFile("huge.ics", too_big)},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "The calendar is larger than 2 MB." in html
    assert '<a href="#id_file">' in html
    assert not BusyCalendar.objects.exists()


def test_the_size_check_drops_the_file_before_it_is_held_whole(rf):
    from django.core.files.uploadhandler import MemoryFileUploadHandler
    from django.test.client import encode_multipart

    from peers.forms import CalendarFileLimit

    body = encode_multipart(
        "BoUnDaRy",
        {"action": "calendar_file", "file": SimpleUploadedFile("huge.ics", b"x" * 5_000_000)},
    )
    request = rf.post("/availability/", body, content_type="multipart/form-data; boundary=BoUnDaRy")
    limit = CalendarFileLimit(request)
    request.upload_handlers = [limit, MemoryFileUploadHandler(request)]
    assert request.POST["action"] == "calendar_file"
    assert "file" not in request.FILES
    assert limit.oversized == {"file"}
    assert limit.received <= limit.limit + 64 * 1024  # one chunk past the limit, no more
