"""The calendar text the service writes is byte for byte what icalendar 7 wrote.

scheduling.engine.calendar writes its calendars as text, because icalendar's serializer is too
slow for a feed of a thousand events. The reference here is the icalendar-based builder it
replaced, kept as it was: random and chosen events, feeds, invites and free/busy must come
out of both identically (escaping, parameter quoting, folding on UTF-8 boundaries, London
wall-clock times and UTC in the repeated October hour, property order).
"""

import dataclasses
import unicodedata
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from icalendar import Calendar, Event, FreeBusy, Timezone
from icalendar.prop import vCalAddress, vDuration, vPeriod, vText, vUri

from scheduling.engine.calendar import (
    CANCEL,
    CANCELLED,
    CONFIRMED,
    EVENT_STATUSES,
    LONDON_VTIMEZONE,
    PARTSTATS,
    PRODID,
    PUBLISH,
    REPLY,
    REQUEST,
    ROLES,
    SEQUENCE_MAX,
    TENTATIVE,
    CalendarEvent,
    Person,
    _merged_busy,
    build_cancel,
    build_feed,
    build_freebusy,
    build_reply,
    build_request,
)
from scheduling.engine.uk_time import LONDON

NEW_YORK = ZoneInfo("America/New_York")
SENT = datetime(2026, 2, 10, 14, 5, 9, tzinfo=UTC)


# The reference: the icalendar-based builder as it was ------------------------------------


def reference_text(value: str) -> str:
    value = value.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in value if c in "\n\t" or unicodedata.category(c) != "Cc")


def reference_display_name(name: str) -> str:
    cleaned = "".join(" " if unicodedata.category(c) == "Cc" else c for c in name)
    return " ".join(cleaned.replace('"', "").split())


def reference_datetime(value: datetime) -> datetime:
    utc = value.astimezone(UTC)
    local = utc.astimezone(LONDON)
    if local.replace(fold=0).utcoffset() != local.replace(fold=1).utcoffset():
        return utc
    return local


def reference_address(person: Person, **params: str) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}")
    name = reference_display_name(person.name)
    if name:
        address.params["CN"] = name
    for key, value in params.items():
        address.params[key.upper()] = value
    return address


def reference_calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("PRODID", PRODID)
    calendar.add("VERSION", "2.0")
    calendar.add("CALSCALE", "GREGORIAN")
    if method is not None:
        calendar.add("METHOD", method)
    return calendar


def reference_vevent(event: CalendarEvent, *, dtstamp: datetime, status: str) -> Event:
    vevent = Event()
    vevent.add("UID", event.uid)
    vevent.add("DTSTAMP", dtstamp.astimezone(UTC))
    vevent.add("DTSTART", reference_datetime(event.start))
    vevent.add("DTEND", reference_datetime(event.end))
    vevent.add("SEQUENCE", event.sequence)
    vevent.add("SUMMARY", reference_text(event.summary))
    if event.description:
        vevent.add("DESCRIPTION", reference_text(event.description))
    if event.location:
        vevent.add("LOCATION", reference_text(event.location))
    if event.url:
        vevent.add("URL", vUri(event.url.strip()), encode=False)
    if event.categories:
        vevent.add("CATEGORIES", [reference_text(c) for c in event.categories])
    vevent.add("STATUS", status)
    if event.last_modified is not None:
        vevent.add("LAST-MODIFIED", event.last_modified)
    return vevent


def reference_itip(method, event, organizer, attendees, *, dtstamp, status, rsvp) -> bytes:
    calendar = reference_calendar(method)
    calendar.add_component(Timezone.from_ical(LONDON_VTIMEZONE))
    vevent = reference_vevent(event, dtstamp=dtstamp, status=status)
    vevent.add("ORGANIZER", reference_address(organizer), encode=False)
    for person in attendees:
        params = {"ROLE": person.role, "PARTSTAT": person.partstat}
        if rsvp:
            params["RSVP"] = "TRUE" if person.rsvp else "FALSE"
        vevent.add("ATTENDEE", reference_address(person, **params), encode=False)
    calendar.add_component(vevent)
    return calendar.to_ical(sorted=False)


