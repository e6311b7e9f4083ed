"""Availability as arrays: the compact form the booking search works on.

A `TimeGrid` cuts time into equal steps from a UTC start. For a list of peers a boolean
matrix `(n_peers, n_slots)` says, at `[p, i]`, whether the whole step
`[start + i*step, start + (i+1)*step)` lies inside one of peer p's free intervals.
`runs_free` then answers "free for a whole panel starting at slot i" for every peer and start
in one vectorised pass.

Two ways produce the matrix and they must agree slot for slot:

- `free_matrix(grid, free_by_peer)` from free intervals (e.g. `expand(...).free`);
- `availability_matrix(grid, rules, busy)` straight from the rules, for many peers at once.

The second never walks a peer's time step by step. Per time zone it works out once the local
wall-clock cell and weekday of every slot; a peer's weekly hours become a small
week-of-cells table (7 x cells per day) that is gathered onto the slots in one indexing
operation; dates with an override, leave or a bank holiday are rewritten with slice
assignments; busy blocks are taken out for all peers together with a difference array.
When a zone's clock change does not fall on a step boundary of the grid (every zone's
changes from 2024 to 2027 fall on 15-minute boundaries, but a grid of hour steps starting at
half past does not line up), that zone's peers go through `expand()` and `free_matrix`
instead, which is exact but slower.
"""

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo

import numpy as np

from scheduling.engine.availability import (
    SEAT,
    AvailabilityRules,
    BusyBlock,
    date_plans,
    expand,
    offset_spans,
    weekly_hours,
)
from scheduling.engine.intervals import Interval, as_utc, merge

ONE_MICROSECOND = dt.timedelta(microseconds=1)
DAY_MICROSECONDS = 86_400_000_000
MINUTE_MICROSECONDS = 60_000_000
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
EPOCH_ORDINAL = dt.date(1970, 1, 1).toordinal()
EPOCH_WEEKDAY = dt.date(1970, 1, 1).weekday()
ALIGNMENT = dt.timedelta(minutes=15)


