"""Mailbox: reading the organiser's mailbox over IMAP (needs tests/mail_system/start.sh running).

Uses only the throwaway mail system of the tests (Dovecot on 127.0.0.1:1143, its
`peer-scheduling@lga.test` mailbox, which it empties), never the configured IMAP_* mailbox, and
a scratch database. The data: 200 booked sessions with three invited peers each, their invites
sent. Cases:
- an empty pass (nothing in the inbox);
- a pass over 1,000 messages put in the inbox (600 Outlook replies, 200 Postfix bounces of our
  invites, 200 automatic replies): messages read per second, all taken and moved;
- the mailbox then holding 10,000 processed messages (in the processed folder, and remembered in
  the database): an empty pass, and a pass over 10 new replies. A pass reads only the inbox, so
  these cost what they cost with an empty mailbox.
"""

import imaplib
import os
import time
import uuid
from datetime import UTC, datetime, timedelta

HOST = os.environ.get("MAIL_SYSTEM_HOST", "127.0.0.1")
PORT = int(os.environ.get("MAIL_SYSTEM_IMAP_PORT", "1143"))
USER = "peer-scheduling@lga.test"
PASSWORD = os.environ.get("MAIL_SYSTEM_PASSWORD", "mail-system-test")
SESSIONS = 200
MESSAGES = 1000
PROCESSED = 10_000
START = datetime(2027, 3, 2, 10, 0, tzinfo=UTC)


