"""Dates and times written one way: 'Monday 7 December 2026, 10:00 to 12:30 (UK time)', with a
person's own zone beside UK time where its clocks show other times."""

from datetime import UTC, date, datetime

import pytest

from scheduling.engine.uk_time import LONDON, clock_text, day_text, moment_text, when_text


def uk(*parts) -> datetime:
    return datetime(*parts, tzinfo=LONDON)


def test_a_session_in_uk_time():
    assert day_text(uk(2026, 12, 7, 10)) == "Monday 7 December 2026"
    assert day_text(date(2026, 12, 7)) == "Monday 7 December 2026"
    assert clock_text(uk(2026, 12, 7, 9, 5)) == "09:05"
    assert (
        when_text(uk(2026, 12, 7, 10), uk(2026, 12, 7, 12, 30))
        == "Monday 7 December 2026, 10:00 to 12:30 (UK time)"
    )
    # Stored in UTC, shown in UK time (British Summer Time in June).
    assert (
        when_text(datetime(2027, 6, 15, 9, tzinfo=UTC), datetime(2027, 6, 15, 10, tzinfo=UTC))
        == "Tuesday 15 June 2027, 10:00 to 11:00 (UK time)"
    )


def test_a_deadline_in_uk_time_says_so():
    assert moment_text(uk(2026, 12, 14, 5, 1)) == "Monday 14 December 2026, 05:01 (UK time)"
    assert (
        moment_text(datetime(2027, 6, 15, 4, 1, tzinfo=UTC))
        == "Tuesday 15 June 2027, 05:01 (UK time)"
    )


def test_a_session_past_midnight_names_both_days():
    assert (
        when_text(uk(2026, 12, 7, 23), uk(2026, 12, 8, 1))
        == "Monday 7 December 2026, 23:00 to Tuesday 8 December 2026, 01:00 (UK time)"
    )


def test_a_persons_own_zone_is_shown_beside_uk_time_only_where_the_clocks_differ():
    start, end = uk(2026, 12, 7, 10), uk(2026, 12, 7, 12, 30)
    assert when_text(start, end, "Europe/London") == when_text(start, end)
    assert when_text(start, end, "Europe/Dublin") == when_text(start, end)  # same clocks
    assert when_text(start, end, "Europe/Paris") == (
        "Monday 7 December 2026, 10:00 to 12:30 (UK time); 11:00 to 13:30 your time (Europe/Paris)"
    )
    assert when_text(start, end, "Pacific/Auckland") == (
        "Monday 7 December 2026, 10:00 to 12:30 (UK time); Monday 7 December 2026, 23:00 to "
        "Tuesday 8 December 2026, 01:30 your time (Pacific/Auckland)"
    )
    assert when_text(uk(2026, 12, 7, 3), uk(2026, 12, 7, 4), "America/New_York") == (
        "Monday 7 December 2026, 03:00 to 04:00 (UK time); Sunday 6 December 2026, 22:00 to "
        "23:00 your time (America/New_York)"
    )


def test_across_the_clock_changes_the_offsets_of_the_day_are_used():
    # Paris and London change on the same day: always an hour apart.
    march = when_text(uk(2027, 3, 28, 10), uk(2027, 3, 28, 11), "Europe/Paris")
    assert march.endswith("; 11:00 to 12:00 your time (Europe/Paris)")
    # New York changes two weeks earlier in March: four hours apart, not five, that week.
    week = when_text(uk(2027, 3, 17, 14), uk(2027, 3, 17, 15), "America/New_York")
    assert week.endswith("; 10:00 to 11:00 your time (America/New_York)")


def test_a_naive_time_is_refused():
    with pytest.raises(ValueError):
        when_text(datetime(2026, 12, 7, 10), datetime(2026, 12, 7, 11))
