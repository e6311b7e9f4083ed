"""Reading a peer's busy calendar: the reading rules, and refusing hostile input cleanly."""

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.engine.busy_calendar import (
    MAX_EVENTS,
    MAX_LISTED_DATES,
    MAX_OCCURRENCES,
    MAX_OCCURRENCES_PER_EVENT,
    MAX_REPEATING_EVENTS,
    MAX_RULE_DATES,
    MAX_RULE_DATES_PER_EVENT,
    BusyCalendarError,
    BusyEvent,
    coalesce_busy,
    import_window,
    parse_busy_calendar,
)

WINDOW = {
    "window_start": datetime(2026, 3, 1, tzinfo=UTC),
    "window_end": datetime(2026, 9, 1, tzinfo=UTC),
}


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def ics(*components, head=""):
    body = "".join(components)
    return (
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//LGA//busy calendar tests//EN\r\n"
        f"{head}{body}END:VCALENDAR\r\n"
    ).encode()


def vevent(*lines, uid="event-1"):
    return (
        "BEGIN:VEVENT\r\n"
        + f"UID:{uid}\r\n"
        + "".join(f"{line}\r\n" for line in lines)
        + "END:VEVENT\r\n"
    )


def busy(data, zone="Europe/London", **window):
    return parse_busy_calendar(data, time_zone=zone, **(window or WINDOW))


def spans(events):
    return [(event.start, event.end) for event in events]


def refused(data, zone="Europe/London", **kwargs) -> str:
    with pytest.raises(BusyCalendarError) as error:
        parse_busy_calendar(data, time_zone=zone, **{**WINDOW, **kwargs})
    return error.value.message


# Reading rules ---------------------------------------------------------------------------


def test_recurring_event_with_exceptions():
    # Mondays 10:00-11:00 London from 2 March 2026, six times: the 16th excluded, the 23rd
    # moved to Tuesday afternoon, the 30th cancelled, an extra Wednesday 1 April. London
    # moves to summer time on 29 March, so from then on 10:00 is 09:00 UTC.
    data = ics(
        vevent(
            "SUMMARY:Cabinet",
            "DTSTART;TZID=Europe/London:20260302T100000",
            "DTEND;TZID=Europe/London:20260302T110000",
            "RRULE:FREQ=WEEKLY;BYDAY=MO;COUNT=6",
            "EXDATE;TZID=Europe/London:20260316T100000",
            "RDATE;TZID=Europe/London:20260401T100000",
            uid="cabinet",
        ),
        vevent(
            "SUMMARY:Cabinet (moved)",
            "RECURRENCE-ID;TZID=Europe/London:20260323T100000",
            "DTSTART;TZID=Europe/London:20260324T140000",
            "DTEND;TZID=Europe/London:20260324T153000",
            uid="cabinet",
        ),
        vevent(
            "SUMMARY:Cabinet",
            "RECURRENCE-ID;TZID=Europe/London:20260330T100000",
            "DTSTART;TZID=Europe/London:20260330T100000",
            "DTEND;TZID=Europe/London:20260330T110000",
            "STATUS:CANCELLED",
            uid="cabinet",
        ),
    )
    assert [(event.start, event.end, event.summary) for event in busy(data)] == [
        (utc(2026, 3, 2, 10), utc(2026, 3, 2, 11), "Cabinet"),
        (utc(2026, 3, 9, 10), utc(2026, 3, 9, 11), "Cabinet"),
        (utc(2026, 3, 24, 14), utc(2026, 3, 24, 15, 30), "Cabinet (moved)"),
        (utc(2026, 4, 1, 9), utc(2026, 4, 1, 10), "Cabinet"),
        (utc(2026, 4, 6, 9), utc(2026, 4, 6, 10), "Cabinet"),
    ]
    assert {event.uid for event in busy(data)} == {"cabinet"}


