"""The iCalendar the service sends and publishes, read back with icalendar."""

import dataclasses
import random
from datetime import UTC, datetime, timedelta

import pytest
from icalendar import Calendar, Timezone

from scheduling.engine.calendar import (
    LONDON_VTIMEZONE,
    PRODID,
    CalendarEvent,
    InvalidReply,
    Person,
    Reply,
    build_cancel,
    build_feed,
    build_freebusy,
    build_reply,
    build_request,
    calendar_datetime,
    content_type,
    parse_replies,
)
from scheduling.engine.uk_time import LONDON

SENT = datetime(2026, 2, 10, 14, 5, 9, tzinfo=UTC)
ORGANIZER = Person("peer.support@local.gov.uk", "LGA Peer Support")
LEAD = Person("jo.bloggs@example-council.gov.uk", "Cllr Jo Bloggs", role="CHAIR")
OFFICER = Person("sam.patel@example.gov.uk", "Sam Patel")
OBSERVER = Person("pa@example.gov.uk", "Principal Adviser", role="NON-PARTICIPANT", rsvp=False)


def panel(**changes) -> CalendarEvent:
    values = {
        "uid": "session-42@peer-scheduling",
        "start": datetime(2026, 6, 15, 9, 0, tzinfo=UTC),
        "end": datetime(2026, 6, 15, 12, 0, tzinfo=UTC),
        "summary": "Recovery & Renewal Panel: Anytown Borough Council",
        "description": "Join on Teams.\nAgenda to follow.",
        "location": "Microsoft Teams",
        "url": "https://example.org/sessions/42",
        "sequence": 0,
        "last_modified": datetime(2026, 2, 1, 8, 30, tzinfo=UTC),
        "categories": ("Peer support", "Recovery, renewal"),
    }
    values.update(changes)
    return CalendarEvent(**values)


def parse(data: bytes) -> Calendar:
    assert isinstance(data, bytes)
    return Calendar.from_ical(data)


def unfolded(data: bytes) -> str:
    return data.decode("utf-8").replace("\r\n ", "")


def only_event(calendar: Calendar):
    (event,) = calendar.events
    return event


def as_list(value):
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


# --- invites -----------------------------------------------------------------------------


def test_request_has_itip_envelope_and_one_organizer():
    data = build_request(panel(), ORGANIZER, [LEAD, OFFICER], dtstamp=SENT)
    calendar = parse(data)

    assert str(calendar["METHOD"]) == "REQUEST"
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["VERSION"]) == "2.0"
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    event = only_event(calendar)
    organizers = as_list(event.get("ORGANIZER"))
    assert len(organizers) == 1
    assert str(organizers[0]) == "mailto:peer.support@local.gov.uk"
    assert organizers[0].params["CN"] == "LGA Peer Support"
    assert data.count(b"\r\nORGANIZER") == 1
    assert data.endswith(b"END:VCALENDAR\r\n")


def test_request_attendees_carry_role_partstat_rsvp_and_name():
    data = build_request(panel(), ORGANIZER, [LEAD, OFFICER, OBSERVER], dtstamp=SENT)
    attendees = as_list(only_event(parse(data)).get("ATTENDEE"))

    seen = {str(a): dict(a.params) for a in attendees}
    assert seen == {
        "mailto:jo.bloggs@example-council.gov.uk": {
            "CN": "Cllr Jo Bloggs",
            "ROLE": "CHAIR",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
        },
        "mailto:sam.patel@example.gov.uk": {
            "CN": "Sam Patel",
            "ROLE": "REQ-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "TRUE",
        },
        "mailto:pa@example.gov.uk": {
            "CN": "Principal Adviser",
            "ROLE": "NON-PARTICIPANT",
            "PARTSTAT": "NEEDS-ACTION",
            "RSVP": "FALSE",
        },
    }
    # Order of the attendees is the caller's.
    assert [str(a) for a in attendees][0] == "mailto:jo.bloggs@example-council.gov.uk"


def test_request_carries_event_fields_sequence_dtstamp_and_uid():
    event = only_event(parse(build_request(panel(sequence=4), ORGANIZER, [LEAD], dtstamp=SENT)))

    assert str(event["UID"]) == "session-42@peer-scheduling"
    assert int(event["SEQUENCE"]) == 4
    assert event["DTSTAMP"].dt == SENT
    assert event["DTSTAMP"].to_ical() == b"20260210T140509Z"
    assert str(event["SUMMARY"]) == "Recovery & Renewal Panel: Anytown Borough Council"
    assert str(event["DESCRIPTION"]) == "Join on Teams.\nAgenda to follow."
    assert str(event["LOCATION"]) == "Microsoft Teams"
    assert str(event["URL"]) == "https://example.org/sessions/42"
    assert str(event["STATUS"]) == "CONFIRMED"
    assert event["LAST-MODIFIED"].dt == datetime(2026, 2, 1, 8, 30, tzinfo=UTC)
    assert list(event.categories) == ["Peer support", "Recovery, renewal"]
    assert event.start == datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    assert event.end == datetime(2026, 6, 15, 12, 0, tzinfo=UTC)


