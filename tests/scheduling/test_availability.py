import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scheduling.engine.availability import (
    BANK_HOLIDAY,
    BUSY_CALENDAR,
    LEAVE,
    SEAT,
    UNAVAILABLE_DATE,
    AvailabilityRules,
    BusyBlock,
    DateOverride,
    InvalidAvailability,
    Leave,
    WeeklyWindow,
    expand,
)
from scheduling.engine.intervals import Interval, intersect, merge, total_duration

NINE, FIVE = dt.time(9), dt.time(17)


def utc(year, month, day, hour=0, minute=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=dt.UTC)


def between(start: dt.datetime, end: dt.datetime) -> Interval:
    return Interval(start, end)


def office_hours(days=range(5), **options) -> AvailabilityRules:
    """Monday to Friday (by default) 09:00-17:00 local."""
    return AvailabilityRules(weekly=tuple(WeeklyWindow(d, NINE, FIVE) for d in days), **options)


def daily(first: dt.date, last: dt.date, start_hour: int, end_hour: int, weekdays_only=True):
    """Expected UTC free intervals: `start_hour`-`end_hour` UTC on each (week)day."""
    expected = []
    day = first
    while day <= last:
        if not weekdays_only or day.weekday() < 5:
            expected.append(
                between(
                    utc(day.year, day.month, day.day, start_hour),
                    utc(day.year, day.month, day.day, end_hour),
                )
            )
        day += dt.timedelta(days=1)
    return expected


# --- clock changes -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("winter_monday", "summer_monday"),
    [
        (dt.date(2026, 3, 23), dt.date(2026, 3, 30)),  # clocks go forward Sunday 29 March 2026
        (dt.date(2027, 3, 22), dt.date(2027, 3, 29)),  # and Sunday 28 March 2027
    ],
)
def test_london_office_hours_across_the_spring_clock_change(winter_monday, summer_monday):
    rules = office_hours(bank_holidays_block=False)  # Easter falls here in 2027
    start = utc(winter_monday.year, winter_monday.month, winter_monday.day)
    free = expand(rules, start, start + dt.timedelta(days=14)).free
    friday = dt.timedelta(days=4)
    assert free == (
        daily(winter_monday, winter_monday + friday, 9, 17)
        + daily(summer_monday, summer_monday + friday, 8, 16)
    )
    assert all(interval.start.tzinfo is dt.UTC for interval in free)


@pytest.mark.parametrize(
    ("summer_monday", "winter_monday"),
    [
        (dt.date(2026, 10, 19), dt.date(2026, 10, 26)),  # clocks go back Sunday 25 October 2026
        (dt.date(2027, 10, 25), dt.date(2027, 11, 1)),  # and Sunday 31 October 2027
    ],
)
def test_london_office_hours_across_the_autumn_clock_change(summer_monday, winter_monday):
    rules = office_hours()
    start = utc(summer_monday.year, summer_monday.month, summer_monday.day)
    free = expand(rules, start, start + dt.timedelta(days=14)).free
    friday = dt.timedelta(days=4)
    assert free == (
        daily(summer_monday, summer_monday + friday, 8, 16)
        + daily(winter_monday, winter_monday + friday, 9, 17)
    )


@pytest.mark.parametrize(
    ("saturday", "sunday_hours_utc"),
    [
        (dt.date(2026, 3, 28), (8, 16)),  # the Sunday of the change is already BST
        (dt.date(2026, 10, 24), (9, 17)),  # the Sunday of the change is already GMT
        (dt.date(2027, 3, 27), (8, 16)),
        (dt.date(2027, 10, 30), (9, 17)),
    ],
)
def test_the_day_of_the_clock_change_keeps_local_hours(saturday, sunday_hours_utc):
    rules = office_hours(days=range(7), bank_holidays_block=False)
    start = utc(saturday.year, saturday.month, saturday.day)
    free = expand(rules, start, start + dt.timedelta(days=2)).free
    saturday_hours = (8, 16) if saturday.month == 10 else (9, 17)
    sunday = saturday + dt.timedelta(days=1)
    assert free == daily(saturday, saturday, *saturday_hours, weekdays_only=False) + daily(
        sunday, sunday, *sunday_hours_utc, weekdays_only=False
    )
    assert total_duration(free) == dt.timedelta(hours=16)


