"""What changed on a booked session since a message about it: the words of every update.

The booker's and the adviser's summaries (gathered for a few minutes in the outbox, see
outbox.py) and a peer's updated invitation each list the changes since the last message their
recipient was sent, read from the record of changes (django-simple-history, see `history()` in
sessions/models.py), so a summary says what happened and who did it: who accepted or declined,
who replaced whom and why (a decline, a move, LGA staff choosing another peer), a place that
could not be filled, a new joining link and a new time (old and new). invites.py builds the
letters; this module only says what changed, in one wording for every recipient.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from scheduling.engine.uk_time import when_text
from sessions.models import HOLDING_SEAT_STATUSES, Seat, SeatStatus, Session
from sessions.selectors.history import history_who

BOOKER, ADVISER, PEER = "booker", "adviser", "peer"

# Recorded with the change (the history's reason) when a seat is given up by the peer's
# availability rather than by their answer, so the booker's summary can say which it was.
NO_LONGER_FREE = "no longer free then (leave, a date or hours changed)"


@dataclass(frozen=True)
class SessionChange:
    at: datetime
    text: str


def session_changes(
    session: Session,
    *,
    since: datetime,
    told: tuple[datetime | None, datetime | None],
    audience: str,
) -> tuple[str, ...]:
    """The changes to `session` after `since`, oldest first, in words for `audience` (BOOKER,
    ADVISER or PEER). `told`: the session's time as that last message gave it. The booker and
    the adviser are told of the time, the joining link and the panel; a peer of the joining
    link (their letter says a move itself, in their own time zone: `session_moved_text`)."""
    changes = _link_changes(session, since)
    if audience != PEER:
        changes += _time_changes(session, since=since, told=told)
        moved = session_moved(session, told)
        changes += _panel_changes(session, since=since, moved=moved, audience=audience)
    return tuple(change.text for change in sorted(changes, key=lambda change: change.at))


def session_moved_text(
    old: tuple[datetime, datetime], session: Session, *, zone: str | None = None
) -> str:
    """'The session moved from <old> to <new>.': the one wording of a move (with the
    recipient's own time beside UK time where `zone` shows other times)."""
    return (
        f"The session moved from {when_text(*old, zone)} to "
        f"{when_text(session.start, session.end, zone)}."
    )


def session_moved(session: Session, told) -> bool:
    """Whether the session's time differs from `told` (start, end), the time a message gave."""
    return bool(told[0] and told[1]) and tuple(told) != (session.start, session.end)


def _time_changes(session: Session, *, since: datetime, told) -> list[SessionChange]:
    if not session_moved(session, told):
        return []
    # Placed when it happened: the first record since `since` at a time other than `told`.
    moved_at = (
        Session.history.filter(id=session.pk, history_date__gt=since)
        .exclude(start=told[0], end=told[1])
        .order_by("history_date", "history_id")
        .values_list("history_date", flat=True)
        .first()
    )
    return [SessionChange(moved_at or since, session_moved_text(told, session))]


def _link_changes(session: Session, since: datetime) -> list[SessionChange]:
    records = list(Session.history.filter(id=session.pk).order_by("history_date", "history_id"))
    before = None
    changes = []
    for record in records:
        if record.history_date > since and before is not None:
            old, new = before.joining_url, record.joining_url
            if old != new:
                if not old:
                    text = f"A joining link was added: {new}"
                elif not new:
                    text = "The joining link was removed; a new one will follow."
                else:
                    text = f"The joining link changed to {new} (the old one no longer applies)."
                changes.append(SessionChange(record.history_date, text))
        before = record
    return changes


def _staff_name(record) -> str | None:
    """Who seated a peer by hand: the LGA staff member signed in when the row was written."""
    user = record.history_user
    if user is not None and user.is_staff:
        return f"{history_who(record)} (LGA staff)"
    return None


def _panel_changes(
    session: Session, *, since: datetime, moved: bool, audience: str
) -> list[SessionChange]:
    seats = {s.pk: s for s in Seat.objects.filter(session=session).select_related("peer")}
    places: dict[tuple[str, int], list[Seat]] = defaultdict(list)
    for seat in sorted(seats.values(), key=lambda s: s.pk):
        places[(seat.role_name, seat.position)].append(seat)
    status_before: dict[int, str] = {}
    released: set[int] = set()  # seats given up by the peer's availability, not an answer
    changes = []
    records = Seat.history.filter(session_id=session.pk).select_related("history_user")
    for record in sorted(records, key=lambda r: (r.history_date, r.history_id)):
        previous = status_before.get(record.id)
        status_before[record.id] = record.status
        if record.status == SeatStatus.DECLINED and record.history_change_reason == NO_LONGER_FREE:
            released.add(record.id)
        seat = seats.get(record.id)
        if record.history_date <= since or seat is None:
            continue
        if record.history_type == "+":
            text = _seated_text(
                seat, record, places, moved=moved, released=released, audience=audience
            )
        elif previous != record.status:
            # A peer's reason is for the LGA (the adviser), never the council.
            reason = record.answer_reason if audience == ADVISER else ""
            text = _answer_text(
                seat,
                record.status,
                released=record.id in released,
                reason=reason,
                had_accepted=previous == SeatStatus.ACCEPTED,
            )
        else:
            text = None
        if text:
            changes.append(SessionChange(record.history_date, text))
    return changes


def place_given_up_text(seat: Seat) -> str | None:
    """Who last gave up this place (role and position) of the session and what they said, in
    words for the LGA (the adviser's "Seat unfilled" letter); None when no peer gave it up."""
    given_up = (
        Seat.objects.filter(
            session_id=seat.session_id,
            role_name=seat.role_name,
            position=seat.position,
            status=SeatStatus.DECLINED,
            peer__isnull=False,
        )
        .select_related("peer")
        .order_by("-id")
        .first()
    )
    if given_up is None:
        return None
    record = Seat.history.filter(id=given_up.pk).order_by("-history_date", "-history_id").first()
    had_accepted = Seat.history.filter(id=given_up.pk, status=SeatStatus.ACCEPTED).exists()
    return _answer_text(
        given_up,
        SeatStatus.DECLINED,
        released=record is not None and record.history_change_reason == NO_LONGER_FREE,
        reason=given_up.answer_reason,
        had_accepted=had_accepted,
    )


def _answer_text(
    seat: Seat, status: str, *, released: bool, reason: str = "", had_accepted: bool = False
) -> str | None:
    if seat.peer is None:
        return None
    if status == SeatStatus.DECLINED and released:
        return (
            f"{seat.peer.name} gave up the {seat.role_name} seat: they are no longer free "
            "then (their leave, a date or their hours changed)."
        )
    if status == SeatStatus.DECLINED:
        verb = "withdrew from" if had_accepted else "declined"
        said = f", saying: “{reason}”" if reason else "."
        return f"{seat.peer.name} {verb} the {seat.role_name} seat{said}"
    if status == SeatStatus.ACCEPTED:
        return f"{seat.peer.name} accepted the {seat.role_name} seat."
    return None


def _seated_text(
    seat: Seat, record, places, *, moved: bool, released: set[int], audience: str
) -> str | None:
    """A row written for a place: who now sits there, in place of whom, and why."""
    place = places[(seat.role_name, seat.position)]
    before = [s for s in place if s.pk < seat.pk]
    previous = before[-1] if before else None
    role = f"the {seat.role_name} seat"
    if seat.peer is None:
        told = " Your Principal Adviser has been told." if audience == BOOKER else ""
        return f"The {seat.role_name} seat could not be filled: {seat.unfilled_reason}.{told}"
    if seat.status not in (*HOLDING_SEAT_STATUSES, SeatStatus.DECLINED):
        # A row the same change superseded (e.g. moved again at once) is no change to tell.
        return None
    name = seat.peer.name
    staff = _staff_name(record)
    if previous is None:
        return f"{name} has been invited to {role}."
    if previous.peer is None:
        if staff:
            return f"{staff} seated {name} in {role}, which was unfilled."
        return f"{name} has been invited to {role}, which was unfilled."
    gone = previous.peer.name
    if previous.peer_id == seat.peer_id:
        return None
    if staff:
        why = ", who had declined" if previous.status == SeatStatus.DECLINED else ""
        return f"{staff} seated {name} in {role} in place of {gone}{why}."
    if previous.status == SeatStatus.DECLINED and previous.pk in released:
        return f"{name} replaces {gone} in {role}, as {gone} is no longer free then."
    if previous.status == SeatStatus.DECLINED:
        return f"{name} replaces {gone} in {role}, as {gone} declined."
    if moved:
        return f"{gone} leaves the panel with the move; {name} joins it in {role}."
    return f"{name} replaces {gone} in {role}: the panel was planned again to fill a place."
