"""Taking what the organiser's mailbox brings, once: calendar replies, bounces, automatic
replies and people writing (what each is: mail_kinds.py; reading the mailbox: mailbox.py).

`mail_take` records a message and does what it asks in one transaction, keyed by where the
message was (mailbox, UIDVALIDITY, UID) and by what it was (Message-ID and the hash of its
calendar part): the row is written first, so a second reader of the same message waits for the
first and then finds it. A copy of a message already taken changes nothing.

- A calendar reply is taken by `answers.reply_apply` (our UID, an invited attendee, the latest
  SEQUENCE, no older DTSTAMP). One whose sender is not the attendee it speaks for (a delegate's
  SENT-BY, a forward) is held for staff (`HeldReply`, decided in the admin).
- A bounce marks the invite it returns undelivered (found by its Message-ID, else by the failed
  address's latest invite): the seat shows "Invite not delivered", staff and the booker are told
  once (a task), and the address's bounces are counted (two flag it in the admin).
- An automatic reply (RFC 3834) and a delay notice are recorded and ignored.
- A person writing without a calendar is forwarded to the offer's contact mailbox (a task).
"""

import logging
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django_q.tasks import async_task

from peers.models import Peer
from scheduling.engine.calendar import InvalidReply, Reply, parse_replies
from sessions.models import (
    BouncedAddress,
    HeldReply,
    HeldReplyStatus,
    Invite,
    InviteStatus,
    MailboxMessage,
    MailKind,
)
from sessions.services import mail_kinds
from sessions.services.answers import ReplyOutcome, reply_apply, reply_check
from sessions.services.mail import organizer

logger = logging.getLogger("sessions.mailbox")


@dataclass(frozen=True)
class Where:
    """Where a message was read: the mailbox (user@host/folder), its UIDVALIDITY, the UID."""

    mailbox: str
    uidvalidity: int
    uid: int


def mail_known(where: Where) -> MailboxMessage | None:
    return MailboxMessage.objects.filter(
        mailbox=where.mailbox, uidvalidity=where.uidvalidity, uid=where.uid
    ).first()


def mail_set_aside(*, where: Where, headers: bytes, size: int, why: str) -> MailboxMessage:
    """Record a message left unread (too large, too many parts): its headers only."""
    known = mail_known(where)
    if known is not None:
        return known
    mail = mail_kinds.mail_headers_read(headers)
    logger.warning(
        "Mailbox message set aside unread (%s): uid %s, %s bytes, from %s, Message-ID %s",
        why,
        where.uid,
        size,
        mail.sender,
        mail.message_id,
    )
    return MailboxMessage.objects.create(
        mailbox=where.mailbox,
        uidvalidity=where.uidvalidity,
        uid=where.uid,
        message_id=mail.message_id,
        sender=mail.sender,
        subject=mail.subject,
        size=size,
        kind=MailKind.SET_ASIDE,
        outcome=f"set aside unread: {why}",
    )


def mail_take(*, where: Where, raw: bytes, now: datetime | None = None) -> MailboxMessage:
    """Take one message read from the mailbox, once (see the module's docstring)."""
    now = now or timezone.now()
    known = mail_known(where)
    if known is not None:
        return known
    limit = settings.MAILBOX_MESSAGE_MAX_BYTES
    if len(raw) > limit:
        headers = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
        return mail_set_aside(
            where=where, headers=headers, size=len(raw), why=f"over {limit} bytes"
        )
    mail = mail_kinds.mail_read(raw)
    if mail.parts > settings.MAILBOX_MESSAGE_MAX_PARTS:
        return mail_set_aside(
            where=where,
            headers=raw[:65536],
            size=len(raw),
            why=f"{mail.parts} MIME parts, over {settings.MAILBOX_MESSAGE_MAX_PARTS}",
        )
    try:
        return _take(where, raw, mail, now)
    except IntegrityError:
        # Another reader took the same message first (the row's unique key): it is theirs.
        known = mail_known(where)
        if known is None:
            raise
        return known