def test_dtstamp_is_the_sending_time_in_utc_whatever_zone_it_is_given_in():
    sent_in_london = datetime(2026, 7, 1, 9, 0, tzinfo=LONDON)  # 08:00 UTC in summer
    event = only_event(parse(build_request(panel(), ORGANIZER, [LEAD], dtstamp=sent_in_london)))

    assert event["DTSTAMP"].to_ical() == b"20260701T080000Z"


def test_uid_is_the_callers_and_stays_put_across_resends_and_updates():
    first = build_request(panel(), ORGANIZER, [LEAD], dtstamp=SENT)
    moved = panel(
        start=datetime(2026, 6, 16, 13, 0, tzinfo=UTC),
        end=datetime(2026, 6, 16, 16, 0, tzinfo=UTC),
        sequence=1,
    )
    update = build_request(moved, ORGANIZER, [LEAD], dtstamp=SENT + timedelta(days=1))
    resend = build_request(panel(), ORGANIZER, [LEAD], dtstamp=SENT + timedelta(hours=2))

    uids = {str(only_event(parse(d))["UID"]) for d in (first, update, resend)}
    assert uids == {"session-42@peer-scheduling"}
    # A resend of the same data differs only in DTSTAMP.
    differing = set(first.split(b"\r\n")) ^ set(resend.split(b"\r\n"))
    assert {line.split(b":")[0] for line in differing} == {b"DTSTAMP"}


def test_same_input_gives_same_bytes():
    attendees = [LEAD, OFFICER]
    assert build_request(panel(), ORGANIZER, attendees, dtstamp=SENT) == build_request(
        panel(), ORGANIZER, list(attendees), dtstamp=SENT
    )


def test_cancel_keeps_uid_sets_status_cancelled_and_the_given_sequence():
    data = build_cancel(panel(sequence=3), ORGANIZER, [LEAD, OFFICER], dtstamp=SENT)
    calendar = parse(data)
    event = only_event(calendar)

    assert str(calendar["METHOD"]) == "CANCEL"
    assert str(event["UID"]) == "session-42@peer-scheduling"
    assert str(event["STATUS"]) == "CANCELLED"
    assert int(event["SEQUENCE"]) == 3
    assert event["DTSTAMP"].dt == SENT
    assert {str(a) for a in as_list(event["ATTENDEE"])} == {
        "mailto:jo.bloggs@example-council.gov.uk",
        "mailto:sam.patel@example.gov.uk",
    }
    assert len(as_list(event["ORGANIZER"])) == 1


def test_cancel_of_an_event_already_marked_cancelled_is_still_a_cancel():
    data = build_cancel(panel(sequence=2, status="CANCELLED"), ORGANIZER, [LEAD], dtstamp=SENT)

    assert str(parse(data)["METHOD"]) == "CANCEL"
    assert str(only_event(parse(data))["STATUS"]) == "CANCELLED"


def test_cancel_refuses_a_sequence_that_was_never_raised():
    with pytest.raises(ValueError, match="SEQUENCE"):
        build_cancel(panel(sequence=0), ORGANIZER, [LEAD], dtstamp=SENT)


def test_request_refuses_a_cancelled_event_and_empty_or_repeated_attendees():
    with pytest.raises(ValueError, match="build_cancel"):
        build_request(panel(status="CANCELLED", sequence=1), ORGANIZER, [LEAD], dtstamp=SENT)
    with pytest.raises(ValueError, match="at least one attendee"):
        build_request(panel(), ORGANIZER, [], dtstamp=SENT)
    twice = Person("JO.BLOGGS@example-council.gov.uk", "Jo again")
    with pytest.raises(ValueError, match="listed twice"):
        build_request(panel(), ORGANIZER, [LEAD, twice], dtstamp=SENT)


def test_control_characters_in_text_cannot_break_the_calendar():
    event = panel(
        summary="Panel\x00 for\x07 Anytown",
        description="Line one\r\nLine two\rLine three\tend",
        location="Room\x1b 4",
    )
    data = build_request(event, ORGANIZER, [LEAD], dtstamp=SENT)
    parsed = only_event(parse(data))

    assert str(parsed["SUMMARY"]) == "Panel for Anytown"
    assert str(parsed["DESCRIPTION"]) == "Line one\nLine two\nLine three\tend"
    assert str(parsed["LOCATION"]) == "Room 4"
    assert not any(byte < 0x20 and byte not in b"\t\r\n" for byte in data)


