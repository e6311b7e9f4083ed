import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from scheduling.engine.availability import (
    BUSY_CALENDAR,
    SEAT,
    AvailabilityRules,
    BusyBlock,
    DateOverride,
    Leave,
    WeeklyWindow,
    expand,
)
from scheduling.engine.grid import (
    TimeGrid,
    _zone_layout,
    availability_matrix,
    free_matrix,
    runs_free,
)
from scheduling.engine.intervals import Interval


def utc(year, month, day, hour=0, minute=0, second=0) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, second, tzinfo=dt.UTC)


def office_hours(**options) -> AvailabilityRules:
    weekly = tuple(WeeklyWindow(d, dt.time(9), dt.time(17)) for d in range(5))
    return AvailabilityRules(weekly=weekly, **options)


def interval_path(grid, rules, busy=None):
    busy = busy if busy is not None else [()] * len(rules)
    return free_matrix(
        grid, [expand(r, grid.start, grid.end, b).free for r, b in zip(rules, busy, strict=True)]
    )


# --- TimeGrid ----------------------------------------------------------------------------


def test_grid_maps_slots_to_times_and_back():
    grid = TimeGrid(utc(2026, 3, 23), 96 * 14)
    assert grid.step == dt.timedelta(minutes=15)
    assert grid.end == utc(2026, 4, 6)
    assert grid.time_of(0) == utc(2026, 3, 23)
    assert grid.time_of(37) == utc(2026, 3, 23, 9, 15)
    assert grid.index_of(utc(2026, 3, 23, 9, 15)) == 37
    assert grid.index_of(utc(2026, 3, 23, 9, 29, 59)) == 37  # the slot holding the moment
    assert grid.index_of(grid.end) == grid.slots
    for index in (0, 1, 500, grid.slots):
        assert grid.index_of(grid.time_of(index)) == index


def test_grid_index_of_accepts_any_zone_and_counts_real_time():
    grid = TimeGrid(utc(2026, 3, 28), 96 * 3)
    # 09:00 BST on 30 March is 08:00 UTC: two days and 32 slots in.
    nine_local = dt.datetime(2026, 3, 30, 9, tzinfo=ZoneInfo("Europe/London"))
    assert grid.index_of(nine_local) == 2 * 96 + 32


def test_grid_refuses_bad_input():
    with pytest.raises(ValueError, match="15-minute boundary"):
        TimeGrid(utc(2026, 1, 5, 9, 7), 10)
    with pytest.raises(ValueError, match="timezone-aware"):
        TimeGrid(dt.datetime(2026, 1, 5), 10)
    with pytest.raises(ValueError, match="slots"):
        TimeGrid(utc(2026, 1, 5), -1)
    with pytest.raises(ValueError, match="step_minutes"):
        TimeGrid(utc(2026, 1, 5), 4, 0)
    grid = TimeGrid(utc(2026, 1, 5), 4)
    with pytest.raises(ValueError, match="outside the grid"):
        grid.index_of(utc(2026, 1, 4, 23, 59))
    with pytest.raises(ValueError, match="outside the grid"):
        grid.index_of(utc(2026, 1, 5, 1, 0, 1))
    with pytest.raises(IndexError):
        grid.time_of(5)


def test_grid_covering_a_window():
    grid = TimeGrid.covering(utc(2026, 1, 5, 9, 10), utc(2026, 1, 5, 10, 1))
    assert grid.start == utc(2026, 1, 5, 9)
    assert grid.end == utc(2026, 1, 5, 10, 15)
    assert grid.slots == 5


# --- free_matrix and runs_free -----------------------------------------------------------


def test_a_slot_is_free_only_when_wholly_inside_free_time():
    grid = TimeGrid(utc(2026, 1, 5, 8), 12)  # 08:00-11:00
    matrix = free_matrix(
        grid,
        [
            [Interval(utc(2026, 1, 5, 9), utc(2026, 1, 5, 10))],
            [Interval(utc(2026, 1, 5, 9, 10), utc(2026, 1, 5, 10, 5))],
            # Two touching pieces make one stretch, so 09:00-09:15 is free.
            [
                Interval(utc(2026, 1, 5, 9), utc(2026, 1, 5, 9, 10)),
                Interval(utc(2026, 1, 5, 9, 10), utc(2026, 1, 5, 9, 30)),
            ],
            [Interval(utc(2026, 1, 5, 6), utc(2026, 1, 5, 8, 30))],
            [],
        ],
    )
    assert matrix.dtype == bool
    assert matrix.shape == (5, 12)
    assert np.flatnonzero(matrix[0]).tolist() == [4, 5, 6, 7]
    assert np.flatnonzero(matrix[1]).tolist() == [5, 6, 7]
    assert np.flatnonzero(matrix[2]).tolist() == [4, 5]
    assert np.flatnonzero(matrix[3]).tolist() == [0, 1]
    assert not matrix[4].any()