def test_a_window_through_the_skipped_hour_is_shorter_in_real_time():
    rules = AvailabilityRules(
        weekly=(WeeklyWindow(6, dt.time(0), dt.time(3)),), bank_holidays_block=False
    )
    free = expand(rules, utc(2026, 3, 28), utc(2026, 3, 30)).free
    # 00:00-01:00 GMT, then the clocks jump from 01:00 to 02:00, then 02:00-03:00 BST.
    assert free == [between(utc(2026, 3, 29, 0), utc(2026, 3, 29, 2))]


def test_a_start_in_the_skipped_hour_begins_when_the_clocks_jump():
    rules = AvailabilityRules(weekly=(WeeklyWindow(6, dt.time(1, 30), dt.time(3)),))
    free = expand(rules, utc(2026, 3, 28), utc(2026, 3, 30)).free
    assert free == [between(utc(2026, 3, 29, 1), utc(2026, 3, 29, 2))]


def test_a_window_through_the_repeated_hour_counts_it_twice():
    rules = AvailabilityRules(weekly=(WeeklyWindow(6, dt.time(0), dt.time(3)),))
    free = expand(rules, utc(2026, 10, 24), utc(2026, 10, 26)).free
    # Local midnight is 23:00 UTC (BST); 03:00 local is 03:00 UTC (GMT): four real hours.
    assert free == [between(utc(2026, 10, 24, 23), utc(2026, 10, 25, 3))]


def test_a_window_inside_the_repeated_hour_happens_twice():
    rules = AvailabilityRules(weekly=(WeeklyWindow(6, dt.time(1), dt.time(1, 30)),))
    free = expand(rules, utc(2026, 10, 24), utc(2026, 10, 26)).free
    assert free == [
        between(utc(2026, 10, 25, 0), utc(2026, 10, 25, 0, 30)),  # 01:00-01:30 BST
        between(utc(2026, 10, 25, 1), utc(2026, 10, 25, 1, 30)),  # 01:00-01:30 GMT
    ]


def test_new_york_changes_its_clocks_on_its_own_dates():
    new_york = office_hours(time_zone="America/New_York", bank_holidays_block=False)
    london = office_hours(bank_holidays_block=False)
    # New York goes forward on 8 March 2026, three weeks before London.
    free = expand(new_york, utc(2026, 3, 2), utc(2026, 3, 14)).free
    assert free == daily(dt.date(2026, 3, 2), dt.date(2026, 3, 6), 14, 22) + daily(
        dt.date(2026, 3, 9), dt.date(2026, 3, 13), 13, 21
    )
    # In the weeks between, the two peers share four hours a day, not three.
    march_16 = (utc(2026, 3, 16), utc(2026, 3, 17))
    shared = intersect(expand(new_york, *march_16).free, expand(london, *march_16).free)
    assert shared == [between(utc(2026, 3, 16, 13), utc(2026, 3, 16, 17))]
    # New York goes back on 1 November 2026, a week after London.
    free = expand(new_york, utc(2026, 10, 26), utc(2026, 11, 7)).free
    assert free == daily(dt.date(2026, 10, 26), dt.date(2026, 10, 30), 13, 21) + daily(
        dt.date(2026, 11, 2), dt.date(2026, 11, 6), 14, 22
    )


def test_kolkata_has_no_clock_changes():
    rules = office_hours(time_zone="Asia/Kolkata", bank_holidays_block=False)
    for first in (dt.date(2026, 3, 23), dt.date(2026, 10, 19)):
        start = utc(first.year, first.month, first.day)
        free = expand(rules, start, start + dt.timedelta(days=14)).free
        assert len(free) == 10
        assert {(i.start.time(), i.end.time()) for i in free} == {
            (dt.time(3, 30), dt.time(11, 30))  # 09:00-17:00 at UTC+05:30
        }


# --- several windows, overrides, leave ----------------------------------------------------


def test_several_windows_on_one_day():
    rules = AvailabilityRules(
        weekly=(
            WeeklyWindow(1, dt.time(14), dt.time(17)),
            WeeklyWindow(1, dt.time(9), dt.time(12)),
        )
    )
    free = expand(rules, utc(2026, 1, 5), utc(2026, 1, 12)).free
    assert free == [
        between(utc(2026, 1, 6, 9), utc(2026, 1, 6, 12)),
        between(utc(2026, 1, 6, 14), utc(2026, 1, 6, 17)),
    ]