def reference_feed(name, events, *, description="", refresh=timedelta(hours=6)) -> bytes:
    calendar = reference_calendar(None)
    # NAME and X-WR-* are TEXT: escaped as such (icalendar has no type for them by itself).
    calendar.add("NAME", vText(reference_text(name)), encode=False)
    calendar.add("X-WR-CALNAME", vText(reference_text(name)), encode=False)
    if description:
        calendar.add("DESCRIPTION", reference_text(description))
        calendar.add("X-WR-CALDESC", vText(reference_text(description)), encode=False)
    calendar.add("REFRESH-INTERVAL", vDuration(refresh, params={"VALUE": "DURATION"}), encode=False)
    calendar.add("X-PUBLISHED-TTL", vDuration(refresh), encode=False)
    calendar.add_component(Timezone.from_ical(LONDON_VTIMEZONE))
    for event in sorted(events, key=lambda e: (e.start, e.end, e.uid)):
        vevent = reference_vevent(event, dtstamp=event.last_modified, status=event.status)
        calendar.add_component(vevent)
    return calendar.to_ical(sorted=False)


def reference_freebusy(email, name, start, end, busy_intervals, *, dtstamp, uid) -> bytes:
    owner = Person(email=email, name=name)
    window_start, window_end = start.astimezone(UTC), end.astimezone(UTC)
    calendar = reference_calendar(PUBLISH)
    vfreebusy = FreeBusy()
    vfreebusy.add("UID", uid)
    vfreebusy.add("DTSTAMP", dtstamp.astimezone(UTC))
    vfreebusy.add("DTSTART", window_start)
    vfreebusy.add("DTEND", window_end)
    vfreebusy.add("ORGANIZER", reference_address(owner), encode=False)
    busy = _merged_busy(busy_intervals, window_start, window_end)
    fbtype = "BUSY" if busy else "FREE"
    for period in busy or [(window_start, window_end)]:
        vfreebusy.add("FREEBUSY", vPeriod(period, params={"FBTYPE": fbtype}), encode=False)
    calendar.add_component(vfreebusy)
    return calendar.to_ical(sorted=False)


# Random data ------------------------------------------------------------------------------

# What TEXT escaping, parameter quoting and folding have to get right.
AWKWARD = [
    *"\"\\,;:^'\u2019 \t\n\r",
    "\r\n",
    "\\N",
    "\\n",
    "\\,",
    "\x00",
    "\x07",
    "\x0b",
    "\x1b",
    "\x7f",
    "\x85",
    "\x9f",
    "\xa0",
    "\u2028",
    "\ufeff",
    "e\u0301",
    "é",
    "ß",
    "Siân",
    "中文",
    "🎉",
    "👩\u200d👩\u200d👧",
    "mailto:",
    "https://example.org/a?b=c&d=e",
]
pieces = st.one_of(
    st.sampled_from(AWKWARD),
    st.text(max_size=6),
    st.text(alphabet="ab ", min_size=20, max_size=80),  # long stretches to reach the folds
)


def texts(max_pieces: int = 40) -> st.SearchStrategy[str]:
    return st.lists(pieces, max_size=max_pieces).map("".join)


def one_line(value: str) -> str:
    return value.replace("\r", "").replace("\n", "")


def _last_sunday(year: int, month: int) -> datetime:
    day = datetime(year, month + 1, 1, 1, tzinfo=UTC) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


# Both UK changes happen at 01:00 UTC on the last Sunday of March and of October.
CLOCK_CHANGES = [_last_sunday(year, month) for year in range(2024, 2031) for month in (3, 10)]

instants = st.one_of(
    st.builds(
        lambda change, minutes, zone: (change + timedelta(minutes=minutes)).astimezone(zone),
        st.sampled_from(CLOCK_CHANGES),
        st.integers(-150, 150),
        st.sampled_from([UTC, LONDON, NEW_YORK]),
    ),
    st.datetimes(
        min_value=datetime(1990, 1, 1),
        max_value=datetime(2100, 1, 1),
        timezones=st.sampled_from([UTC, LONDON, NEW_YORK]),
    ),
)
lengths = st.timedeltas(min_value=timedelta(seconds=1), max_value=timedelta(days=2))
uids = texts(8).map(one_line).filter(lambda uid: uid.strip())
urls = st.one_of(
    st.just(""),
    st.tuples(
        st.sampled_from(["", " ", "\n", " \r\n\t"]),
        texts(6).map(one_line),
        st.sampled_from(["", " ", "\r\n", "\t "]),
    ).map("".join),
)


ALL_STATUSES = tuple(sorted(EVENT_STATUSES))


