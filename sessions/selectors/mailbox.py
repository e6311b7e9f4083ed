"""Reads about what the organiser's mailbox brought: invites that were not delivered (a bounce),
shown on the booking page and the programme dashboard."""

from sessions.models import Invite, Seat


def undelivered_invites(seat_ids) -> dict[int, Invite]:
    """Seat id -> its latest invite, where that invite was returned as undeliverable. A later
    invite to the seat (a corrected address, an update that arrived) clears it."""
    latest: dict[int, Invite] = {}
    for invite in Invite.objects.filter(seat_id__in=list(seat_ids)).order_by("sequence", "id"):
        latest[invite.seat_id] = invite
    return {seat_id: i for seat_id, i in latest.items() if i.undelivered_at is not None}


def undelivered_seats(seats: list[Seat], brief_of) -> list[dict]:
    """Rows for the dashboard: each seat whose invite was not delivered, soonest bounce first.
    `brief_of(seat)`: the session's brief (sessions/programme/figures.py's)."""
    held = [s for s in seats if s.peer_id is not None]
    invites = undelivered_invites(s.id for s in held)
    rows = [
        {
            **brief_of(seat),
            "seat": seat.id,
            "role": seat.role_name,
            "peer": seat.peer.name,
            "address": invites[seat.id].recipient_email,
            "reason": invites[seat.id].undelivered_reason[:300],
            "bounced_at": invites[seat.id].undelivered_at,
        }
        for seat in held
        if seat.id in invites
    ]
    return sorted(rows, key=lambda row: row["bounced_at"])
