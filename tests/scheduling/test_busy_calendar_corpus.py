"""Importing real calendars: every file of the shared corpus imports or is refused cleanly.

The corpus (../shared/ical-corpus beside the repository) holds 95 files written by
Thunderbird, Nextcloud, Google, Outlook, Apple and others, some deliberately broken. The exact
busy times below were worked out by reading the files.
"""

import os
from datetime import UTC, datetime, time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from scheduling.engine.busy_calendar import BusyCalendarError, BusyEvent, parse_busy_calendar

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "ical-corpus"
FILES = sorted(CORPUS.glob("*.ics")) if CORPUS.is_dir() else []
needs_corpus = pytest.mark.skipif(
    not FILES, reason=f"the iCalendar corpus is not at {CORPUS} (it lives in shared/)"
)


def test_the_corpus_is_there_in_ci():
    """CI runs beside shared/: there a missing corpus is a failure, not a quiet skip."""
    if not FILES and os.environ.get("CI"):
        pytest.fail(f"the iCalendar corpus is not at {CORPUS}")


# Files the importer refuses, with what the peer is told.
REFUSED = {
    # RRULE:FREQ=WEEKLY;BYDAY=TH;WKST=SU;UNTL=20191023 (a misspelt UNTIL)
    "bad_rrule_missing_until_event.ics": "has a repeat rule that cannot be read",
}
WIDE_WINDOW = (datetime(2015, 1, 1, tzinfo=UTC), datetime(2026, 1, 1, tzinfo=UTC))


def utc(*parts):
    return datetime(*parts, tzinfo=UTC)


def busy(name, *, zone="Europe/London", start, end):
    return parse_busy_calendar(
        (CORPUS / name).read_bytes(), time_zone=zone, window_start=start, window_end=end
    )


def spans(events):
    return [(event.start, event.end) for event in events]


@needs_corpus
def test_the_corpus_is_all_there():
    assert len(FILES) == 95


@needs_corpus
@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_file_imports_or_is_refused_cleanly(path):
    zone = ZoneInfo("Europe/London")
    try:
        events = parse_busy_calendar(
            path.read_bytes(),
            time_zone="Europe/London",
            window_start=WIDE_WINDOW[0],
            window_end=WIDE_WINDOW[1],
        )
    except BusyCalendarError as error:
        assert path.name in REFUSED, f"refused: {error.message}"
        assert REFUSED[path.name] in error.message
        return
    assert path.name not in REFUSED
    assert events == sorted(set(events)), "sorted, without duplicates"
    for event in events:
        assert isinstance(event, BusyEvent)
        assert event.start.tzinfo is UTC and event.end.tzinfo is UTC
        assert event.start < event.end
        assert event.start < WIDE_WINDOW[1] and event.end > WIDE_WINDOW[0]
        if event.all_day:
            assert event.start.astimezone(zone).time() == time(0)
            assert event.end.astimezone(zone).time() == time(0)


@needs_corpus
def test_cancelled_exception_does_not_block():
    # DAILY;COUNT=3 from 28 January 2020 22:00 Berlin; the 29th is STATUS:CANCELLED.
    events = busy("issue_18_cancel_status.ics", start=utc(2020, 1, 1), end=utc(2020, 3, 1))
    assert spans(events) == [
        (utc(2020, 1, 28, 21), utc(2020, 1, 28, 22)),
        (utc(2020, 1, 30, 21), utc(2020, 1, 30, 22)),
    ]


