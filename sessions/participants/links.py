"""The signed links a participant is sent, as answer links are (sessions/services/answers.py):
each names its participant and carries its own end, so nothing is stored and nobody signs in.

- The answer link names the session and the SEQUENCE of the message it came in, and works until
  the session starts. Opening it only shows a page; the page's buttons (POSTs) answer, so mail
  scanners and link previews change nothing.
- The pre-reading link names the booking and works until its last session ends.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from sessions.mail.links import absolute_url

ANSWER_SALT = "sessions.participant-answer"
READING_SALT = "sessions.participant-pre-reading"


class LinkInvalid(Exception):
    def __init__(self, message: str, *, expired: bool = False):
        super().__init__(message)
        self.message = message
        self.expired = expired


@dataclass(frozen=True)
class AnswerTicket:
    participant_id: int
    session_id: int
    sequence: int


@dataclass(frozen=True)
class ReadingTicket:
    participant_id: int
    booking_id: int


def _sign(data: dict, *, until: datetime, salt: str) -> str:
    return signing.dumps({**data, "until": int(until.timestamp())}, salt=salt)


def _read(token: str, *, salt: str, now: datetime | None, expired: str) -> dict:
    try:
        data = signing.loads(token, salt=salt)
        if not isinstance(data, dict):
            raise signing.BadSignature("not a link's payload")
        until = int(data["until"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid(
            "This link is not valid: it may have been cut short or changed. Use the link in the "
            "e-mail exactly as it came."
        ) from None
    if (now or timezone.now()).timestamp() >= until:
        raise LinkInvalid(expired, expired=True)
    return data


def answer_token(*, participant_id: int, session_id: int, sequence: int, until: datetime) -> str:
    data = {"p": participant_id, "s": session_id, "seq": sequence}
    return _sign(data, until=until, salt=ANSWER_SALT)


def answer_link(*, participant_id: int, session, sequence: int) -> str:
    """The participant's answer page for `session`, working until it starts."""
    token = answer_token(
        participant_id=participant_id,
        session_id=session.pk,
        sequence=sequence,
        until=session.start,
    )
    return absolute_url(reverse("participant-answer", kwargs={"token": token}))


def answer_ticket(token: str, *, now: datetime | None = None) -> AnswerTicket:
    data = _read(
        token,
        salt=ANSWER_SALT,
        now=now,
        expired="This link has expired: the session it answers has started or taken place.",
    )
    try:
        return AnswerTicket(int(data["p"]), int(data["s"]), int(data["seq"]))
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid("This link is not valid.") from None


def reading_token(*, participant_id: int, booking_id: int, until: datetime) -> str:
    return _sign({"p": participant_id, "b": booking_id}, until=until, salt=READING_SALT)


def reading_link(*, participant_id: int, booking_id: int, until: datetime) -> str:
    """The participant's page of the booking's pre-reading, working until `until` (the end of
    the booking's last session)."""
    token = reading_token(participant_id=participant_id, booking_id=booking_id, until=until)
    return absolute_url(reverse("participant-pre-reading", kwargs={"token": token}))


def reading_ticket(token: str, *, now: datetime | None = None) -> ReadingTicket:
    data = _read(
        token,
        salt=READING_SALT,
        now=now,
        expired="This link has expired: the pre-reading could be read until the session ended.",
    )
    try:
        return ReadingTicket(int(data["p"]), int(data["b"]))
    except (KeyError, TypeError, ValueError):
        raise LinkInvalid("This link is not valid.") from None
