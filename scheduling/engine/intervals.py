"""Half-open time intervals in UTC and the algebra over lists of them.

An `Interval` is `[start, end)`: it contains `start` and stops just before `end`, so two
intervals that touch (`a.end == b.start`) share no instant and their union has no gap.
Every function here takes any iterable of intervals, in any order, and returns a sorted list
of disjoint, non-empty intervals in which no two touch (the canonical form that `merge`
produces). Endpoints are kept as UTC datetimes because arithmetic on datetimes that share a
local ZoneInfo is wall-clock arithmetic and goes wrong across a clock change.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from scheduling.engine.uk_time import require_aware


def as_utc(moment: datetime, name: str = "datetime") -> datetime:
    """`moment` in UTC; a naive datetime is refused rather than guessed at."""
    return require_aware(moment, name).astimezone(UTC)


@dataclass(frozen=True, slots=True, order=True)
class Interval:
    """`[start, end)` between two aware datetimes, held in UTC."""

    start: datetime
    end: datetime

    def __post_init__(self):
        start = as_utc(self.start, "start")
        end = as_utc(self.end, "end")
        if end <= start:
            raise ValueError(f"end {end.isoformat()} must be after start {start.isoformat()}")
        # Normalise to UTC so that equality, hashing and subtraction are about instants.
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def duration(self) -> timedelta:
        return self.end - self.start

    def overlaps(self, other: "Interval") -> bool:
        return self.start < other.end and other.start < self.end

    def contains(self, moment: datetime) -> bool:
        return self.start <= moment < self.end

    def covers(self, other: "Interval") -> bool:
        return self.start <= other.start and other.end <= self.end


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """The union as sorted, disjoint intervals; overlapping or touching ones are joined."""
    ordered = sorted(intervals)
    merged: list[Interval] = []
    start = end = None
    for interval in ordered:
        if end is not None and interval.start <= end:
            if interval.end > end:
                end = interval.end
            continue
        if end is not None:
            merged.append(Interval(start, end))
        start, end = interval.start, interval.end
    if end is not None:
        merged.append(Interval(start, end))
    return merged


def subtract(intervals: Iterable[Interval], removals: Iterable[Interval]) -> list[Interval]:
    """The instants in `intervals` that are in none of `removals`."""
    kept = merge(intervals)
    cuts = merge(removals)
    result: list[Interval] = []
    j = 0
    for interval in kept:
        start = interval.start
        # Cuts wholly before this interval cannot touch any later interval either.
        while j < len(cuts) and cuts[j].end <= start:
            j += 1
        k = j
        while k < len(cuts) and cuts[k].start < interval.end:
            cut = cuts[k]
            if cut.start > start:
                result.append(Interval(start, cut.start))
            start = max(start, cut.end)
            if start >= interval.end:
                break
            k += 1
        if start < interval.end:
            result.append(Interval(start, interval.end))
    return result


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The instants in both `a` and `b`."""
    left = merge(a)
    right = merge(b)
    result: list[Interval] = []
    i = j = 0
    while i < len(left) and j < len(right):
        start = max(left[i].start, right[j].start)
        end = min(left[i].end, right[j].end)
        if start < end:
            result.append(Interval(start, end))
        if left[i].end <= right[j].end:
            i += 1
        else:
            j += 1
    return result


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    """The parts of `intervals` inside `[start, end)`."""
    return intersect(intervals, [Interval(start, end)])


def total_duration(intervals: Iterable[Interval]) -> timedelta:
    """The length of the union (an instant covered twice counts once)."""
    return sum((interval.duration for interval in merge(intervals)), timedelta(0))
