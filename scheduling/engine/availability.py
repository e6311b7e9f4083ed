"""A peer's availability rules and their expansion into free time in UTC.

Rules are stated the way a peer thinks of them, in the peer's own IANA time zone: weekly hours
(several windows a day allowed), date overrides, leave, whether bank holidays of the peer's
nation block the day, and a buffer kept clear around sessions the peer already sits on.
Busy times that are already instants (imported calendar events, seats) come in as UTC
`BusyBlock`s.

`expand()` turns rules into `Availability`: the free intervals inside a window and the blocks
that explain what took time away. `scheduling.engine.grid.availability_matrix` computes the same free
time straight into an array for many peers at once; the two must agree slot for slot.

How a local window becomes instants. The window "09:00-17:00 on a date" means every instant
whose wall-clock time in the peer's zone falls on that date at or after 09:00 and before
17:00, so 09:00 stays 09:00 local across a clock change. At the edges of a clock change this
definition settles the odd cases without guessing:

- a wall time that does not exist (skipped when clocks go forward) is reached at the instant
  the clocks jump: 01:30-03:00 on 29 March 2026 in London is 02:00-03:00 BST (one real hour);
- a wall time that happens twice (clocks go back) counts both times: 00:00-03:00 on
  25 October 2026 in London is four real hours, 23:00 UTC to 03:00 UTC.

Precedence on one local date, most specific first: a date override (its hours replace the
weekly hours, and an override with hours is how a peer offers time on a bank holiday or a day
of leave), then leave, then a bank holiday (when `bank_holidays_block`), then the weekly hours.
Busy blocks are then taken out of whatever is left; seats are widened by `buffer_minutes` on
both sides first.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from scheduling.engine.intervals import Interval, as_utc, clip, subtract
from scheduling.engine.panels import clash_interval
from scheduling.engine.uk_time import NATIONS, bank_holidays

BANK_HOLIDAY = "bank-holiday"
LEAVE = "leave"
UNAVAILABLE_DATE = "unavailable-date"
BUSY_CALENDAR = "busy-calendar"
SEAT = "seat"

WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

ONE_DAY = dt.timedelta(days=1)
ONE_MICROSECOND = dt.timedelta(microseconds=1)


class InvalidAvailability(ValueError):
    """Rules that cannot be used; `field` names the offending input, `message` says why."""

    def __init__(self, field: str, message: str):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True, slots=True)
class WeeklyWindow:
    """Hours on one weekday (0 = Monday ... 6 = Sunday), local wall time, end exclusive."""

    weekday: int
    start: dt.time
    end: dt.time


@dataclass(frozen=True, slots=True)
class DateOverride:
    """The hours of one local date; no windows means not available at all that date."""

    date: dt.date
    windows: tuple[tuple[dt.time, dt.time], ...] = ()

    def __post_init__(self):
        # Lists from JSON become tuples so that rules stay hashable.
        if isinstance(self.windows, list | tuple):
            windows = tuple(
                tuple(pair) if isinstance(pair, list) else pair for pair in self.windows
            )
            object.__setattr__(self, "windows", windows)


@dataclass(frozen=True, slots=True)
class Leave:
    """Whole local days away, `first_day` to `last_day` inclusive."""

    first_day: dt.date
    last_day: dt.date
    label: str = "Leave"


@dataclass(frozen=True, slots=True)
class BusyBlock:
    """Time already taken, as UTC instants.

    `reason` is BUSY_CALENDAR for an imported calendar event, SEAT for a session the peer
    already sits on (the buffer applies around these), or any other word for other holds.
    """

    start: dt.datetime
    end: dt.datetime
    reason: str = BUSY_CALENDAR
    label: str = "Busy"

    def __post_init__(self):
        start = as_utc(self.start, "start")
        end = as_utc(self.end, "end")
        if end <= start:
            raise ValueError(f"busy block end {end.isoformat()} must be after its start")
        object.__setattr__(self, "start", start)
        object.__setattr__(self, "end", end)

    @property
    def interval(self) -> Interval:
        return Interval(self.start, self.end)


@dataclass(frozen=True, slots=True)
class AvailabilityRules:
    """One peer's standing rules; validated on construction (raises InvalidAvailability)."""

    time_zone: str = "Europe/London"
    weekly: tuple[WeeklyWindow, ...] = ()
    overrides: tuple[DateOverride, ...] = ()
    leave: tuple[Leave, ...] = ()
    nation: str = "england"
    bank_holidays_block: bool = True
    buffer_minutes: int = 0

    def __post_init__(self):
        # Accept lists from callers but keep the rules hashable and immutable.
        object.__setattr__(self, "weekly", tuple(self.weekly))
        object.__setattr__(self, "overrides", tuple(self.overrides))
        object.__setattr__(self, "leave", tuple(self.leave))
        _validate(self)

    @property
    def zone(self) -> ZoneInfo:
        return _zone(self.time_zone)


