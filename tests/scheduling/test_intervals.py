import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scheduling.engine.intervals import Interval, clip, intersect, merge, subtract, total_duration
from scheduling.engine.uk_time import LONDON

BASE = dt.datetime(2026, 3, 28, tzinfo=dt.UTC)


def at(minute: int) -> dt.datetime:
    return BASE + dt.timedelta(minutes=minute)


def span(start: int, end: int) -> Interval:
    return Interval(at(start), at(end))


def spans(*pairs) -> list[Interval]:
    return [span(start, end) for start, end in pairs]


# --- Interval ----------------------------------------------------------------------------


def test_interval_refuses_naive_datetimes():
    with pytest.raises(ValueError, match="timezone-aware"):
        Interval(dt.datetime(2026, 3, 28, 9), dt.datetime(2026, 3, 28, 10, tzinfo=dt.UTC))


@pytest.mark.parametrize("minutes", [0, -15])
def test_interval_needs_end_after_start(minutes):
    with pytest.raises(ValueError, match="must be after start"):
        Interval(at(60), at(60 + minutes))


def test_interval_holds_utc_whatever_zone_it_was_given_in():
    summer_nine = dt.datetime(2026, 6, 1, 9, tzinfo=LONDON)
    interval = Interval(summer_nine, summer_nine + dt.timedelta(hours=1))
    assert interval.start.tzinfo is dt.UTC
    assert interval.start == dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC)
    assert interval == Interval(
        dt.datetime(2026, 6, 1, 8, tzinfo=dt.UTC), dt.datetime(2026, 6, 1, 9, tzinfo=dt.UTC)
    )


def test_duration_across_the_spring_clock_change_is_real_time():
    # Midnight to 03:00 local on 29 March 2026 is two real hours: 01:00-02:00 never happens.
    interval = Interval(
        dt.datetime(2026, 3, 29, 0, tzinfo=LONDON), dt.datetime(2026, 3, 29, 3, tzinfo=LONDON)
    )
    assert interval.duration == dt.timedelta(hours=2)


def test_overlaps_contains_and_covers_are_half_open():
    morning = span(0, 60)
    assert morning.contains(at(0))
    assert not morning.contains(at(60))
    assert not morning.overlaps(span(60, 120))
    assert morning.overlaps(span(59, 120))
    assert morning.covers(span(10, 60))
    assert not morning.covers(span(10, 61))


# --- worked examples ---------------------------------------------------------------------


def test_merge_joins_overlapping_and_touching_and_sorts():
    merged = merge(spans((120, 180), (0, 60), (60, 90), (30, 45), (200, 210)))
    assert merged == spans((0, 90), (120, 180), (200, 210))
    assert merge([]) == []


def test_subtract_cuts_holes_and_trims_edges():
    free = spans((0, 480))
    busy = spans((60, 120), (-30, 15), (470, 500), (200, 230), (210, 240))
    assert subtract(free, busy) == spans((15, 60), (120, 200), (240, 470))
    assert subtract(free, spans((-10, 600))) == []
    assert subtract(free, []) == free


def test_intersect_keeps_common_time():
    peer_a = spans((0, 120), (240, 360))
    peer_b = spans((60, 300))
    assert intersect(peer_a, peer_b) == spans((60, 120), (240, 300))
    assert intersect(peer_a, []) == []


def test_clip_to_a_window():
    assert clip(spans((0, 120), (240, 360)), at(60), at(300)) == spans((60, 120), (240, 300))


def test_total_duration_counts_shared_time_once():
    assert total_duration(spans((0, 60), (30, 90), (120, 150))) == dt.timedelta(minutes=120)
    assert total_duration([]) == dt.timedelta(0)


# --- properties against a model: a set of whole minutes -----------------------------------


@st.composite
def interval_lists(draw, max_size=8):
    pairs = draw(
        st.lists(
            st.tuples(st.integers(-300, 1500), st.integers(1, 400)),
            max_size=max_size,
        )
    )
    return [span(start, start + length) for start, length in pairs]


def minutes_of(intervals) -> set[int]:
    covered = set()
    for interval in intervals:
        first = (interval.start - BASE) // dt.timedelta(minutes=1)
        last = (interval.end - BASE) // dt.timedelta(minutes=1)
        covered.update(range(first, last))
    return covered


def assert_canonical(intervals):
    assert all(isinstance(interval, Interval) for interval in intervals)
    for interval in intervals:
        assert interval.start < interval.end
    for before, after in zip(intervals, intervals[1:], strict=False):
        assert before.end < after.start  # sorted, disjoint and not touching


@given(interval_lists())
def test_merge_is_canonical_idempotent_and_keeps_the_same_time(intervals):
    merged = merge(intervals)
    assert_canonical(merged)
    assert merge(merged) == merged
    assert minutes_of(merged) == minutes_of(intervals)


@given(interval_lists(), interval_lists())
def test_subtract_matches_set_difference(intervals, removals):
    result = subtract(intervals, removals)
    assert_canonical(result)
    assert minutes_of(result) == minutes_of(intervals) - minutes_of(removals)


@given(interval_lists(), interval_lists())
def test_intersect_matches_set_intersection_and_commutes(a, b):
    result = intersect(a, b)
    assert_canonical(result)
    assert minutes_of(result) == minutes_of(a) & minutes_of(b)
    assert result == intersect(b, a)
    assert intersect(a, a) == merge(a)


@given(interval_lists(), interval_lists(), st.integers(-300, 1500), st.integers(1, 1500))
def test_subtract_then_union_with_the_removed_part_gives_back_the_clipped_original(
    intervals, removals, window_start, window_length
):
    start, end = at(window_start), at(window_start + window_length)
    clipped = clip(intervals, start, end)
    assert_canonical(clipped)
    assert all(start <= i.start and i.end <= end for i in clipped)
    kept = subtract(clipped, removals)
    removed = intersect(clipped, removals)
    assert merge(kept + removed) == clipped
    assert intersect(kept, removals) == []
    assert total_duration(kept) + total_duration(removed) == total_duration(clipped)