def test_event_fields():
    data = ics(
        vevent("SUMMARY:  Full\r\n  council ", "DTSTART:20260302T180000Z", "DTEND:20260302T210000Z")
    )
    assert busy(data) == [
        BusyEvent(
            start=utc(2026, 3, 2, 18),
            end=utc(2026, 3, 2, 21),
            summary="Full council",
            uid="event-1",
            all_day=False,
        )
    ]


@pytest.mark.parametrize(
    "zone, start, end",
    [
        ("Europe/London", utc(2026, 5, 31, 23), utc(2026, 6, 2, 23)),
        ("Asia/Tokyo", utc(2026, 5, 31, 15), utc(2026, 6, 2, 15)),
        ("America/New_York", utc(2026, 6, 1, 4), utc(2026, 6, 3, 4)),
    ],
)
def test_all_day_event_blocks_whole_days_in_the_peers_zone(zone, start, end):
    data = ics(vevent("DTSTART;VALUE=DATE:20260601", "DTEND;VALUE=DATE:20260603"))
    assert [(event.start, event.end, event.all_day) for event in busy(data, zone)] == [
        (start, end, True)
    ]


def test_all_day_event_without_an_end_is_one_day():
    data = ics(vevent("DTSTART;VALUE=DATE:20260601"))
    assert spans(busy(data)) == [(utc(2026, 5, 31, 23), utc(2026, 6, 1, 23))]


@pytest.mark.parametrize(
    "zone, start", [("Europe/London", utc(2026, 6, 1, 8)), ("Asia/Tokyo", utc(2026, 6, 1, 0))]
)
def test_floating_times_are_the_peers(zone, start):
    data = ics(vevent("DTSTART:20260601T090000", "DURATION:PT2H"))
    assert spans(busy(data, zone)) == [(start, start + timedelta(hours=2))]


def test_unknown_time_zone_without_definition_is_read_as_floating():
    data = ics(vevent("DTSTART;TZID=Nowhere/Land:20260601T090000", "DURATION:PT1H"))
    assert spans(busy(data)) == [(utc(2026, 6, 1, 8), utc(2026, 6, 1, 9))]


def test_time_zone_defined_in_the_file():
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Council Standard Time\r\n"
        "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\n"
        "TZOFFSETTO:+0100\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
        "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\n"
        "TZOFFSETTO:+0200\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
        "END:VTIMEZONE\r\n"
    )
    data = ics(
        vevent("DTSTART;TZID=Council Standard Time:20260701T100000", "DURATION:PT1H"),
        head=zone,
    )
    assert spans(busy(data)) == [(utc(2026, 7, 1, 8), utc(2026, 7, 1, 9))]


@pytest.mark.parametrize(
    "marker",
    ["TRANSP:TRANSPARENT", "STATUS:CANCELLED", "X-MICROSOFT-CDO-BUSYSTATUS:FREE"],
)
def test_free_and_cancelled_events_do_not_block(marker):
    data = ics(
        vevent("DTSTART:20260302T090000Z", "DTEND:20260302T100000Z", marker, uid="free"),
        vevent("DTSTART:20260302T110000Z", "DTEND:20260302T120000Z", "TRANSP:OPAQUE", uid="busy"),
    )
    assert [event.uid for event in busy(data)] == ["busy"]


def test_cancel_message_blocks_nothing():
    event = vevent("DTSTART:20260302T090000Z", "DTEND:20260302T100000Z")
    assert len(busy(ics(event))) == 1
    assert busy(ics(event, head="METHOD:CANCEL\r\n")) == []


def test_zero_length_event_blocks_nothing():
    data = ics(
        vevent("DTSTART:20260302T090000Z", uid="no-end"),
        vevent("DTSTART:20260302T090000Z", "DTEND:20260302T090000Z", uid="same-end"),
        vevent("DTSTART:20260302T090000Z", "DURATION:PT0S", uid="no-duration"),
        vevent("DTSTART:20260302T090000Z", "DURATION:PT1M", uid="one-minute"),
    )
    assert [event.uid for event in busy(data)] == ["one-minute"]


