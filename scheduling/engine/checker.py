"""An independent check of a matching against every hard rule, seat by seat.

It reads the problem and the seats and walks the rules directly, without the matcher's model
(no variables, cliques or matrices), so a fault in the model cannot hide itself. Eligibility
comes from `panels.ineligibility()`, the one statement of the role rules. Months are calendar
months in Europe/London, a session counting in the month it starts, as the problem states.
"""

from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import combinations

import numpy as np

from scheduling.engine.matching import (
    MatchProblem,
    MatchResult,
    SeatKey,
    SessionToStaff,
    peer_buffers,
)
from scheduling.engine.panels import holds_clash, ineligibility
from scheduling.engine.uk_time import LONDON


@dataclass(frozen=True, slots=True)
class Violation:
    rule: str  # seat, peer, double fill, same session, eligibility, declined, availability,
    # overlap, session cap, minutes cap, series, accounting
    message: str
    seat: SeatKey | None = None
    peer_id: int | None = None


def check(
    problem: MatchProblem,
    result: MatchResult | Mapping[SeatKey, int] | Iterable[tuple[SeatKey, int]],
) -> list[Violation]:
    """Every hard rule the seats break (an empty list: the matching is valid).

    `result` is a MatchResult (whose unfilled list is also checked to account for every seat
    exactly once), a mapping seat -> peer id, or (seat, peer id) pairs.
    """
    if isinstance(result, MatchResult):
        pairs = [(a.seat, a.peer_id) for a in result.assignments]
    elif isinstance(result, Mapping):
        pairs = list(result.items())
    else:
        pairs = list(result)
    sessions = {s.id: s for s in problem.sessions}
    position = {s.id: i for i, s in enumerate(problem.sessions)}
    peers = {p.id: p for p in problem.peers}
    peer_position = {p.id: i for i, p in enumerate(problem.peers)}
    buffers = peer_buffers(problem)
    found: list[Violation] = []

    # a decline covers the role slot: its seats are interchangeable
    declined = {(seat.session_id, seat.role, peer_id) for seat, peer_id in problem.declined}
    valid: list[tuple[SeatKey, int]] = []
    fills = Counter(seat for seat, _ in pairs)
    for seat, n in fills.items():
        if n > 1:
            found.append(Violation("double fill", f"{_seat(seat)} is filled {n} times", seat))
    for seat, peer_id in pairs:
        session = sessions.get(seat.session_id)
        role = next((r for r in session.roles if r.name == seat.role), None) if session else None
        if role is None or not 0 <= seat.index < role.count:
            found.append(Violation("seat", f"{_seat(seat)} is not a seat of the problem", seat))
            continue
        peer = peers.get(peer_id)
        if peer is None:
            found.append(Violation("peer", f"peer {peer_id} is not in the pool", seat, peer_id))
            continue
        valid.append((seat, peer_id))
        why = ineligibility(
            peer, role, session.council, conflict_same_region=session.conflict_same_region
        )
        if why is not None:
            found.append(
                Violation("eligibility", f"peer {peer_id} in {_seat(seat)}: {why}", seat, peer_id)
            )
        if (seat.session_id, seat.role, peer_id) in declined:
            found.append(
                Violation(
                    "declined",
                    f"peer {peer_id} declined a {seat.role} seat of {seat.session_id!r}",
                    seat,
                    peer_id,
                )
            )
        if not _free(problem, position[session.id], session.id, peer_position[peer_id], peer_id):
            found.append(
                Violation(
                    "availability",
                    f"peer {peer_id} is not free for {session.id!r}",
                    seat,
                    peer_id,
                )
            )

    by_peer: dict[int, list[SessionToStaff]] = defaultdict(list)
    seat_of: dict[tuple[int, object], SeatKey] = {}
    for seat, peer_id in valid:
        key = (peer_id, seat.session_id)
        if key in seat_of:
            found.append(
                Violation(
                    "same session",
                    f"peer {peer_id} holds {_seat(seat_of[key])} and {_seat(seat)}",
                    seat,
                    peer_id,
                )
            )
            continue
        seat_of[key] = seat
        by_peer[peer_id].append(sessions[seat.session_id])

    held: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for h in problem.held:
        held[h.peer_id].append((_utc(h.start), _utc(h.end)))
    for peer_id, taken in by_peer.items():
        for a, b in combinations(taken, 2):
            if holds_clash(
                _utc(a.start), _utc(a.end), _utc(b.start), _utc(b.end), buffers[peer_id]
            ):
                found.append(
                    Violation(
                        "overlap",
                        f"peer {peer_id} is in {a.id!r} and {b.id!r}, closer than "
                        f"{buffers[peer_id]} minutes",
                        seat_of[peer_id, b.id],
                        peer_id,
                    )
                )
        for s in taken:
            for start, end in held[peer_id]:
                if holds_clash(_utc(s.start), _utc(s.end), start, end, buffers[peer_id]):
                    found.append(
                        Violation(
                            "overlap",
                            f"peer {peer_id} in {s.id!r} clashes with a seat they hold from "
                            f"{start:%Y-%m-%d %H:%M} UTC",
                            seat_of[peer_id, s.id],
                            peer_id,
                        )
                    )
        found.extend(_caps(problem, peers[peer_id], taken))

    found.extend(_series(problem, valid))
    if isinstance(result, MatchResult):
        found.extend(_accounting(problem, result))
    return found


