"""Writes about the council's participants: the list a booker names (when booking, and after it
until the session starts) and each participant's answer by their signed link.

Every message is an outbox row written in the transaction of the change: a REQUEST to someone
added, and a CANCEL (at a raised SEQUENCE) to someone removed who had been sent one. Moves,
joining links and cancellations reach them through the panels' own invites
(`sessions.services.invites`), which read the booking's list. An answer is recorded and shown
to the booker and the panel; it never changes a seat.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone

from peers.selectors import Caller
from scheduling.engine.plurals import counted
from scheduling.engine.refusals import Refusal
from sessions import rules
from sessions.mail.outbox import invite_queue
from sessions.models import (
    CLOSED_BOOKING_STATUSES,
    Booking,
    BookingStatus,
    Invite,
    InviteMethod,
    Session,
    SessionStatus,
)
from sessions.participants.links import AnswerTicket
from sessions.participants.models import PARTICIPANTS_MAX, Participant, ParticipantAnswer
from sessions.participants.selectors import participants_current
from sessions.services.bookings import booking_create

LONGEST = 200  # a name, a role


@dataclass(frozen=True)
class ParticipantIn:
    name: str
    role: str
    email: str


class ParticipantsClosed(Refusal):
    """The list can no longer change (409): the booking is over or its sessions have started."""


class ParticipantAnswerRefused(Refusal):
    """An answer that cannot be taken (409): why, in words for the participant."""


def _nth(n: int) -> str:
    return f"Participant {n}"


def participants_clean(people) -> list[ParticipantIn]:
    """The list as given (dicts or ParticipantIn), tidied; any problem refuses all of it with a
    sentence per problem under "participants", so an invalid request changes nothing."""
    people = list(people or ())
    problems: list[str] = []
    if len(people) > PARTICIPANTS_MAX:
        problems.append(
            f"Name at most {PARTICIPANTS_MAX} participants: the list has {len(people)}."
        )
    cleaned: list[ParticipantIn] = []
    seen: dict[str, int] = {}
    for n, person in enumerate(people, start=1):
        get = person.get if isinstance(person, dict) else lambda k, p=person: getattr(p, k)
        name = " ".join(str(get("name") or "").split())
        role = " ".join(str(get("role") or "").split())
        email = str(get("email") or "").strip().lower()
        if not name:
            problems.append(f"{_nth(n)}: enter their name.")
        elif len(name) > LONGEST:
            problems.append(f"{_nth(n)}: the name must be {LONGEST} characters or fewer.")
        if len(role) > LONGEST:
            problems.append(f"{_nth(n)}: the role must be {LONGEST} characters or fewer.")
        if "\x00" in name + role + email:
            problems.append(f"{_nth(n)}: the details must not contain a NUL character.")
        try:
            validate_email(email)
        except ValidationError:
            problems.append(
                f"{_nth(n)}: enter their e-mail address, such as name@council.gov.uk."
                if not email
                else f"{_nth(n)}: enter an e-mail address in the right form, such as "
                "name@council.gov.uk."
            )
        else:
            if email in seen:
                problems.append(
                    f"{_nth(n)} has the same e-mail address as participant {seen[email]} "
                    f"({email}): name each person once."
                )
            seen.setdefault(email, n)
        cleaned.append(ParticipantIn(name=name, role=role, email=email))
    if problems:
        raise ValidationError({"participants": problems})
    return cleaned


def _sessions_ahead(booking: Booking, now: datetime) -> list[Session]:
    return list(
        booking.sessions.select_for_update()
        .filter(status=SessionStatus.SCHEDULED, start__gt=now)
        .order_by("number")
    )


def _told(session: Session, email: str) -> bool:
    """Whether the latest message the address was sent for the session is a REQUEST."""
    latest = (
        Invite.objects.filter(session=session, recipient_email=email)
        .order_by("-sequence", "-id")
        .values_list("method", flat=True)
        .first()
    )
    return latest == InviteMethod.REQUEST


def _invite(session: Session, participant: Participant, method: str) -> None:
    invite_queue(
        session=session,
        recipient_email=participant.email,
        recipient_name=participant.name,
        method=method,
        participant=participant,
    )


def participants_set(
    *, caller: Caller, booking: Booking, people, now: datetime | None = None
) -> list[Participant]:
    """Make the booking's list the one given: those added are invited to every session still to
    come, those removed who were invited are sent a CANCEL, a changed name or role is kept.
    The booker (whoever manages the booking) may change it until its last session starts."""
    rules.require(rules.may_manage_booking(caller, booking), "You cannot change this booking.")
    wanted = participants_clean(people)
    now = now or timezone.now()
    with transaction.atomic():
        booking = Booking.objects.select_for_update().get(pk=booking.pk)
        if booking.status in CLOSED_BOOKING_STATUSES:
            raise ParticipantsClosed(
                f"The participants can no longer be changed: this booking is "
                f"{booking.get_status_display().lower()}."
            )
        ahead = _sessions_ahead(booking, now)
        if not ahead:
            raise ParticipantsClosed(
                "The participants can no longer be changed: the session has started or taken place."
            )
        current = {p.email.lower(): p for p in participants_current(booking)}
        invite = booking.status == BookingStatus.CONFIRMED
        removed = [p for email, p in current.items() if email not in {w.email for w in wanted}]
        for participant in removed:
            participant.removed_at = now
            participant.save(update_fields=["removed_at", "updated_at"])
        if invite and removed:
            for session in ahead:
                told = [p for p in removed if _told(session, p.email)]
                if not told:
                    continue
                session.sequence += 1  # a CANCEL raises the SEQUENCE
                session.save(update_fields=["sequence", "updated_at"])
                for participant in told:
                    _invite(session, participant, InviteMethod.CANCEL)
        for person in wanted:
            participant = current.get(person.email)
            if participant is None:
                participant = Participant.objects.create(
                    booking=booking, name=person.name, role=person.role, email=person.email
                )
                if invite:
                    for session in ahead:
                        _invite(session, participant, InviteMethod.REQUEST)
            elif (participant.name, participant.role) != (person.name, person.role):
                participant.name, participant.role = person.name, person.role
                participant.save(update_fields=["name", "role", "updated_at"])
    return list(participants_current(booking))


def booking_with_participants_create(*, caller: Caller, participants=(), **booking) -> Booking:
    """Book (`sessions.services.bookings.booking_create`, its arguments as keywords) with the
    people the booker names to attend; an invalid list books nothing. They are invited with
    the panel (or, for a request, when it is approved)."""
    wanted = participants_clean(participants)
    with transaction.atomic():
        made = booking_create(caller=caller, **booking)
        if wanted:
            participants_set(caller=caller, booking=made, people=wanted)
    return made


def participants_text(n: int) -> str:
    return counted(n, "1 participant", "{n} participants")


# Answers ----------------------------------------------------------------------------------------

ANSWERS = {
    "accept": ParticipantAnswer.ACCEPTED,
    "tentative": ParticipantAnswer.TENTATIVE,
    "decline": ParticipantAnswer.DECLINED,
}


def _answer_problem(
    participant: Participant, session: Session, sequence: int, now: datetime
) -> ParticipantAnswerRefused | None:
    booking = participant.booking
    if participant.removed_at is not None:
        return ParticipantAnswerRefused(
            "You are no longer on the list for this session, so there is nothing to answer."
        )
    if booking.status == BookingStatus.CANCELLED or session.status == SessionStatus.CANCELLED:
        return ParticipantAnswerRefused(
            "This session was cancelled, so there is nothing to answer."
        )
    if session.start <= now:
        return ParticipantAnswerRefused("This session has already started or taken place.")
    latest = (
        Invite.objects.filter(session=session, participant=participant, method=InviteMethod.REQUEST)
        .order_by("-sequence")
        .values_list("sequence", flat=True)
        .first()
    )
    if latest is not None and sequence < latest:
        return ParticipantAnswerRefused(
            "This invitation has been updated since: answer with the link in the latest e-mail."
        )
    return None


def participant_for_answer(ticket: AnswerTicket) -> tuple[Participant, Session]:
    participant = (
        Participant.objects.select_related("booking__council", "booking__offer")
        .filter(pk=ticket.participant_id)
        .first()
    )
    session = (
        Session.objects.select_related("offer", "booking__council")
        .filter(pk=ticket.session_id)
        .first()
    )
    if participant is None or session is None or session.booking_id != participant.booking_id:
        raise ParticipantAnswerRefused("There is no such invitation: the link may be out of date.")
    return participant, session


def participant_answer_problem(
    ticket: AnswerTicket, *, now: datetime | None = None
) -> ParticipantAnswerRefused | None:
    """Why the link's answer cannot be taken now, if it cannot (a read)."""
    participant, session = participant_for_answer(ticket)
    return _answer_problem(participant, session, ticket.sequence, now or timezone.now())


def participant_answer(
    *, ticket: AnswerTicket, answer: str, now: datetime | None = None
) -> Participant:
    """Take a participant's answer by their link: attending, might attend or not attending.
    It may be changed by answering again; it is shown to the booker and the panel, and
    changes nothing else (a participant holds no seat)."""
    if answer not in ANSWERS:
        raise ValidationError({"answer": "Choose whether you will attend."})
    now = now or timezone.now()
    with transaction.atomic():
        participant, session = participant_for_answer(ticket)
        participant = Participant.objects.select_for_update().get(pk=participant.pk)
        problem = _answer_problem(participant, session, ticket.sequence, now)
        if problem is not None:
            raise problem
        participant.answer = ANSWERS[answer]
        participant.answered_at = now
        participant._history_actor = f"{participant.name} (by the link in their e-mail)"
        participant.save(update_fields=["answer", "answered_at", "updated_at"])
    return participant