def test_window_keeps_overlapping_events_whole():
    data = ics(
        vevent("DTSTART:20260228T220000Z", "DTEND:20260301T010000Z", uid="overlaps-start"),
        vevent("DTSTART:20260228T220000Z", "DTEND:20260301T000000Z", uid="ends-at-start"),
        vevent("DTSTART:20260831T230000Z", "DTEND:20260901T010000Z", uid="overlaps-end"),
        vevent("DTSTART:20260901T000000Z", "DTEND:20260901T010000Z", uid="starts-at-end"),
        vevent("DTSTART:20250302T090000Z", "DTEND:20250302T100000Z", uid="a-year-before"),
    )
    assert [(event.uid, event.start, event.end) for event in busy(data)] == [
        ("overlaps-start", utc(2026, 2, 28, 22), utc(2026, 3, 1, 1)),
        ("overlaps-end", utc(2026, 8, 31, 23), utc(2026, 9, 1, 1)),
    ]


def test_sorted_and_without_duplicates():
    late = vevent("DTSTART:20260305T090000Z", "DTEND:20260305T100000Z", uid="late")
    early = vevent("DTSTART:20260303T090000Z", "DTEND:20260303T100000Z", uid="early")
    assert [event.uid for event in busy(ics(late, early, late))] == ["early", "late"]


def test_utf8_byte_order_mark_and_windows_1252_text():
    event = vevent("SUMMARY:Réunion", "DTSTART:20260302T090000Z", "DTEND:20260302T100000Z")
    assert busy(b"\xef\xbb\xbf" + ics(event))[0].summary == "Réunion"
    assert busy(ics(event).decode().encode("cp1252"))[0].summary == "Réunion"


def test_bare_line_feeds_and_folded_lines():
    data = ics(vevent("SUMMARY:Scrutiny", "DTSTART:20260302T09", " 0000Z", "DURATION:PT1H"))
    assert spans(busy(data.replace(b"\r\n", b"\n"))) == [(utc(2026, 3, 2, 9), utc(2026, 3, 2, 10))]


def test_sparse_rule_is_expanded():
    # 29 February comes round every four years.
    data = ics(
        vevent(
            "DTSTART:20200229T090000Z", "DURATION:PT1H", "RRULE:FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"
        )
    )
    window = {"window_start": utc(2028, 1, 1), "window_end": utc(2028, 12, 1)}
    assert spans(busy(data, **window)) == [(utc(2028, 2, 29, 9), utc(2028, 2, 29, 10))]


def test_import_window():
    assert import_window(datetime(2026, 3, 2, 12, tzinfo=UTC)) == (
        utc(2026, 3, 1, 12),
        utc(2026, 3, 2, 12) + timedelta(weeks=27),
    )


def test_bad_arguments_are_programming_errors():
    data = ics()
    with pytest.raises(ValueError, match="aware"):
        parse_busy_calendar(
            data,
            time_zone="Europe/London",
            window_start=datetime(2026, 3, 1),
            window_end=utc(2026, 4, 1),
        )
    with pytest.raises(ValueError, match="after window_start"):
        parse_busy_calendar(
            data,
            time_zone="Europe/London",
            window_start=utc(2026, 4, 1),
            window_end=utc(2026, 4, 1),
        )
    with pytest.raises(ValueError, match="unknown time zone"):
        busy(data, zone="Mars/Olympus")


# Hostile and broken input ----------------------------------------------------------------


def nested(levels: int) -> bytes:
    inner = levels - 1  # VCALENDAR is the first level
    return (
        "BEGIN:VCALENDAR\r\n"
        + "BEGIN:X-BOX\r\n" * inner
        + "END:X-BOX\r\n" * inner
        + "END:VCALENDAR\r\n"
    ).encode()


def test_nesting_up_to_the_limit_is_read():
    assert busy(nested(10)) == []


def test_deep_nesting_is_refused():
    assert refused(nested(11)) == "The calendar nests components more than 10 levels deep."


