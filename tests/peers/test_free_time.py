"""Each peer's kept free time equals a rebuild from scratch, whatever happened before.

The reference is the engine's exact path, one peer at a time: `expand()` over the peer's rules
as the ORM holds them, with their imported events (and, for the pool, their seats widened by
their buffer), then `free_matrix`. The kept rows and the pool read from them must agree with
it slot for slot after any sequence of changes: weekly hours, leave, overrides, time zone and
bank-holiday choice, calendar imports, bookings, cancellations, declines, and the clock moving
on by days, across the UK's clock changes in late March and late October.
"""

import contextlib
from datetime import UTC, date, datetime, time, timedelta

import numpy as np
import pytest
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peers.free_time import (
    free_time_build,
    free_time_forget,
    free_time_matrix,
    free_time_refresh,
    free_time_roll_forward,
    free_time_size,
    kept_window,
)
from peers.models import BusyEvent, FreeTime, Peer, Region
from peers.selectors import availability_rules, caller_for
from peers.services import (
    availability_update,
    busy_calendar_disconnect,
)
from scheduling.engine.availability import BusyBlock, expand
from scheduling.engine.grid import TimeGrid, free_matrix
from scheduling.engine.refusals import Refusal
from scheduling.engine.uk_time import LONDON
from sessions.models import Booking, BookingStatus, Offer, Seat, SeatStatus
from sessions.pool import peer_pool
from sessions.selectors import seat_held_times
from sessions.services import booking_cancel, booking_create
from sessions.services.answers import seat_answer
from tests.factories import import_calendar, make_available, make_council, make_peer, make_user

ZONES = ("Europe/London", "Europe/Dublin", "America/New_York", "Asia/Kolkata")


def last_sunday(year: int, month: int) -> date:
    day = date(year, month + 1, 1) - timedelta(days=1)
    return day - timedelta(days=(day.weekday() + 1) % 7)


def clock_changes(today: date) -> list[date]:
    """The UK clock changes of this year and the next (last Sundays of March and October)."""
    return [last_sunday(y, m) for y in (today.year, today.year + 1) for m in (3, 10)]


def reference(peer: Peer, grid: TimeGrid, *, seats: bool) -> np.ndarray:
    peer = Peer.objects.prefetch_related("weekly_windows", "date_overrides", "leave").get(
        pk=peer.pk
    )
    busy = [
        BusyBlock(start=e.start, end=e.end)
        for e in BusyEvent.objects.filter(
            calendar__peer=peer, start__lt=grid.end, end__gt=grid.start
        )
    ]
    if seats:
        busy += [
            held.busy_block()
            for held in seat_held_times(
                peer_id=peer.id,
                start=grid.start - timedelta(days=1),
                end=grid.end + timedelta(days=1),
            )
        ]
    free = expand(availability_rules(peer), grid.start, grid.end, busy=busy).free
    return free_matrix(grid, [free])[0]


def stored(peer: Peer) -> tuple[TimeGrid, np.ndarray]:
    row = FreeTime.objects.get(peer=peer)
    grid = TimeGrid(row.start, row.slots)
    bits = np.unpackbits(np.frombuffer(bytes(row.bits), dtype=np.uint8))[: row.slots]
    return grid, bits.astype(bool)


