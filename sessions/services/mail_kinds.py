"""What a message in the organiser's mailbox is: a calendar reply, a bounce, a delay notice, an
automatic reply, or a person writing. Plain reading of the message, no database.

Only the headers, the `text/calendar` parts and the machine-readable parts of a bounce (the
`message/delivery-status` report and the returned message's headers) are read; no other body
is decoded. The order of the checks matters:

1. Bounces: an RFC 3464 report (`multipart/report; report-type=delivery-status`), or the
   common non-standard shapes: Gmail's and Exim's `X-Failed-Recipients`, Microsoft 365's
   `X-MS-Exchange-Message-Is-Ndr`, and a mailer daemon's "Undeliverable" subject. A report whose
   recipients were all only delayed is a delay notice (the server is still trying). Bounces come
   before automatic replies: Postfix marks its bounces `Auto-Submitted: auto-replied`.
2. Calendar replies: a `text/calendar` (or Gmail's `application/ics`) part with METHOD:REPLY
   in the message itself, never inside a returned message (a bounce carries our own REQUEST).
3. Automatic replies (RFC 3834): `Auto-Submitted` other than `no`, Exchange's
   `X-Auto-Response-Suppress`, the `X-Autoreply`/`X-Autorespond` family, `Precedence:
   bulk/junk/list/auto_reply`, an empty return path, or an "Out of office"/"Automatic reply"
   subject.
4. Anything else is a person writing.
"""

import email
import email.policy
import hashlib
import re
from dataclasses import dataclass, field
from email.message import Message
from email.parser import BytesHeaderParser, HeaderParser
from email.utils import getaddresses, parseaddr

REPLY, BOUNCE, DELAY, AUTOMATIC, HUMAN = "reply", "bounce", "delay", "automatic", "human"

CALENDAR_TYPES = ("text/calendar", "application/ics")
_REPLY_METHOD = re.compile(rb"^METHOD:\s*REPLY\s*$", re.IGNORECASE | re.MULTILINE)
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")
_DAEMON = re.compile(r"^(mailer-daemon|postmaster|microsoftexchange[0-9a-f]*)@", re.IGNORECASE)
_BOUNCE_SUBJECT = re.compile(
    r"undeliver|undelivered mail|delivery status notification \((failure|delay)\)|"
    r"mail delivery (failed|failure|subsystem)|delivery has failed|failure notice|"
    r"returned mail|delivery failure",
    re.IGNORECASE,
)
_AUTOMATIC_SUBJECT = re.compile(
    r"^\s*(out of (the )?office|automatic reply|auto[- ]?reply|auto[- ]?response|"
    r"autoreply|away from (the )?office|on leave|on annual leave)\b",
    re.IGNORECASE,
)
_AUTOMATIC_HEADERS = ("X-Autoreply", "X-Autorespond", "X-Autoresponder", "X-Auto-Reply")
_AUTOMATIC_PRECEDENCE = {"bulk", "junk", "list", "auto_reply"}


@dataclass(frozen=True)
class Bounce:
    """What a bounce says: whose address failed, which message it returns, and why."""

    failed: tuple[str, ...]  # lower-cased addresses
    original_ids: tuple[str, ...]  # Message-IDs of the returned message, "<...>"
    reason: str


@dataclass(frozen=True)
class InboundMail:
    kind: str  # REPLY, BOUNCE, DELAY, AUTOMATIC or HUMAN
    message_id: str
    sender: str  # the From address, lower-cased
    subject: str
    why: str  # what decided the kind, for the record
    parts: int
    calendars: tuple[bytes, ...] = ()
    calendar_hash: str = ""
    bounce: Bounce | None = None
    references: tuple[str, ...] = field(default=())  # In-Reply-To and References


def _header(message: Message, name: str) -> str:
    value = message.get(name)
    return " ".join(str(value).split()) if value is not None else ""


def part_count(message: Message) -> int:
    return sum(1 for _ in message.walk())


def _own_parts(message: Message):
    """The message's parts, not those of a message inside it (a bounce's returned message)."""
    yield message
    if message.get_content_maintype() == "message":
        return
    if message.is_multipart():
        for part in message.get_payload():
            yield from _own_parts(part)


def _calendars(message: Message) -> tuple[bytes, ...]:
    found = []
    for part in _own_parts(message):
        if part.get_content_type() in CALENDAR_TYPES and not part.is_multipart():
            payload = part.get_payload(decode=True)
            if payload and payload not in found:
                found.append(payload)
    return tuple(found)


def _ids(text: str) -> list[str]:
    return _MESSAGE_ID.findall(text or "")


def _addresses(values) -> list[str]:
    return [address.lower() for _, address in getaddresses(values) if "@" in address]


def _returned_headers(message: Message) -> list[Message]:
    """The headers of the message a bounce returns (whole, or its headers only)."""
    found = []
    for part in _own_parts(message):
        kind = part.get_content_type()
        if kind == "message/rfc822" and part.is_multipart():
            found.extend(p for p in part.get_payload() if isinstance(p, Message))
        elif kind == "text/rfc822-headers":
            text = part.get_payload(decode=True) or b""
            found.append(BytesHeaderParser(policy=email.policy.default).parsebytes(text))
    return found


def _status_blocks(message: Message) -> list[Message]:
    """The per-recipient blocks of an RFC 3464 report (the first block is the message's)."""
    blocks = []
    for part in _own_parts(message):
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        if isinstance(payload, list):
            blocks.extend(p for p in payload if isinstance(p, Message))
        else:  # some servers send it base64-encoded or unparsed
            text = part.get_payload(decode=True) or b""
            for chunk in re.split(rb"\r?\n\r?\n", text):
                if chunk.strip():
                    blocks.append(HeaderParser().parsestr(chunk.decode("utf-8", "replace")))
    return blocks