def _take(where: Where, raw: bytes, mail: mail_kinds.InboundMail, now: datetime):
    with transaction.atomic():
        row = MailboxMessage.objects.create(
            mailbox=where.mailbox,
            uidvalidity=where.uidvalidity,
            uid=where.uid,
            message_id=mail.message_id,
            calendar_hash=mail.calendar_hash,
            sender=mail.sender,
            subject=mail.subject,
            size=len(raw),
            kind=mail.kind,
        )
        copy_of = _taken_before(mail, row)
        if copy_of is not None:
            row.kind = MailKind.DUPLICATE
            row.outcome = f"a copy of message {copy_of.pk}, already taken: nothing changed"
        elif mail.kind == mail_kinds.REPLY:
            row.outcome = _take_replies(mail, row, now)
        elif mail.kind == mail_kinds.BOUNCE:
            row.outcome = _take_bounce(mail, row, now)
        elif mail.kind == mail_kinds.DELAY:
            row.outcome = f"ignored: a delay notice, the mail server is still trying ({mail.why})"
        elif mail.kind == mail_kinds.AUTOMATIC:
            row.outcome = f"ignored: an automatic reply ({mail.why})"
        else:
            row.outcome = _forward(mail, row, raw)
        row.save(update_fields=["kind", "outcome", "invite", "forward_to", "forward_raw"])
    logger.info("Mailbox message %s (uid %s): %s", row.pk, where.uid, row.outcome)
    return row


def _taken_before(mail: mail_kinds.InboundMail, row: MailboxMessage) -> MailboxMessage | None:
    if not mail.message_id:
        return None
    return (
        MailboxMessage.objects.filter(message_id=mail.message_id, calendar_hash=mail.calendar_hash)
        .exclude(pk=row.pk)
        .exclude(kind__in=[MailKind.DUPLICATE, MailKind.SET_ASIDE])
        .order_by("pk")
        .first()
    )


# Calendar replies -------------------------------------------------------------------------------


def _replies(mail: mail_kinds.InboundMail) -> tuple[list[Reply], list[str]]:
    replies, problems = {}, []
    for calendar in mail.calendars:
        try:
            for reply in parse_replies(calendar):
                # Gmail sends the same calendar twice (inline and as invite.ics).
                replies.setdefault((reply.uid, reply.attendee), reply)
        except InvalidReply as error:
            problems.append(f"not a calendar reply ({error})")
    return list(replies.values()), problems


def _sent_by_someone_else(mail: mail_kinds.InboundMail, reply: Reply) -> str:
    """Who sent an answer for another person, or "" when the attendee sent it themselves."""
    if reply.sent_by and reply.sent_by != reply.attendee:
        return reply.sent_by
    if mail.sender != reply.attendee:
        return mail.sender or "an unknown sender"
    return ""


def _take_replies(mail: mail_kinds.InboundMail, row: MailboxMessage, now: datetime) -> str:
    replies, outcomes = _replies(mail)
    for reply in replies:
        refused = reply_check(reply)
        if refused is not None:
            outcomes.append(refused.detail)
            continue
        sender = _sent_by_someone_else(mail, reply)
        if sender:
            HeldReply.objects.create(
                message=row,
                uid=reply.uid,
                attendee=reply.attendee,
                sender=sender,
                partstat=reply.partstat,
                sequence=reply.sequence,
                dtstamp=reply.dtstamp,
                comment=reply.comment,
            )
            logger.warning(
                "Reply held for staff: %s answered %s for %s on %s",
                sender,
                reply.partstat,
                reply.attendee,
                reply.uid,
            )
            outcomes.append(f"held for staff: sent by {sender} for {reply.attendee}")
            continue
        outcome = reply_apply(reply, now=now)
        if outcome.applied and reply.comment:
            outcomes.append(f"{outcome.detail} (comment: {reply.comment[:200]})")
        else:
            outcomes.append(outcome.detail)
    return "; ".join(outcomes) or "no answer in the calendar"


