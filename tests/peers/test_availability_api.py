"""Peers keep their availability through the API; free/busy is exact across clock changes."""

import threading
from datetime import UTC, date, datetime, time, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django_q.brokers import get_broker
from icalendar import Calendar

from peers import tasks
from peers.models import BusyCalendar, BusyEvent
from scheduling.engine.uk_time import LONDON
from sessions.models import Booking, Offer, Seat, Session
from tests.factories import bearer, make_council, make_peer, make_user

pytestmark = pytest.mark.django_db

# December of next year: dates still to come (days already past are refused), all in GMT.
YEAR = date.today().year + 1
WEEKDAY_9_TO_5 = [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)]


def availability(**changes):
    body = {
        "time_zone": "Europe/London",
        "weekly": WEEKDAY_9_TO_5,
        "overrides": [],
        "leave": [],
        "monthly_session_cap": 4,
        "monthly_hours_cap": 12,
        "buffer_minutes": 30,
        "bank_holidays_block": True,
        "nation": "england",
    }
    body.update(changes)
    return body


@pytest.fixture
def peer_user():
    user = make_user()
    make_peer(user=user)
    return user


def put(api_client, user, **changes):
    return api_client.put(
        "/peers/me/availability", json=availability(**changes), headers=bearer(user)
    )


def freebusy(api_client, user, start, end):
    response = api_client.get(
        f"/peers/{user.peer.id}/freebusy",
        query_params={"start": start, "end": end},
        headers=bearer(user),
    )
    assert response.status_code == 200, response.json()
    return response.json()


def utc(text: str) -> str:
    return datetime.fromisoformat(text).astimezone(UTC).isoformat().replace("+00:00", "Z")


def test_only_peers_have_availability(api_client):
    assert api_client.get("/peers/me/availability").status_code == 401
    response = api_client.get("/peers/me/availability", headers=bearer(make_user()))
    assert response.status_code == 403


def test_replace_and_read_back(api_client, peer_user):
    response = put(
        api_client,
        peer_user,
        weekly=[
            {"weekday": 1, "start": "09:00", "end": "12:00"},
            {"weekday": 1, "start": "14:00", "end": "17:00"},
        ],
        overrides=[{"date": f"{YEAR}-12-08", "windows": [{"start": "10:00", "end": "13:00"}]}],
        leave=[
            {"first_day": f"{YEAR}-12-21", "last_day": f"{YEAR + 1}-01-01", "note": "Christmas"}
        ],
        monthly_session_cap=3,
        monthly_hours_cap=9,
        buffer_minutes=15,
        time_zone="Europe/Dublin",
    )
    assert response.status_code == 200, response.json()
    body = api_client.get("/peers/me/availability", headers=bearer(peer_user)).json()
    assert body["weekly"] == [
        {"weekday": 1, "start": "09:00", "end": "12:00"},
        {"weekday": 1, "start": "14:00", "end": "17:00"},
    ]
    assert body["overrides"] == [
        {"date": f"{YEAR}-12-08", "windows": [{"start": "10:00", "end": "13:00"}]}
    ]
    assert body["leave"] == [
        {"first_day": f"{YEAR}-12-21", "last_day": f"{YEAR + 1}-01-01", "note": "Christmas"}
    ]
    assert (body["monthly_session_cap"], body["monthly_hours_cap"], body["buffer_minutes"]) == (
        3,
        9,
        15,
    )
    assert body["time_zone"] == "Europe/Dublin"


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"weekly": [{"weekday": 0, "start": "12:00", "end": "09:00"}]}, "weekly[0].end"),
        (
            {
                "weekly": [
                    {"weekday": 2, "start": "09:00", "end": "12:00"},
                    {"weekday": 2, "start": "11:00", "end": "14:00"},
                ]
            },
            "weekly[1]",
        ),
        ({"weekly": [{"weekday": 7, "start": "09:00", "end": "12:00"}]}, "weekday"),
        ({"weekly": [{"weekday": 0, "start": "9am", "end": "12:00"}]}, "start"),
        ({"time_zone": "Europe/Atlantis"}, "time_zone"),
        ({"overrides": [{"date": "2026-13-45", "windows": []}]}, "date"),
        (
            {
                "overrides": [
                    {"date": f"{YEAR}-12-01", "windows": []},
                    {"date": f"{YEAR}-12-01", "windows": []},
                ]
            },
            "overrides[1].date",
        ),
        (
            {"leave": [{"first_day": f"{YEAR}-12-10", "last_day": f"{YEAR}-12-01"}]},
            "leave[0].last_day",
        ),
        ({"monthly_session_cap": -1}, "monthly_session_cap"),
        ({"monthly_hours_cap": -5}, "monthly_hours_cap"),
        ({"buffer_minutes": -10}, "buffer_minutes"),
        ({"nation": "atlantis"}, "nation"),
        ({"busy_calendar_url": "ftp://calendar.example.org/me.ics"}, "busy_calendar_url"),
        ({"busy_calendar_url": "http://127.0.0.1:8000/me.ics"}, "busy_calendar_url"),
        ({"busy_calendar_url": "http://10.1.2.3/me.ics"}, "busy_calendar_url"),
        ({"busy_calendar_url": "http://169.254.169.254/latest/meta-data"}, "busy_calendar_url"),
    ],
)
def test_invalid_availability_is_422_naming_the_field_and_changes_nothing(
    api_client, peer_user, changes, field
):
    assert put(api_client, peer_user).status_code == 200
    before = api_client.get("/peers/me/availability", headers=bearer(peer_user)).json()
    response = put(api_client, peer_user, **changes)
    assert response.status_code == 422, response.json()
    locs = [".".join(str(part) for part in error["loc"]) for error in response.json()["detail"]]
    assert any(field in loc for loc in locs), locs
    assert api_client.get("/peers/me/availability", headers=bearer(peer_user)).json() == before
    assert not BusyCalendar.objects.exists()