def calendar_file(events: list[tuple[datetime, datetime]]) -> bytes:
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//tests//EN"]
    for n, (start, end) in enumerate(events):
        lines += [
            "BEGIN:VEVENT",
            f"UID:event-{n}@example.org",
            "DTSTAMP:20260101T000000Z",
            f"DTSTART:{start.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            f"DTEND:{end.astimezone(UTC):%Y%m%dT%H%M%SZ}",
            "SUMMARY:Busy",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return ("\r\n".join(lines) + "\r\n").encode()


quarter = st.integers(min_value=0, max_value=95)


def _hhmm(q: int) -> str:
    return f"{q // 4:02d}:{q % 4 * 15:02d}"


@st.composite
def window(draw):
    start = draw(st.integers(min_value=0, max_value=94))
    end = draw(st.integers(min_value=start + 1, max_value=95))
    return {"start": _hhmm(start), "end": _hhmm(end)}


# A day: a clock-change weekend (the day before, of, or after), or anywhere ahead.
a_day = st.one_of(
    st.tuples(st.just("clock"), st.integers(0, 3), st.integers(-1, 1)),
    st.integers(min_value=0, max_value=215).map(lambda n: ("offset", n)),
)


def resolve(day, today: date) -> date:
    if day[0] == "clock":
        changes = [d for d in clock_changes(today) if d > today]
        return changes[day[1] % len(changes)] + timedelta(days=day[2])
    return today + timedelta(days=day[1])


peer_index = st.integers(min_value=0, max_value=2)
actions = st.one_of(
    st.tuples(
        st.just("hours"),
        peer_index,
        st.lists(st.tuples(st.integers(0, 6), window()), max_size=4),
    ),
    st.tuples(st.just("leave"), peer_index, a_day, st.integers(0, 6)),
    st.tuples(st.just("override"), peer_index, a_day, st.lists(window(), max_size=1)),
    st.tuples(
        st.just("zone"),
        peer_index,
        st.sampled_from(ZONES),
        st.booleans(),
        st.sampled_from(["england", "wales", "scotland"]),
    ),
    st.tuples(
        st.just("calendar"),
        peer_index,
        st.lists(st.tuples(a_day, quarter, st.integers(1, 12)), max_size=5),
    ),
    st.tuples(st.just("no calendar"), peer_index),
    st.tuples(st.just("book"), st.integers(3, 20), st.integers(0, 4)),
    st.tuples(st.just("cancel")),
    st.tuples(st.just("decline")),
    st.tuples(st.just("day"), st.integers(1, 40), st.booleans()),
)


def _without_overlaps(windows: list[tuple[int, dict]]) -> list[dict]:
    kept, taken = [], {}
    for weekday, w in windows:
        spans = taken.setdefault(weekday, [])
        if any(w["start"] < b and a < w["end"] for a, b in spans):
            continue
        spans.append((w["start"], w["end"]))
        kept.append({"weekday": weekday, **w})
    return kept


def apply(action, peers, state) -> None:
    kind = action[0]
    today = state["now"].astimezone(LONDON).date()
    # Overrides and leave start from tomorrow in London: a day already past in a peer's own
    # zone (east of London's, late in the day) is refused.
    tomorrow = today + timedelta(days=1)
    if kind == "hours":
        availability_update(peer=peers[action[1]], weekly=_without_overlaps(action[2]))
    elif kind == "leave":
        first = resolve(action[2], tomorrow)
        availability_update(
            peer=peers[action[1]],
            leave=[{"first_day": first, "last_day": first + timedelta(days=action[3])}],
        )
    elif kind == "override":
        availability_update(
            peer=peers[action[1]],
            overrides=[{"date": resolve(action[2], tomorrow), "windows": action[3]}],
        )
    elif kind == "zone":
        availability_update(
            peer=peers[action[1]],
            time_zone=action[2],
            bank_holidays_block=action[3],
            nation=action[4],
        )
    elif kind == "calendar":
        events = []
        for day, start, quarters in action[2]:
            begin = datetime.combine(resolve(day, today), time(0), LONDON) + timedelta(
                minutes=15 * start
            )
            events.append((begin, begin + timedelta(minutes=15 * quarters)))
        import_calendar(peers[action[1]], calendar_file(events))
    elif kind == "no calendar":
        busy_calendar_disconnect(peer=peers[action[1]])
    elif kind == "book":
        day = date.today() + timedelta(weeks=action[1])
        day += timedelta(days=(1 - day.weekday()) % 7)
        start = datetime.combine(day, time(9 + action[2]), LONDON)
        # A Tuesday that is a bank holiday (Boxing Day observed in 2027) is refused, as is a
        # time nobody can staff: either leaves the free time as it was.
        with contextlib.suppress(Refusal, ValidationError):
            booking_create(
                caller=state["caller"], offer=state["offer"], council=state["council"], start=start
            )
    elif kind == "cancel":
        booking = Booking.objects.exclude(status=BookingStatus.CANCELLED).order_by("id").first()
        if booking is not None:
            booking_cancel(caller=state["caller"], booking=booking, reason="No longer needed")
    elif kind == "decline":
        seat = Seat.objects.filter(status=SeatStatus.INVITED, peer__isnull=False).first()
        if seat is not None:
            with contextlib.suppress(Refusal):
                seat_answer(seat_id=seat.id, accept=False)
    elif kind == "day":
        state["now"] += timedelta(days=action[1])
        if action[2]:
            free_time_roll_forward(now=state["now"])


def check(peers, state) -> None:
    now = state["now"]
    for peer in peers:
        grid, bits = stored(peer)
        assert np.array_equal(bits, reference(peer, grid, seats=False)), peer.name
    # The pool as a search sees it: read with the clock where it is now, seats laid over.
    start = max(now, datetime.now(UTC))
    pool = peer_pool(start=start, end=start + timedelta(weeks=26))
    index = {profile.id: i for i, profile in enumerate(pool.profiles)}
    for peer in peers:
        expected = reference(peer, pool.grid, seats=True)
        assert np.array_equal(pool.matrix[index[peer.id]], expected), peer.name
    read = free_time_matrix(peer_ids=[p.id for p in peers], grid=pool.grid, now=now)
    for row, peer in enumerate(peers):
        assert np.array_equal(read[row], reference(peer, pool.grid, seats=False)), peer.name


@pytest.fixture
def panel_world(db):
    council = make_council(region=Region.NORTH_WEST, leader_group="labour")
    return {
        "council": council,
        "offer": Offer.objects.get(slug="recovery-and-renewal-panel"),
        "caller": caller_for(make_user(is_staff=True)),
    }


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(actions, min_size=1, max_size=6))
def test_kept_free_time_equals_a_rebuild_after_any_changes(panel_world, steps):
    home = make_council(region=Region.WALES, leader_group="labour")
    peers = [
        make_available(make_peer(political_group="labour", home_council=home)),
        make_available(make_peer(political_group="green", home_council=home)),
        make_available(make_peer(kind="officer", home_council=home, skills=["recovery-planning"])),
    ]
    state = {**panel_world, "now": datetime.now(UTC)}
    for action in steps:
        apply(action, peers, state)
        check(peers, state)