def test_very_deep_nesting_is_refused_before_parsing():
    data = nested(200_000)
    assert (
        refused(data, max_bytes=len(data))
        == "The calendar nests components more than 10 levels deep."
    )


def test_a_million_recurrences_are_refused():
    every_second = ics(vevent("DTSTART:20260302T090000Z", "DURATION:PT1S", "RRULE:FREQ=SECONDLY"))
    assert (
        f"repeats too often: its rule (every second) gives more than "
        f"{MAX_RULE_DATES_PER_EVENT:,} dates" in refused(every_second)
    )
    a_million_minutes = ics(
        vevent("DTSTART:20260302T090000Z", "DURATION:PT1M", "RRULE:FREQ=MINUTELY;COUNT=1000000")
    )
    assert "repeats too often" in refused(a_million_minutes)


def test_too_many_occurrences_of_one_event_in_the_window():
    # Every two hours: under the rule limit, but over the budget of occurrences in the window.
    data = ics(
        vevent(
            "SUMMARY:Drip",
            "DTSTART:20260302T090000Z",
            "DURATION:PT5M",
            "RRULE:FREQ=HOURLY;INTERVAL=2",
        )
    )
    assert refused(data) == (
        f'The event "Drip" repeats more than {MAX_OCCURRENCES_PER_EVENT:,} times between '
        "Sunday 1 March 2026 and Tuesday 1 September 2026."
    )


def test_too_many_occurrences_in_all():
    every_four_hours = [
        vevent(
            "DTSTART:20260302T090000Z",
            "DURATION:PT5M",
            "RRULE:FREQ=HOURLY;INTERVAL=4",
            uid=f"h{number}",
        )
        for number in range(5)
    ]
    assert refused(ics(*every_four_hours)).startswith(
        f"The calendar has more than {MAX_OCCURRENCES:,} events between"
    )


def test_too_much_expansion_in_all():
    # Six daily events since 1975 that end on a date, so cannot skip their past: each under
    # the per-event limit, too many together.
    daily = [
        vevent(
            "DTSTART:19750101T090000Z",
            "DURATION:PT1H",
            "RRULE:FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR;COUNT=15000",
            uid=f"d{number}",
        )
        for number in range(6)
    ]
    assert f"give more than {MAX_RULE_DATES:,} dates in all" in refused(ics(*daily))
    assert len(busy(ics(*daily[:4]))) == 4 * 131  # weekdays from 2 March to 31 August


def test_rule_that_never_gives_a_date_is_refused():
    for rule in (
        "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
        "FREQ=MONTHLY;BYMONTH=4;BYMONTHDAY=31;COUNT=3",
    ):
        data = ics(vevent("DTSTART:20260302T090000Z", "DURATION:PT1H", f"RRULE:{rule}"))
        assert "never or almost never gives a date" in refused(data)


def test_rule_too_unusual_to_expand_is_refused():
    data = ics(
        vevent(
            "DTSTART:20260302T090000Z",
            "DURATION:PT1H",
            "RRULE:FREQ=HOURLY;INTERVAL=25;BYMONTH=2;BYMONTHDAY=30",
        )
    )
    assert "too unusual to expand" in refused(data)


@pytest.mark.parametrize(
    "rule, message",
    [
        ("FREQ=DAILY;INTERVAL=0", "INTERVAL below 1"),
        ("FREQ=DAILY;BYHOUR=25", "repeat rule that cannot be read (RRULE:FREQ=DAILY;BYHOUR=25)"),
        ("FREQ=FORTNIGHTLY", "unreadable RRULE"),
    ],
)
def test_unreadable_rules_are_refused(rule, message):
    data = ics(vevent("DTSTART:20260302T090000Z", "DURATION:PT1H", f"RRULE:{rule}"))
    assert message in refused(data)


def test_missing_start_is_refused():
    data = ics(vevent("SUMMARY:Lunch with the leader", "DTEND:20260302T130000Z"))
    assert refused(data) == 'The event "Lunch with the leader" has no start time (DTSTART).'