def test_nine_stays_nine_across_both_uk_clock_changes(api_client, peer_user):
    put(api_client, peer_user)
    # Spring 2026: clocks go forward on Sunday 29 March.
    body = freebusy(api_client, peer_user, "2026-03-27T00:00:00Z", "2026-03-31T00:00:00Z")
    assert body["free"] == [
        {"start": utc("2026-03-27T09:00:00+00:00"), "end": utc("2026-03-27T17:00:00+00:00")},
        {"start": utc("2026-03-30T09:00:00+01:00"), "end": utc("2026-03-30T17:00:00+01:00")},
    ]
    # Autumn 2026: clocks go back on Sunday 25 October.
    body = freebusy(api_client, peer_user, "2026-10-23T00:00:00Z", "2026-10-27T00:00:00Z")
    assert [(f["start"], f["end"]) for f in body["free"]] == [
        ("2026-10-23T08:00:00Z", "2026-10-23T16:00:00Z"),
        ("2026-10-26T09:00:00Z", "2026-10-26T17:00:00Z"),
    ]
    # 2027: 28 March (Easter Sunday: Good Friday and Easter Monday are bank holidays) and 31 October.
    spring = freebusy(api_client, peer_user, "2027-03-24T00:00:00Z", "2027-04-01T00:00:00Z")["free"]
    assert [f["start"] for f in spring] == [
        "2027-03-24T09:00:00Z",
        "2027-03-25T09:00:00Z",
        "2027-03-30T08:00:00Z",
        "2027-03-31T08:00:00Z",
    ]
    autumn = freebusy(api_client, peer_user, "2027-10-29T00:00:00Z", "2027-11-02T00:00:00Z")["free"]
    assert [f["start"] for f in autumn] == ["2027-10-29T08:00:00Z", "2027-11-01T09:00:00Z"]