@needs_corpus
def test_moved_occurrences_replace_their_originals():
    events = busy("recurring_events_moved.ics", start=utc(2019, 3, 1), end=utc(2019, 4, 1))
    assert [(event.start, event.end, event.summary) for event in events] == [
        # DAILY from 7 March 02:00 Berlin until 10 March 01:00Z; the 8th and 9th are moved.
        (utc(2019, 3, 7, 1), utc(2019, 3, 7, 2), "New Event"),
        (utc(2019, 3, 8, 0), utc(2019, 3, 8, 1), "New Event"),
        (utc(2019, 3, 9, 2), utc(2019, 3, 9, 3), "New Event"),
        (utc(2019, 3, 10, 1), utc(2019, 3, 10, 2), "New Event"),
        # DAILY from 18 March 04:00 Berlin until 20 March 03:00Z; the 19th is edited in place.
        (utc(2019, 3, 18, 3), utc(2019, 3, 18, 4), "test7"),
        (utc(2019, 3, 19, 3), utc(2019, 3, 19, 4), "test7 - edited"),
        (utc(2019, 3, 20, 3), utc(2019, 3, 20, 4), "test7"),
    ]


@needs_corpus
def test_exdates_and_summer_time_in_a_weekly_series():
    # WEEKLY;COUNT=8 at 00:30 Berlin from 4 March 2019, two EXDATEs given in UTC; Berlin
    # moves to summer time on 31 March, so the UTC time moves an hour earlier.
    events = busy("each_week_but_two_deleted.ics", start=utc(2019, 3, 1), end=utc(2019, 5, 1))
    assert spans(events) == [
        (utc(2019, 3, 3, 23, 30), utc(2019, 3, 4, 0, 0)),
        (utc(2019, 3, 17, 23, 30), utc(2019, 3, 18, 0, 0)),
        (utc(2019, 3, 31, 22, 30), utc(2019, 3, 31, 23, 0)),
        (utc(2019, 4, 7, 22, 30), utc(2019, 4, 7, 23, 0)),
        (utc(2019, 4, 14, 22, 30), utc(2019, 4, 14, 23, 0)),
        (utc(2019, 4, 21, 22, 30), utc(2019, 4, 21, 23, 0)),
    ]


@needs_corpus
def test_period_rdate_exdate_and_both_clock_changes():
    # MONTHLY;COUNT=9 on the third Wednesday, 12:00-14:00 Vancouver, 20 December excluded,
    # an extra 12:00-15:00 on 13 December (RDATE with a PERIOD).
    events = busy("issue_113_period_in_rdate.ics", start=utc(2023, 9, 1), end=utc(2024, 6, 1))
    assert spans(events) == [
        (utc(2023, 9, 20, 19), utc(2023, 9, 20, 21)),
        (utc(2023, 10, 18, 19), utc(2023, 10, 18, 21)),
        (utc(2023, 11, 15, 20), utc(2023, 11, 15, 22)),
        (utc(2023, 12, 13, 20), utc(2023, 12, 13, 23)),
        (utc(2024, 1, 17, 20), utc(2024, 1, 17, 22)),
        (utc(2024, 2, 21, 20), utc(2024, 2, 21, 22)),
        (utc(2024, 3, 20, 19), utc(2024, 3, 20, 21)),
        (utc(2024, 4, 17, 19), utc(2024, 4, 17, 21)),
        (utc(2024, 5, 15, 19), utc(2024, 5, 15, 21)),
    ]


@needs_corpus
def test_weekly_meeting_keeps_its_local_time_across_the_clock_change():
    # Mondays 11:30-13:00 Lisbon; Lisbon leaves summer time on 25 October 2020.
    events = busy(
        "issue_48_daylight_aware_repeats.ics", start=utc(2020, 10, 15), end=utc(2020, 11, 3)
    )
    assert spans(events) == [
        (utc(2020, 10, 19, 10, 30), utc(2020, 10, 19, 12)),
        (utc(2020, 10, 26, 11, 30), utc(2020, 10, 26, 13)),
        (utc(2020, 11, 2, 11, 30), utc(2020, 11, 2, 13)),
    ]


@needs_corpus
def test_all_day_event_blocks_the_peers_whole_day():
    events = busy(
        "one_day_event.ics", zone="America/New_York", start=utc(2019, 3, 1), end=utc(2019, 4, 1)
    )
    assert [(event.start, event.end, event.all_day) for event in events] == [
        (utc(2019, 3, 4, 5), utc(2019, 3, 5, 5), True)
    ]