def test_runs_free_finds_every_start_of_a_long_enough_run():
    matrix = np.array(
        [
            [1, 1, 1, 0, 1, 1, 1, 1],
            [0, 0, 0, 0, 0, 0, 0, 0],
            [1, 1, 1, 1, 1, 1, 1, 1],
        ],
        dtype=bool,
    )
    runs = runs_free(matrix, 3)
    assert runs.shape == (3, 6)
    assert runs[0].tolist() == [True, False, False, False, True, True]
    assert not runs[1].any()
    assert runs[2].all()
    assert (runs_free(matrix, 1) == matrix).all()
    assert runs_free(matrix, 9).shape == (3, 0)
    with pytest.raises(ValueError):
        runs_free(matrix, 0)


@given(
    hnp.arrays(bool, st.tuples(st.integers(1, 4), st.integers(1, 40))),
    st.integers(1, 45),
)
def test_runs_free_agrees_with_checking_each_start(matrix, length):
    runs = runs_free(matrix, length)
    peers, slots = matrix.shape
    assert runs.shape == (peers, max(0, slots - length + 1))
    for peer in range(peers):
        for start in range(runs.shape[1]):
            assert runs[peer, start] == matrix[peer, start : start + length].all()


# --- the array path against the interval path --------------------------------------------


def test_array_path_keeps_local_hours_across_the_spring_clock_change():
    grid = TimeGrid(utc(2026, 3, 23), 96 * 14)
    rules = [office_hours(bank_holidays_block=False)]
    matrix = availability_matrix(grid, rules)
    free_slots = set(np.flatnonzero(matrix[0]).tolist())
    expected = set()
    for day in range(14):
        if day % 7 < 5:
            first_hour = 9 if day < 7 else 8  # 09:00 local is 09:00 UTC, then 08:00 UTC
            base = day * 96 + first_hour * 4
            expected.update(range(base, base + 32))
    assert free_slots == expected
    assert (matrix == interval_path(grid, rules)).all()


def test_array_path_for_a_panel_of_peers_in_several_zones():
    grid = TimeGrid(utc(2026, 10, 19), 96 * 21)  # London goes back on 25 Oct, New York on 1 Nov
    rules = [
        office_hours(buffer_minutes=30),
        office_hours(time_zone="America/New_York", nation="wales"),
        office_hours(time_zone="Asia/Kolkata", nation="scotland", bank_holidays_block=False),
        office_hours(
            overrides=(
                DateOverride(dt.date(2026, 10, 24), ((dt.time(10), dt.time(12, 30)),)),
                DateOverride(dt.date(2026, 10, 27), ()),
            ),
            leave=(Leave(dt.date(2026, 11, 2), dt.date(2026, 11, 4)),),
        ),
        office_hours(time_zone="Europe/London"),
    ]
    busy = [
        [BusyBlock(utc(2026, 10, 20, 10), utc(2026, 10, 20, 13), SEAT, "Panel")],
        [BusyBlock(utc(2026, 10, 28, 14, 5), utc(2026, 10, 28, 15), BUSY_CALENDAR, "Cabinet")],
        [],
        [BusyBlock(utc(2026, 10, 30, 9, 59, 59), utc(2026, 10, 30, 10), BUSY_CALENDAR, "Call")],
        [BusyBlock(utc(2026, 10, 1), utc(2026, 12, 1), BUSY_CALENDAR, "Sabbatical")],
    ]
    matrix = availability_matrix(grid, rules, busy)
    assert (matrix == interval_path(grid, rules, busy)).all()
    assert not matrix[4].any()
    # The seat 10:00-13:00 UTC with a 30-minute buffer clears 09:30-13:30 UTC.
    tuesday = 1 * 96
    assert not matrix[0, tuesday + 38 : tuesday + 54].any()
    assert matrix[0, tuesday + 36 : tuesday + 38].all()  # 09:00-09:30 UTC (08:00 BST start)
    # Three-hour panels: in the first week the London peer can start 08:00-13:00 UTC daily.
    panel_starts = runs_free(matrix, 12)
    monday = np.flatnonzero(panel_starts[0, :96]).tolist()
    assert monday == list(range(32, 53))


