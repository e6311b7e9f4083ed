"""Reading the organiser's mailbox over IMAP (imap-tools): one pass, run every
MAILBOX_READ_MINUTES by the task worker, or by hand with `manage.py ingest_replies --imap`.

A pass reads only the inbox folder (IMAP_FOLDER): what it has taken is moved to the processed
folder, so a mailbox that has held 10,000 answers costs no more to read than an empty one.

1. UIDVALIDITY and the inbox's UIDs. A UID already recorded under this UIDVALIDITY was taken by
   an earlier pass that stopped before moving it: it is moved now, not taken again.
2. Headers and sizes of the new messages (nothing large is downloaded). One over
   MAILBOX_MESSAGE_MAX_BYTES is set aside unread with a log line.
3. The rest, downloaded and taken one by one (`inbound.mail_take`), each in its own
   transaction: a message is moved only after the database has committed what it did.
4. The moves: to the processed folder, or to the set-aside folder.

A crash anywhere leaves each message either not yet taken (it is read again) or taken and
recorded (it is moved, and nothing changes twice).
"""

import logging
import re
import ssl
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from imap_tools import AND, MailBox, MailBoxStartTls, MailBoxUnencrypted

from sessions.models import MailboxMessage, MailKind
from sessions.services.inbound import Where, mail_set_aside, mail_take

logger = logging.getLogger("sessions.mailbox")

SCHEDULE_NAME = "Read the organiser's mailbox"  # the migration makes it
FETCH_BATCH = 50


class MailboxNotConfigured(Exception):
    pass


@dataclass(frozen=True)
class MailboxPass:
    """What one pass did."""

    read: int = 0  # new messages read and taken
    moved_again: int = 0  # taken by an earlier pass, moved now
    set_aside: int = 0
    seconds: float = 0.0
    kinds: tuple[tuple[str, int], ...] = ()

    @property
    def per_second(self) -> float:
        return self.read / self.seconds if self.seconds else 0.0


def imap_token() -> str:
    """The OAuth2 access token for XOAUTH2, read afresh each pass (a file may be refreshed)."""
    if settings.IMAP_OAUTH2_TOKEN_FILE:
        return Path(settings.IMAP_OAUTH2_TOKEN_FILE).read_text(encoding="utf-8").strip()
    return settings.IMAP_OAUTH2_TOKEN


@contextmanager
def mailbox_open():
    """The organiser's mailbox, signed in (XOAUTH2 when a token is configured)."""
    if not settings.IMAP_HOST:
        raise MailboxNotConfigured("IMAP_HOST is not set")
    host, port, timeout = settings.IMAP_HOST, settings.IMAP_PORT, settings.IMAP_TIMEOUT
    if settings.IMAP_STARTTLS:
        box = MailBoxStartTls(host, port, timeout=timeout, ssl_context=ssl.create_default_context())
    elif settings.IMAP_TLS:
        box = MailBox(host, port, timeout=timeout, ssl_context=ssl.create_default_context())
    else:
        box = MailBoxUnencrypted(host, port, timeout=timeout)
    token = imap_token()
    if token:
        box.xoauth2(settings.IMAP_USER, token, initial_folder=None)
    else:
        box.login(settings.IMAP_USER, settings.IMAP_PASSWORD, initial_folder=None)
    # The capabilities offered before sign-in lack MOVE on some servers (Dovecot); ask again,
    # so messages are moved in one step rather than copied, deleted and expunged.
    status, data = box.client.capability()
    if status == "OK" and data and data[-1]:
        box.client.capabilities = tuple(data[-1].decode().upper().split())
    try:
        yield box
    finally:
        try:
            box.logout()
        except Exception:  # the connection may already be gone; nothing is lost
            logger.debug("IMAP logout failed", exc_info=True)


def mailbox_key(folder: str) -> str:
    return f"{settings.IMAP_USER}@{settings.IMAP_HOST}/{folder}"


def _folders_ensure(box) -> None:
    for folder in (settings.IMAP_PROCESSED_FOLDER, settings.IMAP_SET_ASIDE_FOLDER):
        if not box.folder.exists(folder):
            box.folder.create(folder)


def _uids(criteria) -> str:
    return ",".join(str(uid) for uid in criteria)