def test_touching_windows_make_one_stretch():
    rules = AvailabilityRules(
        weekly=(
            WeeklyWindow(0, dt.time(9), dt.time(12)),
            WeeklyWindow(0, dt.time(12), dt.time(15)),
        )
    )
    free = expand(rules, utc(2026, 1, 5), utc(2026, 1, 6)).free
    assert free == [between(utc(2026, 1, 5, 9), utc(2026, 1, 5, 15))]


def test_an_override_replaces_the_weekly_hours_of_its_date():
    rules = office_hours(
        overrides=(
            DateOverride(dt.date(2026, 6, 9), ((dt.time(10), dt.time(12)),)),  # a Tuesday
            DateOverride(dt.date(2026, 6, 13), ((dt.time(10), dt.time(11)),)),  # a Saturday
        )
    )
    free = expand(rules, utc(2026, 6, 8), utc(2026, 6, 15)).free
    assert free == [
        between(utc(2026, 6, 8, 8), utc(2026, 6, 8, 16)),
        between(utc(2026, 6, 9, 9), utc(2026, 6, 9, 11)),  # 10:00-12:00 BST
        between(utc(2026, 6, 10, 8), utc(2026, 6, 10, 16)),
        between(utc(2026, 6, 11, 8), utc(2026, 6, 11, 16)),
        between(utc(2026, 6, 12, 8), utc(2026, 6, 12, 16)),
        between(utc(2026, 6, 13, 9), utc(2026, 6, 13, 10)),
    ]


def test_an_empty_override_makes_the_date_unavailable_and_says_so():
    rules = office_hours(overrides=(DateOverride(dt.date(2026, 6, 10), ()),))
    availability = expand(rules, utc(2026, 6, 8), utc(2026, 6, 13))
    days = {interval.start.date() for interval in availability.free}
    assert days == {
        dt.date(2026, 6, 8),
        dt.date(2026, 6, 9),
        dt.date(2026, 6, 11),
        dt.date(2026, 6, 12),
    }
    assert [(b.interval, b.reason, b.label) for b in availability.blocks] == [
        (between(utc(2026, 6, 9, 23), utc(2026, 6, 10, 23)), UNAVAILABLE_DATE, "Not available")
    ]


def test_leave_blocks_whole_local_days_as_one_block():
    rules = office_hours(leave=(Leave(dt.date(2026, 7, 8), dt.date(2026, 7, 14)),))
    availability = expand(rules, utc(2026, 7, 6), utc(2026, 7, 18))
    days = sorted({interval.start.date() for interval in availability.free})
    assert days == [
        dt.date(2026, 7, 6),
        dt.date(2026, 7, 7),
        dt.date(2026, 7, 15),
        dt.date(2026, 7, 16),
        dt.date(2026, 7, 17),
    ]
    assert [(b.interval, b.reason, b.label) for b in availability.blocks] == [
        # Local midnight in July is 23:00 UTC the evening before.
        (between(utc(2026, 7, 7, 23), utc(2026, 7, 14, 23)), LEAVE, "Leave")
    ]


def test_leave_is_clipped_to_the_window():
    rules = office_hours(leave=(Leave(dt.date(2026, 1, 1), dt.date(2026, 12, 31)),))
    availability = expand(rules, utc(2026, 2, 2, 12), utc(2026, 2, 4))
    assert availability.free == []
    assert [b.interval for b in availability.blocks] == [
        between(utc(2026, 2, 2, 12), utc(2026, 2, 4))
    ]


def test_an_override_with_hours_wins_over_leave_and_bank_holidays():
    rules = office_hours(
        leave=(Leave(dt.date(2026, 12, 21), dt.date(2026, 12, 23)),),
        overrides=(
            DateOverride(dt.date(2026, 12, 22), ((dt.time(10), dt.time(11)),)),
            DateOverride(dt.date(2026, 12, 28), ((dt.time(14), dt.time(15)),)),
        ),
    )
    availability = expand(rules, utc(2026, 12, 21), utc(2026, 12, 29))
    assert availability.free == [
        between(utc(2026, 12, 22, 10), utc(2026, 12, 22, 11)),
        between(utc(2026, 12, 24, 9), utc(2026, 12, 24, 17)),
        between(utc(2026, 12, 28, 14), utc(2026, 12, 28, 15)),
    ]
    labels = [(b.interval.start.date(), b.reason, b.label) for b in availability.blocks]
    assert labels == [
        (dt.date(2026, 12, 21), LEAVE, "Leave"),
        (dt.date(2026, 12, 23), LEAVE, "Leave"),
        (dt.date(2026, 12, 25), BANK_HOLIDAY, "Christmas Day"),
        (dt.date(2026, 12, 26), BANK_HOLIDAY, "Boxing Day"),
    ]