def run() -> list[dict]:
    from django.test.utils import override_settings

    from scheduling.benchmarks._database import scratch_database

    imap = _imap()
    with (
        scratch_database(),
        override_settings(
            IMAP_HOST=HOST,
            IMAP_PORT=PORT,
            IMAP_USER=USER,
            IMAP_PASSWORD=PASSWORD,
            IMAP_TLS=False,
            IMAP_STARTTLS=False,
            IMAP_OAUTH2_TOKEN="",
            IMAP_OAUTH2_TOKEN_FILE="",
            IMAP_PROCESSED_FOLDER="Processed",
            IMAP_SET_ASIDE_FOLDER="Set aside",
            MAILBOX_MESSAGES_PER_PASS=MESSAGES,
            MAILERS={"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}},
        ),
    ):
        _empty(imap)
        seats = _data()
        return _cases(imap, seats)


def _imap() -> imaplib.IMAP4:
    try:
        imap = imaplib.IMAP4(HOST, PORT, timeout=30)
    except OSError as error:
        raise SystemExit(
            f"the test mail system is not running on {HOST}:{PORT}: start it with "
            f"tests/mail_system/start.sh ({error})"
        ) from None
    imap.login(USER, PASSWORD)
    return imap


def _empty(imap) -> None:
    for folder in ("INBOX", "Processed", "Set aside"):
        if imap.select(f'"{folder}"')[0] == "OK":
            imap.uid("STORE", "1:*", "+FLAGS.SILENT", r"(\Deleted)")
            imap.expunge()
    imap.create('"Processed"')


def _append(imap, folder: str, messages: list[bytes]) -> None:
    for raw in messages:
        status, _ = imap.append(f'"{folder}"', None, None, raw)
        assert status == "OK"


def _data():
    from peers.models import Council, Peer, PeerKind
    from sessions.models import Booking, Invite, Offer, Seat, SeatStatus, Session

    offer = Offer.objects.get(slug="recovery-and-renewal-panel")
    council = Council.objects.create(
        name="Bench Council", slug="bench", council_type="district", region="north-west"
    )
    home = Council.objects.create(
        name="Peer Home", slug="peer-home", council_type="district", region="wales"
    )
    peers = [
        Peer.objects.create(
            name=f"Bench Peer {n}",
            email=f"bench{n}@peers.test",
            kind=PeerKind.MEMBER,
            political_group="labour",
            home_council=home,
        )
        for n in range(30)
    ]
    seats = []
    for n in range(SESSIONS):
        start = START + timedelta(days=n // 3, hours=3 * (n % 3))
        booking = Booking.objects.create(
            offer=offer, council=council, start=start, reference=f"BEN-00-{n:04d}"
        )
        session = Session.objects.create(
            offer=offer,
            booking=booking,
            start=start,
            end=start + timedelta(hours=2),
            uid=f"{uuid.uuid4()}@lga.test",
        )
        for position in range(3):
            peer = peers[(3 * n + position) % len(peers)]
            seat = Seat.objects.create(
                session=session,
                role_name="member peer",
                position=position,
                peer=peer,
                status=SeatStatus.INVITED,
            )
            invite = Invite.objects.create(
                session=session,
                seat=seat,
                recipient_email=peer.email,
                recipient_name=peer.name,
                method="REQUEST",
                sequence=0,
                status="sent",
                sent_at=START - timedelta(days=30),
                message_id=f"<invite.{uuid.uuid4().hex}@lga.test>",
            )
            seats.append((seat, session, invite))
    return seats


def _timed_pass() -> tuple[float, object]:
    from sessions.services.mailbox import mailbox_read

    t0 = time.perf_counter()
    result = mailbox_read()
    return time.perf_counter() - t0, result


def _cases(imap, seats) -> list[dict]:
    from sessions.models import MailboxMessage
    from sessions.services.mailbox import mailbox_key

    cases = []
    seconds, _ = _timed_pass()
    cases.append({"label": "an empty pass (empty mailbox)", "seconds": seconds})

    messages = _mix(seats, MESSAGES)
    _append(imap, "INBOX", messages)
    seconds, result = _timed_pass()
    cases.append(
        {
            "label": f"a pass over {MESSAGES} messages (600 replies, 200 bounces, 200 automatic)",
            "seconds": seconds,
            "read": result.read,
            "messages_per_second": round(result.read / seconds, 1),
            "kinds": dict(result.kinds),
        }
    )

    # Fill the processed folder (and the database's memory of it) up to 10,000 messages.
    more = PROCESSED - MESSAGES
    filler = _mix(seats, more, automatic_only=True)
    _append(imap, "Processed", filler)
    MailboxMessage.objects.bulk_create(
        MailboxMessage(
            mailbox=mailbox_key("INBOX"),
            uidvalidity=0,
            uid=n,
            message_id=f"<filler.{n}@peers.test>",
            kind="automatic",
            outcome="ignored: an automatic reply",
        )
        for n in range(more)
    )
    seconds, _ = _timed_pass()
    cases.append(
        {
            "label": f"an empty pass, {PROCESSED} messages processed before",
            "seconds": seconds,
            "processed_folder": PROCESSED,
        }
    )
    _append(imap, "INBOX", _mix(seats, 10, replies_only=True))
    seconds, result = _timed_pass()
    cases.append(
        {
            "label": f"a pass over 10 new replies, {PROCESSED} messages processed before",
            "seconds": seconds,
            "read": result.read,
        }
    )
    imap.logout()
    return cases


def _mix(seats, count: int, *, automatic_only=False, replies_only=False) -> list[bytes]:
    from email.message import EmailMessage
    from email.utils import make_msgid

    out = []
    for n in range(count):
        seat, session, invite = seats[n % len(seats)]
        kind = n % 5
        if automatic_only:
            kind = 4
        elif replies_only:
            kind = 0
        if kind < 3:
            out.append(_outlook_accept(seat, session, n))
        elif kind == 3:
            out.append(_postfix_bounce(invite, n))
        else:
            message = EmailMessage()
            message["From"] = seat.peer.email
            message["To"] = USER
            message["Subject"] = "Automatic reply: LGA panel"
            message["Auto-Submitted"] = "auto-replied"
            message["Message-ID"] = make_msgid(domain="peers.test")
            message.set_content("I am away this week.")
            out.append(message.as_bytes())
    return out


def _outlook_accept(seat, session, n: int) -> bytes:
    from email.message import EmailMessage
    from email.utils import make_msgid

    stamp = (START - timedelta(days=10) + timedelta(seconds=n)).strftime("%Y%m%dT%H%M%SZ")
    calendar = (
        "BEGIN:VCALENDAR\r\nMETHOD:REPLY\r\nPRODID:Microsoft Exchange Server 2010\r\n"
        "VERSION:2.0\r\nBEGIN:VEVENT\r\n"
        f"ATTENDEE;PARTSTAT=ACCEPTED;CN={seat.peer.name}:MAILTO:{seat.peer.email}\r\n"
        f"UID:{session.uid}\r\nDTSTAMP:{stamp}\r\nSEQUENCE:0\r\n"
        "SUMMARY;LANGUAGE=en-GB:Accepted: LGA panel\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    message = EmailMessage()
    message["From"] = seat.peer.email
    message["To"] = USER
    message["Subject"] = "Accepted: LGA panel"
    message["Message-ID"] = make_msgid(domain="peers.test")
    message.set_content("Accepted.")
    message.add_alternative(calendar, subtype="calendar", params={"method": "REPLY"})
    return message.as_bytes()


def _postfix_bounce(invite, n: int) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mail.lga.test>\r\n"
        f"To: {USER}\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <bounce.{n}.{uuid.uuid4().hex}@mail.lga.test>\r\n"
        "Auto-Submitted: auto-replied\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nNot delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mail.lga.test\r\n\r\n"
        f"Final-Recipient: rfc822; {invite.recipient_email}\r\nAction: failed\r\n"
        "Status: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {USER}\r\nTo: {invite.recipient_email}\r\nMessage-ID: {invite.message_id}\r\n"
        "\r\n--B--\r\n"
    ).encode()
