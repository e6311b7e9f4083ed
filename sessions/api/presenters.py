"""The booking API's output, built from plain data in one place: bookings, slot-search times,
panels, candidates for a seat and the bodies of the refusals that carry data (a panel that
changed, a time that can no longer be staffed). Pages show peers and candidates the same way."""

from datetime import datetime

from django.core.serializers.json import DjangoJSONEncoder

from peers.models import Peer
from peers.selectors import Caller
from scheduling.engine.staffing import StaffableStart
from sessions import rules
from sessions.models import Booking
from sessions.participants.selectors import participants_out
from sessions.pool import PeerPool
from sessions.seat_plan import SeatChange
from sessions.seat_words import fit_in_words, seat_in_words, speaks_to_council
from sessions.selectors.bookings import booking_state
from sessions.services.bookings import BookingConflict, PanelChanged


def peer_brief(peer: Peer) -> dict:
    return {
        "id": peer.id,
        "name": peer.name,
        "kind": peer.kind,
        "political_group": peer.political_group,
        "profession": peer.profession,
        "home_council": peer.home_council.name,
    }


def booking_out(booking: Booking, *, caller: Caller) -> dict:
    """A booking as the API shows it. Each seat says in plain words why its peer suits it
    (`why_words`); the scores behind that (`why`, `runner_up`) are for staff only."""
    staff = caller.is_staff
    return {
        "id": booking.id,
        "reference": booking.reference,
        "offer": booking.offer.slug,
        "offer_title": booking.offer.title,
        "council": booking.council_id,
        "council_name": booking.council.name,
        "status": booking.status,
        "state": booking_state(booking),
        "notes": booking.notes,
        "cancel_reason": booking.cancel_reason,
        "request_expires_at": booking.request_expires_at,
        "decided_at": booking.decided_at,
        "decided_by": booking.decided_by,
        "decision_reason": booking.decision_reason,
        "created_at": booking.created_at,
        "participants": participants_out(
            booking, with_addresses=rules.may_manage_booking(caller, booking)
        ),
        "sessions": [
            {
                "id": session.id,
                "number": session.number,
                "start": session.start,
                "end": session.end,
                "status": session.status,
                "uid": session.uid,
                "sequence": session.sequence,
                "joining_url": session.joining_url,
                "seats": [
                    {
                        "id": seat.id,
                        "role": seat.role_name,
                        "position": seat.position,
                        "status": seat.status,
                        "peer": peer_brief(seat.peer) if seat.peer else None,
                        "why": (seat.fit if staff else {})
                        or ({"unfilled": seat.unfilled_reason} if seat.unfilled_reason else {}),
                        "why_words": seat_in_words(
                            peer=peer_brief(seat.peer),
                            council_leader_group=booking.council.leader_group,
                            council_type=booking.council.council_type,
                            fit=seat.fit,
                            to_the_council=speaks_to_council(caller, booking.council),
                        )
                        if seat.peer
                        else "",
                        "runner_up": seat.runner_up if staff else {},
                    }
                    for seat in session.seats.all()
                ],
            }
            for session in booking.sessions.all()
        ],
    }


def slots_out(starts: list[StaffableStart], pool: PeerPool) -> list[dict]:
    """The slot search's times as the API shows them (`schemas.SlotOut`), ready to encode.

    A search answers hundreds of times whose panels share a few dozen peers: each peer is
    described once, and the answer is plain text and numbers, so encoding it needs no
    per-item validation or conversion.
    """
    by_id = {peer.id: peer for peer in pool.peers}
    briefs: dict[int, dict] = {}

    def brief(peer_id: int) -> dict:
        if peer_id not in briefs:
            briefs[peer_id] = peer_brief(by_id[peer_id])
        return briefs[peer_id]

    out = []
    for start in starts:
        sessions = [
            {"start": instant_text(s.start), "end": instant_text(s.end)} for s in start.sessions
        ]
        out.append(
            {
                # A time starts and ends as its first session does.
                "start": sessions[0]["start"],
                "end": sessions[0]["end"],
                "sessions": sessions,
                "panel": [
                    {"role": role, "peer": brief(peer_id)}
                    for role, peer_ids in start.panel.items()
                    for peer_id in peer_ids
                ],
            }
        )
    return out


def instant_text(moment: datetime) -> str:
    """An instant as the API writes it (as Django's JSON encoder does: UTC as `Z`)."""
    return _ENCODER.default(moment)


_ENCODER = DjangoJSONEncoder()


def panel_out(panel: list[tuple[str, int]], peers: dict[int, Peer]) -> list[dict]:
    """A panel as the API shows it: role and peer per seat."""
    return [{"role": role, "peer": peer_brief(peers[peer_id])} for role, peer_id in panel]


def candidate_out(candidate) -> dict:
    """A peer who could take a seat, or could not, as the API and the page show them."""
    out = {"peer": peer_brief(candidate.peer), "eligible": candidate.eligible}
    if candidate.eligible:
        load = candidate.load
        words = fit_in_words(candidate.fit) + [
            f"{load} session{'s' if load != 1 else ''} held around this time"
            if load
            else "no other sessions around this time"
        ]
        return {**out, "fit": candidate.fit, "load": load, "rules": [], "why": "; ".join(words)}
    return {
        **out,
        "fit": candidate.fit,
        "load": candidate.load,
        "rules": list(candidate.rules),
        "why": "; ".join(candidate.problems),
    }


def seat_change_rows(changes: list[SeatChange]) -> list[dict]:
    """Each changed seat as the API shows it: role, the peer shown, the peer now, and why."""
    wanted = {c.shown_peer_id for c in changes} | {c.peer_id for c in changes}
    peers = _peers(wanted)
    return [
        {
            "role": change.role,
            "shown": peer_brief(peers[change.shown_peer_id]) if change.shown_peer_id else None,
            "now": peer_brief(peers[change.peer_id]) if change.peer_id else None,
            "why": change.why,
        }
        for change in changes
    ]


def _peers(ids) -> dict[int, Peer]:
    ids = set(ids) - {None}
    return {p.id: p for p in Peer.objects.filter(pk__in=ids).select_related("home_council")}


def panel_changed_out(changed: PanelChanged) -> dict:
    """A panel that changed since it was shown (409): the panel now and each changed seat."""
    return {
        "detail": changed.detail,
        "start": changed.start.isoformat(),
        "panel": panel_out(changed.panel, _peers(peer_id for _, peer_id in changed.panel)),
        "changes": seat_change_rows(changed.changes),
    }


def booking_conflict_out(conflict: BookingConflict) -> dict:
    """A time that can no longer be staffed (409): why, and other times that can."""
    return {
        "detail": conflict.detail,
        "reasons": conflict.reasons,
        "alternatives": [t.isoformat() for t in conflict.alternatives],
    }
