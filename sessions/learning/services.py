"""Writes of learning points: a peer gives or changes a point, the LGA lead checks an
anonymous one's wording, the council's booker agrees to be named; and the asks and the one
reminder sent to each seat once its session has ended.

A point enters the library (`published_at`) when it is shared with the sector and its last
step is done (checked if anonymous, agreed if named); changing its words or its visibility
takes it out again, so what the library shows is always what was checked or agreed.
"""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from peers.selectors import Caller
from scheduling.engine.availability import working_day_after
from scheduling.engine.refusals import Refusal
from scheduling.engine.uk_time import LONDON
from sessions.learning import letters, search
from sessions.learning.links import LINK_DAYS
from sessions.learning.models import (
    Elsewhere,
    LearningAsk,
    LearningPoint,
    Theme,
    Visibility,
)
from sessions.learning.rules import (
    may_agree_to_naming,
    may_check_wording,
    may_give_learning,
    require,
)
from sessions.learning.selectors import learning_open, seats_to_ask
from sessions.models import Seat

logger = logging.getLogger(__name__)

ASK_WITHIN = timedelta(days=14)  # a session that ended longer ago than this is not asked about
REMIND_AFTER_WORKING_DAYS = 5
TEXT_MAX = 2000


class LearningClosed(Refusal):
    status = 409


class NothingToDo(Refusal):
    status = 409


@dataclass(frozen=True)
class PointWords:
    theme: str
    doing: str
    why: str
    elsewhere: str
    visibility: str = Visibility.PANEL


def _checked(words: PointWords) -> PointWords:
    errors = {}
    if words.theme not in Theme.values:
        errors["theme"] = "Select the theme the point is about."
    for field, label in (("doing", "what the council is doing"), ("why", "why it matters")):
        text = (getattr(words, field) or "").strip()
        if not text:
            errors[field] = f"Enter {label}."
        elif len(text) > TEXT_MAX:
            errors[field] = f"{label.capitalize()} must be {TEXT_MAX} characters or fewer."
    if words.elsewhere not in Elsewhere.values:
        errors["elsewhere"] = "Select whether it would work elsewhere."
    if words.visibility not in Visibility.values:
        errors["visibility"] = "Select who may read the point."
    if errors:
        raise ValidationError(errors)
    return PointWords(
        theme=words.theme,
        doing=words.doing.strip(),
        why=words.why.strip(),
        elsewhere=words.elsewhere,
        visibility=words.visibility,
    )


def point_search_text(point: LearningPoint) -> str:
    """What the library's search reads of a point (search.py), set on every write of it."""
    return search.search_text(
        theme=point.get_theme_display(),
        doing=point.doing,
        why=point.why,
        offer=point.booking.offer.title,
    )


def point_give(
    *, seat: Seat, words: PointWords, caller: Caller | None = None, actor: str = ""
) -> LearningPoint:
    """A point from the seat's peer: signed in (`caller`), or by the signed link of their ask
    (no caller: the link is its own proof, and `actor` names them in the history)."""
    if caller is not None:
        require(may_give_learning(caller, seat), "These are not your learning points to give.")
    words = _checked(words)
    with transaction.atomic():
        seat = Seat.objects.select_related("session__booking__offer", "peer").get(pk=seat.pk)
        if not learning_open(seat):
            raise LearningClosed(
                "Learning points are given once the session has taken place, by the peers "
                "who sat on it."
            )
        point = LearningPoint(seat=seat, booking=seat.session.booking, **words.__dict__)
        point.search_text = point_search_text(point)
        point._history_actor = actor
        point.save()
    return point


@transaction.atomic
def point_change(*, point: LearningPoint, words: PointWords, caller: Caller) -> LearningPoint:
    require(may_give_learning(caller, point.seat), "Only whoever gave a point can change it.")
    words = _checked(words)
    point = (
        LearningPoint.objects.select_for_update().select_related("booking__offer").get(pk=point.pk)
    )
    changed = any(getattr(point, k) != v for k, v in words.__dict__.items())
    if not changed:
        return point
    for key, value in words.__dict__.items():
        setattr(point, key, value)
    # New words or a new visibility: what was checked or agreed no longer stands.
    point.checked_at = point.checked_by = point.agreed_at = point.agreed_by = None
    point.published_at = None
    point.search_text = point_search_text(point)
    point.save()
    return point


