"""Each peer's free time kept as data, so a search reads arrays instead of rebuilding the pool.

What a peer owns decides their free time: weekly hours, date overrides, leave, the bank-holiday
choice, the time zone and the busy events imported from their calendar. `free_time_build`
turns those into the engine's array form from scratch (the reference). `free_time_refresh`
stores the result for the kept window (a UTC midnight a day back, through the booking horizon
plus the longest series and the search's margin) as one `FreeTime` row per peer, and is called
in the same transaction as every change to those inputs (`peers.services`), so a committed
change and its free time are never apart. `free_time_roll_forward` moves the window on daily.

Readers call `free_time_matrix`. A process keeps the decoded rows in memory keyed by each
row's version and asks the database for the versions only (one small query); rows that changed
are fetched, nothing else is. A peer whose row is missing or does not cover the asked window is
rebuilt on the spot; a window beyond what is kept is computed afresh, not stored.

Seats are not in the stored rows: they change with every booking and are few, so the pool lays
them over the rows when it reads them (one indexed query), and they can never be stale here.
"""

import threading
import time as clock
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

import numpy as np
from django.db import connection, transaction
from django.utils import timezone

from peers.models import BusyCalendar, BusyEvent, DateOverride, FreeTime, Leave, Peer, WeeklyWindow
from scheduling.engine import availability as engine
from scheduling.engine.grid import EPOCH, TimeGrid, availability_matrix, busy_mask

STEP_MINUTES = 15
DAY_SLOTS = 24 * 60 // STEP_MINUTES
KEPT_BEHIND = timedelta(days=1)
# The booking horizon (26 weeks of starts) plus the longest series after its first session
# (3 sessions 14 days apart) and the hour either side a search looks at.
KEPT_AHEAD = timedelta(weeks=26, days=35)
ROLL_BATCH = 200