@dataclass(frozen=True, slots=True)
class TimeGrid:
    """`slots` steps of `step_minutes` from `start` (UTC, on a 15-minute boundary)."""

    start: dt.datetime
    slots: int
    step_minutes: int = 15

    def __post_init__(self):
        start = as_utc(self.start, "start")
        if (start - EPOCH) % ALIGNMENT:
            raise ValueError(f"grid start {start.isoformat()} is not on a 15-minute boundary")
        if isinstance(self.slots, bool) or not isinstance(self.slots, int) or self.slots < 0:
            raise ValueError("slots must be a whole number, 0 or more")
        if (
            isinstance(self.step_minutes, bool)
            or not isinstance(self.step_minutes, int)
            or self.step_minutes < 1
        ):
            raise ValueError("step_minutes must be a whole number of minutes, 1 or more")
        object.__setattr__(self, "start", start)

    @classmethod
    def covering(cls, start: dt.datetime, end: dt.datetime, step_minutes: int = 15) -> "TimeGrid":
        """The smallest grid from the 15-minute boundary at or before `start` through `end`."""
        start = as_utc(start, "start")
        end = as_utc(end, "end")
        aligned = start - (start - EPOCH) % ALIGNMENT
        step = dt.timedelta(minutes=step_minutes)
        slots = max(0, -((aligned - end) // step))
        return cls(aligned, slots, step_minutes)

    @property
    def step(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.step_minutes)

    @property
    def end(self) -> dt.datetime:
        return self.start + self.slots * self.step

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)

    def index_of(self, moment: dt.datetime) -> int:
        """The slot containing `moment`; `end` itself maps to `slots` (one past the last)."""
        moment = as_utc(moment, "moment")
        if not self.start <= moment <= self.end:
            raise ValueError(
                f"{moment.isoformat()} is outside the grid "
                f"{self.start.isoformat()} - {self.end.isoformat()}"
            )
        return (moment - self.start) // self.step

    def time_of(self, index: int) -> dt.datetime:
        """The UTC start of slot `index` (`slots` gives the grid's end)."""
        if not 0 <= index <= self.slots:
            raise IndexError(f"slot {index} is outside 0..{self.slots}")
        return self.start + index * self.step


def free_matrix(grid: TimeGrid, free_by_peer: Sequence[Iterable[Interval]]) -> np.ndarray:
    """`[p, i]` is True when slot i lies wholly inside one of peer p's free intervals."""
    step = grid.step_minutes * MINUTE_MICROSECONDS
    rows, lows, highs = [], [], []
    for peer, intervals in enumerate(free_by_peer):
        for interval in merge(intervals):
            start = (interval.start - grid.start) // ONE_MICROSECOND
            end = (interval.end - grid.start) // ONE_MICROSECOND
            rows.append(peer)
            lows.append(-(-start // step))  # first step starting at or after the start
            highs.append(end // step)  # steps ending at or before the end
    return _runs_marked(len(free_by_peer), grid.slots, rows, lows, highs)


def runs_free(matrix: np.ndarray, length: int) -> np.ndarray:
    """`[p, i]` is True when slots i .. i+length-1 are all free for peer p.

    The result has `n_slots - length + 1` columns (none when the run is longer than the grid).
    """
    matrix = np.asarray(matrix, dtype=bool)
    if length < 1:
        raise ValueError("a run is at least one slot long")
    peers, slots = matrix.shape
    if length > slots:
        return np.zeros((peers, 0), dtype=bool)
    # AND the matrix with itself shifted, doubling the span each time (`power[:, i]`: slots
    # i .. i+span-1 all free), and take the spans that make up `length`: a few passes over
    # bytes instead of a running sum.
    width = slots - length + 1
    runs = np.ones((peers, width), dtype=bool)
    power, span, offset, left = matrix, 1, 0, length
    while left:
        if left & 1:
            runs &= power[:, offset : offset + width]
            offset += span
        left >>= 1
        if left:
            power = power[:, :-span] & power[:, span:]
            span *= 2
    return runs


def availability_matrix(
    grid: TimeGrid,
    rules: Sequence[AvailabilityRules],
    busy: Sequence[Iterable[BusyBlock]] | None = None,
) -> np.ndarray:
    """The same matrix as `free_matrix` over `expand(rules[p], grid.start, grid.end,
    busy[p]).free`, computed for all peers together."""
    peers = len(rules)
    if busy is None:
        busy = [()] * peers
    elif len(busy) != peers:
        raise ValueError(f"{len(busy)} busy lists for {peers} peers")
    matrix = np.zeros((peers, grid.slots), dtype=bool)
    if grid.slots == 0:
        return matrix

    by_zone: dict[str, list[int]] = defaultdict(list)
    for peer, peer_rules in enumerate(rules):
        by_zone[peer_rules.time_zone].append(peer)
    for zone_key, zone_peers in by_zone.items():
        layout = _zone_layout(grid, zone_key)
        if layout is None:
            for peer in zone_peers:
                free = expand(rules[peer], grid.start, grid.end).free
                matrix[peer] = free_matrix(grid, [free])[0]
            continue
        _mark_rules(matrix, layout, rules, zone_peers)

    matrix &= ~_busy_matrix(grid, rules, busy)
    return matrix


def busy_mask(grid: TimeGrid, peers: int, rows, starts, ends) -> np.ndarray:
    """`[p, i]` is True when slot i overlaps any `[starts[k], ends[k])` of peer `rows[k]`.

    The bulk path for imported calendars: times are UTC POSIX seconds in numpy arrays, so
    hundreds of thousands of events never become Python objects. (Seats, which the peer's
    buffer widens, go through `availability_matrix`'s busy blocks instead.)
    """
    step = grid.step_minutes * 60
    origin = grid.start.timestamp()
    lows = np.floor((np.asarray(starts, dtype=np.float64) - origin) / step).astype(np.int64)
    highs = np.ceil((np.asarray(ends, dtype=np.float64) - origin) / step).astype(np.int64)
    return _runs_marked(peers, grid.slots, rows, lows, highs)


# --- the array path ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _ZoneLayout:
    """Where each slot of a grid falls on the local wall clock of one zone."""

    cell: int  # microseconds of wall time per cell; divides the step and every slot's time
    cells_per_day: int
    run: int  # cells per step
    week_cell: np.ndarray  # per slot: weekday * cells_per_day + cell of the day
    day_cell: np.ndarray  # per slot: cell of the day
    days: dict  # local date -> slice of the slots on it
    first_day: dt.date
    last_day: dt.date


@lru_cache(maxsize=64)
def _zone_layout(grid: TimeGrid, zone_key: str) -> _ZoneLayout | None:
    """None when this zone cannot use the table: an offset change inside a step, a clock
    going back over midnight, or wall times that are not whole minutes."""
    zone = ZoneInfo(zone_key)
    step = grid.step_minutes * MINUTE_MICROSECONDS
    offsets = np.empty(grid.slots, dtype=np.int64)
    for span_start, span_end, offset in offset_spans(zone, grid.start, grid.end):
        low = (span_start - grid.start) // ONE_MICROSECOND
        high = (span_end - grid.start) // ONE_MICROSECOND
        if low % step:
            return None
        offsets[low // step : -(-high // step)] = offset // ONE_MICROSECOND
    start = (grid.start - EPOCH) // ONE_MICROSECOND
    wall = start + np.arange(grid.slots, dtype=np.int64) * step + offsets
    day = wall // DAY_MICROSECONDS
    time_of_day = wall % DAY_MICROSECONDS
    cell = math.gcd(step, int(np.gcd.reduce(time_of_day)))
    if cell < MINUTE_MICROSECONDS or DAY_MICROSECONDS % cell:
        return None
    cells_per_day = DAY_MICROSECONDS // cell
    day_cell = time_of_day // cell
    weekday = (day + EPOCH_WEEKDAY) % 7
    week_cell = weekday * cells_per_day + day_cell
    # The layout is cached and shared: keep callers from writing into it.
    week_cell.flags.writeable = False
    day_cell.flags.writeable = False
    if np.any(np.diff(day) < 0):
        # A clock going back over midnight would revisit the previous date; no zone does this
        # today (they fall back at 24:00 or later), so leave it to the exact path.
        return None
    numbers, firsts, counts = np.unique(day, return_index=True, return_counts=True)
    days = {
        dt.date.fromordinal(int(number) + EPOCH_ORDINAL): slice(int(first), int(first + count))
        for number, first, count in zip(numbers, firsts, counts, strict=True)
    }
    return _ZoneLayout(
        cell=cell,
        cells_per_day=cells_per_day,
        run=step // cell,
        week_cell=week_cell,
        day_cell=day_cell,
        days=days,
        first_day=min(days),
        last_day=max(days),
    )


def _mark_rules(
    matrix: np.ndarray,
    layout: _ZoneLayout,
    rules: Sequence[AvailabilityRules],
    zone_peers: list[int],
) -> None:
    """Weekly hours gathered onto the slots, then each date that differs rewritten."""
    tables: dict[tuple, int] = {}
    table_of_peer = []
    for peer in zone_peers:
        hours = weekly_hours(rules[peer].weekly)
        table_of_peer.append(tables.setdefault(hours, len(tables)))
    week_tables = np.stack(
        [_week_runs(hours, layout.cell, layout.cells_per_day, layout.run) for hours in tables]
    )
    gathered = week_tables[:, layout.week_cell]
    matrix[np.asarray(zone_peers)] = gathered[np.asarray(table_of_peer)]
    for peer in zone_peers:
        plans = date_plans(rules[peer], layout.first_day, layout.last_day)
        row = matrix[peer]
        for day, plan in plans.items():
            where = layout.days.get(day)
            if where is None:
                continue
            if plan.reason:
                row[where] = False
            else:
                runs = _day_runs(plan.windows, layout.cell, layout.cells_per_day, layout.run)
                row[where] = runs[layout.day_cell[where]]


@lru_cache(maxsize=4096)
def _week_runs(hours: tuple, cell: int, cells_per_day: int, run: int) -> np.ndarray:
    """Per weekday and cell of the day: does a whole step starting there fit the hours?"""
    cells = np.zeros((7, cells_per_day), dtype=bool)
    for weekday, windows in enumerate(hours):
        _mark_windows(cells[weekday], windows, cell)
    runs = _runs_in_day(cells, run).ravel()
    runs.flags.writeable = False  # cached and shared
    return runs


@lru_cache(maxsize=4096)
def _day_runs(windows: tuple, cell: int, cells_per_day: int, run: int) -> np.ndarray:
    cells = np.zeros((1, cells_per_day), dtype=bool)
    _mark_windows(cells[0], windows, cell)
    runs = _runs_in_day(cells, run)[0]
    runs.flags.writeable = False  # cached and shared
    return runs


def grid_caches_clear() -> None:
    """Forget the zone layouts and the weekly and daily runs kept between calls, so that a
    benchmark can time a cold start."""
    for cached in (_zone_layout, _week_runs, _day_runs):
        cached.cache_clear()


def _mark_windows(cells: np.ndarray, windows: tuple, cell: int) -> None:
    for start, end in windows:  # merged, so touching windows already form one
        cells[-(-start // cell) : end // cell] = True


def _runs_in_day(cells: np.ndarray, run: int) -> np.ndarray:
    """A step covers `run` cells and must not cross local midnight."""
    if run == 1:
        return cells
    runs = np.zeros_like(cells)
    width = cells.shape[1] - run + 1
    if width > 0:
        counts = np.zeros((cells.shape[0], cells.shape[1] + 1), dtype=np.int32)
        np.cumsum(cells, axis=1, dtype=np.int32, out=counts[:, 1:])
        runs[:, :width] = (counts[:, run:] - counts[:, :-run]) == run
    return runs


def _busy_matrix(
    grid: TimeGrid,
    rules: Sequence[AvailabilityRules],
    busy: Sequence[Iterable[BusyBlock]],
) -> np.ndarray:
    """`[p, i]` is True when slot i overlaps any busy time of peer p (seats with buffer)."""
    step = grid.step_minutes * MINUTE_MICROSECONDS
    origin = grid.start
    starts: list[int] = []
    ends: list[int] = []
    seats: list[bool] = []
    counts = np.zeros(len(busy), dtype=np.int64)
    buffers = np.array([peer_rules.buffer_minutes for peer_rules in rules], dtype=np.int64)
    # Comprehensions rather than one loop with appends: this is the hot loop of the build.
    for peer, blocks in enumerate(busy):
        blocks = blocks if isinstance(blocks, list | tuple) else list(blocks)
        counts[peer] = len(blocks)
        starts.extend([(block.start - origin) // ONE_MICROSECOND for block in blocks])
        ends.extend([(block.end - origin) // ONE_MICROSECOND for block in blocks])
        if buffers[peer]:
            seats.extend([block.reason == SEAT for block in blocks])
        else:
            seats.extend([False] * len(blocks))
    rows = np.repeat(np.arange(len(busy), dtype=np.int64), counts)
    # panels.clash_interval on arrays: a seat blocks [start - buffer, end + buffer).
    widen = np.asarray(seats, dtype=bool) * buffers[rows] * MINUTE_MICROSECONDS
    lows = (np.asarray(starts, dtype=np.int64) - widen) // step  # the step holding the start
    highs = -(-(np.asarray(ends, dtype=np.int64) + widen) // step)  # first step after the end
    return _runs_marked(len(busy), grid.slots, rows, lows, highs)


# Below one covered cell in this many, runs are marked cell by cell instead of by a running sum.
SPARSE_RUNS = 8


def _runs_marked(peers: int, slots: int, rows, lows, highs) -> np.ndarray:
    """Rows of slots marked True over each `[low, high)`, clipped to the grid."""
    matrix_width = slots + 1
    if len(rows) == 0:
        return np.zeros((peers, slots), dtype=bool)
    rows = np.asarray(rows, dtype=np.int64)
    lows = np.clip(np.asarray(lows, dtype=np.int64), 0, slots)
    highs = np.clip(np.asarray(highs, dtype=np.int64), 0, slots)
    keep = lows < highs
    rows, lows, highs = rows[keep], lows[keep], highs[keep]
    lengths = highs - lows
    covered_cells = int(lengths.sum())
    if covered_cells * SPARSE_RUNS < peers * slots:
        # Few runs (a pool's seats): mark their cells directly rather than summing over the
        # whole matrix. Each run's cells are its first cell plus 0 .. length - 1.
        marked = np.zeros((peers, slots), dtype=bool)
        first_cells = np.repeat(rows * slots + lows, lengths)
        run_starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
        marked.ravel()[first_cells + np.arange(covered_cells) - run_starts] = True
        return marked
    size = peers * matrix_width
    # A difference array: +1 where a run starts, -1 just after it ends, then a running sum.
    change = np.bincount(rows * matrix_width + lows, minlength=size).astype(np.int32)
    change -= np.bincount(rows * matrix_width + highs, minlength=size).astype(np.int32)
    covered = np.cumsum(change.reshape(peers, matrix_width)[:, :slots], axis=1, dtype=np.int32)
    return covered > 0
