"""Staffable start times: the starts a council may book because a whole panel can be staffed.

A start is offered when it keeps the booking rules (office hours in Europe/London on working
days, not a bank holiday in England, the offer's minimum notice and horizon) and every role
slot of every session can be filled at once by distinct eligible peers who are free for the
whole session and under their monthly cap.

The search is a vectorised pass over a boolean availability matrix (peers × 15-minute slots,
True = free to take a seat; buffers around existing seats are the matrix builder's concern):
per role an eligible-peer mask from `panels.ineligibility()`, per start a "free for the whole
session" column, then Hall's condition over the role slots (for every set of roles, the free
peers eligible for any of them must be at least the seats they need), which for a handful of
roles decides a perfect seat matching exactly without a Python loop per start. Each start
that passes gets the panel booking it seats. When one set of peers sits on the whole booking
(a single session, or a series or several days with the same team) that panel is the optimum
of the matcher's objective for that one booking: per seat its fit (plus the keep bonus when a
booking is moved), less the convex fairness cost over the sessions each peer holds within
`FAIRNESS_WINDOW` of the start; a small assignment problem solved exactly
(`linear_sum_assignment` over each role's best few candidates), with ties broken towards the
least recently seated peers, then lower ids (`panels.tie_break_ranks`, which the matcher
applies too), so the search, the booking and re-staffing make the same choice. Otherwise
(sessions that may have different peers) a greedy fill with an exact seat assignment or a max
flow as fallbacks proposes the panel. A start is offered only once a panel is in hand.

Multi-session offers (coaching calls 14 days apart, consecutive days of bespoke support) take
every session's time from the first start: the same London wall-clock time, `spacing_days`
apart. A start whose later session would land on a weekend or a bank holiday is not offered
(it is rejected, not shifted), so a series keeps its fixed rhythm.
"""

import math
from collections import Counter
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from itertools import combinations
from zoneinfo import ZoneInfo

import numpy as np
from scipy.optimize import linear_sum_assignment
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_flow

from scheduling.engine.grid import runs_free
from scheduling.engine.intervals import Interval, clip
from scheduling.engine.matching import DEFAULT_FAIRNESS_STEP, KEEP_VALUE, fit_totals, unfairness
from scheduling.engine.panels import (
    FACILITATOR,
    FAIRNESS_WINDOW,
    SAME_AS_LEADER,
    CouncilProfile,
    MonthLoads,
    OfferFormat,
    PeerProfile,
    RecentWork,
    RoleRequirement,
    ineligibility,
    tie_break_ranks,
)
from scheduling.engine.plurals import counted
from scheduling.engine.uk_time import (
    bank_holidays,
    day_text,
    month_of,
    require_aware,
    zone_time_text,
)

STAFFABLE = "staffable"
NOT_BOOKABLE = "not-bookable"  # breaks a booking rule (office hours, notice, bank holiday, ...)
UNSTAFFABLE = "unstaffable"  # bookable, but no complete panel can be staffed

_KEY_STRIDE = 1 << 36  # peer position * stride + POSIX seconds: one sorted key per seat

# Hall's condition is checked over every set of roles up to this many roles (2**n - 1 sets);
# beyond it only single roles and the whole panel are counted and the matching decides.
HALL_ROLE_LIMIT = 6

_CONFLICT_REASONS = frozenset({"not accredited", "own council", "declared interest", "same region"})


@dataclass(frozen=True, slots=True)
class OfficeHours:
    """When sessions may run: weekday wall-clock hours in one zone, minus its bank holidays."""

    zone: str = "Europe/London"
    first_start: time = time(9, 0)
    last_end: time = time(17, 30)
    start_every_minutes: int = 30
    weekdays: frozenset[int] = frozenset(range(5))  # 0 = Monday
    holiday_nation: str = "england"


OFFICE_HOURS = OfficeHours()


# role name -> peer ids in the seats of that role
Panel = Mapping[str, tuple[int, ...]]


@dataclass(frozen=True, slots=True)
class SessionTime:
    start: datetime  # aware UTC
    end: datetime  # aware UTC


@dataclass(frozen=True, slots=True)
class StaffableStart:
    sessions: tuple[SessionTime, ...]
    panels: tuple[Panel, ...]  # a proposed panel per session (the same one for a series)

    @property
    def start(self) -> datetime:
        return self.sessions[0].start

    @property
    def panel(self) -> Panel:
        return self.panels[0]


@dataclass(frozen=True, slots=True)
class Reason:
    text: str  # plain words, prefixed with the role name when about one role slot
    role: str = ""  # the failing role slot's name; "" when not about one role
    session: int | None = None  # 0-based session index; None = the whole booking


@dataclass(frozen=True, slots=True)
class StartExplanation:
    start: datetime
    status: str  # STAFFABLE, NOT_BOOKABLE or UNSTAFFABLE
    sessions: tuple[SessionTime, ...]
    reasons: tuple[Reason, ...] = ()
    panels: tuple[Panel, ...] = ()
    # role name -> the best other candidate for its seats (by fit), when the panel is one team
    runners_up: Mapping[str, int] = field(default_factory=dict)

    @property
    def staffable(self) -> bool:
        return self.status == STAFFABLE


# --- booking rules (calendar only) ---------------------------------------------------------


def bank_holiday(day: date, office_hours: OfficeHours = OFFICE_HOURS) -> str | None:
    """The bank holiday's name when `day` is one, else None."""
    return bank_holidays(office_hours.holiday_nation, day.year).get(day)


def office_hours_open(
    start: datetime, end: datetime, office_hours: OfficeHours = OFFICE_HOURS
) -> list[Interval]:
    """The instants in [start, end) at which sessions may run: the office's hours on its
    working days that are not bank holidays, in its zone. Every start `candidate_starts`
    offers, and the whole session after it, lies inside these."""
    _require_aware(start=start, end=end)
    zone = ZoneInfo(office_hours.zone)
    day, last_day = start.astimezone(zone).date(), end.astimezone(zone).date()
    open_ = []
    while day <= last_day:
        if day.weekday() in office_hours.weekdays and not bank_holiday(day, office_hours):
            opens = datetime.combine(day, office_hours.first_start, zone).astimezone(UTC)
            closes = datetime.combine(day, office_hours.last_end, zone).astimezone(UTC)
            open_.append(Interval(opens, closes))
        day += timedelta(days=1)
    return clip(open_, start, end)


