"""Staff's candidate list for a seat: every active peer, checked by the engine's checker, with
why not in words, and the search staff narrow it with."""

from dataclasses import dataclass

from peers.models import Skill
from peers.selectors import PeerRecord
from scheduling.engine.checker import check
from scheduling.engine.matching import MatchProblem, SeatKey, seat_fit
from scheduling.engine.panels import tie_break_ranks
from sessions.pool import PeerPool
from sessions.seat_plan import fit_json

# The hard rules the checker names, in words for staff choosing a peer by hand.
RULE_WORDS = {
    "declined": "has declined this seat",
    "availability": "is not free then",
    "overlap": "holds another session too close to this one (their buffer included)",
    "session cap": "has reached their monthly cap of sessions",
    "minutes cap": "has reached their monthly cap of hours",
    "same session": "already sits on this panel",
    "series": "cannot take every session of the series",
}


@dataclass(frozen=True)
class Candidate:
    """A peer for one seat, as the plan sees them: the fit and recent load when eligible, or
    every hard rule they would break (the checker's rule names, and in words)."""

    peer: PeerRecord
    fit: dict
    load: int
    rules: tuple[str, ...] = ()
    problems: tuple[str, ...] = ()

    @property
    def eligible(self) -> bool:
        return not self.rules


def _violation_words(violation) -> str:
    if violation.rule == "eligibility":
        return violation.message.rsplit(": ", 1)[-1]
    return RULE_WORDS.get(violation.rule, violation.message)


def seat_candidates(
    *,
    problem: MatchProblem,
    pool: PeerPool,
    seat_keys: list[SeatKey],
) -> list[Candidate]:
    """Every active peer for the seats `seat_keys` (one place, in each remaining session of a
    series), checked by the engine's checker against every hard rule with everyone else kept
    where they sit: the eligible first, by fit, then the least work, then the tie-break every
    plan uses (least recently seated first), then the rest with why not."""
    targets = set(seat_keys)
    others = [(key, peer_id) for key, peer_id in problem.current.items() if key not in targets]
    by_id = {peer.id: peer for peer in pool.peers}
    sessions = {s.id: s for s in problem.sessions}
    first = sessions[seat_keys[0].session_id]
    candidates = []
    for profile in problem.peers:
        pairs = others + [(key, profile.id) for key in seat_keys]
        broken = [
            v
            for v in check(problem, pairs)
            if v.peer_id == profile.id or (v.seat is not None and v.seat in targets)
        ]
        role = next(r for r in first.roles if r.name == seat_keys[0].role)
        candidates.append(
            Candidate(
                peer=by_id[profile.id],
                fit=fit_json(seat_fit(profile, role, first)),
                load=problem.fairness_load.get(profile.id, 0),
                rules=tuple(dict.fromkeys(v.rule for v in broken)),
                problems=tuple(dict.fromkeys(_violation_words(v) for v in broken)),
            )
        )
    ranks = tie_break_ranks([c.peer.id for c in candidates], pool.workload.last_seated)
    order = dict(zip((c.peer.id for c in candidates), ranks.tolist(), strict=True))
    return sorted(
        candidates, key=lambda c: (not c.eligible, -c.fit["total"], c.load, order[c.peer.id])
    )


def candidates_runner_up(candidates: list[Candidate], *, chosen: int) -> dict:
    """The runner-up a seat filled by hand records, as a planned seat records the matcher's:
    the best eligible candidate other than the peer chosen, in `seat_candidates`' order
    (empty when nobody else could take the seat)."""
    runner = next((c for c in candidates if c.eligible and c.peer.id != chosen), None)
    return {"peer_id": runner.peer.id, "fit": runner.fit} if runner is not None else {}


def candidates_matching(candidates: list, search: str) -> list:
    """The candidates whose name, home council or a skill holds every word of `search`
    (any case), in their order; all of them for an empty search."""
    words = search.casefold().split()
    if not words:
        return list(candidates)
    skill_names = dict(Skill.objects.values_list("slug", "name"))

    def text(candidate) -> str:
        peer = candidate.peer
        skills = " ".join(f"{slug} {skill_names.get(slug, '')}" for slug in peer.skills)
        return f"{peer.name} {peer.home_council.name} {skills}".casefold()

    return [c for c in candidates if all(word in text(c) for word in words)]