def _bounce(message: Message) -> tuple[str, Bounce] | None:
    """(BOUNCE or DELAY, what it says), or None for a message that is not a bounce."""
    content_type = message.get_content_type()
    report = content_type == "multipart/report" and (
        str(message.get_param("report-type", "")).lower() == "delivery-status"
    )
    failed_header = _addresses(message.get_all("X-Failed-Recipients", []))
    exchange_ndr = _header(message, "X-MS-Exchange-Message-Is-Ndr") != "" or (
        message.get("X-MS-Exchange-Message-Is-Ndr") is not None
    )
    sender = parseaddr(_header(message, "From"))[1]
    daemon = bool(_DAEMON.match(sender)) and bool(
        _BOUNCE_SUBJECT.search(_header(message, "Subject"))
    )
    if not (report or failed_header or exchange_ndr or daemon):
        return None
    failed, delayed, reasons = [], [], []
    for block in _status_blocks(message):
        recipient = block.get("Final-Recipient") or block.get("Original-Recipient")
        if recipient is None:
            continue
        address = str(recipient).partition(";")[2].strip().strip("<>").lower()
        action = str(block.get("Action", "")).strip().lower()
        status = str(block.get("Status", "")).strip()
        if action == "failed" or (not action and status.startswith("5")):
            failed.append(address)
            diagnostic = " ".join(str(block.get("Diagnostic-Code", "")).split())
            reasons.append(f"{address}: {status} {diagnostic}".strip())
        elif action == "delayed":
            delayed.append(address)
    failed += [a for a in failed_header if a not in failed]
    original_ids = []
    for headers in _returned_headers(message):
        original_ids += _ids(str(headers.get("Message-ID", "")))
    # Microsoft 365 and others also name the returned message in In-Reply-To/References.
    original_ids += _ids(_header(message, "In-Reply-To")) + _ids(_header(message, "References"))
    original_ids = list(dict.fromkeys(original_ids))
    reason = "; ".join(reasons) or _header(message, "Subject")[:300]
    if report and delayed and not failed:
        return DELAY, Bounce(failed=tuple(delayed), original_ids=tuple(original_ids), reason=reason)
    if report and not failed and not (failed_header or exchange_ndr):
        # A report of delivery (Action: delivered/relayed/expanded): nothing went wrong.
        return DELAY, Bounce(failed=(), original_ids=tuple(original_ids), reason=reason)
    return BOUNCE, Bounce(failed=tuple(failed), original_ids=tuple(original_ids), reason=reason)


def _automatic(message: Message) -> str:
    """Why the message is an automatic reply, or "" if it is not one."""
    submitted = _header(message, "Auto-Submitted").lower()
    if submitted and submitted != "no":
        return f"Auto-Submitted: {submitted}"
    if message.get("X-Auto-Response-Suppress") is not None:
        return "X-Auto-Response-Suppress"
    for name in _AUTOMATIC_HEADERS:
        if message.get(name) is not None:
            return name
    precedence = _header(message, "Precedence").lower()
    if precedence in _AUTOMATIC_PRECEDENCE:
        return f"Precedence: {precedence}"
    if _header(message, "Return-Path") == "<>":
        return "an empty return path"
    subject = _header(message, "Subject")
    if _AUTOMATIC_SUBJECT.search(subject):
        return f"the subject {subject[:80]!r}"
    return ""


def calendar_hash(calendars: tuple[bytes, ...]) -> str:
    if not calendars:
        return ""
    digest = hashlib.sha256()
    for calendar in sorted(calendars):
        digest.update(hashlib.sha256(calendar).digest())
    return digest.hexdigest()


def mail_read(raw: bytes) -> InboundMail:
    """What one message is (see the module's docstring)."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    message_id = next(iter(_ids(_header(message, "Message-ID"))), "")[:255]
    sender = parseaddr(_header(message, "From"))[1].lower()
    subject = _header(message, "Subject")[:300]
    references = tuple(
        dict.fromkeys(_ids(_header(message, "In-Reply-To")) + _ids(_header(message, "References")))
    )
    common = {
        "message_id": message_id,
        "sender": sender,
        "subject": subject,
        "parts": part_count(message),
        "references": references,
    }
    bounce = _bounce(message)
    if bounce is not None:
        kind, details = bounce
        return InboundMail(kind=kind, why=details.reason, bounce=details, **common)
    calendars = tuple(c for c in _calendars(message) if _REPLY_METHOD.search(c))
    if calendars:
        return InboundMail(
            kind=REPLY,
            why="a calendar reply",
            calendars=calendars,
            calendar_hash=calendar_hash(calendars),
            **common,
        )
    why = _automatic(message)
    if why:
        return InboundMail(kind=AUTOMATIC, why=why, **common)
    return InboundMail(kind=HUMAN, why="written by a person", **common)


def mail_headers_read(raw_headers: bytes) -> InboundMail:
    """What can be said of a message from its headers alone (one set aside unread)."""
    message = BytesHeaderParser(policy=email.policy.default).parsebytes(raw_headers)
    return InboundMail(
        kind=HUMAN,
        why="headers only",
        message_id=next(iter(_ids(_header(message, "Message-ID"))), "")[:255],
        sender=parseaddr(_header(message, "From"))[1].lower(),
        subject=_header(message, "Subject")[:300],
        parts=0,
    )