def office_hours_words(office_hours: OfficeHours = OFFICE_HOURS) -> str:
    """When sessions run, for a page: '09:00 to 17:30 UK time, Monday to Friday, ...'."""
    days = sorted(office_hours.weekdays)
    names = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
    return (
        f"{office_hours.first_start:%H:%M} to {office_hours.last_end:%H:%M} UK time, "
        f"{names[days[0]]} to {names[days[-1]]}, not bank holidays in England"
    )


def office_hours_closed_words(moment: datetime, office_hours: OfficeHours = OFFICE_HOURS) -> str:
    """Why sessions do not run at `moment` (outside `office_hours_open`), in plain words."""
    zone = ZoneInfo(office_hours.zone)
    day = moment.astimezone(zone).date()
    if day.weekday() not in office_hours.weekdays:
        return "Councils book working days only"
    if name := bank_holiday(day, office_hours):
        return f"Councils do not book bank holidays in England ({name})"
    return (
        f"Outside the hours sessions run ({office_hours.first_start:%H:%M}–"
        f"{office_hours.last_end:%H:%M} UK time)"
    )


def session_times(
    offer: OfferFormat, start: datetime, office_hours: OfficeHours = OFFICE_HOURS
) -> tuple[SessionTime, ...]:
    """Every session of a booking starting at `start`: same local time, `spacing_days` apart."""
    _require_aware(start=start)
    zone = ZoneInfo(office_hours.zone)
    local = start.astimezone(zone)
    duration = timedelta(minutes=offer.duration_minutes)
    sessions = []
    for k in range(max(1, offer.session_count)):
        day = local.date() + timedelta(days=k * offer.spacing_days)
        begins = datetime.combine(day, local.time(), zone).astimezone(UTC)
        sessions.append(SessionTime(begins, begins + duration))
    return tuple(sessions)


def _booking_window(
    offer: OfferFormat, now: datetime, office_hours: OfficeHours
) -> tuple[date, date]:
    """First local date a booking may start, last local date any of its sessions may fall on.

    Notice and horizon count London calendar days, so "10 days' notice" means the same
    earliest date all day long rather than shifting with the time the booker looks.
    """
    today = now.astimezone(ZoneInfo(office_hours.zone)).date()
    return today + timedelta(days=offer.min_notice_days), today + timedelta(days=offer.horizon_days)


def _session_label(k: int, session: SessionTime, count: int, zone: ZoneInfo) -> str:
    if count == 1:
        return ""
    return f"session {k + 1} ({day_text(session.start, zone)}): "


def _day_problems(
    offer: OfferFormat,
    sessions: Sequence[SessionTime],
    now: datetime,
    office_hours: OfficeHours,
) -> list[str]:
    """Booking rules that depend only on the dates of the sessions."""
    zone = ZoneInfo(office_hours.zone)
    earliest, latest = _booking_window(offer, now, office_hours)
    first_day = sessions[0].start.astimezone(zone).date()
    last_day = sessions[-1].start.astimezone(zone).date()
    problems = []
    if first_day < earliest:
        problems.append(
            f"inside the {offer.min_notice_days}-day minimum notice "
            f"(the earliest date is {day_text(earliest)})"
        )
    if last_day > latest:
        problems.append(
            f"beyond the {offer.horizon_days}-day booking horizon "
            f"(the latest date is {day_text(latest)})"
        )
    for k, session in enumerate(sessions):
        day = session.start.astimezone(zone).date()
        if day.weekday() not in office_hours.weekdays:
            label = _session_label(k, session, len(sessions), zone)
            problems.append(f"{label}on a {day:%A}, not a working day")
        elif name := bank_holiday(day, office_hours):
            label = _session_label(k, session, len(sessions), zone)
            problems.append(f"{label}a bank holiday ({name})")
    return problems


def _time_problems(sessions: Sequence[SessionTime], office_hours: OfficeHours) -> list[str]:
    """Booking rules that depend on the time of day of the sessions."""
    zone = ZoneInfo(office_hours.zone)
    problems = []
    first = sessions[0].start.astimezone(zone)
    since_open = (first.hour * 60 + first.minute) - (
        office_hours.first_start.hour * 60 + office_hours.first_start.minute
    )
    if first.second or first.microsecond or since_open % office_hours.start_every_minutes:
        every = office_hours.start_every_minutes
        rhythm = "on the hour and half hour" if every == 30 else f"every {every} minutes"
        problems.append(f"not a start time (sessions start {rhythm})")
    for k, session in enumerate(sessions):
        begins, ends = session.start.astimezone(zone), session.end.astimezone(zone)
        if (
            begins.time() < office_hours.first_start
            or ends.date() != begins.date()
            or ends.time() > office_hours.last_end
        ):
            label = _session_label(k, session, len(sessions), zone)
            problems.append(
                f"{label}outside office hours (sessions run "
                f"{office_hours.first_start:%H:%M}–{office_hours.last_end:%H:%M} "
                f"{zone_time_text(office_hours.zone)})"
            )
    return problems


def booking_rule_problems(
    offer: OfferFormat,
    start: datetime,
    *,
    now: datetime,
    office_hours: OfficeHours = OFFICE_HOURS,
) -> list[str]:
    """Why `start` breaks the booking rules, in plain words; empty when it keeps them."""
    _require_aware(start=start, now=now)
    sessions = session_times(offer, start, office_hours)
    return _day_problems(offer, sessions, now, office_hours) + _time_problems(
        sessions, office_hours
    )