@st.composite
def calendar_events(draw, *, stamped: bool = False, statuses=ALL_STATUSES):
    start = draw(instants)
    return CalendarEvent(
        uid=draw(uids),
        start=start,
        end=start.astimezone(UTC) + draw(lengths),
        summary=draw(texts()),
        description=draw(st.one_of(st.just(""), texts(80))),
        location=draw(st.one_of(st.just(""), texts(10))),
        url=draw(urls),
        status=draw(st.sampled_from(statuses)),
        sequence=draw(st.one_of(st.integers(0, 3), st.integers(0, SEQUENCE_MAX))),
        last_modified=draw(instants if stamped else st.one_of(st.none(), instants)),
        categories=tuple(draw(st.lists(texts(6), max_size=3))),
    )


addresses = st.builds(
    lambda prefix, local, domain: f"{prefix}{local}@{domain}",
    st.sampled_from(["", "mailto:", "MAILTO:"]),
    st.text(alphabet="abcXYZ019.+_-'\",;:^é", min_size=1, max_size=12),
    st.sampled_from(["example.gov.uk", "Council.Example.org", "xn--bcher-kva.example"]),
)
people = st.builds(
    Person,
    email=addresses,
    name=texts(12),
    role=st.sampled_from(sorted(ROLES)),
    partstat=st.sampled_from(sorted(PARTSTATS)),
    rsvp=st.booleans(),
)
attendee_lists = st.lists(people, min_size=1, max_size=4, unique_by=lambda p: p.email.lower())
feed_names = texts(20).map(one_line)
refreshes = st.timedeltas(min_value=timedelta(microseconds=1), max_value=timedelta(days=400))

