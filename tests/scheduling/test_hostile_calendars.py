"""Hostile calendars: each is read within the budget or refused with a message naming the limit.

The time and peak memory each import takes are printed (`pytest -rP` shows them), never checked:
they depend on the machine.
"""

import time
import tracemalloc
from datetime import UTC, datetime

import pytest

from scheduling.engine.busy_calendar import (
    MAX_CUSTOM_ZONE_RULES,
    MAX_LISTED_DATES,
    MAX_OCCURRENCES,
    MAX_OCCURRENCES_PER_EVENT,
    MAX_REPEATING_EVENTS,
    MAX_RULE_DATES_PER_EVENT,
    MAX_TIME_ZONES,
    BusyCalendarError,
    coalesce_busy,
    import_window,
    parse_busy_calendar,
)
from tests.hostile_calendars import HOSTILE

# Tracing memory slows reading several times over, and a busy machine more: the time bound is
# the product's, not a test limit, so it is lifted here (it has a test of its own).
NO_TIME_LIMIT = 3600

# What each file gives: the words of its refusal (naming the limit), or None when it is read.
EXPECTED = {
    "six hourly events since 2022": f"repeats more than {MAX_OCCURRENCES_PER_EVENT:,} times",
    "200 daily events since 2000": f"has more than {MAX_OCCURRENCES:,} events between",
    "ten years of meetings": None,
    "daily with COUNT=10^9": None,
    "minutely with COUNT=10^9": f"gives more than {MAX_RULE_DATES_PER_EVENT:,} dates",
    "secondly for ever": f"gives more than {MAX_RULE_DATES_PER_EVENT:,} dates",
    "minutely, once a day": f"gives more than {MAX_RULE_DATES_PER_EVENT:,} dates",
    "40,000 EXDATEs, 20,000 RDATEs": f"lists more than {MAX_LISTED_DATES:,} dates",
    "1,000 made-up time zones": f"more than {MAX_CUSTOM_ZONE_RULES} rules",
    "1,000 copies of Europe/London": f"defines more than {MAX_TIME_ZONES:,} time zones",
    "a 1.9 MB line": None,
    "4,999 weekly series since 2010": f"has more than {MAX_REPEATING_EVENTS:,} repeating events",
}


def test_every_hostile_calendar_has_an_expected_outcome():
    assert set(EXPECTED) == set(HOSTILE)
    assert len(HOSTILE["six hourly events since 2022"]()) == 696


@pytest.mark.parametrize("name", list(HOSTILE))
def test_a_hostile_calendar_is_read_within_the_budget_or_refused(name):
    data = HOSTILE[name]()
    now = datetime.now(UTC)
    window_start, window_end = import_window(now)
    tracemalloc.start()
    began = time.perf_counter()
    try:
        events = parse_busy_calendar(
            data,
            time_zone="Europe/London",
            window_start=window_start,
            window_end=window_end,
            max_seconds=NO_TIME_LIMIT,
        )
        outcome = None
    except BusyCalendarError as error:
        events, outcome = [], error.message
    finally:
        seconds = time.perf_counter() - began
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
    print(
        f"{name}: {len(data):,} bytes, {seconds:.2f} s (traced), peak {peak / 1e6:.1f} MB: "
        + (outcome or f"{len(events)} busy times")
    )
    expected = EXPECTED[name]
    if expected is None:
        assert outcome is None
        assert events, "the file has busy times in the window"
        assert len(events) <= MAX_OCCURRENCES
        assert all(event.start < window_end and event.end > window_start for event in events)
    else:
        assert outcome is not None and expected in outcome, outcome


def test_a_rule_counted_to_a_billion_is_read_day_by_day_in_the_window():
    window_start, window_end = import_window(datetime.now(UTC))
    events = parse_busy_calendar(
        HOSTILE["daily with COUNT=10^9"](),
        time_zone="Europe/London",
        window_start=window_start,
        window_end=window_end,
    )
    days = {event.start.date() for event in events}
    assert len(days) == len(events) >= (window_end - window_start).days
    assert all(event.start.hour == 10 and event.start.minute == 0 for event in events)
    assert len(coalesce_busy(events)) == len(events)  # an hour a day: nothing to merge