@dataclass(frozen=True, slots=True)
class Block:
    """Why some time is not free: a reason word and a label a person can read."""

    interval: Interval
    reason: str
    label: str


@dataclass(frozen=True, slots=True)
class Availability:
    free: list[Interval]
    blocks: list[Block]


@dataclass(frozen=True, slots=True)
class DayPlan:
    """What one local date offers: windows as microseconds after local midnight (merged,
    sorted), or, when `reason` is set, nothing at all for that reason."""

    windows: tuple[tuple[int, int], ...] = ()
    reason: str = ""
    label: str = ""


# --- validation -------------------------------------------------------------------------


def _validate(rules: AvailabilityRules) -> None:
    if not isinstance(rules.time_zone, str) or not rules.time_zone:
        raise InvalidAvailability("time_zone", "must be an IANA time zone name")
    try:
        _zone(rules.time_zone)
    except (ZoneInfoNotFoundError, ValueError, OSError) as error:
        raise InvalidAvailability("time_zone", f"unknown time zone {rules.time_zone!r}") from error
    if rules.nation not in NATIONS:
        raise InvalidAvailability(
            "nation", f"unknown nation {rules.nation!r}; one of {', '.join(NATIONS)}"
        )
    if not isinstance(rules.bank_holidays_block, bool):
        raise InvalidAvailability("bank_holidays_block", "must be true or false")
    if (
        isinstance(rules.buffer_minutes, bool)
        or not isinstance(rules.buffer_minutes, int)
        or rules.buffer_minutes < 0
    ):
        raise InvalidAvailability("buffer_minutes", "must be a whole number of minutes, 0 or more")

    by_weekday: dict[int, list[tuple[int, int, str]]] = {}
    for index, window in enumerate(rules.weekly):
        field = f"weekly[{index}]"
        if not isinstance(window, WeeklyWindow):
            raise InvalidAvailability(field, "must be a weekly window")
        if isinstance(window.weekday, bool) or not isinstance(window.weekday, int):
            raise InvalidAvailability(f"{field}.weekday", "must be a whole number 0-6")
        if not 0 <= window.weekday <= 6:
            raise InvalidAvailability(
                f"{field}.weekday", f"must be 0 (Monday) to 6 (Sunday), not {window.weekday}"
            )
        start, end = _window_micros(field, window.start, window.end)
        by_weekday.setdefault(window.weekday, []).append((start, end, field))
    for weekday, windows in by_weekday.items():
        _refuse_overlaps(windows, f"on {WEEKDAY_NAMES[weekday]}")

    seen_dates: dict[dt.date, str] = {}
    for index, override in enumerate(rules.overrides):
        field = f"overrides[{index}]"
        if not isinstance(override, DateOverride):
            raise InvalidAvailability(field, "must be a date override")
        if not isinstance(override.date, dt.date) or isinstance(override.date, dt.datetime):
            raise InvalidAvailability(f"{field}.date", "must be a date")
        if override.date in seen_dates:
            raise InvalidAvailability(
                f"{field}.date",
                f"{override.date.isoformat()} already has an override ({seen_dates[override.date]})",
            )
        seen_dates[override.date] = field
        if not isinstance(override.windows, tuple):
            raise InvalidAvailability(f"{field}.windows", "must be a list of (start, end) pairs")
        windows = []
        for window_index, pair in enumerate(override.windows):
            window_field = f"{field}.windows[{window_index}]"
            if not isinstance(pair, tuple | list) or len(pair) != 2:
                raise InvalidAvailability(window_field, "must be a (start, end) pair of times")
            start, end = _window_micros(window_field, pair[0], pair[1])
            windows.append((start, end, window_field))
        _refuse_overlaps(windows, f"on {override.date.isoformat()}")

    for index, leave in enumerate(rules.leave):
        field = f"leave[{index}]"
        if not isinstance(leave, Leave):
            raise InvalidAvailability(field, "must be a leave period")
        for name in ("first_day", "last_day"):
            value = getattr(leave, name)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise InvalidAvailability(f"{field}.{name}", "must be a date")
        if leave.last_day < leave.first_day:
            raise InvalidAvailability(
                f"{field}.last_day",
                f"must not be before the first day ({leave.first_day.isoformat()})",
            )


