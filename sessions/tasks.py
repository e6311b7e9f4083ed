"""Background work for sessions: the invite outbox, reminders and re-staffing. Tasks take ids and
call services."""

from django_q.tasks import async_task

from sessions.programme import reminders
from sessions.services import (
    approval,
    approval_letters,
    mail,
    mail_notices,
    mailbox,
    restaff_queue,
    restaffing,
)


def send_invite(invite_id: int) -> str:
    """Send one outbox row (queued on commit of the change that wrote it)."""
    return mail.invite_deliver(invite_id=invite_id)


def retry_due_invites() -> dict:
    """Queue again failed rows that are due and pending rows whose task was lost (every minute)."""
    result = mail.invites_requeue()
    return {"queued": len(result.queued), "outcome_unknown": len(result.unknown)}


def send_reminders() -> int:
    """Reminders 48 hours and 2 hours before each session (every 15 minutes)."""
    return reminders.reminders_send()


def restaff_booking(booking_id: int) -> dict:
    """Fill the places peers gave up on a booking (queued by a decline or an availability
    change); a no-op when none is open, so a retry is harmless."""
    outcome = restaffing.booking_restaff(booking_id=booking_id)
    return {
        "invited": len(outcome.invited),
        "removed": len(outcome.removed),
        "unfilled": len(outcome.unfilled),
    }


def restaff_lost() -> int:
    """Queue again re-staffings whose task was lost (every 5 minutes)."""
    return len(restaff_queue.restaff_lost_queue())


def send_request_letter(booking_id: int, kind: str) -> int:
    """The letters about a request for approval: asked, declined, expired or withdrawn."""
    return approval_letters.request_letter_send(booking_id=booking_id, kind=kind)


def expire_requests() -> int:
    """Release the time of requests not decided in time, and tell the booker and the adviser
    (every 15 minutes)."""
    return len(approval.requests_expire())


def read_mailbox() -> dict:
    """One pass over the organiser's mailbox (every MAILBOX_READ_MINUTES): calendar replies,
    bounces, automatic replies; a no-op until IMAP_HOST is set."""
    mailbox.mailbox_schedule_follow_setting()
    for message_id in mail_notices.forwards_waiting():
        async_task("sessions.tasks.forward_mail", message_id)
    try:
        result = mailbox.mailbox_read()
    except mailbox.MailboxNotConfigured:
        return {"configured": False}
    return {"read": result.read, "moved_again": result.moved_again, "set_aside": result.set_aside}


def tell_undelivered(invite_id: int) -> int:
    """Tell staff and the booker, once, that an invite bounced."""
    return mail_notices.undelivered_tell(invite_id=invite_id)


def forward_mail(message_id: int) -> bool:
    """Forward a person's written reply to the offer's contact mailbox, once."""
    return mail_notices.mail_forward(message_id=message_id)
