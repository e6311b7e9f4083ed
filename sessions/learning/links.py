"""The signed link in a learning ask: it names one seat and works for LINK_DAYS from the ask
(django.core.signing, as the answer links are signed: sessions/services/answers.py)."""

from datetime import datetime, timedelta

from django.core import signing
from django.urls import reverse
from django.utils import timezone

from sessions.mail.links import absolute_url

SALT = "sessions.learning-ask"
LINK_DAYS = 14

EXPIRED = (
    "This link has expired: links to give learning points work for 14 days. Sign in and give "
    "them from My sessions instead."
)
INVALID = (
    "This link is not valid: it may have been cut short or changed. Use the link in the e-mail "
    "exactly as it came, or sign in and give your learning points from My sessions."
)


class LinkInvalid(Exception):
    def __init__(self, message: str, *, expired: bool):
        super().__init__(message)
        self.message = message
        self.expired = expired


def link_until(asked_at: datetime) -> datetime:
    return asked_at + timedelta(days=LINK_DAYS)


def ask_token(*, seat_id: int, until: datetime) -> str:
    return signing.dumps({"seat": seat_id, "until": int(until.timestamp())}, salt=SALT)


def ask_url(*, seat_id: int, until: datetime) -> str:
    return absolute_url(reverse("learning-ask", args=[ask_token(seat_id=seat_id, until=until)]))


def ask_seat_id(token: str, *, now: datetime | None = None) -> int:
    """The seat a link names, or LinkInvalid saying why not."""
    try:
        data = signing.loads(token, salt=SALT)
        seat_id, until = int(data["seat"]), int(data["until"])
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise LinkInvalid(INVALID, expired=False) from None
    if (now or timezone.now()).timestamp() >= until:
        raise LinkInvalid(EXPIRED, expired=True)
    return seat_id