def _window_micros(field: str, start, end) -> tuple[int, int]:
    for name, value in (("start", start), ("end", end)):
        if not isinstance(value, dt.time):
            raise InvalidAvailability(f"{field}.{name}", "must be a time of day (HH:MM)")
        if value.tzinfo is not None:
            raise InvalidAvailability(
                f"{field}.{name}", "must be a local time without a zone; the zone is the peer's"
            )
    if end <= start:
        raise InvalidAvailability(
            f"{field}.end", f"must be after the start ({start.strftime('%H:%M')})"
        )
    return time_micros(start), time_micros(end)


def _refuse_overlaps(windows: list[tuple[int, int, str]], where: str) -> None:
    ordered = sorted(windows)
    for (start, end, _), (next_start, _next_end, next_field) in zip(
        ordered, ordered[1:], strict=False
    ):
        if next_start < end:
            raise InvalidAvailability(
                next_field,
                f"overlaps {_hhmm(start)}-{_hhmm(end)} {where}",
            )


def _hhmm(micros: int) -> str:
    minutes = micros // 60_000_000
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


# --- pieces shared with the array path ---------------------------------------------------


@lru_cache(maxsize=512)
def _zone(key: str) -> ZoneInfo:
    return ZoneInfo(key)


def time_micros(value: dt.time) -> int:
    """Microseconds after midnight of a wall-clock time."""
    return ((value.hour * 60 + value.minute) * 60 + value.second) * 1_000_000 + value.microsecond