def test_unreadable_start_is_refused():
    data = ics(vevent("DTSTART:next tuesday", "DURATION:PT1H"))
    assert refused(data).startswith("An event has an unreadable DTSTART")


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"   \r\n",
        b"<!DOCTYPE html><html><body>Sign in to see this calendar</body></html>",
        b'{"events": []}',
        b"Subject,Start Date,Start Time\r\nCabinet,02/03/2026,10:00\r\n",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
    ],
)
def test_what_is_not_an_icalendar_file_is_refused(data):
    assert refused(data).startswith("The file is not an iCalendar file")


def test_binary_garbage_is_refused():
    noise = random.Random(20260302).randbytes(100_000)
    assert refused(noise) == "The file is not an iCalendar file."
    assert refused(b"BEGIN:VCALENDAR\r\n" + noise.replace(b"\0", b""))


def test_oversized_file_is_refused():
    padding = vevent("DESCRIPTION:" + "x" * 70, "DTSTART:20260302T090000Z") * 30_000
    data = ics(padding)
    assert len(data) > 2_000_000
    assert refused(data) == "The calendar is larger than 2 MB."
    assert refused(ics(), max_bytes=50) == "The calendar is larger than 50 bytes."


def test_too_many_events_are_refused_before_parsing():
    events = [
        vevent("DTSTART:20260302T090000Z", uid=f"e{number}") for number in range(MAX_EVENTS + 1)
    ]
    assert refused(ics(*events)) == "The calendar has more than 5,000 events."


@pytest.mark.parametrize(
    "rule",
    [
        "FREQ=SECONDLY",
        "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30;COUNT=2",
        "FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU;BYHOUR=0,1,2,3,4,5,6,7,8,9,10,11,12",
        "FREQ=YEARLY;COUNT=100000000;BYMONTH=3;BYDAY=-1SU",
    ],
)
def test_hostile_time_zone_rules_are_refused_before_parsing(rule):
    # The parser expands the rules of a zone it does not know while it reads the file.
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:My Zone\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        f"TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nRRULE:{rule}\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n"
    )
    message = refused(ics(vevent("DTSTART:20260302T090000Z"), head=zone))
    assert message.startswith('The calendar\'s time zone "My Zone" has a rule that cannot be used')


def test_hostile_time_zone_rule_cannot_hide_behind_a_mismatched_end():
    # The parser ends whatever component is innermost, whatever END names: here the inner
    # VTIMEZONE ends at "END:X-OTHER" and "END:VTIMEZONE" ends the outer one, with its rule.
    zone = (
        "BEGIN:VTIMEZONE\r\nTZID:Outer\r\nBEGIN:STANDARD\r\nDTSTART:19700101T000000\r\n"
        "TZOFFSETFROM:+0100\r\nTZOFFSETTO:+0000\r\nRRULE:FREQ=SECONDLY\r\nEND:STANDARD\r\n"
        "BEGIN:VTIMEZONE\r\nTZID:Inner\r\nEND:X-OTHER\r\nEND:VTIMEZONE\r\n"
    )
    message = refused(ics(vevent("DTSTART:20260302T090000Z"), head=zone))
    assert message.startswith('The calendar\'s time zone "Outer" has a rule that cannot be used')