def test_naive_dtstamp_is_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        build_request(panel(), ORGANIZER, [LEAD], dtstamp=datetime(2026, 2, 10, 14, 5))


def test_content_type_names_the_method():
    assert content_type("REQUEST") == "text/calendar; method=REQUEST; charset=UTF-8"
    assert content_type("CANCEL") == "text/calendar; method=CANCEL; charset=UTF-8"
    assert content_type("reply") == "text/calendar; method=REPLY; charset=UTF-8"
    assert content_type(None) == "text/calendar; charset=utf-8"
    with pytest.raises(ValueError):
        content_type("COUNTER")


def test_content_type_agrees_with_the_method_in_the_body():
    data = build_cancel(panel(sequence=1), ORGANIZER, [LEAD], dtstamp=SENT)
    assert f"method={parse(data)['METHOD']};" in content_type(str(parse(data)["METHOD"]))


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "written"),
    [
        ('Cllr "Jo" Bloggs', "Cllr Jo Bloggs"),
        ("Bloggs, Jo", "Bloggs, Jo"),
        ("Jo Bloggs: Deputy Leader", "Jo Bloggs: Deputy Leader"),
        ('Bloggs, "Jo": Leader; Opposition', "Bloggs, Jo: Leader; Opposition"),
        ("Siân Öztürk-Ní Bhriain", "Siân Öztürk-Ní Bhriain"),
        ("Jo\r\nBloggs\tMBE", "Jo Bloggs MBE"),
        ("Caret^Name", "Caret^Name"),
    ],
)
def test_names_are_cleaned_and_quoted(given, written):
    person = Person("someone@example.gov.uk", given)
    data = build_request(panel(), ORGANIZER, [person], dtstamp=SENT)

    (attendee,) = as_list(only_event(parse(data))["ATTENDEE"])
    assert attendee.params["CN"] == written
    text = unfolded(data)
    attendee_line = next(line for line in text.split("\r\n") if line.startswith("ATTENDEE"))
    # A comma, colon or semicolon would end the parameter or the name unless quoted.
    if any(c in written for c in ",:;"):
        assert attendee_line.startswith(f'ATTENDEE;CN="{written}";')
    else:
        assert attendee_line.startswith("ATTENDEE;CN=")
    assert attendee_line.endswith(":mailto:someone@example.gov.uk")


def test_organizer_name_is_cleaned_too():
    organizer = Person("peer.support@local.gov.uk", 'LGA "Peer Support", Programmes: Team')
    event = only_event(parse(build_request(panel(), organizer, [LEAD], dtstamp=SENT)))

    assert event["ORGANIZER"].params["CN"] == "LGA Peer Support, Programmes: Team"


def test_a_blank_name_leaves_cn_out():
    person = Person("someone@example.gov.uk", ' "" ')
    (attendee,) = as_list(
        only_event(parse(build_request(panel(), ORGANIZER, [person], dtstamp=SENT)))["ATTENDEE"]
    )
    assert "CN" not in attendee.params


def test_person_normalises_mailto_and_refuses_what_is_not_an_address():
    assert Person("MAILTO:jo@example.gov.uk", "Jo").email == "jo@example.gov.uk"
    for bad in ("", "jo", "jo@", "jo bloggs@example.gov.uk", "jo@example.gov.uk\r\nX: y"):
        with pytest.raises(ValueError, match="e-mail"):
            Person(bad, "Jo")
    with pytest.raises(ValueError, match="role"):
        Person("jo@example.gov.uk", "Jo", role="SPEAKER")
    with pytest.raises(ValueError, match="partstat"):
        Person("jo@example.gov.uk", "Jo", partstat="MAYBE")


def test_event_normalises_to_utc_and_refuses_bad_data():
    event = panel(
        start=datetime(2026, 6, 15, 10, 0, tzinfo=LONDON),
        end=datetime(2026, 6, 15, 13, 0, tzinfo=LONDON),
    )
    assert event.start == datetime(2026, 6, 15, 9, 0, tzinfo=UTC)
    assert event.start.tzinfo is UTC
    with pytest.raises(ValueError, match="timezone-aware"):
        panel(start=datetime(2026, 6, 15, 9, 0))
    with pytest.raises(ValueError, match="at or before"):
        panel(end=datetime(2026, 6, 15, 9, 0, tzinfo=UTC))
    with pytest.raises(ValueError, match="status"):
        panel(status="POSTPONED")
    with pytest.raises(ValueError, match="negative"):
        panel(sequence=-1)
    with pytest.raises(ValueError, match="UID"):
        panel(uid="")
    with pytest.raises(TypeError, match="categories"):
        panel(categories="Peer support")


