"""What the service sends and publishes, read by independent parsers.

ical.js (the parser in Thunderbird) reads every calendar and must find the right instants
through our VTIMEZONE; libical applies RFC 5546's per-METHOD restrictions to every iTIP
message (feeds have no METHOD, so libical only parses them). Both run as subprocesses:
`node tests/interop/icaljs_parse.mjs` and `/usr/bin/python3 tests/interop/libical_check.py`.

They need `cd tests/interop && npm ci` and the Debian packages gir1.2-ical-3.0 and
python3-gi. Without them these tests skip, except under CI (CI set), where they fail.
"""

import dataclasses
import subprocess
from datetime import UTC, datetime, timedelta

import pytest

from scheduling.engine.calendar import (
    CalendarEvent,
    Person,
    build_cancel,
    build_feed,
    build_freebusy,
    build_reply,
    build_request,
)
from scheduling.engine.uk_time import LONDON
from tests.interop.parsers import (
    ICALJS_SCRIPT,
    icaljs,
    icaljs_problem,
    libical,
    unavailable,
    utc_text,
)

pytestmark = pytest.mark.interop

# --- what the service produces ----------------------------------------------------------

SENT = datetime(2026, 2, 10, 14, 5, 9, tzinfo=UTC)
ORGANIZER = Person("peer.support@local.gov.uk", 'LGA "Peer Support", Programmes')
LEAD = Person("jo.bloggs@example-council.gov.uk", 'Bloggs, "Jo": Leader', role="CHAIR")
OFFICER = Person("sam.patel@example.gov.uk", "Sam Patel; S151 Officer")
OBSERVER = Person("pa@example.gov.uk", "Principal Adviser", role="NON-PARTICIPANT", rsvp=False)
CLEAN_NAMES = {
    "mailto:jo.bloggs@example-council.gov.uk": "Bloggs, Jo: Leader",
    "mailto:sam.patel@example.gov.uk": "Sam Patel; S151 Officer",
    "mailto:pa@example.gov.uk": "Principal Adviser",
}


def session(start: datetime, **changes) -> CalendarEvent:
    values = {
        "uid": f"session-{start:%Y%m%d}@peer-scheduling",
        "start": start,
        "end": start + timedelta(hours=2, minutes=30),
        "summary": "Recovery & Renewal Panel: Anytown, Borough; Council",
        "description": "Join on Teams.\nAgenda: to follow.",
        "location": "Microsoft Teams",
        "url": "https://example.org/sessions/1",
        "sequence": 0,
        "last_modified": datetime(2026, 2, 1, 8, 30, tzinfo=UTC),
        "categories": ("Peer support", "Recovery, renewal"),
    }
    values.update(changes)
    return CalendarEvent(**values)


# 10:00 London either side of both 2026 clock changes, plus a mid-summer and a winter date.
STARTS = {
    "27-mar-gmt": datetime(2026, 3, 27, 10, 0, tzinfo=UTC),
    "30-mar-bst": datetime(2026, 3, 30, 9, 0, tzinfo=UTC),
    "23-oct-bst": datetime(2026, 10, 23, 9, 0, tzinfo=UTC),
    "26-oct-gmt": datetime(2026, 10, 26, 10, 0, tzinfo=UTC),
    "15-jun-bst": datetime(2026, 6, 15, 13, 0, tzinfo=UTC),
    "spans-spring-change": datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
    "repeated-october-hour": datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
}


def itip_samples() -> list[tuple[str, str, CalendarEvent, bytes]]:
    """(id, METHOD, event, bytes) for representative invites, cancellations and replies."""
    samples = []
    for label, start in STARTS.items():
        event = session(start)
        samples.append(
            (
                f"request-{label}",
                "REQUEST",
                event,
                build_request(event, ORGANIZER, [LEAD, OFFICER, OBSERVER], dtstamp=SENT),
            )
        )
    moved = session(STARTS["26-oct-gmt"], sequence=2, status="TENTATIVE")
    samples.append(
        ("request-update", "REQUEST", moved, build_request(moved, ORGANIZER, [LEAD], dtstamp=SENT))
    )
    cancelled = session(STARTS["30-mar-bst"], sequence=3, status="CANCELLED")
    samples.append(
        (
            "cancel",
            "CANCEL",
            cancelled,
            build_cancel(cancelled, ORGANIZER, [LEAD, OFFICER], dtstamp=SENT),
        )
    )
    for partstat in ("ACCEPTED", "DECLINED", "TENTATIVE"):
        event = session(STARTS["23-oct-bst"], sequence=1)
        answer = dataclasses.replace(OFFICER, partstat=partstat)
        samples.append(
            (
                f"reply-{partstat.lower()}",
                "REPLY",
                event,
                build_reply(event, ORGANIZER, answer, dtstamp=SENT),
            )
        )
    return samples


ITIP = itip_samples()


def feed_events() -> list[CalendarEvent]:
    events = [
        session(start, uid=f"webinar-{label}@peer-scheduling") for label, start in STARTS.items()
    ]
    events.append(
        session(
            datetime(2026, 11, 2, 18, 0, tzinfo=UTC),
            uid="webinar-cancelled@peer-scheduling",
            status="CANCELLED",
            sequence=1,
        )
    )
    return events