@transaction.atomic
def point_check(*, point: LearningPoint, caller: Caller) -> LearningPoint:
    """The lead checked that an anonymous point names no council: it enters the library."""
    require(may_check_wording(caller, point), "Only the panel's LGA lead checks the wording.")
    point = LearningPoint.objects.select_for_update().get(pk=point.pk)
    if point.visibility != Visibility.ANONYMOUS or point.published_at is not None:
        raise NothingToDo("This point is not waiting for its wording to be checked.")
    now = timezone.now()
    point.checked_at, point.checked_by, point.published_at = now, caller.user, now
    point._change_reason = "Wording checked: names no council"
    point.save()
    return point


@transaction.atomic
def point_agree(*, point: LearningPoint, caller: Caller) -> LearningPoint:
    """The council's booker agreed to be named: the point, as they saw it, enters the library."""
    require(
        may_agree_to_naming(caller, point),
        "Only the council's bookers can agree to the council being named.",
    )
    point = LearningPoint.objects.select_for_update().get(pk=point.pk)
    if point.visibility != Visibility.NAMED or point.published_at is not None:
        raise NothingToDo("This point is not waiting for the council to agree.")
    now = timezone.now()
    point.agreed_at, point.agreed_by, point.published_at = now, caller.user, now
    point._change_reason = "The council agreed to be named"
    point.save()
    return point


# The asks and the reminder ----------------------------------------------------------------------


def _remind_due(asked_at: datetime, now: datetime) -> bool:
    day = working_day_after(asked_at.astimezone(LONDON).date(), REMIND_AFTER_WORKING_DAYS)
    return now.astimezone(LONDON).date() >= day


def _send_claimed(ask_id: int, field: str, now: datetime, reminder: bool) -> int:
    """Claim the ask's `field` by a conditional write, then send: a claim that another worker
    made first sends nothing, and a failed send frees the claim so the next run tries again."""
    claimed = LearningAsk.objects.filter(pk=ask_id, **{f"{field}__isnull": True}).update(
        **{field: now}
    )
    if not claimed:
        return 0
    ask = LearningAsk.objects.select_related(
        "seat__peer", "seat__session__offer", "seat__session__booking__council"
    ).get(pk=ask_id)
    try:
        letters.ask_letter(ask, reminder=reminder).send()
    except Exception:
        logger.exception("The learning ask %s (%s) failed; trying again later", ask_id, field)
        LearningAsk.objects.filter(pk=ask_id).update(**{field: None})
        return 0
    return 1


def learning_asks_send(*, now: datetime | None = None) -> dict[str, int]:
    """Ask each accepted seat of a session that ended (in the last ASK_WITHIN) for its learning
    points, once; remind once, REMIND_AFTER_WORKING_DAYS working days after the ask, those who
    have given none. Returns how many of each were sent."""
    now = now or timezone.now()
    sent = {"asked": 0, "reminded": 0}
    unasked = seats_to_ask(now=now, within=ASK_WITHIN).filter(
        Q(learning_ask__isnull=True) | Q(learning_ask__asked_at__isnull=True)
    )
    for seat_id in unasked.values_list("pk", flat=True):
        try:
            with transaction.atomic():
                ask, _ = LearningAsk.objects.get_or_create(seat_id=seat_id)
        except IntegrityError:
            continue  # another worker made it: it sends
        if ask.asked_at is None:
            sent["asked"] += _send_claimed(ask.pk, "asked_at", now, reminder=False)
    waiting = LearningAsk.objects.filter(
        asked_at__isnull=False,
        reminded_at__isnull=True,
        asked_at__gt=now - timedelta(days=LINK_DAYS),  # the link still works
        seat__learning_points__isnull=True,
    )
    for ask in waiting:
        if _remind_due(ask.asked_at, now):
            sent["reminded"] += _send_claimed(ask.pk, "reminded_at", now, reminder=True)
    return sent