def test_busy_list_must_match_the_peers():
    grid = TimeGrid(utc(2026, 1, 5), 96)
    with pytest.raises(ValueError, match="busy lists"):
        availability_matrix(grid, [office_hours(), office_hours()], [[]])


def test_an_empty_grid_or_no_peers():
    assert availability_matrix(TimeGrid(utc(2026, 1, 5), 0), [office_hours()]).shape == (1, 0)
    assert availability_matrix(TimeGrid(utc(2026, 1, 5), 96), []).shape == (0, 96)


def test_a_clock_change_inside_a_step_is_handled_exactly():
    # Hour-long steps starting at half past: London's change at 01:00 UTC falls mid-step,
    # so this zone cannot use the per-slot wall-clock table.
    grid = TimeGrid(utc(2026, 3, 28, 0, 30), 24 * 3, step_minutes=60)
    assert _zone_layout(grid, "Europe/London") is None
    rules = [
        AvailabilityRules(weekly=tuple(WeeklyWindow(d, dt.time(0), dt.time(3)) for d in range(7))),
        office_hours(time_zone="Asia/Kolkata"),
    ]
    matrix = availability_matrix(grid, rules)
    assert (matrix == interval_path(grid, rules)).all()
    # Free 00:00-03:00 UTC on 28 March (GMT), 00:00-02:00 UTC on 29 March (the change), then
    # 23:00-02:00 UTC (BST); steps run from half past, so only those wholly inside count.
    assert np.flatnonzero(matrix[0]).tolist() == [0, 1, 24, 47, 48, 71]


ZONES = (
    "Europe/London",
    "America/New_York",
    "Asia/Kolkata",
    "Asia/Kathmandu",  # UTC+05:45
    "America/St_Johns",  # UTC-03:30 with DST
    "Australia/Lord_Howe",  # a half-hour clock change
    "Australia/Sydney",
    "Pacific/Chatham",  # UTC+12:45 with DST
    "America/Santiago",  # changes at midnight, so a local date can start twice
)
FIRST_DAYS = (
    dt.date(2026, 3, 6),  # New York forward 8 March
    dt.date(2026, 3, 27),  # London forward 29 March
    dt.date(2026, 4, 3),  # Sydney, Lord Howe, Chatham and Santiago back 5 April
    dt.date(2026, 9, 4),  # Santiago forward 6 September
    dt.date(2026, 9, 25),  # Chatham forward 27 September
    dt.date(2026, 10, 2),  # Sydney and Lord Howe forward 4 October
    dt.date(2026, 10, 23),  # London back 25 October
    dt.date(2026, 10, 30),  # New York back 1 November
    dt.date(2026, 12, 23),  # Christmas
    dt.date(2027, 3, 26),  # Easter and London forward 28 March 2027
    dt.date(2027, 10, 29),  # London back 31 October 2027
)