# --- time zone ---------------------------------------------------------------------------


def test_vtimezone_is_the_fixed_rrule_based_one_without_rdate():
    data = build_request(panel(), ORGANIZER, [LEAD], dtstamp=SENT)
    calendar = parse(data)

    (timezone,) = calendar.timezones
    assert str(timezone["TZID"]) == "Europe/London"
    kinds = {}
    for observance in timezone.subcomponents:
        assert "RRULE" in observance, observance.name
        assert "RDATE" not in observance, observance.name
        kinds[observance.name] = (
            str(observance["TZNAME"]),
            observance["TZOFFSETFROM"].to_ical(),
            observance["TZOFFSETTO"].to_ical(),
            observance["RRULE"].to_ical(),
            observance["DTSTART"].dt.time().isoformat(),
        )
    assert kinds == {
        "STANDARD": ("GMT", "+0100", "+0000", b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=10", "02:00:00"),
        "DAYLIGHT": ("BST", "+0000", "+0100", b"FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3", "01:00:00"),
    }
    assert b"RDATE" not in data
    assert LONDON_VTIMEZONE.encode() in data


def london_changes(year: int) -> list[datetime]:
    """The instants the tz database changes London's offset in `year`, found by scanning."""
    changes = []
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        after = moment + timedelta(hours=1)
        if moment.astimezone(LONDON).utcoffset() != after.astimezone(LONDON).utcoffset():
            changes.append(after)
        moment = after
    return changes


def test_vtimezone_rules_agree_with_the_tz_database_2024_to_2040():
    # Built from the VTIMEZONE text alone (lookup_tzid=False), not from the tz database.
    shipped = Timezone.from_ical(LONDON_VTIMEZONE).to_tz(lookup_tzid=False)
    probes = []
    for year in range(2024, 2041):
        changes = london_changes(year)
        assert [c.month for c in changes] == [3, 10]
        for change in changes:
            probes += [change + timedelta(minutes=m) for m in (-1440, -61, -1, 0, 1, 59, 1440)]
        probes += [datetime(year, month, 15, 12, tzinfo=UTC) for month in range(1, 13)]
    disagreements = [
        moment
        for moment in probes
        if moment.astimezone(shipped).utcoffset() != moment.astimezone(LONDON).utcoffset()
    ]
    assert disagreements == []
    assert len(probes) == 17 * (2 * 7 + 12)


def test_a_wrong_vtimezone_would_be_caught_by_that_comparison():
    # The comparison above is not vacuous: a March rule moved to April disagrees.
    wrong = Timezone.from_ical(LONDON_VTIMEZONE.replace("BYMONTH=3", "BYMONTH=4")).to_tz(
        lookup_tzid=False
    )
    noon_5_april_2026 = datetime(2026, 4, 5, 12, tzinfo=UTC)
    assert (
        noon_5_april_2026.astimezone(wrong).utcoffset()
        != noon_5_april_2026.astimezone(LONDON).utcoffset()
    )


# 10:00 London on either side of both 2026 changes (29 March, 25 October), given in UTC.
CLOCK_CHANGE_CASES = [
    (datetime(2026, 3, 27, 10, 0, tzinfo=UTC), "20260327T100000"),  # Friday, GMT
    (datetime(2026, 3, 30, 9, 0, tzinfo=UTC), "20260330T100000"),  # Monday, BST
    (datetime(2026, 10, 23, 9, 0, tzinfo=UTC), "20261023T100000"),  # Friday, BST
    (datetime(2026, 10, 26, 10, 0, tzinfo=UTC), "20261026T100000"),  # Monday, GMT
]


@pytest.mark.parametrize(("start", "local"), CLOCK_CHANGE_CASES)
def test_times_are_london_wall_clock_across_both_clock_changes(start, local):
    event = panel(start=start, end=start + timedelta(hours=2, minutes=30))
    for data in (
        build_request(event, ORGANIZER, [LEAD], dtstamp=SENT),
        build_cancel(dataclasses.replace(event, sequence=1), ORGANIZER, [LEAD], dtstamp=SENT),
        build_feed("Panels", [event]),
    ):
        text = unfolded(data)
        assert f"\r\nDTSTART;TZID=Europe/London:{local}\r\n" in text
        end_local = (start + timedelta(hours=2, minutes=30)).astimezone(LONDON)
        assert f"\r\nDTEND;TZID=Europe/London:{end_local:%Y%m%dT%H%M%S}\r\n" in text
        parsed = only_event(parse(data))
        assert parsed.start == start
        assert parsed.end - parsed.start == timedelta(hours=2, minutes=30)


def test_a_panel_spanning_the_spring_change_keeps_its_real_length():
    # 00:30 GMT to 03:30 BST on 29 March 2026 is two real hours, three on the wall clock.
    start = datetime(2026, 3, 29, 0, 30, tzinfo=UTC)
    event = panel(start=start, end=start + timedelta(hours=2))
    text = unfolded(build_request(event, ORGANIZER, [LEAD], dtstamp=SENT))

    assert "DTSTART;TZID=Europe/London:20260329T003000" in text
    assert "DTEND;TZID=Europe/London:20260329T033000" in text


def test_instants_in_the_repeated_october_hour_are_written_in_utc():
    # 01:30 on 25 October 2026 happens twice in London; clients disagree on which is meant.
    first_pass = datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    second_pass = datetime(2026, 10, 25, 1, 30, tzinfo=UTC)
    assert calendar_datetime(first_pass) == first_pass
    assert calendar_datetime(first_pass).tzinfo is UTC
    assert calendar_datetime(second_pass).tzinfo is UTC
    just_before = calendar_datetime(datetime(2026, 10, 24, 23, 59, tzinfo=UTC))
    assert just_before.tzinfo == LONDON and just_before.hour == 0
    just_after = calendar_datetime(datetime(2026, 10, 25, 2, 0, tzinfo=UTC))
    assert just_after.tzinfo == LONDON and just_after.hour == 2

    event = panel(start=first_pass, end=second_pass)
    text = unfolded(build_request(event, ORGANIZER, [LEAD], dtstamp=SENT))
    assert "\r\nDTSTART:20261025T003000Z\r\n" in text
    assert "\r\nDTEND:20261025T013000Z\r\n" in text


# --- replies -----------------------------------------------------------------------------


def test_reply_round_trips_through_parse_replies():
    accepted = dataclasses.replace(OFFICER, partstat="ACCEPTED")
    data = build_reply(panel(sequence=2), ORGANIZER, accepted, dtstamp=SENT)

    assert str(parse(data)["METHOD"]) == "REPLY"
    assert len(as_list(only_event(parse(data))["ATTENDEE"])) == 1
    assert parse_replies(data) == [
        Reply(
            uid="session-42@peer-scheduling",
            attendee="sam.patel@example.gov.uk",
            partstat="ACCEPTED",
            sequence=2,
            dtstamp=SENT,
        )
    ]


OUTLOOK_STYLE_REPLY = (
    b"BEGIN:VCALENDAR\r\n"
    b"METHOD:REPLY\r\n"
    b"PRODID:Microsoft Exchange Server 2010\r\n"
    b"VERSION:2.0\r\n"
    b"BEGIN:VTIMEZONE\r\n"
    b"TZID:GMT Standard Time\r\n"
    b"BEGIN:STANDARD\r\n"
    b"DTSTART:16010101T020000\r\n"
    b"TZOFFSETFROM:+0100\r\n"
    b"TZOFFSETTO:+0000\r\n"
    b"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=10\r\n"
    b"END:STANDARD\r\n"
    b"BEGIN:DAYLIGHT\r\n"
    b"DTSTART:16010101T010000\r\n"
    b"TZOFFSETFROM:+0000\r\n"
    b"TZOFFSETTO:+0100\r\n"
    b"RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=-1SU;BYMONTH=3\r\n"
    b"END:DAYLIGHT\r\n"
    b"END:VTIMEZONE\r\n"
    b"BEGIN:VEVENT\r\n"
    b'ATTENDEE;PARTSTAT=declined;CN="Patel, Sam":MAILTO:Sam.Patel@Example.GOV.UK\r\n'
    b"COMMENT;LANGUAGE=en-GB:Sorry\\, on leave that week.\r\n"
    b"SUMMARY;LANGUAGE=en-GB:Declined: Recovery & Renewal Panel\r\n"
    b"DTSTART;TZID=GMT Standard Time:20260615T100000\r\n"
    b"DTEND;TZID=GMT Standard Time:20260615T130000\r\n"
    b"UID:session-42@peer-scheduling\r\n"
    b"ORGANIZER:mailto:peer.support@local.gov.uk\r\n"
    b"DTSTAMP:20260211T091500Z\r\n"
    b"SEQUENCE:3\r\n"
    b"END:VEVENT\r\n"
    b"END:VCALENDAR\r\n"
)


def test_parse_replies_reads_a_client_reply_and_normalises_the_address():
    assert parse_replies(OUTLOOK_STYLE_REPLY) == [
        Reply(
            uid="session-42@peer-scheduling",
            attendee="sam.patel@example.gov.uk",
            partstat="DECLINED",
            sequence=3,
            dtstamp=datetime(2026, 2, 11, 9, 15, tzinfo=UTC),
            comment="Sorry, on leave that week.",
        )
    ]


def test_parse_replies_reads_a_delegates_sent_by():
    data = OUTLOOK_STYLE_REPLY.replace(
        b'CN="Patel, Sam":', b'CN="Patel, Sam";SENT-BY="mailto:PA@Example.GOV.UK":'
    )
    (reply,) = parse_replies(data)
    assert (reply.attendee, reply.sent_by) == ("sam.patel@example.gov.uk", "pa@example.gov.uk")


def test_parse_replies_defaults_a_missing_sequence_to_zero_and_reads_each_vevent():
    data = OUTLOOK_STYLE_REPLY.replace(b"SEQUENCE:3\r\n", b"")
    second = (
        b"BEGIN:VEVENT\r\nUID:session-43@peer-scheduling\r\n"
        b"ATTENDEE;PARTSTAT=TENTATIVE:mailto:sam.patel@example.gov.uk\r\n"
        b"DTSTAMP;TZID=Europe/London:20260701T100000\r\nSEQUENCE:1\r\nEND:VEVENT\r\n"
    )
    data = data.replace(b"END:VCALENDAR", second + b"END:VCALENDAR")

    replies = parse_replies(data)
    assert [(r.uid, r.partstat, r.sequence) for r in replies] == [
        ("session-42@peer-scheduling", "DECLINED", 0),
        ("session-43@peer-scheduling", "TENTATIVE", 1),
    ]
    # A DTSTAMP given (against RFC 5545) in local time is still read as the right instant.
    assert replies[1].dtstamp == datetime(2026, 7, 1, 9, 0, tzinfo=UTC)
    assert replies[1].dtstamp.tzinfo is UTC
    floating = data.replace(b"DTSTAMP;TZID=Europe/London:", b"DTSTAMP:")
    assert parse_replies(floating)[1].dtstamp == datetime(2026, 7, 1, 10, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "method_line", [b"METHOD:REQUEST\r\n", b"METHOD:CANCEL\r\n", b"METHOD:PUBLISH\r\n", b""]
)
def test_parse_replies_refuses_any_other_method(method_line):
    data = OUTLOOK_STYLE_REPLY.replace(b"METHOD:REPLY\r\n", method_line)
    with pytest.raises(InvalidReply, match="expected METHOD:REPLY"):
        parse_replies(data)


def test_parse_replies_refuses_what_the_service_itself_sends():
    for data in (
        build_request(panel(), ORGANIZER, [LEAD], dtstamp=SENT),
        build_cancel(panel(sequence=1), ORGANIZER, [LEAD], dtstamp=SENT),
        build_feed("Panels", [panel()]),
    ):
        with pytest.raises(InvalidReply, match="expected METHOD:REPLY"):
            parse_replies(data)


@pytest.mark.parametrize(
    "garbage",
    [
        b"",
        b"hello",
        b"\x00\xff\xfe\xfd",
        b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\n",  # never closed
        b"BEGIN:VEVENT\r\nUID:x\r\nEND:VEVENT\r\n",  # no VCALENDAR
        b"<html><body>Accepted</body></html>",
    ],
)
def test_parse_replies_refuses_garbage(garbage):
    with pytest.raises(InvalidReply):
        parse_replies(garbage)


@pytest.mark.parametrize(
    ("old", "new", "reason"),
    [
        (b"UID:session-42@peer-scheduling\r\n", b"", "no UID"),
        (b"DTSTAMP:20260211T091500Z\r\n", b"", "no DTSTAMP"),
        (b"DTSTAMP:20260211T091500Z", b"DTSTAMP:yesterday", "unreadable DTSTAMP"),
        (b"DTSTAMP:20260211T091500Z", b"DTSTAMP;VALUE=DATE:20260211", "not a date-time"),
        (b"SEQUENCE:3", b"SEQUENCE:three", "unreadable SEQUENCE"),
        (b"PARTSTAT=declined", b"PARTSTAT=MAYBE", "unknown PARTSTAT"),
        (b"MAILTO:Sam.Patel@Example.GOV.UK", b"MAILTO:nobody", "not an e-mail"),
        (
            b"ATTENDEE;",
            b"ATTENDEE;PARTSTAT=ACCEPTED:mailto:jo@example.gov.uk\r\nATTENDEE;",
            "2 ATTENDEEs",
        ),
    ],
)
def test_parse_replies_refuses_incomplete_replies(old, new, reason):
    assert old in OUTLOOK_STYLE_REPLY
    with pytest.raises(InvalidReply, match=reason):
        parse_replies(OUTLOOK_STYLE_REPLY.replace(old, new))


def test_parse_replies_refuses_a_reply_without_attendee_or_event():
    no_attendee = b"\r\n".join(
        line for line in OUTLOOK_STYLE_REPLY.split(b"\r\n") if not line.startswith(b"ATTENDEE")
    )
    with pytest.raises(InvalidReply, match="no ATTENDEE"):
        parse_replies(no_attendee)
    no_event = (
        b"BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nVERSION:2.0\r\nPRODID:x\r\n"
        b"BEGIN:VTODO\r\nUID:t\r\nEND:VTODO\r\nEND:VCALENDAR\r\n"
    )
    with pytest.raises(InvalidReply, match="no VEVENT"):
        parse_replies(no_event)


def test_invalid_reply_is_a_value_error():
    with pytest.raises(ValueError):
        parse_replies(b"nonsense")


# --- feeds -------------------------------------------------------------------------------


def webinars() -> list[CalendarEvent]:
    base = datetime(2026, 3, 2, 18, 0, tzinfo=UTC)
    return [
        CalendarEvent(
            uid=f"webinar-{n}@peer-scheduling",
            start=base + timedelta(weeks=n),
            end=base + timedelta(weeks=n, hours=1),
            summary=f"The role of the ward councillor ({n})",
            status="CANCELLED" if n == 3 else "CONFIRMED",
            sequence=1 if n == 3 else 0,
            last_modified=datetime(2026, 1, 10 + n, 12, 0, tzinfo=UTC),
        )
        for n in range(6)
    ]


def test_feed_has_no_method_and_names_refresh_and_ttl():
    data = build_feed("LGA webinars", webinars(), description="Webinars for councillors")
    calendar = parse(data)
    text = unfolded(data)

    assert "METHOD" not in calendar
    assert b"METHOD" not in data
    assert str(calendar["NAME"]) == "LGA webinars"
    assert str(calendar["X-WR-CALNAME"]) == "LGA webinars"
    assert str(calendar["X-WR-CALDESC"]) == "Webinars for councillors"
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:PT6H\r\n" in text
    assert calendar["REFRESH-INTERVAL"].params["VALUE"] == "DURATION"
    assert calendar.refresh_interval == timedelta(hours=6)
    assert "\r\nX-PUBLISHED-TTL:PT6H\r\n" in text
    assert str(calendar["PRODID"]) == PRODID
    assert str(calendar["CALSCALE"]) == "GREGORIAN"
    assert LONDON_VTIMEZONE.encode() in data


def test_feed_refresh_interval_follows_the_argument():
    text = unfolded(build_feed("Panels", webinars(), refresh=timedelta(days=1)))
    assert "\r\nREFRESH-INTERVAL;VALUE=DURATION:P1D\r\n" in text
    assert "\r\nX-PUBLISHED-TTL:P1D\r\n" in text
    with pytest.raises(ValueError, match="positive"):
        build_feed("Panels", webinars(), refresh=timedelta(0))


def test_feed_events_stamp_their_last_change_and_keep_cancelled_ones():
    calendar = parse(build_feed("LGA webinars", webinars()))

    by_uid = {str(e["UID"]): e for e in calendar.events}
    assert len(by_uid) == 6
    for n in range(6):
        event = by_uid[f"webinar-{n}@peer-scheduling"]
        assert event["DTSTAMP"].dt == datetime(2026, 1, 10 + n, 12, 0, tzinfo=UTC)
        assert event["LAST-MODIFIED"].dt == datetime(2026, 1, 10 + n, 12, 0, tzinfo=UTC)
        assert "ORGANIZER" not in event
        assert "ATTENDEE" not in event
    assert str(by_uid["webinar-3@peer-scheduling"]["STATUS"]) == "CANCELLED"
    assert int(by_uid["webinar-3@peer-scheduling"]["SEQUENCE"]) == 1
    assert str(by_uid["webinar-2@peer-scheduling"]["STATUS"]) == "CONFIRMED"


def test_feed_is_byte_stable_and_sorted_whatever_order_the_events_come_in():
    events = webinars()
    expected = build_feed("LGA webinars", events)
    shuffled = list(events)
    for seed in range(5):
        random.Random(seed).shuffle(shuffled)
        assert build_feed("LGA webinars", shuffled) == expected
    starts = [e.start for e in parse(expected).events]
    assert starts == sorted(starts)


def test_feed_changes_only_when_the_data_does():
    events = webinars()
    before = build_feed("LGA webinars", events)
    changed = list(events)
    changed[1] = dataclasses.replace(
        changed[1], summary="Renamed", last_modified=datetime(2026, 2, 20, 9, 0, tzinfo=UTC)
    )
    after = build_feed("LGA webinars", changed)

    assert after != before
    assert b"DTSTAMP:20260220T090000Z" in after
    assert build_feed("LGA webinars", changed) == after


def test_feed_refuses_events_without_last_modified_or_with_repeated_uids():
    with pytest.raises(ValueError, match="last_modified"):
        build_feed("Panels", [panel(last_modified=None)])
    with pytest.raises(ValueError, match="one event per UID"):
        build_feed("Panels", [panel(), panel(summary="copy")])


def test_empty_feed_is_still_a_calendar():
    calendar = parse(build_feed("Nothing yet", []))
    assert calendar.events == []
    assert len(calendar.timezones) == 1


# --- free/busy ---------------------------------------------------------------------------

WEEK_START = datetime(2026, 3, 23, 0, 0, tzinfo=UTC)
WEEK_END = datetime(2026, 3, 30, 0, 0, tzinfo=UTC)


def test_freebusy_publishes_merged_clipped_busy_periods_in_utc():
    busy = [
        # Given in London time across the spring change; published in UTC.
        (
            datetime(2026, 3, 27, 10, 0, tzinfo=LONDON),
            datetime(2026, 3, 27, 12, 0, tzinfo=LONDON),
        ),
        (datetime(2026, 3, 24, 9, 0, tzinfo=UTC), datetime(2026, 3, 24, 10, 0, tzinfo=UTC)),
        (datetime(2026, 3, 24, 9, 30, tzinfo=UTC), datetime(2026, 3, 24, 11, 0, tzinfo=UTC)),
        (datetime(2026, 3, 22, 22, 0, tzinfo=UTC), datetime(2026, 3, 23, 1, 0, tzinfo=UTC)),
        (datetime(2026, 3, 31, 9, 0, tzinfo=UTC), datetime(2026, 3, 31, 10, 0, tzinfo=UTC)),
    ]
    data = build_freebusy(
        "Sam.Patel@example.gov.uk", 'Sam "SP" Patel', WEEK_START, WEEK_END, busy, dtstamp=SENT
    )
    calendar = parse(data)

    assert str(calendar["METHOD"]) == "PUBLISH"
    (vfreebusy,) = calendar.freebusy
    assert vfreebusy["DTSTART"].to_ical() == b"20260323T000000Z"
    assert vfreebusy["DTEND"].to_ical() == b"20260330T000000Z"
    assert vfreebusy["DTSTAMP"].dt == SENT
    assert str(vfreebusy["ORGANIZER"]) == "mailto:Sam.Patel@example.gov.uk"
    assert vfreebusy["ORGANIZER"].params["CN"] == "Sam SP Patel"
    lines = [line for line in unfolded(data).split("\r\n") if line.startswith("FREEBUSY")]
    assert lines == [
        "FREEBUSY;FBTYPE=BUSY:20260323T000000Z/20260323T010000Z",
        "FREEBUSY;FBTYPE=BUSY:20260324T090000Z/20260324T110000Z",
        "FREEBUSY;FBTYPE=BUSY:20260327T100000Z/20260327T120000Z",
    ]


def test_freebusy_with_nothing_busy_publishes_the_window_as_free():
    data = build_freebusy("p@example.gov.uk", "Peer", WEEK_START, WEEK_END, [], dtstamp=SENT)
    lines = [line for line in unfolded(data).split("\r\n") if line.startswith("FREEBUSY")]
    assert lines == ["FREEBUSY;FBTYPE=FREE:20260323T000000Z/20260330T000000Z"]


def test_freebusy_uid_is_stable_and_can_be_given():
    def uid_of(data):
        return str(parse(data).freebusy[0]["UID"])

    first = build_freebusy("p@example.gov.uk", "Peer", WEEK_START, WEEK_END, [], dtstamp=SENT)
    again = build_freebusy(
        "P@example.gov.uk", "Peer", WEEK_START, WEEK_END, [], dtstamp=SENT + timedelta(hours=1)
    )
    other_week = build_freebusy(
        "p@example.gov.uk", "Peer", WEEK_END, WEEK_END + timedelta(days=7), [], dtstamp=SENT
    )
    assert uid_of(first) == uid_of(again)
    assert uid_of(first) != uid_of(other_week)
    given = build_freebusy(
        "p@example.gov.uk", "Peer", WEEK_START, WEEK_END, [], dtstamp=SENT, uid="fb-7"
    )
    assert uid_of(given) == "fb-7"


def test_freebusy_refuses_naive_times_and_an_empty_window():
    with pytest.raises(ValueError, match="timezone-aware"):
        build_freebusy(
            "p@example.gov.uk",
            "Peer",
            WEEK_START,
            WEEK_END,
            [(datetime(2026, 3, 24, 9, 0), datetime(2026, 3, 24, 10, 0))],
            dtstamp=SENT,
        )
    with pytest.raises(ValueError, match="at or before"):
        build_freebusy("p@example.gov.uk", "Peer", WEEK_END, WEEK_START, [], dtstamp=SENT)