def test_a_peer_in_new_york_keeps_new_york_hours(api_client, peer_user):
    put(
        api_client,
        peer_user,
        time_zone="America/New_York",
        weekly=[{"weekday": 0, "start": "09:00", "end": "17:00"}],
    )
    # 26 Oct 2026: the UK is on GMT but New York is still on EDT (UTC-4) until 1 November.
    body = freebusy(api_client, peer_user, "2026-10-26T00:00:00Z", "2026-11-03T00:00:00Z")
    assert [(f["start"], f["end"]) for f in body["free"]] == [
        ("2026-10-26T13:00:00Z", "2026-10-26T21:00:00Z"),
        ("2026-11-02T14:00:00Z", "2026-11-02T22:00:00Z"),
    ]


def test_bank_holidays_follow_the_peers_nation_and_choice(api_client, peer_user):
    put(api_client, peer_user)
    body = freebusy(api_client, peer_user, "2026-12-24T00:00:00Z", "2026-12-29T00:00:00Z")
    assert [f["start"] for f in body["free"]] == ["2026-12-24T09:00:00Z"]
    assert {b["reason"] for b in body["busy"]} == {"bank-holiday"}

    put(api_client, peer_user, bank_holidays_block=False)
    body = freebusy(api_client, peer_user, "2026-12-24T00:00:00Z", "2026-12-29T00:00:00Z")
    assert len(body["free"]) == 3  # 24, 25 and 28 December

    # St Andrew's Day (Monday 30 November 2026) is a bank holiday in Scotland only.
    put(api_client, peer_user, nation="scotland")
    assert (
        freebusy(api_client, peer_user, "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z")["free"]
        == []
    )
    put(api_client, peer_user, nation="england")
    assert (
        len(freebusy(api_client, peer_user, "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z")["free"])
        == 1
    )


def test_overrides_and_leave_block(api_client, peer_user):
    put(
        api_client,
        peer_user,
        overrides=[
            {"date": f"{YEAR}-12-01", "windows": []},
            {"date": f"{YEAR}-12-02", "windows": [{"start": "13:00", "end": "15:00"}]},
        ],
        leave=[{"first_day": f"{YEAR}-12-03", "last_day": f"{YEAR}-12-04"}],
    )
    body = freebusy(api_client, peer_user, f"{YEAR}-12-01T00:00:00Z", f"{YEAR}-12-05T00:00:00Z")
    assert [(f["start"], f["end"]) for f in body["free"]] == [
        (f"{YEAR}-12-02T13:00:00Z", f"{YEAR}-12-02T15:00:00Z")
    ]
    assert {b["reason"] for b in body["busy"]} == {"unavailable-date", "leave"}


# A weekly meeting on three Tuesdays from a fortnight ahead (inside the window a calendar is read
# over, whatever the date the tests run), the middle one excepted, and a transparent lunch.
FIRST_TUESDAY = date.today() + timedelta(days=14 + (1 - date.today().weekday()) % 7)


def london(day: date, hour: int) -> datetime:
    return datetime.combine(day, time(hour), LONDON).astimezone(UTC)