def _seat(seat: SeatKey) -> str:
    return f"seat {seat.role} #{seat.index} of {seat.session_id!r}"


def _utc(moment: datetime) -> datetime:
    return moment.astimezone(UTC)


def _free(problem: MatchProblem, s_pos: int, session_id, p_pos: int, peer_id: int) -> bool:
    availability = problem.availability
    if isinstance(availability, np.ndarray):
        return bool(availability[s_pos, p_pos])
    return peer_id in availability.get(session_id, ())


def _caps(problem: MatchProblem, peer, taken: list[SessionToStaff]) -> list[Violation]:
    counts: Counter = Counter()
    minutes: Counter = Counter()
    for s in taken:
        local = s.start.astimezone(LONDON)
        month = (local.year, local.month)
        counts[month] += 1
        minutes[month] += round((_utc(s.end) - _utc(s.start)).total_seconds() / 60)
    found = []
    for month in counts:
        load = problem.existing_load.get(peer.id, {}).get(month)
        had_sessions = load.sessions if load else 0
        had_minutes = load.minutes if load else 0
        label = f"{month[0]}-{month[1]:02d}"
        if had_sessions + counts[month] > peer.monthly_session_cap:
            found.append(
                Violation(
                    "session cap",
                    f"peer {peer.id} would hold {had_sessions + counts[month]} sessions in "
                    f"{label}, cap {peer.monthly_session_cap}",
                    peer_id=peer.id,
                )
            )
        if had_minutes + minutes[month] > peer.monthly_minutes_cap:
            found.append(
                Violation(
                    "minutes cap",
                    f"peer {peer.id} would hold {had_minutes + minutes[month]} minutes in "
                    f"{label}, cap {peer.monthly_minutes_cap}",
                    peer_id=peer.id,
                )
            )
    return found


def _series(problem: MatchProblem, pairs: list[tuple[SeatKey, int]]) -> list[Violation]:
    """A series seat has one peer for all the series' sessions, or is empty in all of them."""
    series_sessions: dict[str, list[SessionToStaff]] = defaultdict(list)
    for s in problem.sessions:
        if s.series_id is not None:
            series_sessions[s.series_id].append(s)
    peer_at = dict(pairs)
    found = []
    for series_id, members in series_sessions.items():
        for role in members[0].roles:
            for index in range(role.count):
                held_by = [peer_at.get(SeatKey(s.id, role.name, index)) for s in members]
                distinct = {p for p in held_by if p is not None}
                if len(distinct) > 1:
                    found.append(
                        Violation(
                            "series",
                            f"series {series_id!r} seat {role.name} #{index} has peers "
                            f"{sorted(distinct)} across its sessions",
                        )
                    )
                elif distinct and None in held_by:
                    found.append(
                        Violation(
                            "series",
                            f"series {series_id!r} seat {role.name} #{index} is filled in only "
                            f"{len(members) - held_by.count(None)} of its {len(members)} sessions",
                        )
                    )
    return found


def _accounting(problem: MatchProblem, result: MatchResult) -> list[Violation]:
    """Every seat of the problem is reported once: filled or unfilled, never both or neither."""
    reported = Counter(a.seat for a in result.assignments) + Counter(
        u.seat for u in result.unfilled
    )
    found = []
    for s in problem.sessions:
        for role in s.roles:
            for index in range(role.count):
                seat = SeatKey(s.id, role.name, index)
                n = reported.pop(seat, 0)
                if n != 1:
                    found.append(
                        Violation("accounting", f"{_seat(seat)} is reported {n} times", seat)
                    )
    for seat in reported:
        found.append(Violation("accounting", f"{_seat(seat)} is reported but unknown", seat))
    return found