@st.composite
def day_windows(draw):
    # Five-minute boundaries, so some windows do not fill their first or last slot.
    bounds = sorted(draw(st.sets(st.integers(0, 24 * 12 - 1).map(lambda n: n * 5), max_size=6)))
    if draw(st.booleans()):
        bounds = sorted(set(bounds) | {23 * 60 + 59})
    windows = []
    for start, end in zip(bounds, bounds[1:], strict=False):
        if draw(st.booleans()):  # consecutive pairs: sometimes touching, never overlapping
            windows.append((dt.time(start // 60, start % 60), dt.time(end // 60, end % 60)))
    return tuple(windows)


@st.composite
def peer_rules(draw, first_day: dt.date, days: int):
    weekly = tuple(
        WeeklyWindow(weekday, start, end)
        for weekday in range(7)
        for start, end in draw(day_windows())
    )
    some_day = st.integers(-1, days).map(lambda n: first_day + dt.timedelta(days=n))
    overrides = tuple(
        DateOverride(day, draw(day_windows()))
        for day in sorted(draw(st.sets(some_day, max_size=3)))
    )
    leave = tuple(
        Leave(day, day + dt.timedelta(days=length))
        for day, length in draw(st.lists(st.tuples(some_day, st.integers(0, 4)), max_size=2))
    )
    return AvailabilityRules(
        time_zone=draw(st.sampled_from(ZONES)),
        weekly=weekly,
        overrides=overrides,
        leave=leave,
        nation=draw(st.sampled_from(["england", "wales", "scotland", "northern-ireland"])),
        bank_holidays_block=draw(st.booleans()),
        buffer_minutes=draw(st.sampled_from([0, 10, 30])),
    )


@st.composite
def busy_blocks(draw, start: dt.datetime, minutes: int):
    blocks = []
    for offset, length, reason in draw(
        st.lists(
            st.tuples(
                st.integers(-180 * 60, (minutes + 60) * 60),  # seconds, not only whole slots
                st.integers(1, 8 * 3600),
                st.sampled_from([BUSY_CALENDAR, SEAT, "hold"]),
            ),
            max_size=6,
        )
    ):
        begins = start + dt.timedelta(seconds=offset)
        blocks.append(BusyBlock(begins, begins + dt.timedelta(seconds=length), reason, "Busy"))
    return blocks


@st.composite
def panels(draw):
    first_day = draw(st.sampled_from(FIRST_DAYS))
    step = draw(st.sampled_from([15, 15, 30, 60]))
    start = utc(first_day.year, first_day.month, first_day.day) + dt.timedelta(
        minutes=15 * draw(st.integers(0, 95))
    )
    slots = draw(st.integers(1, 5 * 24 * 60 // step))
    grid = TimeGrid(start, slots, step)
    days = slots * step // 1440 + 2
    peers = draw(st.integers(1, 4))
    rules = [draw(peer_rules(first_day, days)) for _ in range(peers)]
    busy = [draw(busy_blocks(start, slots * step)) for _ in range(peers)]
    return grid, rules, busy


@settings(max_examples=150, deadline=None)
@given(panels())
def test_array_path_equals_expand_then_free_matrix(case):
    grid, rules, busy = case
    assert (availability_matrix(grid, rules, busy) == interval_path(grid, rules, busy)).all()


def test_busy_mask_agrees_with_busy_blocks():
    """The bulk path for imported events marks exactly what busy blocks would."""
    import random

    from scheduling.engine.availability import BusyBlock
    from scheduling.engine.grid import _busy_matrix, busy_mask

    rng = random.Random(3)
    grid = TimeGrid(dt.datetime(2026, 10, 19, tzinfo=dt.UTC), 7 * 96)
    rules = [AvailabilityRules(buffer_minutes=30) for _ in range(5)]
    blocks = [[] for _ in rules]
    rows, starts, ends = [], [], []
    for _ in range(300):
        peer = rng.randrange(len(rules))
        begin = grid.start + dt.timedelta(seconds=rng.randrange(-86_400, 8 * 86_400))
        finish = begin + dt.timedelta(seconds=rng.randrange(1, 4 * 3600))
        blocks[peer].append(BusyBlock(start=begin, end=finish))
        rows.append(peer)
        starts.append(begin.timestamp())
        ends.append(finish.timestamp())
    expected = _busy_matrix(grid, rules, blocks)
    assert expected.any()
    assert (
        busy_mask(grid, len(rules), np.array(rows), np.array(starts), np.array(ends)) == expected
    ).all()


@settings(max_examples=150, deadline=None)
@given(
    st.integers(1, 6),
    st.integers(1, 200),
    st.lists(st.tuples(st.integers(0, 5), st.integers(-20, 220), st.integers(0, 60)), max_size=40),
)
def test_busy_mask_marks_every_run_whether_few_or_many(peers, slots, runs):
    """Few runs (a pool's seats) are marked cell by cell, many by a running sum: either way,
    exactly the slots some run overlaps."""
    from scheduling.engine.grid import busy_mask

    grid = TimeGrid(dt.datetime(2026, 10, 19, tzinfo=dt.UTC), slots)
    runs = [(peer % peers, first, first + length) for peer, first, length in runs]
    expected = np.zeros((peers, slots), dtype=bool)
    for peer, first, last in runs:
        expected[peer, max(first, 0) : max(min(last, slots), 0)] = True
    origin, step = grid.start.timestamp(), grid.step_minutes * 60
    found = busy_mask(
        grid,
        peers,
        np.array([peer for peer, _, _ in runs], dtype=np.int64),
        np.array([origin + first * step for _, first, _ in runs], dtype=np.float64),
        np.array([origin + last * step for _, _, last in runs], dtype=np.float64),
    )
    assert (found == expected).all()