def kept_window(now: datetime) -> TimeGrid:
    """The window stored rows cover when built at `now`: always from a UTC midnight, so rows
    built on different days line up on whole bytes (96 slots a day)."""
    midnight = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = midnight - KEPT_BEHIND
    return TimeGrid(start, (KEPT_BEHIND + KEPT_AHEAD) // timedelta(minutes=STEP_MINUTES))


# Building from scratch -------------------------------------------------------------------------


def peer_rules(peer_ids: list[int]) -> dict[int, engine.AvailabilityRules]:
    """The engine's rules of each peer, read in four queries of plain rows."""
    weekly, overrides, leave = defaultdict(list), defaultdict(list), defaultdict(list)
    for peer_id, weekday, start, end in (
        WeeklyWindow.objects.filter(peer_id__in=peer_ids)
        .order_by("peer_id", "weekday", "start")
        .values_list("peer_id", "weekday", "start", "end")
    ):
        weekly[peer_id].append(engine.WeeklyWindow(weekday=weekday, start=start, end=end))
    for peer_id, day, windows in (
        DateOverride.objects.filter(peer_id__in=peer_ids)
        .order_by("peer_id", "date")
        .values_list("peer_id", "date", "windows")
    ):
        overrides[peer_id].append(
            engine.DateOverride(
                date=day,
                windows=tuple((time.fromisoformat(a), time.fromisoformat(b)) for a, b in windows),
            )
        )
    for peer_id, first_day, last_day, note in (
        Leave.objects.filter(peer_id__in=peer_ids)
        .order_by("peer_id", "first_day")
        .values_list("peer_id", "first_day", "last_day", "note")
    ):
        leave[peer_id].append(
            engine.Leave(first_day=first_day, last_day=last_day, label=note or "Leave")
        )
    return {
        peer_id: engine.AvailabilityRules(
            time_zone=time_zone,
            weekly=tuple(weekly[peer_id]),
            overrides=tuple(overrides[peer_id]),
            leave=tuple(leave[peer_id]),
            nation=nation,
            bank_holidays_block=bank_holidays_block,
            buffer_minutes=buffer_minutes,
        )
        for peer_id, time_zone, nation, bank_holidays_block, buffer_minutes in (
            Peer.objects.filter(id__in=peer_ids)
            .order_by("id")
            .values_list("id", "time_zone", "nation", "bank_holidays_block", "buffer_minutes")
        )
    }


def imported_busy(grid: TimeGrid, peer_ids: list[int]) -> np.ndarray:
    """`[p, i]`: peer `peer_ids[p]` has an imported calendar event overlapping slot i.

    Hundreds of thousands of events go straight from SQL into arrays as POSIX seconds (see
    `busy_mask`), never through model instances and datetimes.
    """
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        epoch = "EXTRACT(EPOCH FROM e.{})"
    else:
        epoch = "CAST(strftime('%%s', e.{}) AS REAL)"
    # Only quoted identifiers from model metadata are formatted in; values are parameters.
    sql = (
        f"SELECT c.peer_id, {epoch.format(quote('start'))}, {epoch.format(quote('end'))} "  # noqa: S608
        f"FROM {quote(BusyEvent._meta.db_table)} e "
        f"JOIN {quote(BusyCalendar._meta.db_table)} c ON c.id = e.calendar_id "
        f"WHERE e.{quote('start')} < %s AND e.{quote('end')} > %s"
    )
    params: list = [grid.end, grid.start]
    if len(peer_ids) <= 500:
        sql += (
            f" AND c.peer_id IN ({', '.join(['%s'] * len(peer_ids))})" if peer_ids else " AND 0=1"
        )
        params += list(peer_ids)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = np.array(cursor.fetchall(), dtype=np.float64).reshape(-1, 3)
    lookup = np.full(max(peer_ids, default=0) + 1, -1, dtype=np.int64)
    lookup[list(peer_ids)] = np.arange(len(peer_ids))
    event_peers = rows[:, 0].astype(np.int64)
    known = event_peers < len(lookup)
    rows = rows[known]
    peer_rows = lookup[event_peers[known]]
    keep = peer_rows >= 0
    return busy_mask(grid, len(peer_ids), peer_rows[keep], rows[keep, 1], rows[keep, 2])


def free_time_build(*, peer_ids: list[int], grid: TimeGrid) -> np.ndarray:
    """`[p, i]`: peer `peer_ids[p]` is free for slot i by what they own (seats aside).

    Computed from scratch; the stored rows must always equal this. Unknown peers are never free.
    """
    rules = peer_rules(peer_ids)
    known = [peer_id for peer_id in peer_ids if peer_id in rules]
    matrix = np.zeros((len(peer_ids), grid.slots), dtype=bool)
    if known:
        where = [i for i, peer_id in enumerate(peer_ids) if peer_id in rules]
        built = availability_matrix(grid, [rules[peer_id] for peer_id in known])
        built &= ~imported_busy(grid, known)
        matrix[where] = built
    return matrix


# Keeping the rows ------------------------------------------------------------------------------


def free_time_refresh(*, peer_ids, now: datetime | None = None, wait: bool = True) -> set[int]:
    """Rebuild and store the free time of `peer_ids` over today's kept window.

    Call it in the transaction that changed their inputs. Every writer of a peer's inputs
    locks the peer's row first (and this does too, in id order), so of two transactions
    changing one peer the later builds from both, and no two wait on each other.
    `wait=False` (a reader rebuilding on the spot) skips peers another transaction holds.
    Returns the ids written.
    """
    now = now or timezone.now()
    window = kept_window(now)
    with transaction.atomic():
        ids = list(
            Peer.objects.select_for_update(skip_locked=not wait)
            .filter(id__in=set(peer_ids))
            .order_by("id")
            .values_list("id", flat=True)
        )
        if not ids:
            return set()
        FreeTime.objects.bulk_create(
            [
                FreeTime(
                    peer_id=peer_id,
                    start=window.start,
                    slots=0,
                    bits=b"",
                    version=0,
                    built_at=now,
                )
                for peer_id in ids
            ],
            ignore_conflicts=True,
        )
        versions = dict(FreeTime.objects.filter(peer_id__in=ids).values_list("peer_id", "version"))
        matrix = free_time_build(peer_ids=ids, grid=window)
        packed = np.packbits(matrix, axis=1)
        stamp = clock.time_ns()
        FreeTime.objects.bulk_update(
            [
                FreeTime(
                    peer_id=peer_id,
                    start=window.start,
                    slots=window.slots,
                    bits=packed[row].tobytes(),
                    # Always higher, and never reused by a row made again for a reused id.
                    version=max(versions[peer_id] + 1, stamp),
                    built_at=now,
                )
                for row, peer_id in enumerate(ids)
            ],
            ["start", "slots", "bits", "version", "built_at"],
            batch_size=100,
        )
    return set(ids)


def free_time_roll_forward(*, now: datetime | None = None) -> int:
    """Move every row whose window starts before today's on to today's window (daily).

    A batch per transaction, so no peer's row is locked for long. Returns how many moved.
    """
    now = now or timezone.now()
    window = kept_window(now)
    stale = list(
        Peer.objects.exclude(free_time__start__gte=window.start)
        .order_by("id")
        .values_list("id", flat=True)
    )
    for first in range(0, len(stale), ROLL_BATCH):
        free_time_refresh(peer_ids=stale[first : first + ROLL_BATCH], now=now)
    return len(stale)


# Reading: the process's copy -------------------------------------------------------------------


def _slot_number(moment: datetime) -> int:
    """15-minute slots since the POSIX epoch (every grid and row starts on one)."""
    return (moment - EPOCH) // timedelta(minutes=STEP_MINUTES)


@dataclass(frozen=True, slots=True)
class _Row:
    version: int
    first: int  # slot number of the row's first slot
    slots: int
    bits: bytes


@dataclass(frozen=True, slots=True)
class _Stack:
    """Rows that start at one slot number, packed one under another for slicing together."""

    first: int
    slots: int
    packed: np.ndarray  # uint8 (rows, bytes)
    ids: np.ndarray  # the peer of each row, ascending


class _Memory:
    """Decoded rows by peer, and the stacks built from them; one per process, thread-safe."""

    def __init__(self):
        self.lock = threading.Lock()
        self.rows: dict[int, _Row] = {}
        self.stacks: dict[int, _Stack] | None = None

    def clear(self) -> None:
        with self.lock:
            self.rows, self.stacks = {}, None

    def sync(self) -> None:
        """Bring rows in line with the database: one query of versions, and the changed rows."""
        table = connection.ops.quote_name(FreeTime._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT peer_id, version FROM {table}")  # noqa: S608
            versions = dict(cursor.fetchall())
        with self.lock:
            rows = self.rows
            changed = [
                peer_id
                for peer_id, version in versions.items()
                if (row := rows.get(peer_id)) is None or row.version != version
            ]
            gone = rows.keys() - versions.keys()
        if not changed and not gone:
            return
        fetched = {}
        for first in range(0, len(changed), 500):
            part = changed[first : first + 500]
            for peer_id, version, start, slots, bits in FreeTime.objects.filter(
                peer_id__in=part
            ).values_list("peer_id", "version", "start", "slots", "bits"):
                fetched[peer_id] = _Row(version, _slot_number(start), slots, bytes(bits))
        with self.lock:
            rows = dict(self.rows)
            for peer_id in gone:
                rows.pop(peer_id, None)
            rows.update(fetched)
            self.rows, self.stacks = rows, None

    def stacks_now(self) -> dict[int, _Stack]:
        with self.lock:
            if self.stacks is None:
                groups = defaultdict(list)
                for peer_id, row in self.rows.items():
                    if row.slots:
                        groups[(row.first, row.slots)].append(peer_id)
                stacks = {}
                for (first, slots), peer_ids in groups.items():
                    peer_ids.sort()
                    width = -(-slots // 8)
                    packed = np.frombuffer(
                        b"".join(self.rows[p].bits for p in peer_ids), dtype=np.uint8
                    ).reshape(len(peer_ids), width)
                    stacks[(first, slots)] = _Stack(
                        first, slots, packed, np.array(peer_ids, dtype=np.int64)
                    )
                self.stacks = stacks
            return self.stacks


_memory = _Memory()


def free_time_forget() -> None:
    """Drop this process's copy (tests; the next read fetches every row again)."""
    _memory.clear()


def _read(peer_ids: list[int], grid: TimeGrid) -> tuple[np.ndarray, np.ndarray]:
    """The stored rows over `grid`, and which peers had a row covering it."""
    _memory.sync()
    stacks = _memory.stacks_now()
    low = _slot_number(grid.start)
    high = low + grid.slots
    asked = np.asarray(peer_ids, dtype=np.int64)
    matrix = np.zeros((len(peer_ids), grid.slots), dtype=bool)
    placed = np.zeros(len(peer_ids), dtype=bool)
    for stack in stacks.values():
        if not (stack.first <= low and high <= stack.first + stack.slots) or not len(stack.ids):
            continue
        offset = low - stack.first
        columns = slice(offset // 8, -(-(offset + grid.slots) // 8))
        if len(asked) == len(stack.ids) and np.array_equal(asked, stack.ids):
            # The usual case: every peer, in the stack's order. No gathering at all.
            bits = np.unpackbits(stack.packed[:, columns], axis=1)
            return bits[:, offset % 8 : offset % 8 + grid.slots].view(bool), ~placed
        rows = np.minimum(np.searchsorted(stack.ids, asked), len(stack.ids) - 1)
        found = stack.ids[rows] == asked
        if not found.any():
            continue
        bits = np.unpackbits(stack.packed[rows[found], columns], axis=1)
        matrix[found] = bits[:, offset % 8 : offset % 8 + grid.slots].view(bool)
        placed |= found
    return matrix, placed


def free_time_matrix(
    *, peer_ids: list[int], grid: TimeGrid, now: datetime | None = None
) -> np.ndarray:
    """`[p, i]`: peer `peer_ids[p]` is free for slot i of `grid` by what they own (seats aside).

    Equal to `free_time_build(peer_ids=..., grid=grid)`, read from the stored rows.
    """
    if grid.step_minutes != STEP_MINUTES:
        return free_time_build(peer_ids=peer_ids, grid=grid)
    matrix, placed = _read(peer_ids, grid)
    missing = np.flatnonzero(~placed)
    if not len(missing):
        return matrix
    now = now or timezone.now()
    kept = kept_window(now)
    if kept.start <= grid.start and grid.end <= kept.end:
        # Not built yet, or built on a day the window has since moved past: rebuild them now.
        # A peer another transaction is changing is left to it, and computed below meanwhile.
        ids = [peer_ids[i] for i in missing]
        free_time_refresh(peer_ids=ids, now=now, wait=False)
        again, found = _read(ids, grid)
        matrix[missing] = again
        placed[missing] = found
        missing = np.flatnonzero(~placed)
    if len(missing):
        # Beyond the kept window, being changed, or no such peer: computed afresh, not stored.
        matrix[missing] = free_time_build(peer_ids=[peer_ids[i] for i in missing], grid=grid)
    return matrix


def free_time_size() -> dict:
    """How much is stored: rows and bytes of bits."""
    rows = FreeTime.objects.count()
    stored = sum(len(bits) for bits in FreeTime.objects.values_list("bits", flat=True))
    return {"rows": rows, "bytes": stored}
