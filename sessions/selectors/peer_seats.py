"""Reads for a peer's pages: their seats, each with its session in words and whether it may
still be accepted or declined, and the one question asked before giving a seat up."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.utils import timezone

from peers.models import Peer
from scheduling.engine.uk_time import LONDON as UK
from sessions.models import (
    HOLDING_SEAT_STATUSES,
    Seat,
    SeatStatus,
    Session,
    SessionStatus,
)
from sessions.selectors.series import series_lines, series_seats
from sessions.session_words import (
    session_focus,
    session_panel_lines,
    session_title,
    session_when,
)


@dataclass(frozen=True)
class PeerSeat:
    seat: Seat
    session: Session
    title: str
    start: datetime  # UK time
    end: datetime
    panel: tuple[tuple[str, str], ...]
    can_accept: bool
    can_decline: bool
    focus: str = ""  # the council's notes for the panel
    when: str = ""  # in UK time, and the peer's own beside it where it differs
    series: tuple[str, ...] = ()  # every session of its series, when it is one of several
    series_open: int = 1  # the sessions of the series still to come that the peer sits on

    @property
    def withdrawing(self) -> bool:
        """Whether giving the seat up now withdraws an acceptance rather than declines."""
        return self.seat.status == SeatStatus.ACCEPTED


def decline_question(row: PeerSeat | None, *, every: bool = False) -> str:
    """The question a peer is asked before giving up a seat (or, `every`, all the sessions of
    its series they sit on): the one wording of every path."""
    if every and row is not None:
        verb = "withdraw from" if row.withdrawing else "decline"
        return f"Are you sure you want to {verb} all {row.series_open} sessions of this series?"
    if row is not None and row.withdrawing:
        return "Are you sure you want to withdraw from this panel?"
    return "Are you sure you want to decline this seat?"


def peer_seats(*, peer: Peer, now: datetime | None = None, past_days: int = 90) -> list[PeerSeat]:
    """A peer's seats from `past_days` ago on, latest row per session, soonest first."""
    now = now or timezone.now()
    seats = (
        Seat.objects.filter(
            peer=peer,
            session__end__gte=now - timedelta(days=past_days),
            status__in=[*HOLDING_SEAT_STATUSES, SeatStatus.DECLINED, SeatStatus.WITHDRAWN],
        )
        .select_related("peer", "session__offer", "session__booking__council")
        .order_by("session__start", "id")
    )
    latest: dict[int, Seat] = {}
    for seat in seats:
        previous = latest.get(seat.session_id)
        if previous is None or previous.status not in HOLDING_SEAT_STATUSES:
            latest[seat.session_id] = seat
    rows = []
    for seat in latest.values():
        if seat.status == SeatStatus.WITHDRAWN and seat.session.status != SessionStatus.CANCELLED:
            continue  # moved off a panel that still runs: nothing of theirs to show
        rows.append(peer_seat(seat, now=now))
    return rows


def peer_seat(seat: Seat, *, now: datetime | None = None) -> PeerSeat:

    now = now or timezone.now()
    session = seat.session
    open_ = session.status == SessionStatus.SCHEDULED and session.start > now
    zone = seat.peer.time_zone if seat.peer else None
    series = series_lines(session, zone=zone) if session.offer.session_count > 1 else ()
    return PeerSeat(
        seat=seat,
        session=session,
        title=session_title(session),
        start=session.start.astimezone(UK),
        end=session.end.astimezone(UK),
        panel=session_panel_lines(session, with_status=False),
        can_accept=open_ and seat.status in (SeatStatus.PROPOSED, SeatStatus.INVITED),
        can_decline=open_ and seat.status in HOLDING_SEAT_STATUSES,
        focus=session_focus(session),
        # The one wording of a session's time, as the invitation gives it.
        when=session_when(session, zone=zone),
        series=series,
        series_open=len(series_seats(seat, now=now)) if series and open_ else 1,
    )