# --- bank holidays -----------------------------------------------------------------------


def test_christmas_2026_in_england():
    availability = expand(office_hours(), utc(2026, 12, 21), utc(2027, 1, 4))
    assert sorted({i.start.date().day for i in availability.free}) == [21, 22, 23, 24, 29, 30, 31]
    assert [(b.interval, b.reason, b.label) for b in availability.blocks] == [
        (between(utc(2026, 12, 25), utc(2026, 12, 26)), BANK_HOLIDAY, "Christmas Day"),
        (between(utc(2026, 12, 26), utc(2026, 12, 27)), BANK_HOLIDAY, "Boxing Day"),
        (between(utc(2026, 12, 28), utc(2026, 12, 29)), BANK_HOLIDAY, "Boxing Day (observed)"),
        (between(utc(2027, 1, 1), utc(2027, 1, 2)), BANK_HOLIDAY, "New Year's Day"),
    ]


def test_st_andrews_day_is_a_holiday_in_scotland_only():
    monday = (utc(2026, 11, 30), utc(2026, 12, 1))
    scottish = expand(office_hours(nation="scotland"), *monday)
    assert scottish.free == []
    assert [(b.reason, b.label) for b in scottish.blocks] == [(BANK_HOLIDAY, "Saint Andrew's Day")]
    for nation in ("england", "wales", "northern-ireland"):
        other = expand(office_hours(nation=nation), *monday)
        assert other.free == [between(utc(2026, 11, 30, 9), utc(2026, 11, 30, 17))]
        assert other.blocks == []


def test_st_patricks_day_is_a_holiday_in_northern_ireland_only():
    tuesday = (utc(2026, 3, 17), utc(2026, 3, 18))
    assert expand(office_hours(nation="northern-ireland"), *tuesday).free == []
    assert expand(office_hours(nation="england"), *tuesday).free != []


def test_easter_2027_around_the_spring_clock_change():
    availability = expand(office_hours(), utc(2027, 3, 22), utc(2027, 4, 3))
    assert [(b.interval, b.label) for b in availability.blocks] == [
        (between(utc(2027, 3, 26), utc(2027, 3, 27)), "Good Friday"),  # GMT
        (between(utc(2027, 3, 28, 23), utc(2027, 3, 29, 23)), "Easter Monday"),  # BST
    ]
    assert availability.free == daily(dt.date(2027, 3, 22), dt.date(2027, 3, 25), 9, 17) + daily(
        dt.date(2027, 3, 30), dt.date(2027, 4, 2), 8, 16
    )


def test_a_peer_may_work_bank_holidays():
    availability = expand(
        office_hours(bank_holidays_block=False), utc(2026, 12, 25), utc(2026, 12, 26)
    )
    assert availability.free == [between(utc(2026, 12, 25, 9), utc(2026, 12, 25, 17))]
    assert availability.blocks == []


# --- busy calendar and seats -------------------------------------------------------------


def test_busy_calendar_events_are_taken_out_and_explained():
    meeting = BusyBlock(
        utc(2026, 1, 6, 10), utc(2026, 1, 6, 11, 30), BUSY_CALENDAR, "Council meeting"
    )
    evening = BusyBlock(utc(2026, 1, 6, 19), utc(2026, 1, 6, 21), BUSY_CALENDAR, "Ward surgery")
    availability = expand(office_hours(), utc(2026, 1, 6), utc(2026, 1, 7), busy=[evening, meeting])
    assert availability.free == [
        between(utc(2026, 1, 6, 9), utc(2026, 1, 6, 10)),
        between(utc(2026, 1, 6, 11, 30), utc(2026, 1, 6, 17)),
    ]
    assert [(b.interval, b.reason, b.label) for b in availability.blocks] == [
        (meeting.interval, BUSY_CALENDAR, "Council meeting"),
        (evening.interval, BUSY_CALENDAR, "Ward surgery"),
    ]


