"""Expand availability for 1,000 peers over 8 weeks into the array form.

Synthetic, seeded data: weekly hours of a few windows a day in several zones (most peers in
Europe/London, some in Dublin, New York, Kolkata and Sydney), date overrides, leave, bank
holidays of all four UK nations, and about 200 busy blocks per peer (one-off events, the
occurrences of weekly recurring events expanded per local date as the calendar import does,
and seats with a buffer). The 8 weeks span the UK spring clock change. Only the expansion is
timed; every cache is emptied before each timed run so each run starts cold.
"""

import datetime as dt
import random
import statistics
import time
from zoneinfo import ZoneInfo

from scheduling.engine import availability, grid, uk_time
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
from scheduling.engine.grid import TimeGrid, availability_matrix, free_matrix, runs_free

PEERS = 1_000
WEEKS = 8
BUSY_PER_PEER = 200
PANEL_MINUTES = 180
REPEATS = 5
CHECKED_PEERS = 50  # peers also run through expand() to check and to compare speed
START = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)  # a Monday; the clocks change on 29 March
ZONES = (
    ("Europe/London", 80),
    ("Europe/Dublin", 5),
    ("America/New_York", 5),
    ("Asia/Kolkata", 5),
    ("Australia/Sydney", 5),
)


def run() -> list[dict]:
    rng = random.Random(20260302)
    time_grid = TimeGrid(START, WEEKS * 7 * 24 * 4)
    rules = [_peer_rules(rng) for _ in range(PEERS)]
    busy = [_peer_busy(rng, peer_rules) for peer_rules in rules]
    busy_blocks = sum(len(blocks) for blocks in busy)

    build_times = []
    for _ in range(REPEATS):
        _empty_caches()
        began = time.perf_counter()
        matrix = availability_matrix(time_grid, rules, busy)
        build_times.append(time.perf_counter() - began)

    panel_slots = PANEL_MINUTES // time_grid.step_minutes
    runs_times = []
    for _ in range(REPEATS):
        began = time.perf_counter()
        panel_starts = runs_free(matrix, panel_slots)
        runs_times.append(time.perf_counter() - began)

    _empty_caches()
    began = time.perf_counter()
    checked = [
        expand(rules[peer], time_grid.start, time_grid.end, busy[peer]).free
        for peer in range(CHECKED_PEERS)
    ]
    interval_matrix = free_matrix(time_grid, checked)
    interval_seconds = time.perf_counter() - began
    agrees = bool((interval_matrix == matrix[:CHECKED_PEERS]).all())

    best = min(build_times)
    return [
        {
            "label": f"build matrix: {PEERS:,} peers x {WEEKS} weeks, 15-min slots (best of {REPEATS})",
            "seconds": best,
            "median_seconds": round(statistics.median(build_times), 4),
            "per_peer_ms": round(best / PEERS * 1000, 4),
            "peers": PEERS,
            "slots": time_grid.slots,
            "busy_blocks": busy_blocks,
            "free_share": round(float(matrix.mean()), 4),
        },
        {
            "label": f"runs_free: {PANEL_MINUTES // 60}-hour panel at every start (best of {REPEATS})",
            "seconds": min(runs_times),
            "median_seconds": round(statistics.median(runs_times), 4),
            "starts": int(panel_starts.shape[1]),
            "peer_starts_free": int(panel_starts.sum()),
        },
        {
            "label": f"interval path: expand() + free_matrix for {CHECKED_PEERS} peers",
            "seconds": interval_seconds,
            "per_peer_ms": round(interval_seconds / CHECKED_PEERS * 1000, 3),
            "array_path_per_peer_ms": round(best / PEERS * 1000, 4),
            "agrees_with_array_path": agrees,
        },
    ]


def _empty_caches() -> None:
    for cached in (
        availability.weekly_hours,
        uk_time.bank_holidays,
        availability.offset_spans,
    ):
        cached.cache_clear()
    grid.grid_caches_clear()


def _peer_rules(rng: random.Random) -> AvailabilityRules:
    zone = rng.choices([name for name, _ in ZONES], weights=[share for _, share in ZONES])[0]
    weekly = []
    working_days = range(5) if rng.random() < 0.85 else range(6)
    for weekday in working_days:
        if rng.random() < 0.1:
            continue  # a regular day off
        minute = rng.choice((7 * 60, 8 * 60, 9 * 60, 9 * 60 + 30))
        for _ in range(rng.randint(1, 3)):
            length = rng.choice((90, 120, 180, 240))
            end = minute + length
            if end >= 22 * 60:
                break
            weekly.append(WeeklyWindow(weekday, _clock(minute), _clock(end)))
            minute = end + rng.choice((0, 30, 60, 90))
    first_day = START.date()
    overrides = {}
    for _ in range(rng.randint(0, 4)):
        day = first_day + dt.timedelta(days=rng.randrange(WEEKS * 7))
        if rng.random() < 0.5:
            overrides[day] = DateOverride(day, ())
        else:
            start = rng.choice((8 * 60, 10 * 60, 13 * 60))
            overrides[day] = DateOverride(day, ((_clock(start), _clock(start + 150)),))
    leave = []
    for _ in range(rng.randint(0, 2)):
        day = first_day + dt.timedelta(days=rng.randrange(WEEKS * 7))
        leave.append(Leave(day, day + dt.timedelta(days=rng.randint(0, 13))))
    return AvailabilityRules(
        time_zone=zone,
        weekly=tuple(weekly),
        overrides=tuple(overrides.values()),
        leave=tuple(leave),
        nation=rng.choice(tuple(uk_time.NATIONS)),
        bank_holidays_block=rng.random() < 0.9,
        buffer_minutes=rng.choice((0, 15, 30)),
    )


def _peer_busy(rng: random.Random, rules: AvailabilityRules) -> list[BusyBlock]:
    zone = ZoneInfo(rules.time_zone)
    blocks = []
    # Weekly recurring meetings, expanded per local date so they keep their wall time.
    for _ in range(rng.randint(2, 4)):
        weekday = rng.randrange(5)
        minute = rng.randrange(8 * 4, 18 * 4) * 15
        length = dt.timedelta(minutes=rng.choice((30, 60, 90)))
        for week in range(WEEKS):
            day = START.date() + dt.timedelta(days=7 * week + weekday)
            local = dt.datetime.combine(day, _clock(minute), tzinfo=zone)
            blocks.append(BusyBlock(local, local + length, BUSY_CALENDAR, "Weekly meeting"))
    for _ in range(rng.randint(1, 4)):
        start = START + dt.timedelta(minutes=15 * rng.randrange(WEEKS * 7 * 96))
        blocks.append(BusyBlock(start, start + dt.timedelta(hours=3), SEAT, "Panel"))
    span_minutes = WEEKS * 7 * 24 * 60
    while len(blocks) < BUSY_PER_PEER:
        start = START + dt.timedelta(minutes=5 * rng.randrange(span_minutes // 5))
        length = dt.timedelta(minutes=rng.choice((15, 30, 45, 60, 90, 120)))
        blocks.append(BusyBlock(start, start + length, BUSY_CALENDAR, "Council meeting"))
    return blocks


def _clock(minute: int) -> dt.time:
    return dt.time(minute // 60, minute % 60)
