"""Take calendar answers saved from the organiser's mailbox: METHOD:REPLY .ics files, or whole
messages (.eml) carrying one. Directories are searched for both. `--imap` instead reads the
organiser's mailbox once, as the scheduled task does (sessions/services/mailbox.py).

Each answer is matched by UID and the attendee's address; an answer to an older SEQUENCE than
the latest invitation that peer was sent is ignored; an unknown UID or a stranger's address is
skipped and logged. Nothing here sends mail itself: a decline re-staffs the seat, and the
messages that follow go through the outbox.
"""

import email
import email.policy
import logging
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from scheduling.engine.calendar import InvalidReply, parse_replies
from sessions.services.answers import reply_apply
from sessions.services.mailbox import MailboxNotConfigured, mailbox_read

logger = logging.getLogger("sessions.replies")

CALENDAR_SUFFIXES = {".ics", ".ical", ".ifb", ".icalendar"}
MESSAGE_SUFFIXES = {".eml", ".msg"}


def _calendars_in_message(data: bytes) -> list[bytes]:
    message = email.message_from_bytes(data, policy=email.policy.default)
    found = []
    for part in message.walk():
        if part.get_content_type() in ("text/calendar", "application/ics"):
            payload = part.get_payload(decode=True)
            if payload:
                found.append(payload)
    return found


def _files(paths: list[str]) -> list[Path]:
    files = []
    for name in paths:
        path = Path(name)
        if path.is_dir():
            files.extend(
                sorted(
                    p
                    for p in path.rglob("*")
                    if p.is_file() and p.suffix.lower() in CALENDAR_SUFFIXES | MESSAGE_SUFFIXES
                )
            )
        elif path.is_file():
            files.append(path)
        else:
            raise CommandError(f"{name}: no such file or directory")
    return files


class Command(BaseCommand):
    help = (
        "Take accept/decline answers (METHOD:REPLY .ics files or .eml messages) saved from the "
        "organiser's mailbox."
    )

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="*", metavar="FILE_OR_DIR")
        parser.add_argument(
            "--imap",
            action="store_true",
            help="read the organiser's mailbox (IMAP_HOST, ...) once instead of files",
        )

    def handle(self, *args, paths, imap=False, **options):
        if imap:
            if paths:
                raise CommandError("give either --imap or files, not both")
            self._imap()
            return
        if not paths:
            raise CommandError("give the files or directories to read, or --imap")
        taken = skipped = 0
        for path in _files(paths):
            data = path.read_bytes()
            calendars = (
                _calendars_in_message(data) if path.suffix.lower() in MESSAGE_SUFFIXES else [data]
            )
            if not calendars:
                logger.warning("%s: no calendar in the message; skipped", path)
                self.stdout.write(f"{path}: skipped: no calendar in the message")
                skipped += 1
                continue
            for calendar in calendars:
                try:
                    replies = parse_replies(calendar)
                except InvalidReply as error:
                    logger.warning("%s: not a calendar reply (%s); skipped", path, error)
                    self.stdout.write(f"{path}: skipped: {error}")
                    skipped += 1
                    continue
                for reply in replies:
                    outcome = reply_apply(reply)
                    self.stdout.write(f"{path}: {outcome.detail}")
                    if outcome.applied:
                        taken += 1
                    else:
                        skipped += 1
        self.stdout.write(f"{taken} answer(s) taken, {skipped} skipped.")

    def _imap(self):
        try:
            result = mailbox_read()
        except MailboxNotConfigured as error:
            raise CommandError(f"the mailbox is not configured: {error}") from None
        kinds = ", ".join(f"{kind} {count}" for kind, count in result.kinds) or "nothing new"
        self.stdout.write(
            f"{result.read} message(s) read ({kinds}); {result.moved_again} taken before and "
            f"moved now; {result.seconds:.2f} s."
        )