def test_busy_time_outside_the_window_is_clipped():
    overnight = BusyBlock(utc(2026, 1, 5, 20), utc(2026, 1, 6, 10), BUSY_CALENDAR, "Travel")
    availability = expand(office_hours(), utc(2026, 1, 6), utc(2026, 1, 7), busy=[overnight])
    assert availability.free == [between(utc(2026, 1, 6, 10), utc(2026, 1, 6, 17))]
    assert [b.interval for b in availability.blocks] == [
        between(utc(2026, 1, 6), utc(2026, 1, 6, 10))
    ]


def test_seats_are_widened_by_the_buffer_but_calendar_events_are_not():
    rules = office_hours(buffer_minutes=30)
    seat = BusyBlock(utc(2026, 1, 6, 10), utc(2026, 1, 6, 12), SEAT, "Recovery panel, Barnsley")
    event = BusyBlock(utc(2026, 1, 6, 14), utc(2026, 1, 6, 15), BUSY_CALENDAR, "Cabinet")
    hold = BusyBlock(utc(2026, 1, 6, 16), utc(2026, 1, 6, 16, 30), "hold", "Tentative")
    availability = expand(rules, utc(2026, 1, 6), utc(2026, 1, 7), busy=[seat, event, hold])
    assert availability.free == [
        between(utc(2026, 1, 6, 9), utc(2026, 1, 6, 9, 30)),
        between(utc(2026, 1, 6, 12, 30), utc(2026, 1, 6, 14)),
        between(utc(2026, 1, 6, 15), utc(2026, 1, 6, 16)),
        between(utc(2026, 1, 6, 16, 30), utc(2026, 1, 6, 17)),
    ]
    assert [(b.interval, b.reason) for b in availability.blocks] == [
        (between(utc(2026, 1, 6, 9, 30), utc(2026, 1, 6, 12, 30)), SEAT),
        (event.interval, BUSY_CALENDAR),
        (hold.interval, "hold"),
    ]


def test_busy_blocks_are_held_in_utc():
    london = ZoneInfo("Europe/London")
    block = BusyBlock(
        dt.datetime(2026, 6, 1, 10, tzinfo=london), dt.datetime(2026, 6, 1, 11, tzinfo=london)
    )
    assert block.start == utc(2026, 6, 1, 9)
    assert block.start.tzinfo is dt.UTC
    with pytest.raises(ValueError):
        BusyBlock(utc(2026, 6, 1, 11), utc(2026, 6, 1, 10))
    with pytest.raises(ValueError):
        BusyBlock(dt.datetime(2026, 6, 1, 10), dt.datetime(2026, 6, 1, 11))


def test_the_window_must_be_aware():
    with pytest.raises(ValueError, match="timezone-aware"):
        expand(office_hours(), dt.datetime(2026, 1, 5), utc(2026, 1, 6))


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("options", "field", "message"),
    [
        (
            {"weekly": (WeeklyWindow(0, NINE, NINE),)},
            "weekly[0].end",
            "must be after the start (09:00)",
        ),
        (
            {"weekly": (WeeklyWindow(0, FIVE, NINE),)},
            "weekly[0].end",
            "must be after the start (17:00)",
        ),
        (
            {"weekly": (WeeklyWindow(1, NINE, dt.time(12)), WeeklyWindow(1, dt.time(11), FIVE))},
            "weekly[1]",
            "overlaps 09:00-12:00 on Tuesday",
        ),
        (
            {"weekly": (WeeklyWindow(7, NINE, FIVE),)},
            "weekly[0].weekday",
            "must be 0 (Monday) to 6 (Sunday), not 7",
        ),
        ({"weekly": (WeeklyWindow(-1, NINE, FIVE),)}, "weekly[0].weekday", "not -1"),
        ({"time_zone": "Europe/Londn"}, "time_zone", "unknown time zone 'Europe/Londn'"),
        ({"time_zone": "../../etc/passwd"}, "time_zone", "unknown time zone"),
        ({"time_zone": ""}, "time_zone", "IANA"),
        ({"nation": "cornwall"}, "nation", "unknown nation 'cornwall'"),
        ({"buffer_minutes": -5}, "buffer_minutes", "0 or more"),
        (
            {
                "overrides": (
                    DateOverride(dt.date(2026, 5, 5), ((NINE, dt.time(12)), (dt.time(10), FIVE))),
                )
            },
            "overrides[0].windows[1]",
            "overlaps 09:00-12:00 on 2026-05-05",
        ),
        (
            {"overrides": (DateOverride(dt.date(2026, 5, 5), ((FIVE, NINE),)),)},
            "overrides[0].windows[0].end",
            "must be after the start",
        ),
        (
            {
                "overrides": (
                    DateOverride(dt.date(2026, 5, 5), ()),
                    DateOverride(dt.date(2026, 5, 5), ()),
                )
            },
            "overrides[1].date",
            "already has an override",
        ),
        (
            {"overrides": (DateOverride(dt.date(2026, 5, 5), None),)},
            "overrides[0].windows",
            "(start, end) pairs",
        ),
        (
            {"leave": (Leave(dt.date(2026, 5, 5), dt.date(2026, 5, 4)),)},
            "leave[0].last_day",
            "must not be before the first day",
        ),
    ],
)
def test_invalid_rules_name_the_field_and_the_reason(options, field, message):
    with pytest.raises(InvalidAvailability) as caught:
        AvailabilityRules(**options)
    assert caught.value.field == field
    assert message in caught.value.message
    assert isinstance(caught.value, ValueError)