@needs_corpus
def test_daily_all_day_event_has_a_short_day_at_the_clock_change():
    # An all-day event every day since 2019; London springs forward on 29 March 2026.
    events = busy(
        "one_day_event_repeat_every_day.ics", start=utc(2026, 3, 28), end=utc(2026, 3, 31)
    )
    assert spans(events) == [
        (utc(2026, 3, 28, 0), utc(2026, 3, 29, 0)),
        (utc(2026, 3, 29, 0), utc(2026, 3, 29, 23)),
        (utc(2026, 3, 29, 23), utc(2026, 3, 30, 23)),
        (utc(2026, 3, 30, 23), utc(2026, 3, 31, 23)),  # overlaps the window's end: kept whole
    ]


@needs_corpus
def test_x_wr_timezone_gives_floating_times_their_zone():
    # X-WR-TIMEZONE:Europe/Brussels; 21:00-22:45 floating on 16 September 2021 (CEST).
    events = busy(
        "issue_86_x_wr_timezone_without_time_zone_in_dt.ics",
        start=utc(2021, 9, 1),
        end=utc(2021, 10, 1),
    )
    assert spans(events) == [(utc(2021, 9, 16, 19), utc(2021, 9, 16, 20, 45))]


@needs_corpus
def test_x_wr_timezone_keeps_utc_times():
    events = busy(
        "x_wr_timezone_simple_events_issue_59.ics", start=utc(2021, 12, 1), end=utc(2022, 1, 1)
    )
    assert spans(events) == [
        (utc(2021, 12, 22, 17), utc(2021, 12, 22, 18)),
        (utc(2021, 12, 23, 2), utc(2021, 12, 23, 3)),
    ]


@needs_corpus
def test_duration_instead_of_an_end():
    # Floating times read in the peer's zone (Berlin here): three days from a DATE with
    # DURATION:P3D, three hours from 10:00 with PT3H; a DATE-TIME without an end blocks nothing.
    events = busy("duration.ics", zone="Europe/Berlin", start=utc(2018, 1, 1), end=utc(2018, 2, 1))
    assert [(event.start, event.end, event.all_day, event.summary) for event in events] == [
        (utc(2018, 1, 9, 23), utc(2018, 1, 12, 23), True, "Duration Event 1"),
        (utc(2018, 1, 15, 9), utc(2018, 1, 15, 12), False, "Duration Event 2"),
    ]


@needs_corpus
def test_zero_length_event_blocks_nothing():
    assert busy("zero_size_event.ics", start=utc(2019, 3, 1), end=utc(2019, 4, 1)) == []


@needs_corpus
def test_end_before_start_is_read_as_the_interval_between():
    # DTSTART 08:30, DTEND 08:00 Berlin (winter time).
    events = busy("end_before_start_event.ics", start=utc(2019, 3, 1), end=utc(2019, 4, 1))
    assert spans(events) == [(utc(2019, 3, 4, 7), utc(2019, 3, 4, 7, 30))]


@needs_corpus
def test_transparent_events_do_not_block():
    # A yearly anniversary since 1997 marked TRANSP:TRANSPARENT; the same event made opaque
    # blocks its day, so it is the transparency that frees it.
    data = (CORPUS / "issue_179_example.ics").read_bytes()
    window = {"window_start": utc(2024, 1, 1), "window_end": utc(2025, 1, 1)}
    assert parse_busy_calendar(data, time_zone="Europe/London", **window) == []
    opaque = data.replace(b"TRANSP:TRANSPARENT", b"TRANSP:OPAQUE")
    assert spans(parse_busy_calendar(opaque, time_zone="Europe/London", **window)) == [
        (utc(2024, 11, 2), utc(2024, 11, 3))
    ]


@needs_corpus
def test_misspelt_until_is_refused_with_the_rule():
    with pytest.raises(BusyCalendarError) as refused:
        busy("bad_rrule_missing_until_event.ics", start=utc(2019, 1, 1), end=utc(2020, 1, 1))
    assert "UNTL=20191023" in refused.value.message