# Plain cases ------------------------------------------------------------------------------------


def test_a_change_is_seen_by_the_next_search_and_only_changed_rows_are_fetched(db):
    peer = make_available(make_peer())
    other = make_available(make_peer())
    grid = kept_window(datetime.now(UTC))
    first = free_time_matrix(peer_ids=[peer.id, other.id], grid=grid)
    availability_update(peer=peer, weekly=[])
    second = free_time_matrix(peer_ids=[peer.id, other.id], grid=grid)
    assert first[0].any() and not second[0].any()
    assert np.array_equal(first[1], second[1])


def test_a_peer_without_a_row_is_built_on_the_spot(db):
    peer = make_peer()
    FreeTime.objects.filter(peer=peer).delete()
    free_time_forget()
    grid = kept_window(datetime.now(UTC))
    assert not free_time_matrix(peer_ids=[peer.id], grid=grid).any()
    assert FreeTime.objects.filter(peer=peer, slots=grid.slots).exists()


def test_a_row_from_days_ago_is_moved_on_by_the_daily_roll_or_by_the_reader(db):
    peer = make_available(make_peer())
    later = datetime.now(UTC) + timedelta(days=3)
    assert free_time_roll_forward(now=later) >= 1
    assert FreeTime.objects.get(peer=peer).start == kept_window(later).start
    assert free_time_roll_forward(now=later) == 0
    # A row still covering the asked window is used as it is (free time does not age)...
    even_later = later + timedelta(days=20)
    grid = TimeGrid(kept_window(even_later).start, 96 * 7)
    free_time_matrix(peer_ids=[peer.id], grid=grid, now=even_later)
    assert FreeTime.objects.get(peer=peer).start == kept_window(later).start
    # ...and a reader asking for a window the row no longer covers rebuilds it there and then.
    grid = TimeGrid(kept_window(even_later).end - timedelta(days=7), 96 * 7)
    read = free_time_matrix(peer_ids=[peer.id], grid=grid, now=even_later)
    assert np.array_equal(read[0], reference(peer, grid, seats=False))
    assert FreeTime.objects.get(peer=peer).start == kept_window(even_later).start


def test_a_window_beyond_what_is_kept_is_computed_afresh(db):
    peer = make_available(make_peer())
    far = kept_window(datetime.now(UTC)).end + timedelta(days=30)
    grid = TimeGrid(far, 96 * 14)
    read = free_time_matrix(peer_ids=[peer.id], grid=grid)
    assert np.array_equal(read[0], reference(peer, grid, seats=False))
    assert np.array_equal(read, free_time_build(peer_ids=[peer.id], grid=grid))


def test_the_size_is_a_few_kilobytes_a_peer(db):
    make_available(make_peer())
    free_time_refresh(peer_ids=Peer.objects.values_list("id", flat=True))
    size = free_time_size()
    assert size["rows"] == Peer.objects.count()
    assert size["bytes"] == size["rows"] * -(-kept_window(datetime.now(UTC)).slots // 8)


def test_a_calendar_import_with_the_same_busy_times_writes_no_free_time(db):
    peer = make_available(make_peer())
    day = datetime.now(UTC) + timedelta(days=10)
    busy = calendar_file([(day, day + timedelta(hours=2))])
    import_calendar(peer, busy)
    version = FreeTime.objects.get(peer=peer).version
    import_calendar(peer, busy)
    assert FreeTime.objects.get(peer=peer).version == version
    later = calendar_file([(day, day + timedelta(hours=3))])
    import_calendar(peer, later)
    assert FreeTime.objects.get(peer=peer).version != version
    grid, bits = stored(peer)
    assert np.array_equal(bits, reference(peer, grid, seats=False))