def candidate_starts(
    offer: OfferFormat,
    *,
    now: datetime,
    range_start: datetime,
    range_end: datetime,
    office_hours: OfficeHours = OFFICE_HOURS,
) -> list[tuple[SessionTime, ...]]:
    """The sessions of every start in [range_start, range_end) that keeps the booking rules."""
    _require_aware(now=now, range_start=range_start, range_end=range_end)
    zone = ZoneInfo(office_hours.zone)
    earliest, latest = _booking_window(offer, now, office_hours)
    day = max(range_start.astimezone(zone).date(), earliest)
    last_day = min(range_end.astimezone(zone).date(), latest)
    opens = office_hours.first_start.hour * 60 + office_hours.first_start.minute
    closes = office_hours.last_end.hour * 60 + office_hours.last_end.minute
    wall_times = [
        time(minute // 60, minute % 60)
        for minute in range(
            opens, closes - offer.duration_minutes + 1, office_hours.start_every_minutes
        )
    ]
    duration = timedelta(minutes=offer.duration_minutes)
    spacing = [timedelta(days=k * offer.spacing_days) for k in range(max(1, offer.session_count))]
    candidates = []
    while day <= last_day:
        noon = datetime.combine(day, time(12), zone).astimezone(UTC)
        if not wall_times or _day_problems(
            offer, session_times(offer, noon, office_hours), now, office_hours
        ):
            day += timedelta(days=1)
            continue
        session_days = [day + gap for gap in spacing]
        offsets = [_steady_offset(d, office_hours, zone) for d in session_days]
        for wall in wall_times:
            if None in offsets:
                # A clock change inside office hours: convert and check each time the slow way.
                start = datetime.combine(day, wall, zone).astimezone(UTC)
                sessions = session_times(offer, start, office_hours)
                if _time_problems(sessions, office_hours):
                    continue
            else:
                sessions = tuple(
                    SessionTime(begins, begins + duration)
                    for begins in (
                        datetime.combine(d, wall, UTC) - offset
                        for d, offset in zip(session_days, offsets, strict=True)
                    )
                )
            if range_start <= sessions[0].start < range_end:
                candidates.append(sessions)
        day += timedelta(days=1)
    return candidates


def _steady_offset(day: date, office_hours: OfficeHours, zone: ZoneInfo) -> timedelta | None:
    """The zone's UTC offset through the office hours of `day`, None if it changes then."""
    opens = datetime.combine(day, office_hours.first_start, zone).utcoffset()
    closes = datetime.combine(day, office_hours.last_end, zone).utcoffset()
    return opens if opens == closes else None


# --- the pool of peers who could sit on the panel ----------------------------------------


class _Pool:
    """Per search: the peers eligible for some role, their masks, and the Hall role sets."""

    def __init__(
        self,
        offer: OfferFormat,
        council: CouncilProfile,
        peers: Sequence[PeerProfile],
        availability: np.ndarray,
        loads: MonthLoads | None,
        workload: RecentWork | None = None,
        keep: Mapping[str, Collection[int]] | None = None,
        fairness_step: int = DEFAULT_FAIRNESS_STEP,
    ):
        availability = np.asarray(availability, dtype=bool)
        if availability.ndim != 2 or availability.shape[0] != len(peers):
            raise ValueError(
                f"availability must be (n_peers={len(peers)}, n_slots); got {availability.shape}"
            )
        self.offer, self.council, self.peers, self.loads = offer, council, peers, loads or {}
        self.roles = tuple(role for role in offer.roles if role.count > 0)
        self.n_slots = availability.shape[1]
        self.ineligible = [
            [
                ineligibility(peer, role, council, conflict_same_region=offer.conflict_same_region)
                for peer in peers
            ]
            for role in self.roles
        ]
        full = np.array(
            [[reason is None for reason in row] for row in self.ineligible], dtype=bool
        ).reshape(len(self.roles), len(peers))
        # The pool: peers eligible for some role, grouped by which roles they fit (their
        # type), so Hall's counts are one row-sum per type instead of one per set of roles.
        fits = np.flatnonzero(full.any(axis=0))
        type_bits = (full[:, fits].astype(np.int64) << np.arange(len(self.roles))[:, None]).sum(
            axis=0
        )
        order = np.argsort(type_bits, kind="stable")
        self.members = fits[order]  # pool position -> index in `peers`
        self.eligible = full[:, self.members]  # (roles, pool)
        types, self.type_starts = np.unique(type_bits[order], return_index=True)
        self.peer_ids = np.array([peers[i].id for i in self.members], dtype=np.int64)
        self.availability = availability[self.members]
        self.seat_roles = np.repeat(
            np.arange(len(self.roles)), [role.count for role in self.roles]
        ).astype(np.int64)
        self.seats = len(self.seat_roles)
        if len(self.roles) <= HALL_ROLE_LIMIT:
            role_sets = [
                subset
                for size in range(1, len(self.roles) + 1)
                for subset in combinations(range(len(self.roles)), size)
            ]
        else:
            role_sets = [(r,) for r in range(len(self.roles))] + [tuple(range(len(self.roles)))]
        self.role_sets = role_sets
        set_bits = np.array([sum(1 << r for r in subset) for subset in role_sets], np.int64)
        self.set_types = ((set_bits[:, None] & types[None, :]) != 0).astype(np.int32)
        self.set_demand = np.array(
            [sum(self.roles[r].count for r in subset) for subset in role_sets], dtype=np.int32
        )
        # The vectorised proposal fills the scarcest roles' seats first.
        scarcity = self.eligible.sum(axis=1)
        self.fill_order = sorted(range(self.seats), key=lambda k: scarcity[self.seat_roles[k]])
        self.session_caps = np.array(
            [peers[i].monthly_session_cap for i in self.members], dtype=np.int64
        )
        self.minutes_caps = np.array(
            [peers[i].monthly_minutes_cap for i in self.members], dtype=np.int64
        )
        # Seats of one role are consecutive, so a panel is a slice per role.
        bounds = np.cumsum([0] + [role.count for role in self.roles])
        self.role_slices = [
            (role.name, int(bounds[r]), int(bounds[r + 1])) for r, role in enumerate(self.roles)
        ]
        self._month_load: dict[tuple[int, int], tuple[np.ndarray, np.ndarray]] = {}
        self._remaining: dict[tuple[int, int], np.ndarray] = {}
        self._rank: dict[tuple[int, int], np.ndarray] = {}
        # What the panel's value counts: fit per (role, pool peer), the keep bonus when a
        # booking moves, and the tie-break: least recently seated first, then lower ids.
        self.workload = workload or RecentWork()
        self.fairness_step = fairness_step
        members = [peers[i] for i in self.members]
        self.fit = np.array(
            [fit_totals(members, role) for role in self.roles], dtype=np.int64
        ).reshape(len(self.roles), len(members))
        keep = keep or {}
        self.keep = np.array(
            [np.isin(self.peer_ids, list(keep.get(role.name, ()))) for role in self.roles],
            dtype=bool,
        ).reshape(len(self.roles), len(members))
        # Ranked over the whole pool, as the matcher ranks it, so both break ties alike.
        self.tiebreak = tie_break_ranks([peer.id for peer in peers], self.workload.last_seated)[
            self.members
        ]
        self._seated_keys: np.ndarray | None = None

    def month_load(self, month: tuple[int, int]) -> tuple[np.ndarray, np.ndarray]:
        """(sessions, minutes) each pool peer already has in `month`."""
        if month not in self._month_load:
            sessions = np.zeros(len(self.members), dtype=np.int64)
            minutes = np.zeros(len(self.members), dtype=np.int64)
            for i, peer_id in enumerate(self.peer_ids.tolist()):
                load = self.loads.get(peer_id, {}).get(month)
                if load is not None:
                    sessions[i], minutes[i] = load.sessions, load.minutes
            self._month_load[month] = sessions, minutes
        return self._month_load[month]

    def remaining(self, month: tuple[int, int]) -> np.ndarray:
        """How many more sessions of this offer each pool peer may take in `month`."""
        if month not in self._remaining:
            sessions, minutes = self.month_load(month)
            self._remaining[month] = np.minimum(
                self.session_caps - sessions,
                (self.minutes_caps - minutes) // max(1, self.offer.duration_minutes),
            )
        return self._remaining[month]

    def window_load(self, seconds: np.ndarray) -> np.ndarray:
        """(pool, starts): sessions each pool peer holds within `FAIRNESS_WINDOW` either side
        of each start (POSIX seconds), as `RecentWork.around` counts them."""
        if self._seated_keys is None:
            keys = [
                i * _KEY_STRIDE + int(start.timestamp())
                for i, peer_id in enumerate(self.peer_ids.tolist())
                for start in self.workload.seated.get(peer_id, ())
            ]
            self._seated_keys = np.sort(np.array(keys, dtype=np.int64))
        window = int(FAIRNESS_WINDOW.total_seconds())
        seconds = np.asarray(seconds, dtype=np.int64)[None, :]
        load = np.zeros((len(self.members), seconds.shape[1]), dtype=np.int64)
        # Only peers who hold some session can count one; the rest hold none.
        holders = np.unique(self._seated_keys // _KEY_STRIDE)
        base = (holders * _KEY_STRIDE)[:, None]
        low = np.searchsorted(self._seated_keys, base + seconds - window)
        high = np.searchsorted(self._seated_keys, base + seconds + window)
        load[holders] = high - low
        return load

    def rank(self, month: tuple[int, int]) -> np.ndarray:
        """Preference of each pool peer for a seat: fewer sessions that month, then the
        tie-break (least recently seated, then lower id)."""
        if month not in self._rank:
            sessions, _ = self.month_load(month)
            order = np.lexsort((self.tiebreak, sessions))
            rank = np.empty(len(order), dtype=np.int64)
            rank[order] = np.arange(len(order))
            self._rank[month] = rank
        return self._rank[month]


def _free_for_sessions(pool: _Pool, slot_starts: np.ndarray, length: int) -> np.ndarray:
    """(sessions, pool, starts): free for the whole of each session.

    Only the columns some session touches are gathered (office hours of the searched days),
    so the run-length pass runs over a few hundred columns instead of the whole grid.
    """
    needed_delta = np.zeros(pool.n_slots + 1, dtype=np.int64)
    np.add.at(needed_delta, slot_starts.ravel(), 1)
    np.add.at(needed_delta, slot_starts.ravel() + length, -1)
    columns = np.flatnonzero(np.cumsum(needed_delta[:-1]) > 0)
    runs = runs_free(np.take(pool.availability, columns, axis=1), length)
    # Every session's columns are all gathered and consecutive, so its run starts at its
    # first column's position in the compact matrix.
    positions = np.searchsorted(columns, slot_starts)  # (starts, sessions)
    return np.stack([runs[:, positions[:, k]] for k in range(slot_starts.shape[1])])


def _hall_holds(pool: _Pool, free: np.ndarray) -> np.ndarray:
    """(starts,) whether every set of roles has enough distinct free eligible peers."""
    if pool.seats == 0:
        return np.ones(free.shape[1], dtype=bool)
    return (_hall_counts(pool, free) >= pool.set_demand[:, None]).all(axis=0)


def _hall_counts(pool: _Pool, free: np.ndarray) -> np.ndarray:
    """(role sets, starts): distinct free peers eligible for at least one role of each set."""
    if len(pool.members) == 0:
        return np.zeros((len(pool.role_sets), free.shape[1]), dtype=np.int32)
    per_type = np.add.reduceat(free, pool.type_starts, axis=0, dtype=np.int32)
    return pool.set_types @ per_type


def _month_cached(
    moment: datetime, zone: ZoneInfo, cache: dict[int, tuple[int, int]]
) -> tuple[int, int]:
    # Zones' offsets are whole quarter hours, so a local month starts on a UTC quarter hour.
    key = int(moment.timestamp()) // 900
    if key not in cache:
        cache[key] = month_of(moment, zone)
    return cache[key]


def _series_cap_ok(pool: _Pool, per_month: tuple[tuple[tuple[int, int], int], ...]) -> np.ndarray:
    """Pool peers who may take every session of the booking under their monthly caps."""
    ok = np.ones(len(pool.members), dtype=bool)
    for month, count in per_month:
        ok &= pool.remaining(month) >= count
    return ok


class _Search:
    """The vectorised state for a list of candidate starts of one offer and council."""

    def __init__(
        self,
        pool: _Pool,
        candidates: Sequence[tuple[SessionTime, ...]],
        grid_start: datetime,
        step_minutes: int,
        office_hours: OfficeHours,
    ):
        self.pool, self.zone = pool, ZoneInfo(office_hours.zone)
        offer = pool.offer
        self.length = max(1, math.ceil(offer.duration_minutes / step_minutes))
        # One panel for the whole booking when its peers must stay, or it has one session.
        self.joint = offer.series_same_peers or max(1, offer.session_count) == 1
        n_sessions = max(1, offer.session_count)
        # Whole seconds from the grid's start of every session (exact integer arithmetic).
        seconds = np.array(
            [(s.start - grid_start) // timedelta(seconds=1) for c in candidates for s in c],
            dtype=np.int64,
        ).reshape(len(candidates), n_sessions)
        step_seconds = step_minutes * 60
        slots = seconds // step_seconds
        inside = (
            (seconds % step_seconds == 0) & (slots >= 0) & (slots + self.length <= pool.n_slots)
        ).all(axis=1)
        self.candidates = [c for c, keep in zip(candidates, inside.tolist(), strict=True) if keep]
        starts = slots[inside]
        n = len(self.candidates)
        if pool.seats == 0 or n == 0:
            self.free = np.zeros((starts.shape[1], len(pool.members), n), dtype=bool)
        else:
            self.free = _free_for_sessions(pool, starts, self.length)
        months_seen: dict[int, tuple[int, int]] = {}  # quarter hour since the epoch -> month
        self.months = [
            [_month_cached(s.start, self.zone, months_seen) for s in c] for c in self.candidates
        ]
        self.per_month = [
            ((months[0], 1),) if len(months) == 1 else tuple(sorted(Counter(months).items()))
            for months in self.months
        ]

    def units(self) -> list[np.ndarray]:
        """(pool, starts) matrices that must each admit a full panel for a start to be offered.

        A booking whose peers stay for every session is one unit (free for all sessions and
        under the cap counting all of them); otherwise each session is its own unit.
        """
        pool = self.pool
        if not self.candidates:
            return []
        if self.joint:
            return [self.together(np.arange(len(self.candidates)))]
        all_months = sorted({m for months in self.months for m in months})
        month_column = {m: i for i, m in enumerate(all_months)}
        cap = np.stack([pool.remaining(m) >= 1 for m in all_months], axis=1)
        return [
            self.free[k] & cap[:, [month_column[months[k]] for months in self.months]]
            for k in range(self.free.shape[0])
        ]

    def together(self, chosen: np.ndarray) -> np.ndarray:
        """(pool, chosen): free for every session and under the cap counting all of them."""
        signatures: dict[tuple, int] = {}
        column = [signatures.setdefault(self.per_month[c], len(signatures)) for c in chosen]
        cap = np.ones((len(self.pool.members), len(signatures)), dtype=bool)
        for sig, i in signatures.items():
            cap[:, i] = _series_cap_ok(self.pool, sig)
        return np.logical_and.reduce(self.free[:, :, chosen], axis=0) & cap[:, column]

    def passes_counts(self) -> np.ndarray:
        """(starts,) whether Hall's condition holds for every unit: a cheap, vectorised test
        that is exact for up to HALL_ROLE_LIMIT roles when caps do not couple sessions."""
        ok = np.ones(len(self.candidates), dtype=bool)
        for unit in self.units():
            ok &= _hall_holds(self.pool, unit)
        return ok

    def seats_greedily(self, chosen: np.ndarray) -> list[list[np.ndarray] | None]:
        """Proposals for many starts at once: per start, the seats (pool positions) of each
        session, or None where the greedy fill fails and `propose` must decide.

        The same peers for every session are tried first (continuity); a booking whose peers
        may change is then filled session by session, counting the seats already proposed in
        the booking towards each peer's monthly cap.
        """
        n_sessions = self.free.shape[0]
        seats, filled = _greedy_seats(
            self.pool, self.together(chosen), [self.months[c][0] for c in chosen]
        )
        proposals: list[list[np.ndarray] | None] = [
            [seats[j]] * n_sessions if filled[j] else None for j in range(len(chosen))
        ]
        rest = np.flatnonzero(~filled)
        if self.joint or not len(rest):
            return proposals
        starts = chosen[rest]
        columns = np.arange(len(starts))
        held, per_session, all_filled = [], [], np.ones(len(starts), dtype=bool)
        for k in range(n_sessions):
            months = [self.months[c][k] for c in starts]
            room = np.stack([self.pool.remaining(m) for m in months], axis=1)
            for j, taken in enumerate(held):
                same_month = np.array([self.months[c][j] == self.months[c][k] for c in starts])
                room = room - (taken & same_month[None, :])
            seats_k, filled_k = _greedy_seats(
                self.pool, self.free[k][:, starts] & (room >= 1), months
            )
            taken_k = np.zeros((len(self.pool.members), len(starts)), dtype=bool)
            for seat in range(self.pool.seats):
                taken_k[seats_k[:, seat], columns] = True
            held.append(taken_k)
            per_session.append(seats_k)
            all_filled &= filled_k
        for i, j in enumerate(rest):
            if all_filled[i]:
                proposals[j] = [seats_k[i] for seats_k in per_session]
        return proposals

    def best(self, chosen: np.ndarray) -> list[np.ndarray | None]:
        """The optimal team (pool positions, one per seat) for each chosen start of a booking
        whose peers sit on all its sessions, or None where no team exists.

        Value of a peer in a seat of role r over the booking's n sessions: n * fit, plus
        n * KEEP_VALUE when they hold that role in the booking being moved, less their share
        of the convex fairness cost (`matching.unfairness` per month, counting from the
        sessions they hold within FAIRNESS_WINDOW of the start). Every seat is filled, so
        this is the matcher's objective for the one booking. The cost handed to
        `linear_sum_assignment` is -value * scale + tie-break rank: the tie-break only decides
        between panels of equal value. Each role keeps the candidates that can be among its
        best `seats` (enough for an optimum, by an exchange argument): those before its
        `seats`-th allowed peer with no work in the window, in order of the part of the cost
        that does not depend on the start. The candidates and the answer depend only on the
        start, never on the other starts searched.
        """
        pool = self.pool
        n_sessions = self.free.shape[0]
        ok = self.together(chosen)  # (pool, chosen)
        seconds = np.array(
            [int(self.candidates[c][0].start.timestamp()) for c in chosen], dtype=np.int64
        )
        load = pool.window_load(seconds).T  # (chosen, pool)
        scale = float(pool.seats * (len(pool.peers) + 1) + 1)  # above any sum of tie ranks
        # cost = static (per role and peer) + fairness * scale (per start and peer); a peer
        # with no work in the window pays the least fairness, so each role's best `seats`
        # candidates lie within its static order up to its `seats`-th allowed such peer.
        static = -(n_sessions * (pool.fit + KEEP_VALUE * pool.keep)) * scale + pool.tiebreak
        order = np.argsort(static, axis=1, kind="stable")
        ok_rows = np.ascontiguousarray(ok.T)  # (chosen, pool)
        idle = np.ascontiguousarray(load == 0)  # (chosen, pool)
        # Each start's candidates (pool positions, ascending): those in some role's prefix.
        candidate = np.zeros(ok_rows.shape, dtype=bool)  # (chosen, pool)
        for r in range(len(pool.roles)):
            # The role's eligible peers in static order (`take` keeps rows contiguous, so the
            # running count is quick).
            ranked = order[r][pool.eligible[r][order[r]]]
            allowed = np.take(ok_rows, ranked, axis=1)
            counted = allowed & np.take(idle, ranked, axis=1)
            before = np.cumsum(counted, axis=1, dtype=np.int32) - counted
            candidate[:, ranked] |= allowed & (before < pool.seats)
        # Every start's cost matrix at once, side by side: start j's columns are
        # columns[bounds[j]:bounds[j + 1]]. Fairness is counted for those pairs alone.
        starts_of, columns = np.nonzero(candidate)
        bounds = np.searchsorted(starts_of, np.arange(len(chosen) + 1))
        pair_load = load[starts_of, columns]
        fair = np.zeros(len(columns), dtype=np.int64)
        groups: dict[tuple[int, ...], int] = {}
        group = np.array(
            [
                groups.setdefault(tuple(n for _, n in self.per_month[c]), len(groups))
                for c in chosen.tolist()
            ],
            dtype=np.int64,
        )[starts_of]
        for counts, g in groups.items():
            in_group = group == g
            for count in counts:
                fair[in_group] += unfairness(pair_load[in_group], count, pool.fairness_step)
        costs = static[pool.seat_roles][:, columns] + fair * scale
        allowed = pool.eligible[pool.seat_roles][:, columns] & ok_rows[starts_of, columns]
        costs[~allowed] = np.inf
        found: list[np.ndarray | None] = []
        for j in range(len(chosen)):
            low, high = bounds[j], bounds[j + 1]
            if high - low < pool.seats:
                found.append(None)
                continue
            matrix = costs[:, low:high]
            try:
                rows, picked = linear_sum_assignment(matrix)
            except ValueError:  # no assignment avoids every forbidden pair
                found.append(None)
                continue
            if not np.isfinite(matrix[rows, picked]).all():
                found.append(None)
                continue
            seats = np.empty(pool.seats, dtype=np.int64)
            seats[rows] = columns[low + picked]
            found.append(seats)
        return found

    def runners_up(self, c: int, seats: np.ndarray) -> dict[str, int]:
        """Per role, the best other candidate for start `c` (by fit, then the tie-break)."""
        pool = self.pool
        ok = self.together(np.array([c]))[:, 0].copy()
        ok[seats] = False
        found = {}
        for r, role in enumerate(pool.roles):
            candidates = np.flatnonzero(pool.eligible[r] & ok)
            if len(candidates):
                best = np.lexsort((pool.tiebreak[candidates], -pool.fit[r, candidates]))[0]
                found[role.name] = int(pool.peer_ids[candidates[best]])
        return found

    def proposals(self, chosen: np.ndarray) -> list[tuple[Panel, ...] | None]:
        """The panels of each chosen start: the optimal team when one team sits on the whole
        booking, else the greedy fill with `propose` as its fallback."""
        if self.joint:
            n_sessions = self.free.shape[0]
            return [
                None if seats is None else _panels(self.pool, [seats] * n_sessions)
                for seats in self.best(chosen)
            ]
        return [
            _panels(self.pool, seats) if seats is not None else self.propose(int(c))
            for c, seats in zip(chosen, self.seats_greedily(chosen), strict=True)
        ]

    def propose(self, c: int) -> tuple[Panel, ...] | None:
        """A panel for every session of candidate `c`, or None when none can be staffed."""
        pool, sessions, months = self.pool, self.candidates[c], self.months[c]
        if pool.seats == 0:
            return tuple({} for _ in sessions)
        together = np.logical_and.reduce(self.free[:, :, c], axis=0) & _series_cap_ok(
            pool, self.per_month[c]
        )
        seats = _assign(pool, together, pool.rank(months[0]))
        if seats is not None:
            return tuple(_panel(pool, seats) for _ in sessions)
        if self.joint:
            return None
        # Different peers per session: fill session by session, counting the seats already
        # proposed in this booking towards each peer's monthly cap.
        taken = {month: np.zeros(len(pool.members), dtype=np.int64) for month in months}
        panels = []
        for k, month in enumerate(months):
            room = pool.remaining(month) - taken[month]
            seats = _assign(pool, self.free[k, :, c] & (room >= 1), pool.rank(month))
            if seats is None:
                break
            taken[month][seats] += 1
            panels.append(_panel(pool, seats))
        else:
            return tuple(panels)
        seats_per_session = _assign_by_flow(pool, self.free[:, :, c], months)
        if seats_per_session is None:
            return None
        return tuple(_panel(pool, seats) for seats in seats_per_session)


def _greedy_seats(
    pool: _Pool, free: np.ndarray, months: Sequence[tuple[int, int]]
) -> tuple[np.ndarray, np.ndarray]:
    """Seats for many starts at once: each seat, scarcest role first, takes the best-ranked
    free eligible peer not yet seated (rank by the start's month). Returns (starts, seats)
    pool positions and, per start, whether every seat was filled.
    """
    month_index = {m: i for i, m in enumerate(sorted(set(months)))}
    ranks = np.stack([pool.rank(m) for m in month_index], axis=1)
    ranks = ranks[:, [month_index[m] for m in months]]  # (pool, starts)
    free = free.copy()
    columns = np.arange(len(months))
    seats = np.zeros((len(months), pool.seats), dtype=np.int64)
    filled = np.ones(len(months), dtype=bool)
    unranked = len(pool.members)
    for seat in pool.fill_order:
        rows = np.flatnonzero(pool.eligible[pool.seat_roles[seat]])
        score = np.where(free[rows], ranks[rows], unranked)
        best = score.argmin(axis=0)
        filled &= score[best, columns] < unranked
        seats[:, seat] = rows[best]
        free[rows[best], columns] = False
    return seats, filled


def _assign(pool: _Pool, free: np.ndarray, rank: np.ndarray) -> list[int] | None:
    """Pool positions for each seat (distinct peers), preferring low rank; None if impossible."""
    if pool.seats == 0:
        return []
    ok = pool.eligible & free  # (roles, pool)
    # A seat never needs more than `seats` candidates per role: if a panel exists, one exists
    # (at no higher total rank) using each role's best `seats` peers.
    columns: set[int] = set()
    for r, role in enumerate(pool.roles):
        candidates = np.flatnonzero(ok[r])
        if len(candidates) < role.count:
            return None
        best = candidates[np.argsort(rank[candidates], kind="stable")[: pool.seats]]
        columns.update(best.tolist())
    cols = np.array(sorted(columns), dtype=np.int64)
    if len(cols) < pool.seats:
        return None
    allowed = ok[pool.seat_roles][:, cols]
    forbidden = float(pool.seats * (len(pool.members) + 1) + 1)
    cost = np.where(allowed, rank[cols][None, :].astype(np.float64), forbidden)
    rows, chosen = linear_sum_assignment(cost)
    if not allowed[rows, chosen].all():
        return None
    seats = [0] * pool.seats
    for row, col in zip(rows, chosen, strict=True):
        seats[row] = int(cols[col])
    return seats


def _assign_by_flow(
    pool: _Pool, free: np.ndarray, months: Sequence[tuple[int, int]]
) -> list[list[int]] | None:
    """Exact panels for sessions that may differ in peers but share monthly caps.

    Max flow: source -> seat (1) -> peer in that session (1) -> peer in that month (the
    sessions they have left) -> sink. Used only when the greedy session-by-session fill fails.
    """
    n_sessions, n_pool = free.shape[0], free.shape[1]
    seat_nodes = 1 + np.arange(n_sessions * pool.seats).reshape(n_sessions, pool.seats)
    peer_session_base = 1 + n_sessions * pool.seats
    month_list = sorted(set(months))
    peer_month_base = peer_session_base + n_sessions * n_pool
    sink = peer_month_base + len(month_list) * n_pool
    edges: dict[tuple[int, int], int] = {}
    for k, month in enumerate(months):
        room = pool.remaining(month) >= 1
        for s, r in enumerate(pool.seat_roles):
            edges[(0, int(seat_nodes[k, s]))] = 1
            for i in np.flatnonzero(pool.eligible[r] & free[k] & room):
                edges[(int(seat_nodes[k, s]), peer_session_base + k * n_pool + int(i))] = 1
    for k, month in enumerate(months):
        m = month_list.index(month)
        left = pool.remaining(month)
        for i in range(n_pool):
            if left[i] >= 1:
                edges[(peer_session_base + k * n_pool + i, peer_month_base + m * n_pool + i)] = 1
                edges[(peer_month_base + m * n_pool + i, sink)] = int(left[i])
    rows, cols = zip(*edges, strict=True)
    graph = csr_matrix(
        (np.array(list(edges.values()), dtype=np.int32), (rows, cols)), shape=(sink + 1, sink + 1)
    )
    flow = maximum_flow(graph, 0, sink)
    if flow.flow_value < n_sessions * pool.seats:
        return None
    flows = flow.flow.tocoo()
    to_peer = {
        (int(u), int(v) - peer_session_base)
        for u, v, f in zip(flows.row, flows.col, flows.data, strict=True)
        if f > 0 and 1 <= u < peer_session_base
    }
    chosen = dict(to_peer)
    return [
        [chosen[int(seat_nodes[k, s])] - k * n_pool for s in range(pool.seats)]
        for k in range(n_sessions)
    ]


def _panels(pool: _Pool, seats_per_session: Sequence[np.ndarray]) -> tuple[Panel, ...]:
    # A panel kept for every session is the same array; build its mapping once.
    built: dict[int, Panel] = {}
    return tuple(built.setdefault(id(seats), _panel(pool, seats)) for seats in seats_per_session)


def _panel(pool: _Pool, seats: Sequence[int]) -> Panel:
    return _panel_of_ids(pool, pool.peer_ids[np.asarray(seats, dtype=np.int64)].tolist())


def _panel_of_ids(pool: _Pool, ids: list[int]) -> Panel:
    panel: dict[str, tuple[int, ...]] = {}
    for name, first, last in pool.role_slices:
        panel[name] = tuple(sorted(panel.get(name, ()) + tuple(ids[first:last])))
    return panel


def _require_aware(**moments: datetime) -> None:
    for name, moment in moments.items():
        require_aware(moment, name)


# --- the search ------------------------------------------------------------------------


def find_staffable_starts(
    offer: OfferFormat,
    council: CouncilProfile,
    peers: Sequence[PeerProfile],
    availability: np.ndarray,
    grid_start: datetime,
    step_minutes: int = 15,
    *,
    now: datetime,
    range_start: datetime,
    range_end: datetime,
    loads: MonthLoads | None = None,
    office_hours: OfficeHours = OFFICE_HOURS,
    limit: int | None = None,
    workload: RecentWork | None = None,
    keep: Mapping[str, Collection[int]] | None = None,
    fairness_step: int = DEFAULT_FAIRNESS_STEP,
) -> list[StaffableStart]:
    """Starts in [range_start, range_end) at which a complete panel can be staffed.

    `availability[p, i]` is True when `peers[p]` is free to take a seat during slot i, the
    `step_minutes` from `grid_start + i * step`. A start whose sessions run outside the grid
    is not offered (nothing is known of the peers then). Results are in start order, at most
    `limit` of them, each with the panel booking it seats: `workload` (fairness and
    tie-break) and `keep` (role name -> peers of the booking being moved) as `explain_start`
    takes them.
    """
    _require_aware(grid_start=grid_start)
    if limit is not None and limit <= 0:
        return []
    pool = _Pool(offer, council, peers, availability, loads, workload, keep, fairness_step)
    candidates = candidate_starts(
        offer, now=now, range_start=range_start, range_end=range_end, office_hours=office_hours
    )
    if not candidates:
        return []
    if pool.seats == 0:
        found = [StaffableStart(c, tuple({} for _ in c)) for c in candidates]
        return found[:limit] if limit is not None else found
    search = _Search(pool, candidates, grid_start, step_minutes, office_hours)
    survivors = np.flatnonzero(search.passes_counts())
    # Proposals go a chunk at a time so a small `limit` does not pay for every start.
    chunk = len(survivors) if limit is None else max(2 * limit, 32)
    found = []
    for first in range(0, len(survivors), max(chunk, 1)):
        part = survivors[first : first + chunk]
        for c, panels in zip(part, search.proposals(part), strict=True):
            if panels is None:
                continue
            found.append(StaffableStart(search.candidates[c], panels))
            if limit is not None and len(found) >= limit:
                return found
    return found


# --- explanations ----------------------------------------------------------------------


def role_description(role: RoleRequirement, council: CouncilProfile) -> str:
    """The kind of peer a role slot needs, e.g. "Labour member peer", "finance officer peer"."""
    group = council.leader_group if role.political_rule == SAME_AS_LEADER else role.political_group
    if role.kind == FACILITATOR:
        return " ".join(
            ["LGA facilitator", *(["for", role.skill.replace("-", " ")] if role.skill else [])]
        )
    words = [group, role.profession, role.skill, role.kind, "peer"]
    return " ".join(w.replace("-", " ").replace("_", " ") for w in words if w)


def _plural(count: int, noun: str) -> str:
    return counted(count, f"1 {noun}", f"{{n}} {noun}s")


def _excluded_summary(pool: _Pool, r: int) -> str:
    """Why peers who fit the role itself are excluded for this council, e.g. own council."""
    role, council = pool.roles[r], pool.council
    outsider = replace(council, id=-1, region="\x00")
    fitting = Counter(
        reason
        for peer, reason in zip(pool.peers, pool.ineligible[r], strict=True)
        if reason in _CONFLICT_REASONS
        and ineligibility(
            replace(peer, accredited=True, declared_interest_council_ids=frozenset()),
            role,
            outsider,
        )
        is None
    )
    if not fitting:
        return "there is none in the pool"
    parts = ", ".join(f"{n} {reason}" for reason, n in fitting.most_common())
    return f"the {sum(fitting.values())} in the pool are excluded ({parts})"


def _role_reasons(
    pool: _Pool,
    free: np.ndarray,
    usable: np.ndarray,
    when: str,
    session: int | None,
    capped: str = "at their monthly cap",
) -> list[Reason]:
    """Per role slot that cannot be filled on its own: eligible, free, and under the cap."""
    reasons = []
    for r, role in enumerate(pool.roles):
        eligible = int(pool.eligible[r].sum())
        free_count = int((pool.eligible[r] & free).sum())
        usable_count = int((pool.eligible[r] & usable).sum())
        if usable_count >= role.count:
            continue
        desc = role_description(role, pool.council)
        if eligible == 0:
            text = f"no {desc} is eligible for {pool.council.name}: {_excluded_summary(pool, r)}"
        elif free_count == 0:
            if eligible == 1:
                text = f"the only {desc} is busy {when}"
            else:
                text = f"no {desc} is free {when} ({eligible} are eligible; all busy)"
        elif usable_count == 0:
            if eligible == 1:
                text = f"the only {desc} is {capped}"
            elif free_count == 1:
                text = f"the only {desc} free {when} is {capped}"
            else:
                text = f"all {free_count} {desc}s free {when} are {capped}"
        else:
            text = (
                f"needs {_plural(role.count, desc)} but only {usable_count} "
                f"{'is' if usable_count == 1 else 'are'} free {when}"
            )
            if free_count > usable_count:
                text += f" ({free_count - usable_count} more {capped})"
            text += f" ({eligible} eligible)"
        reasons.append(Reason(f"{role.name}: {text}", role=role.name, session=session))
    return reasons


def _hall_reasons(pool: _Pool, usable: np.ndarray, when: str, session: int | None) -> list[Reason]:
    """The smallest set of roles whose seats outnumber the distinct peers free for them."""
    counts = _hall_counts(pool, usable[:, None])[:, 0]
    for subset, count, demand in zip(pool.role_sets, counts, pool.set_demand, strict=True):
        if count >= demand:
            continue
        found, verb = int(count), "is" if int(count) == 1 else "are"
        if len(subset) == len(pool.roles):
            needs = "the panel needs"
            have = f"{found} eligible {'peer' if found == 1 else 'peers'} {verb}"
        else:
            names = " and ".join(pool.roles[r].name for r in subset)
            needs = f"the {names} seats need"
            have = f"{found} {'peer' if found == 1 else 'peers'} eligible for them {verb}"
        return [
            Reason(
                f"{needs} {int(demand)} distinct peers but only {have} free {when}",
                session=session,
            )
        ]
    return []


def explain_start(
    offer: OfferFormat,
    council: CouncilProfile,
    peers: Sequence[PeerProfile],
    availability: np.ndarray,
    grid_start: datetime,
    step_minutes: int = 15,
    *,
    start: datetime,
    now: datetime,
    loads: MonthLoads | None = None,
    office_hours: OfficeHours = OFFICE_HOURS,
    workload: RecentWork | None = None,
    keep: Mapping[str, Collection[int]] | None = None,
    fairness_step: int = DEFAULT_FAIRNESS_STEP,
) -> StartExplanation:
    """Whether `start` can be booked and staffed, and if not, why in plain words; when it
    can, the panel `find_staffable_starts` shows for it (the same inputs give the same panel)."""
    _require_aware(grid_start=grid_start, start=start, now=now)
    start = start.astimezone(UTC)
    sessions = session_times(offer, start, office_hours)
    problems = booking_rule_problems(offer, start, now=now, office_hours=office_hours)
    if problems:
        return StartExplanation(
            start, NOT_BOOKABLE, sessions, tuple(Reason(text) for text in problems)
        )
    pool = _Pool(offer, council, peers, availability, loads, workload, keep, fairness_step)
    if pool.seats == 0:
        return StartExplanation(start, STAFFABLE, sessions, panels=tuple({} for _ in sessions))
    search = _Search(pool, [sessions], grid_start, step_minutes, office_hours)
    if not search.candidates:
        return StartExplanation(
            start,
            UNSTAFFABLE,
            sessions,
            (Reason("the peers' availability is not known for that time"),),
        )
    zone = ZoneInfo(office_hours.zone)
    reasons: list[Reason] = []
    units = [u[:, 0] for u in search.units()]
    if search.joint:
        free = np.logical_and.reduce(search.free[:, :, 0], axis=0)
        when = "at that time" if len(sessions) == 1 else f"for all {len(sessions)} sessions"
        capped = (
            "at their monthly cap"
            if len(sessions) == 1
            else f"too near their monthly cap for all {len(sessions)} sessions"
        )
        reasons += _role_reasons(pool, free, units[0], when, None, capped)
        reasons += [] if reasons else _hall_reasons(pool, units[0], when, None)
    else:
        for k, session in enumerate(sessions):
            when = f"for session {k + 1} ({day_text(session.start, zone)})"
            found = _role_reasons(pool, search.free[k, :, 0], units[k], when, k)
            reasons += found or _hall_reasons(pool, units[k], when, k)
    if reasons:
        return StartExplanation(start, UNSTAFFABLE, sessions, tuple(reasons))
    # The same proposal the search makes for this start.
    panels = search.proposals(np.array([0]))[0]
    if panels is None:
        # Every role and set of roles has enough free peers, but caps shared across the
        # booking's sessions (or more roles than Hall's condition is checked for) still bite.
        return StartExplanation(
            start,
            UNSTAFFABLE,
            sessions,
            (
                Reason(
                    "no single assignment of distinct free peers covers every seat "
                    "within their monthly caps"
                ),
            ),
        )
    runners_up = {}
    if search.joint:
        seats = search.best(np.array([0]))[0]
        runners_up = search.runners_up(0, seats)
    return StartExplanation(start, STAFFABLE, sessions, panels=panels, runners_up=runners_up)
