"""Messages as real mail clients and servers write them, for the mailbox tests: calendar
replies from Outlook (no ORGANIZER, base64, Exchange's X-MICROSOFT-CDO properties), Gmail (a
COMMENT, the calendar twice: inline and as invite.ics, Sender: Google Calendar), Apple Calendar
and Thunderbird; bounces (Postfix's RFC 3464 report, Microsoft 365's non-delivery report, Gmail's
X-Failed-Recipients); and automatic replies."""

import base64
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

ORGANISER = "peer-scheduling@lga.test"


def _stamp(when: datetime | None) -> str:
    return (when or datetime.now(UTC)).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def _vevent_times(start: datetime, end: datetime) -> str:
    return f"DTSTART:{_stamp(start)}\r\nDTEND:{_stamp(end)}\r\n"


def reply_calendar(
    client: str,
    *,
    uid: str,
    attendee: str,
    partstat: str,
    sequence: int,
    start: datetime,
    end: datetime,
    name: str = "A Peer",
    dtstamp: datetime | None = None,
    organiser: str = ORGANISER,
    sent_by: str = "",
    comment: str = "",
) -> bytes:
    """The METHOD:REPLY calendar `client` writes ("outlook", "gmail", "apple", "thunderbird")."""
    sent = f';SENT-BY="mailto:{sent_by}"' if sent_by else ""
    if client == "outlook":
        # Outlook and Exchange leave ORGANIZER out of some replies, write MAILTO: in capitals
        # and add their own properties.
        lines = [
            "BEGIN:VCALENDAR",
            "METHOD:REPLY",
            "PRODID:Microsoft Exchange Server 2010",
            "VERSION:2.0",
            "BEGIN:VEVENT",
            f'ATTENDEE;PARTSTAT={partstat};CN="{name}"{sent}:MAILTO:{attendee}',
            *([f"COMMENT;LANGUAGE=en-GB:{comment}"] if comment else []),
            f"SUMMARY;LANGUAGE=en-GB:{partstat.title()}: LGA panel",
            _vevent_times(start, end).strip(),
            f"UID:{uid}",
            "CLASS:PUBLIC",
            "PRIORITY:5",
            f"DTSTAMP:{_stamp(dtstamp)}",
            "TRANSP:OPAQUE",
            "STATUS:CONFIRMED",
            f"SEQUENCE:{sequence}",
            f"X-MICROSOFT-CDO-APPT-SEQUENCE:{sequence}",
            "X-MICROSOFT-CDO-BUSYSTATUS:BUSY",
            "X-MICROSOFT-CDO-INTENDEDSTATUS:BUSY",
            "X-MICROSOFT-CDO-ALLDAYEVENT:FALSE",
            "X-MICROSOFT-CDO-IMPORTANCE:1",
            "X-MICROSOFT-CDO-INSTTYPE:0",
            "X-MICROSOFT-DISALLOW-COUNTER:FALSE",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    elif client == "gmail":
        lines = [
            "BEGIN:VCALENDAR",
            "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
            "VERSION:2.0",
            "CALSCALE:GREGORIAN",
            "METHOD:REPLY",
            "BEGIN:VEVENT",
            _vevent_times(start, end).strip(),
            f"DTSTAMP:{_stamp(dtstamp)}",
            f"ORGANIZER;CN=LGA peer support:mailto:{organiser}",
            f"UID:{uid}",
            f"ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT={partstat};CN={name}"
            f";X-NUM-GUESTS=0{sent}:mailto:{attendee}",
            f"COMMENT:{comment or 'Looking forward to it'}",
            f"SEQUENCE:{sequence}",
            "STATUS:CONFIRMED",
            "SUMMARY:LGA panel",
            "TRANSP:OPAQUE",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    elif client == "apple":
        lines = [
            "BEGIN:VCALENDAR",
            "METHOD:REPLY",
            "VERSION:2.0",
            "PRODID:-//Apple Inc.//macOS 15.1//EN",
            "BEGIN:VEVENT",
            f'ATTENDEE;CN="{name}";CUTYPE=INDIVIDUAL;EMAIL="{attendee}";PARTSTAT={partstat}'
            f"{sent}:mailto:{attendee}",
            f"DTEND;TZID=Europe/London:{end.astimezone(UTC).strftime('%Y%m%dT%H%M%S')}",
            f"DTSTAMP:{_stamp(dtstamp)}",
            f"DTSTART;TZID=Europe/London:{start.astimezone(UTC).strftime('%Y%m%dT%H%M%S')}",
            f'ORGANIZER;CN="LGA peer support";EMAIL="{organiser}":mailto:{organiser}',
            f"SEQUENCE:{sequence}",
            "SUMMARY:LGA panel",
            f"UID:{uid}",
            "REQUEST-STATUS:2.0;Success",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    elif client == "thunderbird":
        lines = [
            "BEGIN:VCALENDAR",
            "PRODID:-//Mozilla.org/NONSGML Mozilla Calendar V1.1//EN",
            "VERSION:2.0",
            "METHOD:REPLY",
            "BEGIN:VEVENT",
            f"CREATED:{_stamp(dtstamp)}",
            f"LAST-MODIFIED:{_stamp(dtstamp)}",
            f"DTSTAMP:{_stamp(dtstamp)}",
            f"UID:{uid}",
            "SUMMARY:LGA panel",
            f"ORGANIZER;CN=LGA peer support:mailto:{organiser}",
            f"ATTENDEE;RSVP=TRUE;CN={name};PARTSTAT={partstat};ROLE=REQ-PARTICIPANT{sent}:"
            f"mailto:{attendee}",
            _vevent_times(start, end).strip(),
            f"SEQUENCE:{sequence}",
            "TRANSP:OPAQUE",
            "END:VEVENT",
            "END:VCALENDAR",
        ]
    else:
        raise ValueError(client)
    return ("\r\n".join(lines) + "\r\n").encode()


def reply_message(
    client: str,
    calendar: bytes,
    *,
    sender: str,
    partstat: str,
    to: str = ORGANISER,
    message_id: str | None = None,
    in_reply_to: str = "",
) -> bytes:
    """The e-mail `client` sends with its REPLY."""
    message = EmailMessage()
    verb = {"ACCEPTED": "Accepted", "DECLINED": "Declined"}.get(partstat, "Tentative")
    message["From"] = f"A Peer <{sender}>"
    message["To"] = to
    message["Subject"] = f"{verb}: LGA panel"
    message["Date"] = format_datetime(datetime.now(UTC))
    message["Message-ID"] = message_id or make_msgid(domain=sender.rpartition("@")[2])
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content(f"{sender} has {verb.lower()} this invitation.")
    if client == "outlook":
        message.add_alternative(base64.b64encode(calendar).decode(), subtype="calendar", cte="7bit")
        part = message.get_payload()[-1]
        del part["Content-Type"]
        del part["Content-Transfer-Encoding"]
        part["Content-Type"] = 'text/calendar; charset="utf-8"; method=REPLY'
        part["Content-Transfer-Encoding"] = "base64"
    else:
        message.add_alternative(calendar.decode(), subtype="calendar", params={"method": "REPLY"})
    if client == "gmail":
        message["Sender"] = "Google Calendar <calendar-notification@google.com>"
        message["Reply-To"] = sender
        message.add_attachment(
            calendar, maintype="application", subtype="ics", filename="invite.ics"
        )
    return message.as_bytes()


def outlook_reply(**fields) -> bytes:
    return _reply("outlook", **fields)


def _reply(client: str, *, sender: str | None = None, message_id=None, **fields) -> bytes:
    calendar = reply_calendar(client, **fields)
    return reply_message(
        client,
        calendar,
        sender=sender or fields["attendee"],
        partstat=fields["partstat"],
        message_id=message_id,
    )


def client_reply(client: str, **fields) -> bytes:
    return _reply(client, **fields)


# Bounces -----------------------------------------------------------------------------------------


def microsoft_365_ndr(*, original_id: str, recipient: str, to: str = ORGANISER) -> bytes:
    """Microsoft 365's non-delivery report: its own headers, the returned message's headers."""
    message = EmailMessage()
    message["From"] = (
        "Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@council.test>"
    )
    message["To"] = to
    message["Subject"] = "Undeliverable: LGA panel"
    message["Message-ID"] = make_msgid(domain="council.test")
    message["In-Reply-To"] = original_id
    message["References"] = original_id
    message["X-MS-Exchange-Message-Is-Ndr"] = ""
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(
        f"Your message to {recipient} couldn't be delivered.\n"
        "The email address wasn't found at the destination domain.\n"
    )
    message.add_attachment(
        f"From: {ORGANISER}\r\nTo: {recipient}\r\nSubject: LGA panel\r\nMessage-ID: {original_id}\r\n\r\n".encode(),
        maintype="text",
        subtype="rfc822-headers",
    )
    return message.as_bytes()


def gmail_bounce(*, recipient: str, to: str = ORGANISER) -> bytes:
    """Gmail's "Delivery Status Notification (Failure)" in its plain shape: X-Failed-Recipients
    and no returned message."""
    message = EmailMessage()
    message["From"] = "Mail Delivery Subsystem <mailer-daemon@googlemail.com>"
    message["To"] = to
    message["Subject"] = "Delivery Status Notification (Failure)"
    message["Message-ID"] = make_msgid(domain="mx.google.com")
    message["X-Failed-Recipients"] = recipient
    message["Auto-Submitted"] = "auto-replied"
    message.set_content(
        f"Address not found\nYour message wasn't delivered to {recipient} because the address "
        "couldn't be found, or is unable to receive mail.\n"
    )
    return message.as_bytes()


def delay_report(*, original_id: str, recipient: str, to: str = ORGANISER) -> bytes:
    """An RFC 3464 report that says delivery is only delayed."""
    return _report(original_id=original_id, recipient=recipient, to=to, action="delayed")


def _report(*, original_id: str, recipient: str, to: str, action: str) -> bytes:
    status = "4.4.1" if action == "delayed" else "5.1.1"
    raw = (
        f"From: Mail Delivery System <MAILER-DAEMON@mail.council.test>\r\n"
        f"To: {to}\r\n"
        f"Subject: Delayed Mail (still being retried)\r\n"
        f"Message-ID: {make_msgid(domain='mail.council.test')}\r\n"
        f"Auto-Submitted: auto-replied\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n'
        "\r\n--B\r\nContent-Type: text/plain\r\n\r\nStill trying.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mail.council.test\r\n\r\n"
        f"Final-Recipient: rfc822; {recipient}\r\nAction: {action}\r\nStatus: {status}\r\n"
        "\r\n--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: {ORGANISER}\r\nTo: {recipient}\r\nMessage-ID: {original_id}\r\n"
        "\r\n--B--\r\n"
    )
    return raw.encode()


def postfix_style_bounce(*, original_id: str, recipient: str, to: str = ORGANISER) -> bytes:
    return _report(original_id=original_id, recipient=recipient, to=to, action="failed")


# Automatic replies and people ---------------------------------------------------------------------


def out_of_office(*, sender: str, to: str = ORGANISER, style: str = "exchange") -> bytes:
    message = EmailMessage()
    message["From"] = f"A Peer <{sender}>"
    message["To"] = to
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    if style == "exchange":
        message["Subject"] = "Automatic reply: LGA panel"
        message["Auto-Submitted"] = "auto-replied"
        message["X-Auto-Response-Suppress"] = "All"
    elif style == "suppress-only":
        message["Subject"] = "Re: LGA panel"
        message["X-Auto-Response-Suppress"] = "All"
    else:  # only the subject says so
        message["Subject"] = "Out of Office: LGA panel"
    message.set_content("I am on leave until Monday and will reply when I am back.")
    return message.as_bytes()


def written_reply(*, sender: str, to: str = ORGANISER, in_reply_to: str = "") -> bytes:
    message = EmailMessage()
    message["From"] = f"A Peer <{sender}>"
    message["To"] = to
    message["Subject"] = "Re: LGA panel"
    message["Message-ID"] = make_msgid(domain=sender.rpartition("@")[2])
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    message.set_content("Could the panel start half an hour later?")
    return message.as_bytes()
