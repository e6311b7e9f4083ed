"""Match peers to the seats of sessions: a 0/1 program solved with HiGHS through scipy.

A seat is one place of a role slot in one session, named by `SeatKey(session id, role name,
index within the role's count)`. The hard rules are: each seat filled at most once; a peer at
most once per session and never in two sessions that overlap or lie closer than the buffer
(sessions they already hold count too); availability; `panels.ineligibility()` is None
(accreditation, conflicts of interest, kind, political group, profession, skill); the monthly
session and minute caps, counting what the peer already holds that month; a peer who declined a
seat takes no seat of that role slot in that session again (its seats are interchangeable);
and series continuity: the sessions sharing a `series_id` (say three coaching calls) keep one
peer per role seat, so a series seat is staffed for all its calls by the same peer or left
empty in all of them.

The objective, maximised, is, per filled seat, `FILL_VALUE` (so filling a seat outweighs any
difference in fit: empty seats are a last resort) plus the peer's fit for the seat (a recorded
breakdown, see `seat_fit`) plus `KEEP_VALUE` when re-staffing leaves the seat with its current
peer; minus the unfairness, a convex cost per peer and calendar month: the k-th session a peer
holds in a month costs `fairness_step * (k - 1)`, counting what they already hold, so work
spreads over the pool. Everything is integral, so objective values are exact.

Ties: among plans of equal value the one whose seated peers wait longest wins, by the rule the
single-booking panel follows (`panels.tie_break_ranks` over `last_seated`: least recently
seated first, then lower ids; the least sum of ranks). The solver sees it as a tiny cost per
filled seat, the peer's rank times `tie_weight`, scaled so that all of a plan's tie costs
together stay below TIE_BUDGET (under 1): since values are integers, no tie cost can outweigh
a difference in filling, fit, keeping or fairness, and the value itself stays an integer to
prove optimal as before (`objective` and `bound` are of the value alone). In plans of
thousands of seats (a batch) the weight of a rank would fall below what the solver can tell
apart (TIE_RESOLUTION); there the tie costs are left out, and so is the work of settling them,
and equal plans fall as the solver finds them.

The model: one 0/1 variable per (peer, role slot, session), or per (peer, role slot, series)
for a series, so continuity holds by construction; seats of one role slot are interchangeable
and get their indices after the solve (a kept peer keeps their index). Rows: the seats of each
role slot; per peer, one row per maximal clique of mutually clashing sessions (sessions
stretched by the buffer form an interval graph, whose maximal cliques give a tighter relaxation
than pairwise clashes and cover "once per session" too); per peer and month, the minute cap and
either the session cap or, with fairness on, the fairness rows (continuous increments priced at
rising marginal cost, which cap the count as well), all built as scipy.sparse matrices.

Solving: the LP relaxation first (`linprog(method="highs")`, by pricing: see `_relaxation`);
when its optimum is integral it is optimal. Otherwise a rounding of it gives an incumbent,
reduced costs drop the variables that cannot beat it, and the integer program is solved
(`milp`). The result carries the objective, a proven upper bound and whether it is optimal.

Modes, all through `match()`: a batch plans or re-plans many sessions (a month); a single
booking passes only that booking's sessions, with every other seat the peers hold in `held`
and `existing_load`; re-staffing after a decline (`restaff()`) passes the current seats as
`current` (kept seats earn `KEEP_VALUE`, so a decline moves few people) and the decline in
`declined`. Seats being re-planned belong in `current`, never in `held` or `existing_load`.

Availability is either a mapping session id -> peer ids free for the whole session, or a
boolean array of shape (len(sessions), len(peers)) aligned with the problem's lists. Months are
calendar months in Europe/London, keyed `(year, month)`; a session counts in the month it starts.
"""

import math
import time
import warnings
from collections import Counter, defaultdict
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import NamedTuple

import numpy as np
from scipy import sparse
from scipy.optimize import Bounds, LinearConstraint, linprog, milp

from scheduling.engine.panels import (
    CouncilProfile,
    MonthLoad,
    MonthLoads,
    PeerProfile,
    RoleRequirement,
    ineligibility,
    tie_break_ranks,
)
from scheduling.engine.plurals import counted
from scheduling.engine.uk_time import Month, month_of, require_aware

FILL_VALUE = 1000  # per filled seat; well above any seat's fit, keep bonus and fairness swing
KEEP_VALUE = 100  # per seat left with its current peer when re-staffing
DEFAULT_FAIRNESS_STEP = 2

# Fit: points per wanted skill the peer has (at most SKILL_MATCH_LIMIT of them count),
# seniority as is (0..3), experience capped, and a small bonus for a senior peer in a lead seat.
SKILL_POINTS = 2
SKILL_MATCH_LIMIT = 3
EXPERIENCE_LIMIT = 5
LEAD_POINTS = 2
LEAD_MIN_SENIORITY = 2

# All of a plan's tie costs together stay below this: under 1 (the least difference in value),
# with room for the solver's tolerances.
TIE_BUDGET = 0.25
# The least weight of one rank the solver can tell apart (its tolerances are 1e-7).
TIE_RESOLUTION = 1e-6

_INTEGRAL = 1e-6
PRICING_SLACK = 1e-3  # see _relaxation

type SessionId = str | int


class SeatKey(NamedTuple):
    session_id: SessionId
    role: str
    index: int


@dataclass(frozen=True, slots=True)
class SessionToStaff:
    id: SessionId
    start: datetime  # aware, UTC
    end: datetime  # aware, UTC
    council: CouncilProfile
    roles: tuple[RoleRequirement, ...]
    conflict_same_region: bool = False
    series_id: str | None = None
    topics: frozenset[str] = frozenset()  # skills the council asked for; they raise the fit


@dataclass(frozen=True, slots=True)
class HeldSeat:
    """A seat a peer already holds outside the problem: it blocks overlapping sessions."""

    peer_id: int
    start: datetime
    end: datetime


