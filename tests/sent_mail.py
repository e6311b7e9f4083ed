"""Mail as the tests read it: the queued tasks run as a worker runs them, and every message
sent parsed back from the bytes that went to the mail server."""

import email
import re
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr

from django.conf import settings
from django.core import mail
from django.utils.module_loading import import_string
from django_q.brokers import get_broker
from django_q.signing import SignedPackage

from tests.interop.parsers import libical, libical_ready, read_calendar


def run_queued_tasks() -> list:
    """Do what a worker does: take every queued task off the broker and run it."""
    broker = get_broker()
    results = []
    while broker.queue_size():  # (asking first: the Redis broker blocks a second when empty)
        for ack_id, payload in broker.dequeue() or []:
            task = SignedPackage.loads(payload)
            results.append(import_string(task["func"])(*task["args"], **task["kwargs"]))
            broker.acknowledge(ack_id)
    return results


# Mail, read back from the bytes sent ------------------------------------------------------------


@dataclass
class Mail:
    """One sent message, parsed back from the bytes that went to the mail server."""

    raw: bytes
    message: EmailMessage

    @classmethod
    def of(cls, sent) -> "Mail":
        raw = sent.message().as_bytes()
        return cls(raw=raw, message=email.message_from_bytes(raw, policy=policy.default))

    @property
    def to(self) -> str:
        return parseaddr(str(self.message["To"]))[1].lower()

    @property
    def subject(self) -> str:
        return str(self.message["Subject"]).strip()

    def part(self, content_type: str):
        (found,) = [p for p in self.message.iter_parts() if p.get_content_type() == content_type]
        return found

    @property
    def text(self) -> str:
        return self.part("text/plain").get_content()

    @property
    def html(self) -> str:
        return self.part("text/html").get_content()

    @property
    def calendar(self) -> bytes:
        return self.part("text/calendar").get_payload(decode=True)

    @property
    def method(self) -> str:
        return self.part("text/calendar").get_param("method")


def sent_mail() -> list[Mail]:
    return [Mail.of(message) for message in mail.outbox]


def deliver(*, gathered: bool = True) -> list[Mail]:
    """Run the queued sends; the mail sent by them. `gathered`: then let the few minutes that
    gathered updates wait go by (the booker's, see outbox.invite_queue), and send those too."""
    before = len(mail.outbox)
    run_queued_tasks()
    if gathered:
        gathering_over()
    return [Mail.of(message) for message in mail.outbox[before:]]


def gathering_over() -> None:
    """As if the gathered updates' wait were over: they are due, and the worker's minute
    requeue sends them."""
    from django.utils import timezone

    from sessions.models import Invite, InviteStatus
    from sessions.services.mail import invites_requeue

    now = timezone.now()
    waiting = Invite.objects.filter(status=InviteStatus.PENDING, next_attempt_at__gt=now)
    if waiting.update(next_attempt_at=now):
        invites_requeue(now=now)
        run_queued_tasks()


def by_recipient(mails: list[Mail]) -> dict[str, Mail]:
    found = {m.to: m for m in mails}
    assert len(found) == len(mails), "someone got two messages"
    return found


# Invites, as their recipients read them ---------------------------------------------------------


FROM = parseaddr(settings.DEFAULT_FROM_EMAIL)[1]


def links(text: str, *, every: bool = False) -> dict[str, str]:
    """The answer links in a message's text, by answer: those for this session alone, or with
    `every` those for every session of its series."""
    return {
        answer: url
        for url in re.findall(r"https?://\S+/answer/\S+/", text)
        for answer in ("accept", "decline")
        if _ticket_of(url).answer == answer and _ticket_of(url).every == every
    }


def _ticket_of(url: str):
    from sessions.services.answers import answer_ticket

    return answer_ticket(url.rstrip("/").rsplit("/", 1)[1])


def path_of(url: str) -> str:
    return url.removeprefix(settings.SITE_URL)


def assert_imip(message: Mail, method: str, *, partstat: str = "NEEDS-ACTION") -> dict:
    """The structure every invite must have; returns ical.js's reading of its event."""
    msg = message.message
    assert msg.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in msg.iter_parts()] == [
        "text/plain",
        "text/html",
        "text/calendar",
    ]
    calendar_part = message.part("text/calendar")
    assert calendar_part.get_param("method") == method
    assert calendar_part.get_content_charset() == "utf-8"
    assert f"text/calendar; method={method}; charset=UTF-8" in message.raw.decode()
    body = message.calendar.decode()
    assert f"METHOD:{method}" in body.splitlines()
    assert body.count("BEGIN:VTIMEZONE") == 1 and "RRULE:FREQ=YEARLY;BYDAY=-1SU;BYMONTH=3" in body
    from_address = parseaddr(str(msg["From"]))[1]
    assert from_address == FROM
    assert msg["Message-ID"].endswith(f"@{FROM.rpartition('@')[2]}>")

    read = read_calendar(message.calendar)
    assert read["method"] == method
    (event,) = read["events"]
    assert event["organizer"]["value"] == f"mailto:{from_address}"
    (attendee,) = event["attendees"]
    assert attendee["value"].lower() == f"mailto:{message.to}"
    assert attendee["partstat"] == partstat
    assert attendee["role"] in {"CHAIR", "REQ-PARTICIPANT", "NON-PARTICIPANT"}
    assert attendee["cn"] and '"' not in attendee["cn"]

    if libical_ready():
        status, checked = libical(message.calendar)
        assert status == 0, checked["parse_errors"] + checked["restriction_errors"]
        assert checked["method"] == method
        (component,) = checked["components"]
        assert component["uid"] == event["uid"] and component["sequence"] == event["sequence"]
    return event