FEED = build_feed("LGA webinars: ward councillors", feed_events(), description="Webinars")


# --- ical.js -----------------------------------------------------------------------------


def assert_time(read: dict, expected: datetime):
    assert read["utc"] == utc_text(expected), read
    if read["tzid"] is not None:
        # Resolved through the VTIMEZONE in the document, not left floating.
        assert read["tzid"] == "Europe/London"
        assert read["zone"] == "Europe/London", read


@pytest.mark.parametrize(("label", "method", "event", "data"), ITIP, ids=[s[0] for s in ITIP])
def test_icaljs_reads_itip_messages(label, method, event, data):
    calendar = icaljs(data)

    assert calendar["method"] == method
    assert calendar["timezones"] == ["Europe/London"]
    (read,) = calendar["events"]
    assert read["uid"] == event.uid
    assert read["sequence"] == event.sequence
    assert read["status"] == ("CANCELLED" if method == "CANCEL" else event.status)
    assert read["summary"] == event.summary
    assert read["description"] == event.description
    assert read["categories"] == list(event.categories)
    assert read["dtstamp"]["utc"] == utc_text(SENT)
    assert_time(read["start"], event.start)
    assert_time(read["end"], event.end)
    assert read["organizer"] == {
        "value": "mailto:peer.support@local.gov.uk",
        "cn": "LGA Peer Support, Programmes",
    }
    assert read["attendees"], label
    for attendee in read["attendees"]:
        assert attendee["cn"] == CLEAN_NAMES[attendee["value"]]
    if method == "REQUEST":
        assert {a["partstat"] for a in read["attendees"]} == {"NEEDS-ACTION"}
        assert all(a["role"] for a in read["attendees"])
        assert read["attendees"][0]["rsvp"] == "TRUE"
    if method == "REPLY":
        (attendee,) = read["attendees"]
        assert attendee["partstat"] == label.removeprefix("reply-").upper()


def test_icaljs_reads_london_wall_clock_times_where_the_wall_clock_is_unambiguous():
    request = dict((s[0], s[3]) for s in ITIP)["request-30-mar-bst"]
    (read,) = icaljs(request)["events"]
    assert read["start"] == {
        "value": "2026-03-30T10:00:00",
        "tzid": "Europe/London",
        "zone": "Europe/London",
        "utc": "2026-03-30T09:00:00Z",
    }


def test_icaljs_reads_the_feed():
    calendar = icaljs(FEED)

    assert calendar["method"] is None
    assert calendar["name"] == "LGA webinars: ward councillors"
    assert calendar["x_wr_calname"] == "LGA webinars: ward councillors"
    # Without VALUE=DURATION ical.js types REFRESH-INTERVAL as unknown (see the next test).
    assert calendar["refresh_interval"] == {
        "value": "PT6H",
        "value_param": None,
        "type": "duration",
    }
    assert calendar["x_published_ttl"] == "PT6H"
    assert calendar["timezones"] == ["Europe/London"]
    expected = sorted(feed_events(), key=lambda e: (e.start, e.end, e.uid))
    assert [e["uid"] for e in calendar["events"]] == [e.uid for e in expected]
    for read, event in zip(calendar["events"], expected, strict=True):
        assert_time(read["start"], event.start)
        assert_time(read["end"], event.end)
        assert read["status"] == event.status
        assert read["dtstamp"]["utc"] == utc_text(event.last_modified)
        assert read["organizer"] is None
        assert read["attendees"] == []
    statuses = {e["uid"]: e["status"] for e in calendar["events"]}
    assert statuses["webinar-cancelled@peer-scheduling"] == "CANCELLED"


def test_icaljs_would_not_read_refresh_interval_as_a_duration_without_value_duration():
    bare = FEED.replace(b"REFRESH-INTERVAL;VALUE=DURATION:", b"REFRESH-INTERVAL:")
    assert bare != FEED
    assert icaljs(bare)["refresh_interval"]["type"] != "duration"


def test_icaljs_finds_every_monday_and_sunday_10am_2026_to_2030_through_our_vtimezone():
    # A year-round sweep, so a rule that is right only near 2026's changes cannot pass.
    events = []
    day = datetime(2026, 1, 4, 10, 0)
    while day.year < 2031:
        for local in (day, day + timedelta(days=1)):
            start = local.replace(tzinfo=LONDON).astimezone(UTC)
            events.append(session(start, uid=f"sweep-{local:%Y%m%d}@peer-scheduling"))
        day += timedelta(weeks=1)
    calendar = icaljs(build_feed("Sweep", events))

    read = {e["uid"]: (e["start"]["utc"], e["start"]["zone"]) for e in calendar["events"]}
    expected = {e.uid: (utc_text(e.start), "Europe/London") for e in events}
    assert read == expected
    assert len(read) > 500