EXAMPLES = settings(max_examples=250, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# Equal to the reference -------------------------------------------------------------------


@EXAMPLES
@given(
    events=st.lists(calendar_events(stamped=True), max_size=6, unique_by=lambda e: e.uid),
    name=feed_names,
    description=st.one_of(st.just(""), feed_names),
    refresh=refreshes,
)
def test_feeds_are_what_icalendar_wrote(events, name, description, refresh):
    written = build_feed(name, events, description=description, refresh=refresh)
    assert written == reference_feed(name, events, description=description, refresh=refresh)


@EXAMPLES
@given(
    event=calendar_events(statuses=[CONFIRMED, TENTATIVE]),
    organizer=people,
    attendees=attendee_lists,
    dtstamp=instants,
)
def test_requests_and_replies_are_what_icalendar_wrote(event, organizer, attendees, dtstamp):
    expected = reference_itip(
        REQUEST, event, organizer, attendees, dtstamp=dtstamp, status=event.status, rsvp=True
    )
    assert build_request(event, organizer, attendees, dtstamp=dtstamp) == expected
    expected = reference_itip(
        REPLY, event, organizer, attendees[:1], dtstamp=dtstamp, status=event.status, rsvp=False
    )
    assert build_reply(event, organizer, attendees[0], dtstamp=dtstamp) == expected


@EXAMPLES
@given(
    event=calendar_events(),
    organizer=people,
    attendees=attendee_lists,
    dtstamp=instants,
    raise_by=st.integers(1, 3),
)
def test_cancels_are_what_icalendar_wrote(event, organizer, attendees, dtstamp, raise_by):
    event = dataclasses.replace(event, sequence=min(event.sequence + raise_by, SEQUENCE_MAX))
    expected = reference_itip(
        CANCEL, event, organizer, attendees, dtstamp=dtstamp, status=CANCELLED, rsvp=False
    )
    assert build_cancel(event, organizer, attendees, dtstamp=dtstamp) == expected


@EXAMPLES
@given(
    email=addresses,
    name=texts(12),
    start=instants,
    length=st.timedeltas(min_value=timedelta(minutes=1), max_value=timedelta(days=14)),
    busy=st.lists(st.tuples(instants, lengths), max_size=5),
    dtstamp=instants,
    uid=st.one_of(st.none(), texts(6).filter(bool)),
)
def test_free_busy_is_what_icalendar_wrote(email, name, start, length, busy, dtstamp, uid):
    intervals = [(s, s.astimezone(UTC) + d) for s, d in busy]
    end = start.astimezone(UTC) + length
    written = build_freebusy(email, name, start, end, intervals, dtstamp=dtstamp, uid=uid)
    uid = uid or Calendar.from_ical(written).freebusy[0]["UID"]
    expected = reference_freebusy(email, name, start, end, intervals, dtstamp=dtstamp, uid=uid)
    assert written == expected


@EXAMPLES
@given(events=st.lists(calendar_events(stamped=True), max_size=4, unique_by=lambda e: e.uid))
def test_every_written_line_is_at_most_75_octets_of_whole_characters(events):
    data = build_feed("LGA webinars", events)
    assert data.endswith(b"\r\n")
    lines = data[:-2].split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    for line in lines:
        line.decode("utf-8")  # a character split across a fold would not decode


# Chosen cases -----------------------------------------------------------------------------


def webinar(**changes) -> CalendarEvent:
    values = {
        "uid": "webinar-7@peers.local.gov.uk",
        "start": datetime(2026, 6, 15, 17, 0, tzinfo=UTC),
        "end": datetime(2026, 6, 15, 18, 0, tzinfo=UTC),
        "summary": "Finance for councillors: budgets, reserves; and \\ audit",
        "description": "What it covers.\n\nRegister: https://peers.local.gov.uk/webinars/7/",
        "location": "Online: the joining link is sent to people who register",
        "url": "https://peers.local.gov.uk/webinars/7/",
        "sequence": 2,
        "last_modified": datetime(2026, 5, 1, 9, 30, tzinfo=UTC),
        "categories": ("Finance",),
    }
    values.update(changes)
    return CalendarEvent(**values)


def test_a_webinar_in_a_feed_is_written_exactly_so():
    data = build_feed(
        "LGA webinars", [webinar()], description="Webinars for councillors, in UK time"
    )
    assert data == reference_feed(
        "LGA webinars", [webinar()], description="Webinars for councillors, in UK time"
    )
    assert data == (
        b"BEGIN:VCALENDAR\r\n"
        b"PRODID:-//Local Government Association//Peer scheduling//EN\r\n"
        b"VERSION:2.0\r\n"
        b"CALSCALE:GREGORIAN\r\n"
        b"NAME:LGA webinars\r\n"
        b"X-WR-CALNAME:LGA webinars\r\n"
        b"DESCRIPTION:Webinars for councillors\\, in UK time\r\n"
        b"X-WR-CALDESC:Webinars for councillors\\, in UK time\r\n"
        b"REFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n"
        b"X-PUBLISHED-TTL:PT6H\r\n" + LONDON_VTIMEZONE.encode() + b"BEGIN:VEVENT\r\n"
        b"UID:webinar-7@peers.local.gov.uk\r\n"
        b"DTSTAMP:20260501T093000Z\r\n"
        b"DTSTART;TZID=Europe/London:20260615T180000\r\n"
        b"DTEND;TZID=Europe/London:20260615T190000\r\n"
        b"SEQUENCE:2\r\n"
        b"SUMMARY:Finance for councillors: budgets\\, reserves\\; and \\\\ audit\r\n"
        b"DESCRIPTION:What it covers.\\n\\nRegister: https://peers.local.gov.uk/webina\r\n"
        b" rs/7/\r\n"
        b"LOCATION:Online: the joining link is sent to people who register\r\n"
        b"URL:https://peers.local.gov.uk/webinars/7/\r\n"
        b"CATEGORIES:Finance\r\n"
        b"STATUS:CONFIRMED\r\n"
        b"LAST-MODIFIED:20260501T093000Z\r\n"
        b"END:VEVENT\r\n"
        b"END:VCALENDAR\r\n"
    )


# Characters that take more than one octet, or that a fold must not end a line on.
AT_THE_FOLD = ["é", "中", "🎉", "\\", "^", ",", ";", "\n", '"', "a"]


@pytest.mark.parametrize("awkward", AT_THE_FOLD)
def test_folds_fall_where_icalendar_put_them_whatever_character_is_there(awkward):
    # Every offset of the awkward character around each of the first three folds.
    for padding in range(50, 230):
        text = "x" * padding + awkward * 3 + "tail"
        line = text.replace("\n", " ")  # names are single lines
        event = webinar(
            summary=text,
            description=text + awkward + text,
            location=text[padding // 2 :],
            categories=(text, text[::-1]),
        )
        person = Person(f"p{padding}@example.gov.uk", line)
        expected = reference_feed(line, [event], description=line)
        assert build_feed(line, [event], description=line) == expected
        expected = reference_itip(
            REQUEST, event, person, [person], dtstamp=SENT, status=CONFIRMED, rsvp=True
        )
        assert build_request(event, person, [person], dtstamp=SENT) == expected


@pytest.mark.parametrize(
    ("start", "end", "dtstart", "dtend"),
    [
        # Across the spring change: 00:30 GMT to 03:30 BST.
        (
            datetime(2026, 3, 29, 0, 30, tzinfo=UTC),
            datetime(2026, 3, 29, 2, 30, tzinfo=UTC),
            "DTSTART;TZID=Europe/London:20260329T003000",
            "DTEND;TZID=Europe/London:20260329T033000",
        ),
        # Both passes of the repeated October hour, in UTC.
        (
            datetime(2026, 10, 25, 0, 30, tzinfo=UTC),
            datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
            "DTSTART:20261025T003000Z",
            "DTEND:20261025T013000Z",
        ),
        # Just either side of the repeated hour, in London time.
        (
            datetime(2026, 10, 24, 23, 59, 59, tzinfo=UTC),
            datetime(2026, 10, 25, 2, 0, tzinfo=UTC),
            "DTSTART;TZID=Europe/London:20261025T005959",
            "DTEND;TZID=Europe/London:20261025T020000",
        ),
    ],
)
def test_times_around_the_clock_changes_are_written_as_icalendar_wrote_them(
    start, end, dtstart, dtend
):
    event = webinar(start=start, end=end)
    data = build_feed("LGA webinars", [event])
    assert data == reference_feed("LGA webinars", [event])
    assert f"\r\n{dtstart}\r\n{dtend}\r\n".encode() in data


def test_a_cancelled_event_with_nothing_optional_is_written_as_icalendar_wrote_it():
    bare = webinar(
        description="",
        location="",
        url="",
        categories=(),
        status=CANCELLED,
        summary="",
        sequence=0,
    )
    data = build_feed("", [bare])
    assert data == reference_feed("", [bare])
    assert b"\r\nSUMMARY:\r\nSTATUS:CANCELLED\r\n" in data
    assert b"NAME:\r\nX-WR-CALNAME:\r\n" in data


@pytest.mark.parametrize(
    ("refresh", "written"),
    [
        (timedelta(hours=6), b"PT6H"),
        (timedelta(days=1), b"P1D"),
        (timedelta(days=7, hours=1, seconds=5), b"P7DT1H0M5S"),
        (timedelta(minutes=90), b"PT1H30M"),
        (timedelta(seconds=45), b"PT45S"),
        (timedelta(microseconds=1), b"P0D"),
    ],
)
def test_refresh_intervals_are_written_as_icalendar_wrote_them(refresh, written):
    data = build_feed("LGA webinars", [], refresh=refresh)
    assert data == reference_feed("LGA webinars", [], refresh=refresh)
    assert b"\r\nREFRESH-INTERVAL;VALUE=DURATION:" + written + b"\r\n" in data


def test_what_icalendar_could_not_write_is_refused():
    # icalendar failed on these as it wrote them; they are refused up front instead.
    with pytest.raises(ValueError, match="single line"):
        build_feed("LGA webinars\nFinance", [])
    with pytest.raises(ValueError, match="single line"):
        build_feed("LGA webinars", [], description="Webinars\r\nfor councillors")
    with pytest.raises(ValueError, match="at most"):
        webinar(sequence=SEQUENCE_MAX + 1)
    with pytest.raises(ValueError, match="URL"):
        webinar(url="https://example.org/\r\nX-INJECTED:1")
    # The limits themselves are writable.
    assert b"\r\nSEQUENCE:2147483647\r\n" in build_feed("x", [webinar(sequence=SEQUENCE_MAX)])
    assert b"\r\nURL:https://example.org/\r\n" in build_feed(
        "x", [webinar(url="\r\n https://example.org/ \n")]
    )


def test_control_characters_are_unicodes_cc_but_tab_and_newline():
    # The writer drops controls with a character class, not character by character.
    controls = {c for c in map(chr, range(0x110000)) if unicodedata.category(c) == "Cc"}
    assert controls == {chr(c) for c in [*range(0x20), *range(0x7F, 0xA0)]}
    summary = "".join(sorted(controls)) + "end"
    data = build_feed("x", [webinar(summary=summary)])
    assert data == reference_feed("x", [webinar(summary=summary)])
    assert b"\r\nSUMMARY:\t\\n\\nend\r\n" in data  # tab kept; LF and CR are line breaks


def test_feed_names_are_escaped_as_text():
    """RFC 7986 NAME is TEXT: a comma in a calendar's name must not split it into a list."""
    data = build_feed("Leadership, opposition; and more", [], description="Councillors\\officers")
    assert b"NAME:Leadership\\, opposition\\; and more\r\n" in data
    assert b"X-WR-CALNAME:Leadership\\, opposition\\; and more\r\n" in data
    assert b"X-WR-CALDESC:Councillors\\\\officers\r\n" in data