def test_windows_on_different_days_or_touching_are_valid():
    rules = AvailabilityRules(
        weekly=[
            WeeklyWindow(1, NINE, dt.time(12)),
            WeeklyWindow(1, dt.time(12), FIVE),
            WeeklyWindow(2, dt.time(10), FIVE),
        ],
        overrides=[DateOverride(dt.date(2026, 5, 5), [[NINE, FIVE]])],
    )
    assert isinstance(rules.weekly, tuple)
    assert rules.overrides[0].windows == ((NINE, FIVE),)
    hash(rules)  # rules are immutable values


# --- properties --------------------------------------------------------------------------

ZONES = ("Europe/London", "America/New_York", "Asia/Kolkata", "Australia/Lord_Howe")


@st.composite
def day_windows(draw):
    bounds = sorted(draw(st.sets(st.integers(0, 24 * 12 - 1).map(lambda n: n * 5), max_size=6)))
    windows = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        if draw(st.booleans()):
            windows.append((dt.time(start // 60, start % 60), dt.time(end // 60, end % 60)))
    return windows


@st.composite
def rules_and_busy(draw):
    first = draw(
        st.sampled_from([dt.date(2026, 3, 26), dt.date(2026, 10, 22), dt.date(2026, 12, 22)])
    )
    weekly = tuple(
        WeeklyWindow(weekday, start, end)
        for weekday in range(7)
        for start, end in draw(day_windows())
    )
    days = st.integers(0, 9).map(lambda n: first + dt.timedelta(days=n))
    override_days = draw(st.sets(days, max_size=3))
    overrides = tuple(
        DateOverride(day, tuple(draw(day_windows()))) for day in sorted(override_days)
    )
    leave = tuple(
        Leave(day, day + dt.timedelta(days=length))
        for day, length in draw(st.lists(st.tuples(days, st.integers(0, 3)), max_size=2))
    )
    rules = AvailabilityRules(
        time_zone=draw(st.sampled_from(ZONES)),
        weekly=weekly,
        overrides=overrides,
        leave=leave,
        nation=draw(st.sampled_from(["england", "scotland"])),
        bank_holidays_block=draw(st.booleans()),
        buffer_minutes=draw(st.sampled_from([0, 20])),
    )
    start = utc(first.year, first.month, first.day)
    busy = [
        BusyBlock(
            start + dt.timedelta(minutes=offset),
            start + dt.timedelta(minutes=offset + length),
            draw(st.sampled_from([BUSY_CALENDAR, SEAT])),
            "Busy",
        )
        for offset, length in draw(
            st.lists(st.tuples(st.integers(-120, 10 * 1440), st.integers(1, 600)), max_size=5)
        )
    ]
    return rules, busy, start, start + dt.timedelta(days=8)


@settings(max_examples=60, deadline=None)
@given(rules_and_busy())
def test_free_time_is_canonical_inside_the_window_and_clear_of_every_block(case):
    rules, busy, start, end = case
    availability = expand(rules, start, end, busy)
    free = availability.free
    assert merge(free) == free
    assert all(start <= interval.start and interval.end <= end for interval in free)
    assert intersect(free, [block.interval for block in availability.blocks]) == []
    for block in availability.blocks:
        assert start <= block.interval.start and block.interval.end <= end
    # Dropping the busy blocks can only give more time, never less.
    assert intersect(free, expand(rules, start, end).free) == free