def test_icaljs_reads_freebusy():
    busy = [
        (datetime(2026, 3, 27, 10, 0, tzinfo=LONDON), datetime(2026, 3, 27, 12, 0, tzinfo=LONDON)),
        (datetime(2026, 3, 30, 10, 0, tzinfo=LONDON), datetime(2026, 3, 30, 12, 0, tzinfo=LONDON)),
    ]
    data = build_freebusy(
        "Sam.Patel@example.gov.uk",
        'Patel, "Sam"',
        datetime(2026, 3, 23, tzinfo=UTC),
        datetime(2026, 4, 6, tzinfo=UTC),
        busy,
        dtstamp=SENT,
    )
    calendar = icaljs(data)

    assert calendar["method"] == "PUBLISH"
    (freebusy,) = calendar["freebusy"]
    assert freebusy["organizer"] == {"value": "mailto:Sam.Patel@example.gov.uk", "cn": "Patel, Sam"}
    assert freebusy["start"]["utc"] == "2026-03-23T00:00:00Z"
    assert freebusy["end"]["utc"] == "2026-04-06T00:00:00Z"
    assert freebusy["periods"] == [
        {"fbtype": "BUSY", "start": "2026-03-27T10:00:00Z", "end": "2026-03-27T12:00:00Z"},
        {"fbtype": "BUSY", "start": "2026-03-30T09:00:00Z", "end": "2026-03-30T11:00:00Z"},
    ]


def test_icaljs_harness_reports_unparseable_input():
    if problem := icaljs_problem():
        unavailable(problem)
    result = subprocess.run(
        ["node", str(ICALJS_SCRIPT)], input=b"not a calendar\r\n", capture_output=True, check=False
    )
    assert result.returncode == 1
    assert b"could not parse" in result.stderr


# --- libical -----------------------------------------------------------------------------


@pytest.mark.parametrize(("label", "method", "event", "data"), ITIP, ids=[s[0] for s in ITIP])
def test_libical_finds_no_rfc5546_restriction_errors(label, method, event, data):
    code, result = libical(data)

    assert result["parse_errors"] == []
    assert result["restriction_checked"] is True
    assert result["restriction_errors"] == []
    assert code == 0
    assert result["method"] == method
    (read,) = result["components"]
    assert read["uid"] == event.uid
    assert read["sequence"] == event.sequence
    # libical converts through the VTIMEZONE in the document, not its own zone data.
    assert read["start"]["utc"] == utc_text(event.start)
    assert read["end"]["utc"] == utc_text(event.end)
    assert [o["cn"] for o in read["organizer"]] == ["LGA Peer Support, Programmes"]
    for attendee in read["attendees"]:
        assert attendee["cn"] == CLEAN_NAMES[attendee["value"]]


def test_libical_parses_the_feed_without_errors():
    code, result = libical(FEED, restrictions=False)

    assert code == 0
    assert result["parse_errors"] == []
    assert result["method"] is None
    expected = {e.uid: e for e in feed_events()}
    assert {c["uid"] for c in result["components"]} == set(expected)
    for read in result["components"]:
        event = expected[read["uid"]]
        assert read["start"]["utc"] == utc_text(event.start)
        assert read["status"] == event.status


@pytest.mark.parametrize("busy", [True, False], ids=["busy", "all-free"])
def test_libical_finds_no_restriction_errors_in_freebusy(busy):
    start = datetime(2026, 10, 19, tzinfo=UTC)
    intervals = [(start + timedelta(days=4, hours=9), start + timedelta(days=4, hours=11))]
    data = build_freebusy(
        "p@example.gov.uk",
        "Peer, Member: Labour",
        start,
        start + timedelta(days=14),
        intervals if busy else [],
        dtstamp=SENT,
    )
    code, result = libical(data)

    assert result["restriction_errors"] == []
    assert result["parse_errors"] == []
    assert code == 0
    assert result["method"] == "PUBLISH"
    (read,) = result["components"]
    assert read["kind"] == "VFREEBUSY"
    expected = (
        [{"fbtype": "BUSY", "value": "20261023T090000Z/20261023T110000Z"}]
        if busy
        else [{"fbtype": "FREE", "value": "20261019T000000Z/20261102T000000Z"}]
    )
    assert read["freebusy"] == expected


def drop_lines(data: bytes, prefix: bytes) -> bytes:
    unfolded = data.replace(b"\r\n ", b"")
    return b"\r\n".join(line for line in unfolded.split(b"\r\n") if not line.startswith(prefix))


@pytest.mark.parametrize(
    ("sample", "prefix", "complaint"),
    [
        ("request-15-jun-bst", b"ATTENDEE", "ATTENDEE"),
        ("request-15-jun-bst", b"DTSTAMP", "DTSTAMP"),
        ("cancel", b"SEQUENCE", "SEQUENCE"),
        ("reply-accepted", b"ORGANIZER", "ORGANIZER"),
    ],
)
def test_libical_restriction_check_does_catch_broken_messages(sample, prefix, complaint):
    # The clean results above mean something: the same check flags a damaged message.
    data = dict((s[0], s[3]) for s in ITIP)[sample]
    code, result = libical(drop_lines(data, prefix))

    assert code == 1
    assert any(complaint in error for error in result["restriction_errors"]), result