def _merge_micros(pairs: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    """Sorted windows with touching ones joined (09:00-12:00 + 12:00-15:00 = 09:00-15:00)."""
    merged: list[list[int]] = []
    for start, end in sorted(pairs):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


@lru_cache(maxsize=4096)
def weekly_hours(weekly: tuple[WeeklyWindow, ...]) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Per weekday (0 = Monday), the merged windows in microseconds after local midnight."""
    days: list[list[tuple[int, int]]] = [[] for _ in range(7)]
    for window in weekly:
        days[window.weekday].append((time_micros(window.start), time_micros(window.end)))
    return tuple(_merge_micros(day) for day in days)


def date_plans(rules: AvailabilityRules, first_day: dt.date, last_day: dt.date) -> dict:
    """The local dates in `[first_day, last_day]` whose plan is not simply the weekly hours,
    each with its `DayPlan` (precedence: override, leave, bank holiday)."""
    plans: dict[dt.date, DayPlan] = {}
    if rules.bank_holidays_block:
        for year in range(first_day.year, last_day.year + 1):
            for day, name in bank_holidays(rules.nation, year).items():
                if first_day <= day <= last_day:
                    plans[day] = DayPlan(reason=BANK_HOLIDAY, label=name)
    on_leave: set[dt.date] = set()
    for leave in rules.leave:
        day = max(leave.first_day, first_day)
        until = min(leave.last_day, last_day)
        while day <= until:
            # The first leave period listed names an overlapping day.
            if day not in on_leave:
                on_leave.add(day)
                plans[day] = DayPlan(reason=LEAVE, label=leave.label)
            day += ONE_DAY
    for override in rules.overrides:
        if first_day <= override.date <= last_day:
            windows = _merge_micros(
                (time_micros(start), time_micros(end)) for start, end in override.windows
            )
            plans[override.date] = (
                DayPlan(windows=windows)
                if windows
                else DayPlan(reason=UNAVAILABLE_DATE, label="Not available")
            )
    return plans


@lru_cache(maxsize=1024)
def offset_spans(
    zone: ZoneInfo, start: dt.datetime, end: dt.datetime
) -> tuple[tuple[dt.datetime, dt.datetime, dt.timedelta], ...]:
    """`[start, end)` (UTC) cut where `zone`'s UTC offset changes: (from, to, offset) spans.

    zoneinfo does not list its transitions, so the offset is sampled hourly and each change
    is pinned to the microsecond by bisection. Two changes less than an hour apart would be
    missed; no zone's changes from 2024 to 2027 come anywhere near that close.
    """
    spans = []
    hour = dt.timedelta(hours=1)
    span_start = probe = start
    offset = _offset_at(zone, start)
    last_instant = end - ONE_MICROSECOND
    while probe < last_instant:
        following = min(probe + hour, last_instant)
        if _offset_at(zone, following) == offset:
            probe = following
            continue
        # Pin the change: `low` still has the old offset, `high` already has another.
        low, high = probe, following
        while high - low > ONE_MICROSECOND:
            middle = low + (high - low) // 2
            if _offset_at(zone, middle) == offset:
                low = middle
            else:
                high = middle
        spans.append((span_start, high, offset))
        span_start = probe = high
        offset = _offset_at(zone, high)
    spans.append((span_start, end, offset))
    return tuple(spans)


def _offset_at(zone: ZoneInfo, moment: dt.datetime) -> dt.timedelta:
    return moment.astimezone(zone).utcoffset()


# --- expansion ---------------------------------------------------------------------------


def expand(
    rules: AvailabilityRules,
    start: dt.datetime,
    end: dt.datetime,
    busy: Iterable[BusyBlock] = (),
) -> Availability:
    """Free time and blocks of a peer inside `[start, end)`, all in UTC."""
    window = Interval(start, end)
    zone = rules.zone
    weekly = weekly_hours(rules.weekly)
    spans = offset_spans(zone, window.start, window.end)
    first_day = _wall(spans[0][0], spans[0][2]).date() - ONE_DAY
    last_day = _wall(spans[-1][1], spans[-1][2]).date() + ONE_DAY
    plans = date_plans(rules, first_day, last_day)

    windows: list[Interval] = []
    day_blocks: list[Block] = []
    for span_start, span_end, offset in spans:
        wall_start = _wall(span_start, offset)
        wall_end = _wall(span_end, offset)
        day = wall_start.date()
        while day <= (wall_end - ONE_MICROSECOND).date():
            midnight = dt.datetime.combine(day, dt.time())
            plan = plans.get(day)
            if plan is not None and plan.reason:
                piece = _wall_piece(midnight, midnight + ONE_DAY, wall_start, wall_end, offset)
                if piece is not None:
                    day_blocks.append(Block(piece, plan.reason, plan.label))
            else:
                for window_start, window_end in (
                    plan.windows if plan is not None else weekly[day.weekday()]
                ):
                    piece = _wall_piece(
                        midnight + dt.timedelta(microseconds=window_start),
                        midnight + dt.timedelta(microseconds=window_end),
                        wall_start,
                        wall_end,
                        offset,
                    )
                    if piece is not None:
                        windows.append(piece)
            day += ONE_DAY

    busy_blocks: list[Block] = []
    buffer = dt.timedelta(minutes=rules.buffer_minutes)
    for block in busy:
        taken = busy_interval(block, buffer)
        for piece in clip([taken], window.start, window.end):
            busy_blocks.append(Block(piece, block.reason, block.label))

    free = subtract(windows, [block.interval for block in busy_blocks])
    blocks = sorted(
        _join_touching(day_blocks) + busy_blocks,
        key=lambda block: (block.interval.start, block.interval.end, block.reason, block.label),
    )
    return Availability(free=free, blocks=blocks)


def busy_interval(block: BusyBlock, buffer: dt.timedelta) -> Interval:
    """The time a busy block takes: a seat also takes the buffer on both sides
    (`panels.clash_interval`: a new session there would bring two held ranges together)."""
    if block.reason == SEAT and buffer:
        return Interval(*clash_interval(block.start, block.end, buffer // dt.timedelta(minutes=1)))
    return Interval(block.start, block.end)


def _wall(moment: dt.datetime, offset: dt.timedelta) -> dt.datetime:
    """The naive wall-clock reading of a UTC instant at a fixed offset."""
    return (moment + offset).replace(tzinfo=None)


def _wall_piece(
    wall_from: dt.datetime,
    wall_to: dt.datetime,
    span_wall_start: dt.datetime,
    span_wall_end: dt.datetime,
    offset: dt.timedelta,
) -> Interval | None:
    """The instants of one constant-offset span whose wall time is in `[wall_from, wall_to)`."""
    low = max(wall_from, span_wall_start)
    high = min(wall_to, span_wall_end)
    if low >= high:
        return None
    return Interval((low - offset).replace(tzinfo=dt.UTC), (high - offset).replace(tzinfo=dt.UTC))


def _join_touching(blocks: list[Block]) -> list[Block]:
    """Consecutive whole-day blocks of one kind as one block (a fortnight's leave is one)."""
    joined: list[Block] = []
    for block in sorted(blocks, key=lambda b: b.interval.start):
        last = joined[-1] if joined else None
        if (
            last is not None
            and last.reason == block.reason
            and last.label == block.label
            and last.interval.end == block.interval.start
        ):
            joined[-1] = Block(
                Interval(last.interval.start, block.interval.end), last.reason, last.label
            )
        else:
            joined.append(block)
    return joined


def working_day_after(
    day: dt.date, days: int, *, nations: tuple[str, ...] = ("england", "wales")
) -> dt.date:
    """The date `days` working days after `day`: weekends and the bank holidays of `nations`
    (England and Wales by default) are not working days."""
    if days < 0:
        raise ValueError("days must not be negative")
    current = day
    left = days
    while left:
        current += dt.timedelta(days=1)
        if current.weekday() >= 5:
            continue
        if any(current in bank_holidays(nation, current.year) for nation in nations):
            continue
        left -= 1
    return current