def test_truncated_file_is_refused():
    data = ics(vevent("DTSTART:20260302T090000Z", "DURATION:PT1H"))
    assert "incomplete" in refused(data[: len(data) // 2])


def test_two_calendars_in_one_file_are_refused():
    assert "more than one calendar" in refused(ics() + ics())


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "BEGIN:VEVENT",
                "END:VEVENT",
                "BEGIN:VTIMEZONE",
                "END:VTIMEZONE",
                "BEGIN:VALARM",
                "END:VALARM",
                "UID:x",
                "DTSTART:20260302T090000Z",
                "DTSTART;VALUE=DATE:20260302",
                "DTSTART;TZID=Europe/London:20260302T090000",
                "DTSTART:garbage",
                "DTEND:20260302T080000Z",
                "DTEND;VALUE=DATE:20260301",
                "DURATION:-PT1H",
                "DURATION:P1W",
                "RRULE:FREQ=WEEKLY;COUNT=3",
                "RRULE:FREQ=DAILY;UNTIL=20260310",
                "RRULE:FREQ=MONTHLY;BYDAY=-1FR",
                "RRULE:FREQ=HOURLY;BYMONTHDAY=31;BYMONTH=2",
                "RRULE:",
                "EXDATE:20260309T090000Z",
                "RDATE;VALUE=PERIOD:20260305T090000Z/PT2H",
                "RECURRENCE-ID:20260309T090000Z",
                "RECURRENCE-ID;RANGE=THISANDFUTURE:20260309T090000Z",
                "STATUS:CANCELLED",
                "TRANSP:TRANSPARENT",
                "SEQUENCE:2",
                "X-WR-TIMEZONE:Europe/Paris",
                "X-WR-TIMEZONE:Not/AZone",
                "TZID:Odd Zone",
                " folded",
                ":",
                ";;;",
            ]
        ),
        max_size=30,
    )
)
def test_any_arrangement_of_lines_imports_or_is_refused(lines):
    data = (
        "BEGIN:VCALENDAR\r\n" + "".join(f"{line}\r\n" for line in lines) + "END:VCALENDAR\r\n"
    ).encode()
    try:
        events = busy(data)
    except BusyCalendarError as error:
        assert error.message
        return
    for event in events:
        assert event.start < event.end and event.start.tzinfo is UTC


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2_000))
def test_any_bytes_import_or_are_refused(data):
    try:
        busy(b"BEGIN:VCALENDAR\r\n" + data)
    except BusyCalendarError as error:
        assert error.message


# Only the window is expanded -------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")
# (DTSTART, its zone, length, RRULE); the event's length is given as DURATION.
LONG_AGO_RULES = [
    ("20000103T090000Z", UTC, timedelta(hours=1), "FREQ=DAILY"),
    ("20000103T090000Z", UTC, timedelta(hours=1), "FREQ=DAILY;BYDAY=MO,WE,FR"),
    ("20050107T183000", LONDON, timedelta(hours=2), "FREQ=WEEKLY;INTERVAL=3"),
    ("20190101T003000Z", UTC, timedelta(minutes=20), "FREQ=HOURLY;INTERVAL=7;BYHOUR=9,10,16"),
    ("20010131T100000", LONDON, timedelta(hours=1), "FREQ=MONTHLY"),
    ("20040229T100000", LONDON, timedelta(hours=1), "FREQ=YEARLY"),
    ("20030315T100000", LONDON, timedelta(hours=1), "FREQ=MONTHLY;INTERVAL=5"),
    ("20100101T120000Z", UTC, timedelta(hours=1), "FREQ=DAILY;INTERVAL=9;COUNT=100000"),
    ("20100101T120000Z", UTC, timedelta(hours=1), "FREQ=DAILY;COUNT=5900"),  # ends in 2026
    ("20150329T003000", LONDON, timedelta(hours=3), "FREQ=WEEKLY"),  # over the clock change
    ("20200101T090000Z", UTC, timedelta(hours=1), "FREQ=DAILY;UNTIL=20260501T000000Z"),
    ("19990101T090000", LONDON, timedelta(minutes=30), "FREQ=DAILY;BYSETPOS=1;BYHOUR=9,17"),
]


