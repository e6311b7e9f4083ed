import email
import importlib
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
from django.apps import apps
from django.core import mail
from django.utils.module_loading import import_string
from django_q.brokers import get_broker
from django_q.signing import SignedPackage
from ninja.testing import TestClient

from scheduling.api import api


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # The real hasher is deliberately slow; tests sign in often.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def fresh_throttle_counts():
    """Throttle counts live in the cache and key on ids a later test may reuse: start clean."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def api_client():
    return TestClient(api)


@pytest.fixture
def catalogue(transactional_db):
    """The catalogue for transactional tests, by the migration's own idempotent loader.

    Transactional tests flush every table after each test, removing migration-loaded rows;
    tests that run against the real committed database load the catalogue again this way.
    """
    importlib.import_module("sessions.migrations.0002_catalogue").load_catalogue(apps, None)


@pytest.fixture
def empty_broker():
    """The test starts and ends with an empty task queue (a Redis queue outlives the test
    database)."""
    get_broker().purge_queue()
    yield
    get_broker().purge_queue()


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


@pytest.fixture
def run_worker(django_capture_on_commit_callbacks):
    """Run the queued tasks as the worker does (e.g. a re-staffing); what they queue on commit
    (e.g. the invites to send) is queued when they are done, for `deliver()`."""

    def run() -> list:
        with django_capture_on_commit_callbacks(execute=True):
            return run_queued_tasks()

    return run


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
