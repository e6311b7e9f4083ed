"""A series answered once: the sessions of one booking (coaching calls, days of bespoke support)
seen, answered and given a joining link together.

Each session keeps its own invitation, UID and SEQUENCE (docs/architecture.md, Calendars): a
peer is still sent one message per session, and may still answer one session alone. What this
module adds is the whole: every date of the series in each invitation, one answer for every
session of the booking the peer sits on (each taken by `answers.seat_answer`, the one way a
seat is answered), and one joining link for every session (each set by
`bookings.session_joining_url_set`, which sends its updates).
"""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from peers.models import Peer
from sessions.models import Seat
from sessions.selectors.series import series_seats
from sessions.services import answers


def series_answer_links(
    seat: Seat, *, sequence: int, until: datetime
) -> tuple[tuple[str, str], ...]:
    """The invitation's links that answer every session of the series ("Accept all 3
    sessions", "Decline all 3 sessions"), when its peer sits on more than one; else ()."""
    count = len(series_seats(seat)) if seat.session.booking_id is not None else 1
    if count < 2:
        return ()
    return tuple(
        (
            f"{label} all {count} sessions",
            answers.answer_url(
                seat_id=seat.pk, sequence=sequence, answer=answer, until=until, every=True
            ),
        )
        for label, answer in (("Accept", answers.ACCEPT), ("Decline", answers.DECLINE))
    )


@dataclass
class SeriesAnswer:
    answered: list[Seat] = field(default_factory=list)
    # Sessions left as they were, and why (already answered, declined, started, ...).
    skipped: list[tuple[Seat, answers.AnswerRefused]] = field(default_factory=list)


def seat_answer_series(
    *,
    seat_id: int,
    accept: bool,
    peer: Peer | None = None,
    sequence: int | None = None,
    reason: str = "",
    now: datetime | None = None,
) -> SeriesAnswer:
    """Accept or decline every session of the seat's booking that its peer sits on, each by
    `answers.seat_answer`. `sequence` (a link's) is checked for `seat_id`'s session; the others
    answer their latest invitation. A session that cannot be answered is left as it is and
    listed; when none can, the refusal for `seat_id` is raised and nothing changes."""
    now = now or timezone.now()
    reason = answers.answer_reason_clean(reason) if not accept else ""
    outcome = SeriesAnswer()
    with transaction.atomic():
        seat = (
            Seat.objects.select_related("peer", "session__offer", "session__booking")
            .filter(pk=seat_id)
            .first()
        )
        if seat is None:
            raise answers.AnswerRefused(
                "unknown", "There is no such seat: the link may be out of date."
            )
        others = [s for s in series_seats(seat, now=now) if s.pk != seat.pk]
        first_refusal = None
        for each, its_sequence in ((seat, sequence), *((s, None) for s in others)):
            try:
                answered = answers.seat_answer(
                    seat_id=each.pk,
                    accept=accept,
                    peer=peer,
                    sequence=its_sequence,
                    once=its_sequence is not None,
                    reason=reason,
                    now=now,
                )
            except answers.AnswerRefused as refused:
                first_refusal = first_refusal or refused
                outcome.skipped.append((each, refused))
            else:
                outcome.answered.append(answered)
        if not outcome.answered:
            raise first_refusal
    return outcome