@pytest.mark.parametrize("start, zone, length, rule", LONG_AGO_RULES, ids=lambda v: str(v))
def test_a_rule_begun_long_ago_gives_what_walking_it_from_its_start_gives(
    start, zone, length, rule
):
    """The years before the window are skipped by whole periods of the rule: the occurrences in
    the window are exactly those of the rule walked from its first date."""
    from dateutil.rrule import rrulestr as walk

    if zone is UTC:
        line = f"DTSTART:{start}"
    elif start == "19990101T090000":
        line = f"DTSTART:{start}"  # floating: the peer's zone, London
    else:
        line = f"DTSTART;TZID=Europe/London:{start}"
    minutes = int(length.total_seconds() // 60)
    data = ics(vevent(line, f"DURATION:PT{minutes}M", f"RRULE:{rule}"))
    first = datetime.strptime(start.rstrip("Z"), "%Y%m%dT%H%M%S")
    if zone is UTC:
        first = first.replace(tzinfo=UTC)
    expected = []
    for moment in walk(rule, dtstart=first):
        begin = moment.replace(tzinfo=zone).astimezone(UTC)
        if begin >= WINDOW["window_end"]:
            break
        finish = (moment + length).replace(tzinfo=zone).astimezone(UTC)
        if finish > WINDOW["window_start"]:
            expected.append((begin, finish))
    assert spans(busy(data)) == expected


def test_too_many_listed_dates_are_refused_before_parsing():
    dates = ",".join(
        f"2026{month:02d}{day:02d}T090000Z" for month in range(1, 13) for day in range(1, 29)
    )
    lines = [f"EXDATE:{dates}"] * (MAX_LISTED_DATES // (12 * 28) + 1)
    data = ics(vevent("DTSTART:20260105T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY", *lines))
    assert refused(data).startswith(
        f"The calendar lists more than {MAX_LISTED_DATES:,} dates in RDATE and EXDATE"
    )


def test_too_many_repeating_events_are_refused_before_parsing():
    weekly = [
        vevent("DTSTART:20260302T090000Z", "RRULE:FREQ=WEEKLY", uid=f"w{number}")
        for number in range(MAX_REPEATING_EVENTS + 1)
    ]
    assert refused(ics(*weekly)).startswith(
        f"The calendar has more than {MAX_REPEATING_EVENTS:,} repeating events"
    )


def test_reading_is_bounded_in_time():
    data = ics(vevent("DTSTART:20260302T090000Z", "DURATION:PT1H", "RRULE:FREQ=DAILY"))
    assert refused(data, max_seconds=0) == (
        "The calendar took longer than 0 seconds to read; remove old repeating events or "
        "export a shorter period."
    )


def busy_event(start, end, summary="", all_day=False, uid="u"):
    return BusyEvent(start=start, end=end, summary=summary, uid=uid, all_day=all_day)


def test_overlapping_and_touching_busy_times_are_stored_as_one():
    events = [
        busy_event(utc(2026, 3, 2, 10), utc(2026, 3, 2, 11), "Cabinet", uid="a"),
        busy_event(utc(2026, 3, 2, 9), utc(2026, 3, 2, 10), "Briefing", uid="b"),
        busy_event(utc(2026, 3, 2, 10, 30), utc(2026, 3, 2, 10, 45), "Cabinet", uid="c"),
        busy_event(utc(2026, 3, 2, 13), utc(2026, 3, 2, 14), "Lunch", uid="d"),
        busy_event(utc(2026, 3, 3), utc(2026, 3, 4), "Away", all_day=True),
        busy_event(utc(2026, 3, 4), utc(2026, 3, 5), "Away", all_day=True),
    ]
    assert coalesce_busy(events) == [
        busy_event(utc(2026, 3, 2, 9), utc(2026, 3, 2, 11), "Briefing; Cabinet", uid="b"),
        busy_event(utc(2026, 3, 2, 13), utc(2026, 3, 2, 14), "Lunch", uid="d"),
        busy_event(utc(2026, 3, 3), utc(2026, 3, 5), "Away", all_day=True),
    ]
    assert coalesce_busy([]) == []


def test_a_busy_time_of_many_events_names_a_few():
    events = [
        busy_event(utc(2026, 3, 2, 9, minute), utc(2026, 3, 2, 10), f"Item {minute}")
        for minute in range(6)
    ]
    (merged,) = coalesce_busy(events)
    assert merged.summary == "Item 0; Item 1; Item 2 and 3 more"