def held_reply_decide(*, held_id: int, apply: bool, decided_by: str) -> ReplyOutcome:
    """Staff apply or dismiss a held reply (once)."""
    with transaction.atomic():
        held = HeldReply.objects.select_for_update().get(pk=held_id)
        if held.status != HeldReplyStatus.WAITING:
            return ReplyOutcome(False, f"already {held.get_status_display().lower()}")
        if apply:
            reply = Reply(
                uid=held.uid,
                attendee=held.attendee,
                partstat=held.partstat,
                sequence=held.sequence,
                dtstamp=held.dtstamp,
            )
            outcome = reply_apply(reply)
            held.status = HeldReplyStatus.APPLIED
        else:
            outcome = ReplyOutcome(False, "dismissed: nothing changed")
            held.status = HeldReplyStatus.DISMISSED
        held.decided_by = decided_by
        held.decided_at = timezone.now()
        held.outcome = outcome.detail
        held.save(update_fields=["status", "decided_by", "decided_at", "outcome"])
    return outcome


# Bounces ----------------------------------------------------------------------------------------


def _bounced_invite(bounce: mail_kinds.Bounce) -> Invite | None:
    if bounce.original_ids:
        invite = (
            Invite.objects.filter(message_id__in=list(bounce.original_ids)).order_by("-pk").first()
        )
        if invite is not None:
            return invite
    if bounce.failed:
        return (
            Invite.objects.filter(recipient_email__in=list(bounce.failed), status=InviteStatus.SENT)
            .order_by("-sent_at", "-pk")
            .first()
        )
    return None


def _take_bounce(mail: mail_kinds.InboundMail, row: MailboxMessage, now: datetime) -> str:
    bounce = mail.bounce
    invite = _bounced_invite(bounce)
    if invite is None:
        logger.warning(
            "Bounce for no invite of ours: failed %s, Message-IDs %s",
            bounce.failed,
            bounce.original_ids,
        )
        return f"ignored: a bounce for no invite of ours ({bounce.reason})"
    row.invite = invite
    if bounce.failed and invite.recipient_email not in bounce.failed:
        return f"ignored: the bounce names {', '.join(bounce.failed)}, not the invite's recipient"
    return invite_mark_undelivered(invite=invite, reason=bounce.reason, now=now)


def invite_mark_undelivered(*, invite: Invite, reason: str, now: datetime) -> str:
    """The invite never reached its recipient: shown on the seat, told once, counted."""
    marked = Invite.objects.filter(pk=invite.pk, undelivered_at__isnull=True).update(
        undelivered_at=now, undelivered_reason=reason[:2000]
    )
    if not marked:
        return f"already known: the invite to {invite.recipient_email} was not delivered"
    address, _ = BouncedAddress.objects.get_or_create(
        email=invite.recipient_email,
        defaults={"last_bounced_at": now},
    )
    peer = Peer.objects.filter(email__iexact=invite.recipient_email).first()
    BouncedAddress.objects.filter(pk=address.pk).update(
        bounces=F("bounces") + 1, last_bounced_at=now, last_reason=reason[:2000], peer=peer
    )
    address.refresh_from_db()
    if address.flagged:
        logger.warning("%s has bounced %s times: flagged", address.email, address.bounces)
    transaction.on_commit(lambda: async_task("sessions.tasks.tell_undelivered", invite.pk))
    return f"not delivered: the invite to {invite.recipient_email} ({reason[:300]})"


# People writing ---------------------------------------------------------------------------------


def _offer_contact(mail: mail_kinds.InboundMail) -> str:
    """The contact mailbox of the offer the message is about: by the invite it answers, else
    by the sender's latest invite."""
    invite = None
    if mail.references:
        invite = (
            Invite.objects.filter(message_id__in=list(mail.references))
            .select_related("session__offer")
            .first()
        )
    if invite is None and mail.sender:
        invite = (
            Invite.objects.filter(recipient_email=mail.sender)
            .select_related("session__offer")
            .order_by("-pk")
            .first()
        )
    return invite.session.offer.contact_email if invite is not None else ""


def _forward(mail: mail_kinds.InboundMail, row: MailboxMessage, raw: bytes) -> str:
    if mail.sender == organizer().email:
        return "ignored: sent from the service's own address"
    contact = _offer_contact(mail)
    if not contact or contact.lower() == organizer().email:
        return "kept: no offer's contact mailbox to forward it to"
    row.forward_to = contact
    row.forward_raw = raw
    transaction.on_commit(lambda: async_task("sessions.tasks.forward_mail", row.pk))
    return f"forwarded to {contact}"
