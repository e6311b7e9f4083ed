"""Mail as the tests read it: the queued tasks run as a worker runs them, and every message
sent parsed back from the bytes that went to the mail server."""

import email
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr

from django.core import mail
from django.utils.module_loading import import_string
from django_q.brokers import get_broker
from django_q.signing import SignedPackage


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