@dataclass(frozen=True, eq=False)
class MatchProblem:
    """Who may sit where and when: the sessions to staff, the pool, and what they already do."""

    peers: tuple[PeerProfile, ...]
    sessions: tuple[SessionToStaff, ...]
    # session id -> ids of peers free for the whole session, or bool[len(sessions), len(peers)]
    availability: Mapping[SessionId, Collection[int]] | np.ndarray
    # peer id -> (year, month) -> load already held (any object with `sessions` and `minutes`)
    existing_load: MonthLoads = field(default_factory=dict)
    held: tuple[HeldSeat, ...] = ()
    # None: each peer's own `PeerProfile.buffer_minutes` (the service's rule, `held_range`);
    # a number: that buffer for everyone. Between the problem's own sessions the largest
    # buffer of the pool applies (sessions of one booking are days apart).
    buffer_minutes: int | None = None
    fairness_step: int = DEFAULT_FAIRNESS_STEP  # 0 turns the fairness cost off
    # peer id -> sessions held in the rolling window around the sessions planned
    # (`RecentWork.around`); when given, the fairness cost counts from it instead of the
    # month's load (the monthly caps still count the month).
    fairness_load: Mapping[int, int] | None = None
    current: Mapping[SeatKey, int] = field(default_factory=dict)  # seat -> peer id, re-staffing
    # (seat, peer id) of declines: the peer takes no seat of that role slot in that session
    declined: frozenset[tuple[SeatKey, int]] = frozenset()
    # peer id -> a number that grows with each seat given (`RecentWork.last_seated`): the
    # tie-break between plans of equal value (least recently seated first, then lower ids)
    last_seated: Mapping[int, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class FitBreakdown:
    skill: int
    seniority: int
    experience: int
    lead: int

    @property
    def total(self) -> int:
        return self.skill + self.seniority + self.experience + self.lead


@dataclass(frozen=True, slots=True)
class RunnerUp:
    peer_id: int
    fit: FitBreakdown


@dataclass(frozen=True, slots=True)
class SeatAssignment:
    seat: SeatKey
    peer_id: int
    fit: FitBreakdown
    # the best other candidate (eligible, free, under their cap before this plan) not seated in
    # this session, by fit: why this peer rather than the next
    runner_up: RunnerUp | None
    kept: bool = False  # re-staffing left the seat with its current peer


@dataclass(frozen=True, slots=True)
class UnfilledSeat:
    seat: SeatKey
    reason: str
    # how many peers dropped out at each stage: ineligible, declined, unavailable, booked
    # (a held seat within the buffer), at_cap (before this plan), taken (by this plan's seats),
    # and assignable (none of these; only when the solve was cut short)
    counts: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Score:
    filled: int
    fit: int
    kept: int
    unfairness: int

    @property
    def total(self) -> int:
        return FILL_VALUE * self.filled + self.fit + KEEP_VALUE * self.kept - self.unfairness


@dataclass
class MatchResult:
    assignments: list[SeatAssignment]
    unfilled: list[UnfilledSeat]
    objective: float
    bound: float  # upper bound on the objective: LP value, or the integer solve's dual bound
    optimal: bool
    used_integer_solve: bool
    seconds: float
    score: Score
    moved: list[SeatKey] = field(default_factory=list)  # seats of `current` now with another peer
    status: str = ""
    stats: dict = field(default_factory=dict)

    def peer_of(self) -> dict[SeatKey, int]:
        return {a.seat: a.peer_id for a in self.assignments}


def _fit_parts(matches, seniority, experience, lead_role: bool):
    """The fit formula, on numbers or numpy arrays alike (one statement for both uses)."""
    skill = SKILL_POINTS * np.minimum(matches, SKILL_MATCH_LIMIT)
    exp = np.minimum(experience, EXPERIENCE_LIMIT)
    lead = np.where(lead_role & (np.asarray(seniority) >= LEAD_MIN_SENIORITY), LEAD_POINTS, 0)
    return skill, seniority, exp, lead


def _wanted_skills(role: RoleRequirement, session: SessionToStaff) -> frozenset[str]:
    return session.topics | {role.skill} if role.skill else session.topics


def seat_fit(peer: PeerProfile, role: RoleRequirement, session: SessionToStaff) -> FitBreakdown:
    """How well `peer` suits a seat of `role` in `session` (eligibility aside)."""
    matches = len(peer.skills & _wanted_skills(role, session))
    parts = _fit_parts(matches, peer.seniority, peer.experience, role.lead)
    return FitBreakdown(*(int(p) for p in parts))


def fit_totals(
    peers: Iterable[PeerProfile], role: RoleRequirement, topics: frozenset[str] = frozenset()
) -> np.ndarray:
    """`seat_fit(...).total` of each peer for a seat of `role`, as one array."""
    peers = list(peers)
    wanted = topics | {role.skill} if role.skill else topics
    matches = np.array([len(p.skills & wanted) for p in peers], dtype=np.int64)
    seniority = np.array([p.seniority for p in peers], dtype=np.int64)
    experience = np.array([p.experience for p in peers], dtype=np.int64)
    return sum(
        np.asarray(part, dtype=np.int64)
        for part in _fit_parts(matches, seniority, experience, role.lead)
    ) + np.zeros(len(peers), dtype=np.int64)


def peer_buffers(problem: "MatchProblem") -> dict[int, int]:
    """Each peer's buffer in minutes under the problem's rule."""
    if problem.buffer_minutes is not None:
        return {p.id: problem.buffer_minutes for p in problem.peers}
    return {p.id: p.buffer_minutes for p in problem.peers}


def fairness_base(problem: "MatchProblem", peer_id: int, month: Month) -> int:
    """The sessions the fairness cost counts from for a peer's work in `month`."""
    if problem.fairness_load is not None:
        return problem.fairness_load.get(peer_id, 0)
    return _existing(problem, peer_id, month).sessions


def unfairness(existing_sessions: int, added_sessions: int, step: int) -> int:
    """The fairness cost of `added_sessions` more in a month already holding `existing_sessions`."""
    n, e = added_sessions, existing_sessions
    return step * (n * e + n * (n - 1) // 2)


def score_of(problem: MatchProblem, assignments: Iterable[tuple[SeatKey, int]]) -> Score:
    """The objective of a set of (seat, peer id) pairs, computed seat by seat from the rules."""
    sessions = {s.id: s for s in problem.sessions}
    peers = {p.id: p for p in problem.peers}
    filled = fit = kept = 0
    added: Counter[tuple[int, Month]] = Counter()
    for seat, peer_id in assignments:
        session = sessions[seat.session_id]
        role = next(r for r in session.roles if r.name == seat.role)
        filled += 1
        fit += seat_fit(peers[peer_id], role, session).total
        kept += problem.current.get(seat) == peer_id
        added[peer_id, month_of(session.start)] += 1
    cost = sum(
        unfairness(fairness_base(problem, peer_id, month), n, problem.fairness_step)
        for (peer_id, month), n in added.items()
    )
    return Score(filled=filled, fit=fit, kept=kept, unfairness=cost)


def _existing(problem: MatchProblem, peer_id: int, month: Month) -> MonthLoad:
    return problem.existing_load.get(peer_id, {}).get(month, MonthLoad())


def _utc_seconds(moment: datetime) -> int:
    return int(require_aware(moment).timestamp())


# --- the model ----------------------------------------------------------------------------


class _Model:
    """The 0/1 program of one problem: candidate variables, rows, objective."""

    def __init__(self, problem: MatchProblem):
        self.problem = problem
        self.peers = tuple(problem.peers)
        self.sessions = tuple(problem.sessions)
        self._validate()
        self.n_peers, self.n_sessions = len(self.peers), len(self.sessions)
        self.peer_index = {p.id: i for i, p in enumerate(self.peers)}
        self.session_index = {s.id: i for i, s in enumerate(self.sessions)}
        buffers = peer_buffers(problem)
        self.peer_buffer = np.array([buffers[p.id] * 60 for p in self.peers], dtype=np.int64)
        self.buffer = int(self.peer_buffer.max(initial=0))  # between the problem's sessions
        self.start = np.array([_utc_seconds(s.start) for s in self.sessions], dtype=np.int64)
        self.end = np.array([_utc_seconds(s.end) for s in self.sessions], dtype=np.int64)
        self.minutes = np.rint((self.end - self.start) / 60).astype(np.int64)
        if np.any(self.end <= self.start):
            raise ValueError("every session must end after it starts")
        months = [month_of(s.start) for s in self.sessions]
        self.months = sorted(set(months))
        month_pos = {m: i for i, m in enumerate(self.months)}
        self.session_month = np.array([month_pos[m] for m in months], dtype=np.int64)
        self._unit_month_cache: dict[int, dict[int, tuple[int, int]]] = {}
        self._units()
        self._loads()
        self.available = self._availability()
        self.free = self.available & ~self._held_clashes()
        # a unit (a series) needs a peer free for every one of its sessions
        self.unit_available = np.zeros((len(self.units), self.n_peers), dtype=bool)
        self.unit_free = np.zeros((len(self.units), self.n_peers), dtype=bool)
        for k, u in enumerate(self.units):
            self.unit_available[k] = self.available[u].all(axis=0)
            self.unit_free[k] = self.free[u].all(axis=0)
        self._candidates()
        self._rows()

    # -- inputs

    def _validate(self) -> None:
        ids = [s.id for s in self.sessions]
        if len(set(ids)) != len(ids):
            raise ValueError("session ids must be unique")
        if len({p.id for p in self.peers}) != len(self.peers):
            raise ValueError("peer ids must be unique")
        for s in self.sessions:
            names = [r.name for r in s.roles]
            if len(set(names)) != len(names):
                raise ValueError(f"session {s.id!r}: role names must be unique")
        first: dict[str, SessionToStaff] = {}
        for s in self.sessions:
            if s.series_id is None:
                continue
            lead = first.setdefault(s.series_id, s)
            if (lead.council, lead.roles, lead.conflict_same_region) != (
                s.council,
                s.roles,
                s.conflict_same_region,
            ):
                raise ValueError(
                    f"series {s.series_id!r}: its sessions must share council, roles and "
                    "conflict rule"
                )

    def _units(self) -> None:
        """Sessions staffed together: a series is one unit, any other session its own."""
        by_series: dict[str, list[int]] = {}
        units: list[list[int]] = []
        for i, s in enumerate(self.sessions):
            if s.series_id is None:
                units.append([i])
            elif s.series_id in by_series:
                by_series[s.series_id].append(i)
            else:
                by_series[s.series_id] = [i]
                units.append(by_series[s.series_id])
        self.units = [np.array(sorted(u, key=lambda i: self.start[i])) for u in units]
        self.session_unit = np.empty(self.n_sessions, dtype=np.int64)
        for k, u in enumerate(self.units):
            self.session_unit[u] = k
        # groups: one per (unit, role slot); variables are (peer, group)
        self.groups: list[tuple[int, int]] = [
            (k, r) for k, u in enumerate(self.units) for r in range(len(self.sessions[u[0]].roles))
        ]
        self.group_of = {g: i for i, g in enumerate(self.groups)}

    def _loads(self) -> None:
        existing = self.problem.existing_load
        shape = (self.n_peers, len(self.months))
        self.load_sessions = np.zeros(shape, dtype=np.int64)
        self.load_minutes = np.zeros(shape, dtype=np.int64)
        month_pos = {month: m for m, month in enumerate(self.months)}
        for peer_id, months in existing.items():
            i = self.peer_index.get(peer_id)
            for month, load in months.items():
                if i is not None and month in month_pos:
                    self.load_sessions[i, month_pos[month]] = load.sessions
                    self.load_minutes[i, month_pos[month]] = load.minutes
        session_cap = np.array([p.monthly_session_cap for p in self.peers], dtype=np.int64)
        minutes_cap = np.array([p.monthly_minutes_cap for p in self.peers], dtype=np.int64)
        self.left_sessions = session_cap[:, None] - self.load_sessions
        self.left_minutes = minutes_cap[:, None] - self.load_minutes
        # what the fairness cost counts from: the month's load, or the rolling window's
        self.fair_sessions = self.load_sessions
        if self.problem.fairness_load is not None:
            window = np.array(
                [self.problem.fairness_load.get(p.id, 0) for p in self.peers], dtype=np.int64
            )
            self.fair_sessions = np.repeat(window[:, None], len(self.months), axis=1)
        # filling a seat must always beat the fairness cost of the busiest peer taking it
        step = self.problem.fairness_step
        busiest = int(
            np.maximum(session_cap, self.fair_sessions.max(axis=1, initial=0)).max(initial=0)
        )
        if step < 0 or step * busiest >= FILL_VALUE // 2:
            raise ValueError(f"fairness_step {step} must be >= 0 and small beside FILL_VALUE")

    def _availability(self) -> np.ndarray:
        availability = self.problem.availability
        shape = (self.n_sessions, self.n_peers)
        if isinstance(availability, np.ndarray):
            if availability.shape != shape:
                raise ValueError(f"availability must have shape {shape}")
            return availability.astype(bool, copy=True)
        free = np.zeros(shape, dtype=bool)
        for i, s in enumerate(self.sessions):
            idx = [self.peer_index[p] for p in availability.get(s.id, ()) if p in self.peer_index]
            free[i, idx] = True
        return free

    def _held_clashes(self) -> np.ndarray:
        """(session, peer) pairs blocked by a seat the peer already holds, buffer included."""
        blocked = np.zeros((self.n_sessions, self.n_peers), dtype=bool)
        held = [h for h in self.problem.held if h.peer_id in self.peer_index]
        for chunk in range(0, len(held), 4096):
            part = held[chunk : chunk + 4096]
            who = np.array([self.peer_index[h.peer_id] for h in part], dtype=np.int64)
            hs = np.array([_utc_seconds(h.start) for h in part], dtype=np.int64)
            he = np.array([_utc_seconds(h.end) for h in part], dtype=np.int64)
            # held_range overlap, in seconds, with each holder's own buffer
            buffer = self.peer_buffer[who][:, None]
            clash = (self.start[None, :] < he[:, None] + buffer) & (
                hs[:, None] < self.end[None, :] + buffer
            )
            h_idx, s_idx = np.nonzero(clash)
            blocked[s_idx, who[h_idx]] = True
        return blocked

    # -- candidates

    def _role_prefilter(self, role: RoleRequirement, leader_group: str) -> np.ndarray:
        """Peers the role's own rules admit, asked of `ineligibility()` with a stand-in council.

        The stand-in has the real leader's group but an id no peer is tied to, so only the
        role side of the rules can refuse; every survivor is then asked again with the real
        council. A test checks this never drops a peer the full rule would admit.
        """
        key = (role, leader_group)
        if key not in self._prefilter:
            council = CouncilProfile(
                id=self._stand_in_id, name="", region="", leader_group=leader_group
            )
            self._prefilter[key] = np.fromiter(
                (ineligibility(p, role, council) is None for p in self.peers),
                dtype=bool,
                count=self.n_peers,
            )
        return self._prefilter[key]

    def _candidates(self) -> None:
        tied = {p.home_council_id for p in self.peers}
        tied |= {c for p in self.peers for c in p.declared_interest_council_ids}
        self._stand_in_id = min(tied | {0}) - 1
        self._prefilter: dict = {}
        self._skill_bits()
        declined = self._declined_keys()
        seniority = np.array([p.seniority for p in self.peers], dtype=np.int64)
        experience = np.array([p.experience for p in self.peers], dtype=np.int64)

        var_peer, var_group, var_fit = [], [], []
        self.group_slice = []
        start = 0
        for g, (k, r) in enumerate(self.groups):
            unit = self.units[k]
            session = self.sessions[unit[0]]
            role = session.roles[r]
            mask = self.unit_free[k] & self._role_prefilter(role, session.council.leader_group)
            for m, (n, minutes) in self._unit_months(k).items():
                mask &= (self.left_sessions[:, m] >= n) & (self.left_minutes[:, m] >= minutes)
            idx = np.flatnonzero(mask)
            if declined:
                idx = np.array([i for i in idx if (g, int(i)) not in declined], dtype=np.int64)
            council, conflict = session.council, session.conflict_same_region
            keep = [
                ineligibility(self.peers[i], role, council, conflict_same_region=conflict) is None
                for i in idx
            ]
            idx = idx[np.array(keep, dtype=bool)] if len(idx) else idx
            fit = np.zeros(len(idx), dtype=np.int64)
            for s in unit:
                matches = self._matches(idx, _wanted_skills(role, self.sessions[s]))
                parts = _fit_parts(matches, seniority[idx], experience[idx], role.lead)
                fit += sum(np.asarray(p, dtype=np.int64) for p in parts)
            var_peer.append(idx)
            var_group.append(np.full(len(idx), g, dtype=np.int64))
            var_fit.append(fit)
            self.group_slice.append(slice(start, start + len(idx)))
            start += len(idx)
        cat = np.concatenate if self.groups else (lambda _: np.zeros(0, dtype=np.int64))
        self.var_peer = cat(var_peer).astype(np.int64)
        self.var_group = cat(var_group).astype(np.int64)
        self.var_fit = cat(var_fit).astype(np.int64)
        self.n_x = len(self.var_peer)
        group_unit = np.array([k for k, _ in self.groups], dtype=np.int64)
        self.var_unit = group_unit[self.var_group] if self.n_x else np.zeros(0, dtype=np.int64)
        unit_size = np.array([len(u) for u in self.units], dtype=np.int64)
        self.var_kept = self._kept_counts()
        self.var_value = (
            unit_size[self.var_unit] * FILL_VALUE + self.var_fit + KEEP_VALUE * self.var_kept
        )
        self._tie_costs()

    def _tie_costs(self) -> None:
        """Each variable's tie cost: its peer's rank times one weight, so that the most any
        plan can pay (each role slot's seats to its worst-ranked candidates) is TIE_BUDGET."""
        ranks = tie_break_ranks([p.id for p in self.peers], self.problem.last_seated)
        self.var_rank = ranks[self.var_peer]
        worst = np.zeros(len(self.groups), dtype=np.int64)
        np.maximum.at(worst, self.var_group, self.var_rank)
        count = np.array(
            [self.sessions[self.units[k][0]].roles[r].count for k, r in self.groups],
            dtype=np.int64,
        )
        most = int(count @ worst) if len(self.groups) else 0
        self.tie_weight = TIE_BUDGET / max(most, 1)
        if self.tie_weight < TIE_RESOLUTION:
            self.tie_weight = 0.0
        self.tie_budget = self.tie_weight * most  # the most a plan's tie costs can add up to

    def tie_cost(self, x: np.ndarray) -> float:
        """The tie costs of a solution (its first `n_x` entries)."""
        return self.tie_weight * float(self.var_rank @ x[: self.n_x])

    def _unit_months(self, k: int) -> dict[int, tuple[int, int]]:
        """Month position -> (sessions, minutes) a unit adds to its peer's load."""
        if k not in self._unit_month_cache:
            out: dict[int, tuple[int, int]] = {}
            for s in self.units[k]:
                n, minutes = out.get(int(self.session_month[s]), (0, 0))
                out[int(self.session_month[s])] = (n + 1, minutes + int(self.minutes[s]))
            self._unit_month_cache[k] = out
        return self._unit_month_cache[k]

    def _skill_bits(self) -> None:
        names = sorted(
            {sk for p in self.peers for sk in p.skills}
            | {sk for s in self.sessions for sk in s.topics}
            | {r.skill for s in self.sessions for r in s.roles if r.skill}
        )
        self.skill_pos = {name: i for i, name in enumerate(names)}
        words = max(1, math.ceil(len(names) / 64))
        bits = np.zeros((self.n_peers, words), dtype=np.uint64)
        for i, p in enumerate(self.peers):
            for sk in p.skills:
                pos = self.skill_pos[sk]
                bits[i, pos // 64] |= np.uint64(1) << np.uint64(pos % 64)
        self.peer_skill_bits = bits
        self._wanted_cache: dict[frozenset[str], np.ndarray] = {}

    def _matches(self, idx: np.ndarray, wanted: frozenset[str]) -> np.ndarray:
        if wanted not in self._wanted_cache:
            mask = np.zeros(self.peer_skill_bits.shape[1], dtype=np.uint64)
            for sk in wanted:
                pos = self.skill_pos[sk]
                mask[pos // 64] |= np.uint64(1) << np.uint64(pos % 64)
            self._wanted_cache[wanted] = mask
        common = self.peer_skill_bits[idx] & self._wanted_cache[wanted]
        return np.bitwise_count(common).sum(axis=1).astype(np.int64)

    def _seat_group(self, seat: SeatKey) -> int | None:
        s = self.session_index.get(seat.session_id)
        if s is None:
            return None
        roles = self.sessions[s].roles
        r = next((i for i, role in enumerate(roles) if role.name == seat.role), None)
        if r is None:
            return None
        return self.group_of[int(self.session_unit[s]), r]

    def _declined_keys(self) -> set[tuple[int, int]]:
        keys = set()
        for seat, peer_id in self.problem.declined:
            g = self._seat_group(seat)
            if g is not None and peer_id in self.peer_index:
                keys.add((g, self.peer_index[peer_id]))
        return keys

    def _kept_counts(self) -> np.ndarray:
        kept = np.zeros(self.n_x, dtype=np.int64)
        key = self.var_group * max(self.n_peers, 1) + self.var_peer  # sorted: groups in order
        for seat, peer_id in self.problem.current.items():
            g = self._seat_group(seat)
            if g is None or peer_id not in self.peer_index:
                continue
            target = g * max(self.n_peers, 1) + self.peer_index[peer_id]
            pos = np.searchsorted(key, target)
            if pos < self.n_x and key[pos] == target:
                kept[pos] += 1
        return kept

    # -- rows

    def _cliques(self) -> list[list[int]]:
        """Maximal sets of sessions that pairwise clash (closer than the buffer)."""
        events = sorted(
            [(int(self.end[i]) + self.buffer, 0, i) for i in range(self.n_sessions)]
            + [(int(self.start[i]), 1, i) for i in range(self.n_sessions)]
        )
        active: set[int] = set()
        cliques, grew = [], False
        for _, is_start, i in events:
            if is_start:
                active.add(i)
                grew = True
            else:
                if grew:
                    cliques.append(sorted(active))
                    grew = False
                active.discard(i)
        return cliques

    def _rows(self) -> None:
        n_x = self.n_x
        self.n_y = 0
        self.y_cost = np.zeros(0, dtype=np.int64)
        rows: list[sparse.coo_array] = []
        rhs: list[np.ndarray] = []
        self.row_kinds: Counter[str] = Counter()

        def add(kind, r, c, v, b, n_cols=n_x):
            if len(b) == 0:
                return
            rows.append(sparse.coo_array((v, (r, c)), shape=(len(b), n_cols)))
            rhs.append(np.asarray(b, dtype=float))
            self.row_kinds[kind] += len(b)

        # seats of each role slot
        count = np.array(
            [self.sessions[self.units[k][0]].roles[r].count for k, r in self.groups], dtype=float
        )
        add("seats", self.var_group, np.arange(n_x), np.ones(n_x), count)

        # var -> sessions of its unit
        unit_sessions = sparse.csr_array(
            (
                np.ones(self.n_sessions),
                (self.session_unit, np.arange(self.n_sessions)),
            ),
            shape=(len(self.units), self.n_sessions),
        )
        var_sessions = unit_sessions[self.var_unit] if n_x else None

        # clash cliques, per peer
        cliques = self._cliques()
        c_rows = np.repeat(np.arange(len(cliques)), [len(c) for c in cliques])
        c_cols = np.concatenate([np.array(c, dtype=np.int64) for c in cliques]) if cliques else []
        session_clique = sparse.csr_array(
            (np.ones(len(c_rows)), (c_cols, c_rows)), shape=(self.n_sessions, len(cliques))
        )
        self.n_cliques = len(cliques)
        if n_x:
            var_clique = (var_sessions @ session_clique).tocoo()
            r, c, v, keys = self._per_peer(var_clique, len(cliques))
            total = np.bincount(r, weights=v)
            needed = (total > 1) & self._peer_maximal(keys, var_sessions, session_clique)
            self._add_filtered(add, "clash", r, c, v, needed, np.ones(len(total)))

            # months: sessions and minutes a var adds, per peer and month
            session_month = sparse.csr_array(
                (np.ones(self.n_sessions), (np.arange(self.n_sessions), self.session_month)),
                shape=(self.n_sessions, len(self.months)),
            )
            var_month = _sorted_coo(var_sessions @ session_month)
            session_month_minutes = sparse.csr_array(
                (
                    self.minutes.astype(float),
                    (np.arange(self.n_sessions), self.session_month),
                ),
                shape=(self.n_sessions, len(self.months)),
            )
            var_month_minutes = _sorted_coo(var_sessions @ session_month_minutes)
            r, c, v, keys = self._per_peer(var_month_minutes, len(self.months))
            peer, month = np.divmod(keys, len(self.months))
            left = self.left_minutes[peer, month]
            total = np.bincount(r, weights=v)
            self._add_filtered(add, "minutes cap", r, c, v, total > left, left)

            r, c, v, keys = self._per_peer(var_month, len(self.months))
            peer, month = np.divmod(keys, len(self.months))
            left = self.left_sessions[peer, month]
            if self.problem.fairness_step > 0:
                self._fairness_rows(r, c, v, peer, month, left, rows, rhs)
            else:
                total = np.bincount(r, weights=v)
                self._add_filtered(add, "sessions cap", r, c, v, total > left, left)
        width = n_x + self.n_y
        rows = [sparse.coo_array((m.data, (m.row, m.col)), shape=(m.shape[0], width)) for m in rows]
        self.A = sparse.vstack(rows, format="csr") if rows else sparse.csr_array((0, width))
        self.A_csc = self.A.tocsc()
        self.b = np.concatenate(rhs) if rhs else np.zeros(0)

    def _peer_maximal(self, keys, var_sessions, session_clique) -> np.ndarray:
        """Which (peer, clique) keys are maximal once the clique keeps only the peer's sessions.

        In sweep order each session lies in a contiguous run of cliques [lo, hi]. For one peer,
        a clique k whose restriction is not inside its right neighbour's has one of the peer's
        sessions ending at k (hi == k); such a k is inside the previous such k' exactly when
        none of the peer's sessions starts in (k', k]. The rest are implied rows: skip them.
        """
        n_k = session_clique.shape[1]
        sc = session_clique.tocoo()
        lo = np.full(self.n_sessions, n_k, dtype=np.int64)
        hi = np.full(self.n_sessions, -1, dtype=np.int64)
        np.minimum.at(lo, sc.row, sc.col)
        np.maximum.at(hi, sc.row, sc.col)
        vs = var_sessions.tocoo()
        pairs = np.unique(self.var_peer[vs.row] * self.n_sessions + vs.col)
        peer, session = np.divmod(pairs, self.n_sessions)
        ends = np.unique(peer * n_k + hi[session])
        end_peer, end_k = np.divmod(ends, n_k)
        prev_k = np.empty_like(end_k)
        prev_k[0] = -1
        prev_k[1:] = np.where(end_peer[1:] == end_peer[:-1], end_k[:-1], -1)
        starts = np.sort(peer * n_k + lo[session])
        n_started = np.searchsorted(starts, end_peer * n_k + end_k, side="right")
        n_before = np.searchsorted(starts, end_peer * n_k + prev_k, side="right")
        maximal = ends[n_started > n_before]
        return np.isin(keys, maximal)

    def _per_peer(self, var_cols: sparse.coo_array, n_cols: int):
        """Regroup (var, column) entries into rows keyed by (var's peer, column)."""
        keys_all = self.var_peer[var_cols.row] * n_cols + var_cols.col
        keys, r = np.unique(keys_all, return_inverse=True)
        return r, var_cols.row, var_cols.data, keys

    @staticmethod
    def _add_filtered(add, kind, r, c, v, keep_rows, b):
        new_index = np.cumsum(keep_rows) - 1
        entry = keep_rows[r]
        add(kind, new_index[r[entry]], c[entry], v[entry], b[keep_rows])

    def _fairness_rows(self, r, c, v, peer, month, left, rows, rhs) -> None:
        """Sum of a peer's sessions in a month <= sum of its increments y_1..y_left (each <= 1).

        The k-th increment costs `step * (existing + k - 1)`: rising, so the LP takes them in
        order and the total is the convex cost; the increments also cap the count at `left`.
        """
        step = self.problem.fairness_step
        n_rows = len(left)
        y_row = np.repeat(np.arange(n_rows), left)
        first = np.cumsum(left) - left
        k = np.arange(len(y_row)) - first[y_row]  # 0-based increment within its row
        existing = self.fair_sessions[peer, month]
        self.y_cost = (step * (existing[y_row] + k)).astype(np.int64)
        self.n_y = len(y_row)
        width = self.n_x + self.n_y
        rows.append(
            sparse.coo_array(
                (
                    np.concatenate([v, -np.ones(self.n_y)]),
                    (
                        np.concatenate([r, y_row]),
                        np.concatenate([c, self.n_x + np.arange(self.n_y)]),
                    ),
                ),
                shape=(n_rows, width),
            )
        )
        rhs.append(np.zeros(n_rows))
        self.row_kinds["fairness"] += n_rows

    def objective(self) -> np.ndarray:
        """What the solver maximises: the value less the tie costs."""
        return np.concatenate(
            [self.var_value - self.tie_weight * self.var_rank, -self.y_cost.astype(float)]
        )


def _sorted_coo(matrix) -> sparse.coo_array:
    coo = sparse.coo_array(matrix)
    coo.sum_duplicates()  # also sorts the entries by (row, column)
    return coo


# --- solving -------------------------------------------------------------------------------


def match(problem: MatchProblem, *, time_limit: float | None = None) -> MatchResult:
    """Assign peers to the problem's seats, optimally when the solve finishes in time.

    The result lists every seat once, filled (with its fit and runner-up) or unfilled (with
    the reason); `objective` is the plan's value, `bound` a proven upper bound on any plan's,
    and `optimal` says they meet. Past `time_limit` seconds the best plan found is returned
    with `optimal` False. Raises ValueError for malformed problems.
    """
    t0 = time.perf_counter()
    model = _Model(problem)
    stats: dict = {
        "variables": model.n_x,
        "increments": model.n_y,
        "rows": int(model.A.shape[0]),
        "nonzeros": int(model.A.nnz),
        "row_kinds": dict(model.row_kinds),
        "cliques": model.n_cliques,
        "build_seconds": time.perf_counter() - t0,
    }
    x, objective, bound, optimal, used_integer, status = _solve(model, time_limit, t0, stats)
    if x is None:
        x = _greedy(model).x
    t_explain = time.perf_counter()
    result = _result(model, np.flatnonzero(np.rint(x[: model.n_x]) >= 1))
    if objective is None:
        objective = result.score.total
    result.objective = float(round(objective))  # every solution returned is integral
    result.bound = max(float(bound), result.objective)
    result.optimal = optimal
    result.used_integer_solve = used_integer
    result.status = status
    stats["explain_seconds"] = time.perf_counter() - t_explain
    result.stats = stats
    result.seconds = time.perf_counter() - t0
    return result


def _solve(model: _Model, time_limit: float | None, t0: float, stats: dict):
    """LP relaxation first; the integer program only when the LP optimum is fractional.

    The solver maximises the value less the tie costs; every objective and bound here is of
    the value alone, an integer: a bound on what the solver maximises, plus the tie budget,
    bounds the value.

    Returns (x or None, objective or None, bound, optimal, used integer solve, status).
    """
    if model.n_x == 0:
        return np.zeros(model.n_y), 0.0, 0.0, True, False, "no seat has a candidate"
    c = -model.objective()  # scipy minimises
    t_lp = time.perf_counter()
    deadline = None if time_limit is None else t0 + time_limit
    lp = _relaxation(model, c, deadline, stats)
    stats["lp_seconds"] = time.perf_counter() - t_lp
    if lp is None:
        return None, None, math.inf, False, False, "LP relaxation not solved"
    x, relaxed, bound, reduced = lp
    xs = x[: model.n_x]
    relaxed_value = relaxed + model.tie_cost(x)
    stats["lp_objective"] = relaxed_value
    ceiling = math.floor(bound + model.tie_budget + _INTEGRAL)  # the value is integral
    if np.all(np.abs(xs - np.rint(xs)) <= _INTEGRAL) and relaxed_value >= ceiling - _INTEGRAL:
        return x, relaxed_value, ceiling, True, False, "LP relaxation integral"

    # A fractional optimum: round it (keep the ones, fill the rest greedily in LP order) for
    # an incumbent; the value is integral, so meeting the ceiling proves it optimal.
    rounded = _greedy(model, first=np.flatnonzero(xs > 1 - _INTEGRAL), lp_x=xs)
    incumbent = rounded.value()
    stats["rounded_objective"] = incumbent
    if incumbent >= ceiling:
        return rounded.x, incumbent, ceiling, True, False, "rounded LP solution meets the LP bound"

    # Reduced-cost fixing: a variable whose reduced cost exceeds the gap between the bound and
    # the incumbent (tie costs counted at their most) is zero in every solution as good, so
    # it leaves the integer model.
    keep = np.ones(len(c), dtype=bool)
    keep[: model.n_x] = reduced[: model.n_x] <= bound - incumbent + model.tie_budget + _INTEGRAL
    cols = np.flatnonzero(keep)
    sub = model.A_csc[:, cols].tocsr()
    rows = np.flatnonzero(np.diff(sub.indptr))
    A, b = sub[rows], model.b[rows]
    stats["mip_variables"] = int(keep[: model.n_x].sum())

    # Two HiGHS settings, passed through scipy as they are: presolve finds nothing to remove in
    # these models yet spends most of the time probing them, and the root reduced-cost sub-MIP
    # spends long on an incumbent that the root cuts and branching find sooner (measured on
    # scheduling/benchmarks/matching.py).
    # The value is integral, so a tiny relative gap proves it exactly; with tie costs, the gap
    # is also kept under half a rank's weight, so the tie-break is settled exactly too.
    gap = 1e-9
    if model.tie_weight:
        gap = min(gap, model.tie_weight / 2 / max(abs(bound), 1.0))
    options: dict = {
        "mip_rel_gap": gap,
        "presolve": False,
        "mip_heuristic_run_root_reduced_cost": False,
    }
    if deadline is not None:
        options["time_limit"] = _left(deadline)
    t_mip = time.perf_counter()
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Unrecognized options", RuntimeWarning)
        res = milp(
            c[cols],
            integrality=(cols < model.n_x).astype(float),
            bounds=Bounds(0, 1),
            constraints=LinearConstraint(A, -np.inf, b),
            options=options,
        )
    stats["mip_seconds"] = time.perf_counter() - t_mip
    stats["mip_nodes"] = res.get("mip_node_count")
    dual = res.get("mip_dual_bound")
    if dual is not None and np.isfinite(dual):
        ceiling = min(ceiling, math.floor(-dual + model.tie_budget + _INTEGRAL))
    if res.x is not None and -res.fun >= incumbent - model.tie_cost(rounded.x) - _INTEGRAL:
        optimal = res.status == 0
        status = "integer solve" if optimal else f"integer solve stopped: {res.message}"
        x = np.zeros(len(c))
        x[cols] = res.x
        return x, -res.fun + model.tie_cost(x), ceiling, optimal, True, status
    if res.status == 0:
        # nothing among the kept variables beats the incumbent, and nothing else could
        return rounded.x, incumbent, incumbent, True, True, "integer solve proved the rounding"
    optimal = incumbent >= ceiling
    return rounded.x, incumbent, ceiling, optimal, True, f"integer solve stopped: {res.message}"


def _left(deadline: float) -> float:
    return max(1.0, deadline - time.perf_counter())


def _relaxation(model: _Model, c: np.ndarray, deadline: float | None, stats: dict):
    """The LP relaxation by pricing: solve over a few columns, add those that would improve it.

    Starts from the best few candidates of each role slot (by value) and every fairness
    increment. After each solve the duals y price every column (reduced cost c - A'y, scipy
    minimising) and the columns that would improve the objective join. Assignment LPs are
    highly degenerate (a seat's worth can sit on the seat row or on its peer's cap row), which
    makes plain pricing crawl; so pricing solves use right sides loosened by PRICING_SLACK on
    every row but the seat rows, which pushes the duals onto the seats. Dual feasibility does
    not depend on the right sides, so those duals still give a valid bound for the real LP:
    the Lagrangian bound -(y'b + sum of negative reduced costs). A last solve with the real
    right sides over the priced columns gives the solution.

    Returns (x, restricted LP optimum, bound, reduced costs for the bound's duals) or None.
    """
    n = len(c)
    active = np.zeros(n, dtype=bool)
    active[model.n_x :] = True
    # the best `count + 4` candidates of each role slot, by value, then the tie-break
    order = np.lexsort((model.var_rank, -model.var_value, model.var_group))
    group_start = np.searchsorted(model.var_group[order], np.arange(len(model.groups)))
    rank = np.arange(model.n_x) - group_start[model.var_group[order]]
    count = np.array(
        [model.sessions[model.units[k][0]].roles[r].count for k, r in model.groups],
        dtype=np.int64,
    )
    active[order[rank < count[model.var_group[order]] + 4]] = True
    loosened = model.b + PRICING_SLACK
    loosened[: model.row_kinds["seats"]] = model.b[: model.row_kinds["seats"]]
    rounds = 0
    while True:
        rounds += 1
        lp, duals, reduced = _restricted_lp(model, c, active, loosened, deadline)
        if lp is None:
            return None
        entering = ~active & (reduced < -_INTEGRAL)
        if not entering.any():
            break
        active |= entering
    bound = -(duals @ model.b + np.minimum(reduced, 0).sum())
    lp, _, _ = _restricted_lp(model, c, active, model.b, deadline)
    if lp is None:
        return None
    stats["lp_rounds"] = rounds + 1
    stats["lp_columns"] = int(active[: model.n_x].sum())
    x = np.zeros(n)
    x[active] = lp.x
    return x, -lp.fun, max(bound, -lp.fun), reduced


def _restricted_lp(model: _Model, c, active, b, deadline: float | None):
    """The LP over the active columns; its duals and every column's reduced cost."""
    cols = np.flatnonzero(active)
    sub = model.A_csc[:, cols].tocsr()
    rows = np.flatnonzero(np.diff(sub.indptr))
    lp = linprog(
        c[cols],
        A_ub=sub[rows] if len(rows) else None,
        b_ub=b[rows] if len(rows) else None,
        bounds=(0, 1),
        method="highs",
        options=None if deadline is None else {"time_limit": _left(deadline)},
    )
    if lp.status != 0 or lp.x is None:
        return None, None, None
    duals = np.zeros(model.A.shape[0])
    if len(rows):
        duals[rows] = np.minimum(lp.ineqlin.marginals, 0.0)
    return lp, duals, c - model.A_csc.T @ duals


def restaff(
    problem: MatchProblem,
    *,
    current: Mapping[SeatKey, int],
    declined: Iterable[tuple[SeatKey, int]],
    time_limit: float | None = None,
) -> MatchResult:
    """Re-solve after declines: keep who can stay (KEEP_VALUE a seat), never re-offer a decline."""
    declined = frozenset(declined)
    return match(
        replace(problem, current=dict(current), declined=problem.declined | declined),
        time_limit=time_limit,
    )


def match_greedily(problem: MatchProblem) -> MatchResult:
    """A quick baseline: seats in time order, each to the best peer still allowed to take it."""
    t0 = time.perf_counter()
    model = _Model(problem)
    chosen = np.flatnonzero(_greedy(model).x >= 1)
    result = _result(model, chosen)
    result.objective = float(result.score.total)
    result.bound = math.nan
    result.optimal = False
    result.status = "greedy"
    result.seconds = time.perf_counter() - t0
    return result


class _Placement:
    """Seats placed one at a time, each only if the hard rules still allow it."""

    def __init__(self, model: _Model):
        self.model = model
        self.x = np.zeros(model.n_x)
        self.taken: dict[int, list[tuple[int, int]]] = defaultdict(list)  # stretched intervals
        self.added: Counter[tuple[int, int]] = Counter()  # (peer, month) -> sessions added
        self.left_sessions = model.left_sessions.copy()
        self.left_minutes = model.left_minutes.copy()
        self.in_group = np.zeros(len(model.groups), dtype=np.int64)

    def allows(self, v: int) -> bool:
        model = self.model
        g, p = int(model.var_group[v]), int(model.var_peer[v])
        k, r = model.groups[g]
        unit = model.units[k]
        if self.x[v] or self.in_group[g] >= model.sessions[unit[0]].roles[r].count:
            return False
        if any(
            self.left_sessions[p, m] < n or self.left_minutes[p, m] < mins
            for m, (n, mins) in model._unit_months(k).items()
        ):
            return False
        return not any(
            a < model.end[s] + model.buffer and model.start[s] < b
            for s in unit
            for a, b in self.taken[p]
        )

    def place(self, v: int) -> None:
        model = self.model
        g, p = int(model.var_group[v]), int(model.var_peer[v])
        k = model.groups[g][0]
        self.x[v] = 1
        self.in_group[g] += 1
        for s in model.units[k]:
            self.taken[p].append((int(model.start[s]), int(model.end[s]) + model.buffer))
        for m, (n, mins) in model._unit_months(k).items():
            self.left_sessions[p, m] -= n
            self.left_minutes[p, m] -= mins
            self.added[p, m] += n

    def value(self) -> int:
        """The objective of the seats placed: values less the fairness cost."""
        model = self.model
        cost = sum(
            unfairness(int(model.fair_sessions[p, m]), n, model.problem.fairness_step)
            for (p, m), n in self.added.items()
        )
        return int(model.var_value @ self.x) - cost


def _greedy(model: _Model, first: np.ndarray | None = None, lp_x: np.ndarray | None = None):
    """Fill role slots in time order, best candidate first, after placing `first` if given.

    Candidates rank by fit + keep bonus - the marginal fairness cost they would add, then by
    the tie-break; with an LP solution, by their LP value first (a rounding of the relaxation).
    """
    placement = _Placement(model)
    if first is not None:
        for v in first:
            if placement.allows(int(v)):
                placement.place(int(v))
    step = model.problem.fairness_step
    order = sorted(
        range(len(model.groups)), key=lambda g: model.start[model.units[model.groups[g][0]][0]]
    )
    for g in order:
        k, r = model.groups[g]
        unit = model.units[k]
        need = model.sessions[unit[0]].roles[r].count - placement.in_group[g]
        if need <= 0:
            continue
        sl = model.group_slice[g]
        peers = model.var_peer[sl]
        gain = (model.var_fit[sl] + KEEP_VALUE * model.var_kept[sl]).astype(float)
        if step:
            m0 = int(model.session_month[unit[0]])
            used = model.fair_sessions[peers, m0] + np.array(
                [placement.added[int(p), m0] for p in peers], dtype=np.int64
            )
            gain -= step * used
        rank = model.var_rank[sl]
        keys = (rank, -gain) if lp_x is None else (rank, -gain, -lp_x[sl])
        for j in np.lexsort(keys):
            if need == 0:
                break
            if placement.allows(sl.start + int(j)):
                placement.place(sl.start + int(j))
                need -= 1
    return placement


# --- results and explanations ----------------------------------------------------------------


def _result(model: _Model, chosen: np.ndarray) -> MatchResult:
    problem = model.problem
    assignments: list[SeatAssignment] = []
    empty_groups: list[tuple[int, list[SeatKey]]] = []
    seated_in_unit: dict[int, set[int]] = defaultdict(set)
    for v in chosen:
        seated_in_unit[int(model.var_unit[v])].add(int(model.var_peer[v]))
    by_group: dict[int, list[int]] = defaultdict(list)
    for v in chosen:
        by_group[int(model.var_group[v])].append(int(v))

    for g, (k, r) in enumerate(model.groups):
        unit = model.units[k]
        first = model.sessions[unit[0]]
        role = first.roles[r]
        picked = sorted(by_group.get(g, []), key=lambda v: -model.var_fit[v])
        index_of = _seat_indices(model, unit, role, [int(model.var_peer[v]) for v in picked])
        runner = _runner_up(model, g, seated_in_unit[k])
        for s in unit:
            session = model.sessions[s]
            for v in picked:
                p = int(model.var_peer[v])
                peer = model.peers[p]
                seat = SeatKey(session.id, role.name, index_of[p])
                assignments.append(
                    SeatAssignment(
                        seat=seat,
                        peer_id=peer.id,
                        fit=seat_fit(peer, role, session),
                        runner_up=(
                            RunnerUp(
                                model.peers[runner].id, seat_fit(model.peers[runner], role, session)
                            )
                            if runner is not None
                            else None
                        ),
                        kept=problem.current.get(seat) == peer.id,
                    )
                )
            free_indices = sorted(set(range(role.count)) - set(index_of.values()))
            if free_indices:
                empty_groups.append((g, [SeatKey(session.id, role.name, i) for i in free_indices]))
    unfilled = _diagnose(model, chosen, empty_groups)
    pairs = [(a.seat, a.peer_id) for a in assignments]
    now = dict(pairs)
    moved = [
        seat
        for seat, peer_id in problem.current.items()
        if model._seat_group(seat) is not None and now.get(seat) != peer_id
    ]
    return MatchResult(
        assignments=assignments,
        unfilled=unfilled,
        objective=0.0,
        bound=0.0,
        optimal=False,
        used_integer_solve=False,
        seconds=0.0,
        score=score_of(problem, pairs),
        moved=moved,
    )


def _seat_indices(model: _Model, unit, role: RoleRequirement, picked: list[int]) -> dict[int, int]:
    """Seat index per chosen peer: a peer keeps their current index, the rest fill in order."""
    current = model.problem.current
    index_of: dict[int, int] = {}
    used: set[int] = set()
    for p in picked:
        peer_id = model.peers[p].id
        for s in unit:
            sid = model.sessions[s].id
            i = next(
                (
                    i
                    for i in range(role.count)
                    if current.get(SeatKey(sid, role.name, i)) == peer_id
                ),
                None,
            )
            if i is not None and i not in used:
                index_of[p] = i
                used.add(i)
                break
    spare = iter(i for i in range(role.count) if i not in used)
    for p in picked:
        if p not in index_of:
            index_of[p] = next(spare)
    return index_of


def _runner_up(model: _Model, g: int, seated: set[int]) -> int | None:
    """The best candidate of the role slot not seated in its unit: by fit, then the tie-break."""
    sl = model.group_slice[g]
    peers = model.var_peer[sl]
    others = np.flatnonzero(~np.isin(peers, np.fromiter(seated, dtype=np.int64, count=len(seated))))
    if not len(others):
        return None
    best = np.lexsort((model.var_rank[sl][others], -model.var_fit[sl][others]))[0]
    return int(peers[others[best]])


def _diagnose(model: _Model, chosen: np.ndarray, empty_groups) -> list[UnfilledSeat]:
    """Why each empty seat is empty: walk every peer through the rules, first failure counts."""
    if not empty_groups:
        return []
    # the sessions each peer holds in this plan
    plan_sessions: dict[int, set[int]] = defaultdict(set)
    for v in chosen:
        plan_sessions[int(model.var_peer[v])].update(int(s) for s in model.units[model.var_unit[v]])
    declined = model._declined_keys()
    unfilled: list[UnfilledSeat] = []
    for g, seats in empty_groups:
        k, r = model.groups[g]
        unit = model.units[k]
        session = model.sessions[unit[0]]
        role = session.roles[r]
        months = model._unit_months(k)
        rule_reasons: Counter[str] = Counter()
        counts: Counter[str] = Counter()
        for p, peer in enumerate(model.peers):
            why = ineligibility(
                peer, role, session.council, conflict_same_region=session.conflict_same_region
            )
            if why is not None:
                rule_reasons[why] += 1
                counts["ineligible"] += 1
            elif (g, p) in declined:
                counts["declined"] += 1
            elif not model.unit_available[k, p]:
                counts["unavailable"] += 1
            elif not model.unit_free[k, p]:
                counts["booked"] += 1
            elif any(
                model.left_sessions[p, m] < n or model.left_minutes[p, m] < mins
                for m, (n, mins) in months.items()
            ):
                counts["at_cap"] += 1
            elif _taken_by_plan(model, p, unit, months, plan_sessions[p]):
                counts["taken"] += 1
            else:
                counts["assignable"] += 1
        reason = _reason(role, counts, rule_reasons, series=len(unit) > 1)
        for seat in seats:
            unfilled.append(UnfilledSeat(seat=seat, reason=reason, counts=dict(counts)))
    return unfilled


def _taken_by_plan(model: _Model, p: int, unit, months, planned: set[int]) -> bool:
    if not planned:
        return False
    for s in unit:
        for t in planned:
            if (
                model.start[s] < model.end[t] + model.buffer
                and model.start[t] < model.end[s] + model.buffer
            ):
                return True
    for m, (n, mins) in months.items():
        plan_n = sum(1 for t in planned if model.session_month[t] == m)
        plan_m = sum(int(model.minutes[t]) for t in planned if model.session_month[t] == m)
        if model.left_sessions[p, m] - plan_n < n or model.left_minutes[p, m] - plan_m < mins:
            return True
    return False


def _count(n: int, one: str, many: str) -> str:
    return counted(n, one, many)


def _reason(role, counts, rule_reasons, *, series: bool) -> str:
    eligible = sum(counts.values()) - counts["ineligible"]
    if eligible == 0:
        if not rule_reasons:
            return f"no peers in the pool for the {role.name} seat"
        common = "; ".join(f"{n:,} {why}" for why, n in rule_reasons.most_common(3))
        return f"no peer meets the rules for the {role.name} seat ({common})"
    who = _count(eligible, "the only eligible peer", "none of the {n} eligible peers")
    after_time = eligible - counts["declined"] - counts["unavailable"] - counts["booked"]
    if after_time == 0:
        parts = [
            f"{counts[key]:,} {label}"
            for key, label in (
                ("declined", "declined this seat"),
                (
                    "unavailable",
                    "not free for every call of the series" if series else "not free then",
                ),
                ("booked", "already booked within the buffer"),
            )
            if counts[key]
        ]
        verb = "is not" if eligible == 1 else "is"
        return f"{who} {verb} free for the {role.name} seat ({', '.join(parts)})"
    if after_time == counts["at_cap"]:
        return _count(
            after_time,
            "the only eligible, free peer is at their monthly cap",
            "all {n} eligible, free peers are at their monthly cap",
        )
    if counts["assignable"] == 0:
        at_cap = f" ({counts['at_cap']:,} more at their monthly cap)" if counts["at_cap"] else ""
        return _count(
            counts["taken"],
            "the only eligible, free peer under their cap is needed for another seat in this "
            "plan" + at_cap,
            "the {n} eligible, free peers under their cap are all needed for other seats in "
            "this plan" + at_cap,
        )
    return _count(
        counts["assignable"],
        "one eligible, free peer could take it, but the solve stopped before placing them",
        "{n} eligible, free peers could take it, but the solve stopped before placing them",
    )