def mailbox_read(*, limit: int | None = None) -> MailboxPass:
    """One pass over the inbox (see the module's docstring)."""
    started = time.perf_counter()
    limit = limit or settings.MAILBOX_MESSAGES_PER_PASS
    folder = settings.IMAP_FOLDER
    key = mailbox_key(folder)
    with mailbox_open() as box:
        _folders_ensure(box)
        uidvalidity = int(box.folder.status(folder, ["UIDVALIDITY"])["UIDVALIDITY"])
        box.folder.set(folder)
        uids = sorted(int(uid) for uid in box.uids("ALL"))[:limit]
        known = dict(
            MailboxMessage.objects.filter(
                mailbox=key, uidvalidity=uidvalidity, uid__in=uids
            ).values_list("uid", "kind")
        )
        processed = [uid for uid, kind in known.items() if kind != MailKind.SET_ASIDE]
        aside = [uid for uid, kind in known.items() if kind == MailKind.SET_ASIDE]
        moved_again = len(known)
        new = [uid for uid in uids if uid not in known]
        kinds: dict[str, int] = {}
        small = []
        for start in range(0, len(new), FETCH_BATCH * 10):
            batch = new[start : start + FETCH_BATCH * 10]
            for message in box.fetch(
                AND(uid=_uids(batch)), mark_seen=False, headers_only=True, bulk=FETCH_BATCH
            ):
                uid, size = int(message.uid), message.size_rfc822
                if size > settings.MAILBOX_MESSAGE_MAX_BYTES:
                    mail_set_aside(
                        where=Where(key, uidvalidity, uid),
                        headers=message.obj.as_bytes(),
                        size=size,
                        why=f"{size} bytes, over {settings.MAILBOX_MESSAGE_MAX_BYTES}",
                    )
                    aside.append(uid)
                    kinds[MailKind.SET_ASIDE] = kinds.get(MailKind.SET_ASIDE, 0) + 1
                else:
                    small.append(uid)
        for start in range(0, len(small), FETCH_BATCH):
            for uid, raw in _fetch_raw(box, small[start : start + FETCH_BATCH]):
                row = mail_take(where=Where(key, uidvalidity, uid), raw=raw)
                kinds[row.kind] = kinds.get(row.kind, 0) + 1
                (aside if row.kind == MailKind.SET_ASIDE else processed).append(row.uid)
        if processed:
            box.move(_uids(processed), settings.IMAP_PROCESSED_FOLDER)
        if aside:
            box.move(_uids(aside), settings.IMAP_SET_ASIDE_FOLDER)
        MailboxMessage.objects.filter(
            mailbox=key, uidvalidity=uidvalidity, uid__in=processed + aside, moved_at__isnull=True
        ).update(moved_at=timezone.now())
    result = MailboxPass(
        read=len(new),
        moved_again=moved_again,
        set_aside=kinds.get(MailKind.SET_ASIDE, 0),
        seconds=time.perf_counter() - started,
        kinds=tuple(sorted(kinds.items())),
    )
    if new or moved_again:
        logger.info(
            "Mailbox pass: %s read (%s), %s moved again, %.2f s",
            result.read,
            ", ".join(f"{kind} {count}" for kind, count in result.kinds),
            result.moved_again,
            result.seconds,
        )
    return result


_FETCHED_UID = re.compile(rb"UID (\d+)")


def _fetch_raw(box, uids: list[int]):
    """(UID, the message's bytes exactly as the server holds them), without marking it seen."""
    status, data = box.client.uid("FETCH", _uids(uids), "(UID BODY.PEEK[])")
    if status != "OK":
        raise RuntimeError(f"IMAP FETCH failed: {status} {data!r}")
    for item in data:
        if isinstance(item, tuple) and len(item) == 2:
            found = _FETCHED_UID.search(item[0])
            if found:
                yield int(found.group(1)), bytes(item[1])


def mailbox_schedule_follow_setting() -> None:
    """Keep the schedule's interval equal to MAILBOX_READ_MINUTES (the setting may change
    after the migration made the schedule)."""
    from django_q.models import Schedule

    minutes = max(1, settings.MAILBOX_READ_MINUTES)
    Schedule.objects.filter(name=SCHEDULE_NAME).exclude(minutes=minutes).update(minutes=minutes)