def ics_utc(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


ICS = f"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//Test//Council diary//EN
BEGIN:VEVENT
UID:full-council-1@example.org
DTSTAMP:20261101T000000Z
DTSTART;TZID=Europe/London:{FIRST_TUESDAY:%Y%m%d}T100000
DTEND;TZID=Europe/London:{FIRST_TUESDAY:%Y%m%d}T120000
RRULE:FREQ=WEEKLY;COUNT=3
EXDATE;TZID=Europe/London:{FIRST_TUESDAY + timedelta(weeks=1):%Y%m%d}T100000
SUMMARY:Cabinet
END:VEVENT
BEGIN:VEVENT
UID:lunch@example.org
DTSTAMP:20261101T000000Z
DTSTART:{FIRST_TUESDAY:%Y%m%d}T130000Z
DTEND:{FIRST_TUESDAY:%Y%m%d}T140000Z
TRANSP:TRANSPARENT
SUMMARY:Lunch (free)
END:VEVENT
END:VCALENDAR
""".encode()


def upload(api_client, user, data, name="diary.ics"):
    return api_client.post(
        "/peers/me/busy-calendar",
        FILES={"file": SimpleUploadedFile(name, data)},
        headers=bearer(user),
    )


def test_upload_a_busy_calendar(
    api_client, peer_user, empty_broker, run_worker, django_capture_on_commit_callbacks
):
    put(api_client, peer_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = upload(api_client, peer_user, ICS)
    assert response.status_code == 202, response.json()
    assert response.json()["state"] == "pending"  # read by the worker, not in the request
    assert len(run_worker()) == 1  # the reading of the calendar
    calendar = api_client.get("/peers/me/availability", headers=bearer(peer_user)).json()[
        "busy_calendar"
    ]
    assert calendar["state"] == "imported"
    assert calendar["event_count"] == 2  # the first and third Tuesdays; the second was excepted
    third_tuesday = FIRST_TUESDAY + timedelta(weeks=2)
    body = freebusy(
        api_client,
        peer_user,
        ics_utc(london(FIRST_TUESDAY, 0)),
        ics_utc(london(third_tuesday + timedelta(days=1), 0)),
    )
    calendar_busy = [(b["start"], b["end"]) for b in body["busy"] if b["reason"] == "busy-calendar"]
    assert calendar_busy == [
        (ics_utc(london(FIRST_TUESDAY, 10)), ics_utc(london(FIRST_TUESDAY, 12))),
        (ics_utc(london(third_tuesday, 10)), ics_utc(london(third_tuesday, 12))),
    ]
    assert (ics_utc(london(FIRST_TUESDAY, 9)), ics_utc(london(FIRST_TUESDAY, 10))) in [
        (f["start"], f["end"]) for f in body["free"]
    ]


@pytest.mark.parametrize(
    "payload",
    [
        b"this is not a calendar",
        b"\x00\xff\x10binary",
        b"BEGIN:VCALENDAR\r\n"
        + b"BEGIN:VEVENT\r\n" * 50
        + b"END:VEVENT\r\n" * 50
        + b"END:VCALENDAR\r\n",
    ],
)
def test_a_bad_upload_is_422_and_keeps_the_previous_busy_times(
    api_client, peer_user, payload, empty_broker, run_worker, django_capture_on_commit_callbacks
):
    headers = bearer(peer_user)
    with django_capture_on_commit_callbacks(execute=True):
        assert upload(api_client, peer_user, ICS, name="a.ics").status_code == 202
    run_worker()
    before = list(BusyEvent.objects.values_list("start", "end", "summary"))
    assert before
    response = api_client.post(
        "/peers/me/busy-calendar",
        FILES={"file": SimpleUploadedFile("b.ics", payload)},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "file"]
    assert response.json()["detail"][0]["msg"]
    assert list(BusyEvent.objects.values_list("start", "end", "summary")) == before
    assert BusyCalendar.objects.get().filename == "a.ics"


def test_freebusy_is_for_the_peer_and_staff_and_checks_its_range(api_client, peer_user):
    other = make_user()
    make_peer(user=other)
    url = f"/peers/{peer_user.peer.id}/freebusy"
    window = {"start": "2026-12-01T00:00:00Z", "end": "2026-12-08T00:00:00Z"}
    assert api_client.get(url, query_params=window, headers=bearer(other)).status_code == 403
    assert (
        api_client.get(
            url, query_params=window, headers=bearer(make_user(is_staff=True))
        ).status_code
        == 200
    )
    assert api_client.get(url, query_params=window).status_code == 401

    headers = bearer(peer_user)
    too_long = {"start": "2026-12-01T00:00:00Z", "end": "2027-12-01T00:00:00Z"}
    assert api_client.get(url, query_params=too_long, headers=headers).status_code == 422
    backwards = {"start": "2026-12-08T00:00:00Z", "end": "2026-12-01T00:00:00Z"}
    response = api_client.get(url, query_params=backwards, headers=headers)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "end"
    assert (
        api_client.get(
            url, query_params={"start": "soon", "end": "later"}, headers=headers
        ).status_code
        == 422
    )
    assert (
        api_client.get(
            "/peers/999999/freebusy", query_params=window, headers=bearer(make_user(is_staff=True))
        ).status_code
        == 404
    )


def test_freebusy_as_vfreebusy(api_client, peer_user):
    put(api_client, peer_user, overrides=[{"date": f"{YEAR}-12-01", "windows": []}])
    response = api_client.get(
        f"/peers/{peer_user.peer.id}/freebusy.ics",
        query_params={"start": f"{YEAR}-12-01T00:00:00Z", "end": f"{YEAR}-12-03T00:00:00Z"},
        headers=bearer(peer_user),
    )
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    calendar = Calendar.from_ical(response.content)
    (vfreebusy,) = [c for c in calendar.walk() if c.name == "VFREEBUSY"]
    periods = vfreebusy.get("FREEBUSY")
    periods = periods if isinstance(periods, list) else [periods]
    assert [tuple(p.dt) for p in periods] == [
        (datetime(YEAR, 12, 1, tzinfo=UTC), datetime(YEAR, 12, 2, tzinfo=UTC))
    ]


def test_seats_block_with_the_peers_buffer(api_client, peer_user):
    put(api_client, peer_user, buffer_minutes=30)
    offer = Offer.objects.get(slug="recovery-and-renewal-panel")
    booking = Booking.objects.create(offer=offer, council=make_council())
    session = Session.objects.create(
        offer=offer,
        booking=booking,
        start=datetime(2026, 12, 2, 10, 0, tzinfo=UTC),
        end=datetime(2026, 12, 2, 13, 0, tzinfo=UTC),
        uid="seat-test@peers.local.gov.uk",
    )
    Seat.objects.create(
        session=session, role_name="Member peer", peer=peer_user.peer, status="accepted"
    )
    body = freebusy(api_client, peer_user, "2026-12-02T00:00:00Z", "2026-12-03T00:00:00Z")
    assert [(f["start"], f["end"]) for f in body["free"]] == [
        ("2026-12-02T09:00:00Z", "2026-12-02T09:30:00Z"),
        ("2026-12-02T13:30:00Z", "2026-12-02T17:00:00Z"),
    ]
    assert [b["reason"] for b in body["busy"]] == ["seat"]


class CalendarFeed(BaseHTTPRequestHandler):
    body = ICS
    etag = '"v1"'
    requests: list = []

    def do_GET(self):
        CalendarFeed.requests.append(dict(self.headers))
        if self.headers.get("If-None-Match") == CalendarFeed.etag:
            self.send_response(304)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/calendar")
        self.send_header("ETag", CalendarFeed.etag)
        self.end_headers()
        self.wfile.write(CalendarFeed.body)

    def log_message(self, *args):
        pass


@pytest.fixture
def feed_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), CalendarFeed)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    CalendarFeed.body, CalendarFeed.etag, CalendarFeed.requests = ICS, '"v1"', []
    yield f"http://127.0.0.1:{server.server_address[1]}/diary.ics"
    server.shutdown()


def test_a_connected_feed_is_queued_fetched_and_polled_conditionally(
    api_client, peer_user, feed_server, settings, django_capture_on_commit_callbacks
):
    settings.BUSY_CALENDAR_ALLOW_LOOPBACK = True
    broker = get_broker()
    broker.purge_queue()
    with django_capture_on_commit_callbacks(execute=True):
        response = put(api_client, peer_user, busy_calendar_url=feed_server)
    assert response.status_code == 200, response.json()
    calendar = BusyCalendar.objects.get(peer=peer_user.peer)
    assert broker.queue_size() == 1  # the first fetch is queued for the worker
    assert response.json()["busy_calendar"]["state"] == "pending"

    tasks.refresh_busy_calendar(calendar.id)
    calendar.refresh_from_db()
    assert (calendar.event_count, calendar.etag, calendar.last_error) == (2, '"v1"', "")
    assert calendar.state == "imported"

    # Unchanged feed: a conditional GET and a 304; the stored calendar is re-expanded as it was.
    before = list(BusyEvent.objects.filter(calendar=calendar).values_list("start", "end"))
    tasks.refresh_busy_calendar(calendar.id)
    calendar.refresh_from_db()
    assert CalendarFeed.requests[-1].get("If-None-Match") == '"v1"'
    assert (calendar.etag, calendar.event_count) == ('"v1"', 2)
    assert list(BusyEvent.objects.filter(calendar=calendar).values_list("start", "end")) == before

    # A broken feed keeps the last good busy times and says what went wrong.
    CalendarFeed.body, CalendarFeed.etag = b"<html>Sign in to Outlook</html>", '"v2"'
    tasks.refresh_busy_calendar(calendar.id)
    calendar.refresh_from_db()
    assert calendar.event_count == 2 and BusyEvent.objects.filter(calendar=calendar).count() == 2
    assert calendar.last_error and calendar.state == "refused"

    assert tasks.refresh_busy_calendars() == 1
    broker.purge_queue()


def test_hourly_schedule_polls_feeds():
    from django_q.models import Schedule

    schedule = Schedule.objects.get(func="peers.tasks.refresh_busy_calendars")
    assert schedule.schedule_type == Schedule.HOURLY


def test_overlapping_leave_is_kept_as_one_entry(api_client, peer_user):
    response = put(
        api_client,
        peer_user,
        leave=[
            {"first_day": f"{YEAR}-12-21", "last_day": f"{YEAR}-12-24", "note": "Christmas"},
            {"first_day": f"{YEAR}-12-21", "last_day": f"{YEAR}-12-24", "note": "Christmas"},
            {"first_day": f"{YEAR}-12-23", "last_day": f"{YEAR + 1}-01-01"},
            {"first_day": f"{YEAR}-12-10", "last_day": f"{YEAR}-12-10", "note": "Dentist"},
        ],
    )
    assert response.status_code == 200, response.json()
    expected = [
        {"first_day": f"{YEAR}-12-10", "last_day": f"{YEAR}-12-10", "note": "Dentist"},
        {"first_day": f"{YEAR}-12-21", "last_day": f"{YEAR + 1}-01-01", "note": "Christmas"},
    ]
    assert response.json()["leave"] == expected
    body = api_client.get("/peers/me/availability", headers=bearer(peer_user)).json()
    assert body["leave"] == expected


@pytest.mark.parametrize(
    ("zone", "message"),
    [
        (
            "Africa/Asmera",
            "Africa/Asmera is an old name for a time zone: choose Africa/Nairobi instead.",
        ),
        (
            "US/Eastern",
            "US/Eastern is an old name for a time zone: choose America/New_York instead.",
        ),
        (
            "Etc/GMT+5",
            "Etc/GMT+5 is not a time zone in the list: choose one such as Europe/London.",
        ),
        (
            "Mars/Olympus",
            "Mars/Olympus is not a time zone in the list: choose one such as Europe/London.",
        ),
    ],
)
def test_only_the_offered_time_zones_are_taken(api_client, peer_user, zone, message):
    response = put(api_client, peer_user, time_zone=zone)
    assert response.status_code == 422
    assert message in str(response.json()["detail"])
    assert (
        api_client.get("/peers/me/availability", headers=bearer(peer_user)).json()["time_zone"]
        == "Europe/London"
    )
    assert put(api_client, peer_user, time_zone="Africa/Asmara").status_code == 200


def test_the_schema_lists_the_time_zones_it_takes(api_client):
    from scheduling.engine.time_zones import offered_zones

    schema = api_client.get("/openapi.json").json()
    field = schema["components"]["schemas"]["AvailabilityIn"]["properties"]["time_zone"]
    assert field["enum"] == [zone.name for zone in offered_zones()]
    assert "Africa/Asmera" not in field["enum"] and field["enum"][0] == "Europe/London"
