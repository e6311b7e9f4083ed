"""What the organiser's mailbox brings, taken once (sessions/services/inbound.py): calendar
replies as Outlook, Gmail, Apple Calendar and Thunderbird write them, and each refusal; bounces
in their standard and provider shapes; automatic replies; people writing. The messages are the
bytes those clients and servers send (tests/mail_shapes.py); reading them from a real IMAP
server is tests/sessions/mail/test_mail_system.py."""

import logging
from datetime import timedelta
from itertools import count

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import reverse
from django_q.models import Schedule

from sessions.models import (
    BouncedAddress,
    HeldReply,
    HeldReplyStatus,
    Invite,
    MailboxMessage,
    MailKind,
    Seat,
    SeatStatus,
    Session,
)
from sessions.services.inbound import Where, held_reply_decide, mail_take
from sessions.services.mail_notices import mail_forward
from sessions.services.mailbox import SCHEDULE_NAME
from sessions.tasks import read_mailbox
from tests import mail_shapes
from tests.factories import a_booking, london, make_peer, make_user
from tests.sent_mail import deliver, run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]

_uids = count(1)


@pytest.fixture
def take(django_capture_on_commit_callbacks):
    """Take a message as a mailbox pass does, and run what it queues on commit."""

    def taking(raw: bytes, *, uid: int | None = None) -> MailboxMessage:
        with django_capture_on_commit_callbacks(execute=True):
            return mail_take(where=Where("service@imap/INBOX", 7, uid or next(_uids)), raw=raw)

    return taking


@pytest.fixture
def booked(pool, django_capture_on_commit_callbacks):
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    return Session.objects.get()


def answer(session, peer, partstat="ACCEPTED", *, client="outlook", **fields) -> bytes:
    values = {
        "uid": session.uid,
        "attendee": peer.email,
        "partstat": partstat,
        "sequence": session.sequence,
        "start": session.start,
        "end": session.end,
        "name": peer.name,
    }
    values.update(fields)
    return mail_shapes.client_reply(client, **values)


def seat_of(peer) -> Seat:
    return Seat.objects.filter(peer=peer).latest("id")


@pytest.mark.parametrize("client", ["outlook", "gmail", "apple", "thunderbird"])
def test_each_clients_accept_accepts_the_seat(take, pool, booked, client):
    row = take(answer(booked, pool.lead, client=client))
    assert row.kind == MailKind.REPLY
    assert row.outcome.startswith(f"accepted: {pool.lead.email}")
    seat = seat_of(pool.lead)
    assert seat.status == SeatStatus.ACCEPTED and seat.reply_dtstamp is not None
    if client == "gmail":
        assert "comment: Looking forward to it" in row.outcome


def test_a_decline_declines_and_queues_the_re_staffing(take, pool, booked):
    row = take(answer(booked, pool.member, "DECLINED", client="thunderbird"))
    assert row.outcome == f"declined: {pool.member.email}"
    assert seat_of(pool.member).status == SeatStatus.DECLINED
    assert any(r is not None for r in run_queued_tasks())  # the re-staffing ran


def test_an_unknown_uid_changes_nothing(take, pool, booked):
    row = take(answer(booked, pool.lead, uid="not-ours@example.org"))
    assert row.outcome == "skipped: no session has UID not-ours@example.org"
    assert seat_of(pool.lead).status == SeatStatus.INVITED


def test_an_attendee_never_invited_changes_nothing(take, pool, booked):
    stranger = make_peer(name="Not Invited")
    row = take(answer(booked, stranger))
    assert row.outcome == f"skipped: {stranger.email} is not a peer on {booked.uid}"
    assert not Seat.objects.filter(peer=stranger).exists()


def test_a_reply_sent_by_someone_else_is_held_for_staff_then_applied(take, pool, booked):
    raw = answer(booked, pool.lead, sender="assistant@example.org")
    row = take(raw)
    assert row.outcome == f"held for staff: sent by assistant@example.org for {pool.lead.email}"
    assert seat_of(pool.lead).status == SeatStatus.INVITED
    held = HeldReply.objects.get()
    assert (held.attendee, held.partstat, held.status) == (
        pool.lead.email,
        "ACCEPTED",
        HeldReplyStatus.WAITING,
    )
    # The same message again (another copy in the mailbox) holds nothing more.
    assert take(raw).kind == MailKind.DUPLICATE and HeldReply.objects.count() == 1
    outcome = held_reply_decide(held_id=held.pk, apply=True, decided_by="staff")
    assert outcome.applied and seat_of(pool.lead).status == SeatStatus.ACCEPTED
    again = held_reply_decide(held_id=held.pk, apply=False, decided_by="staff")
    assert not again.applied and again.detail == "already applied by staff"


def test_a_delegates_sent_by_is_held_even_from_the_attendees_address(take, pool, booked):
    row = take(answer(booked, pool.lead, sent_by="pa@example.org"))
    assert row.outcome.startswith("held for staff: sent by pa@example.org")
    assert seat_of(pool.lead).status == SeatStatus.INVITED


def test_staff_dismiss_a_held_reply_through_the_admin(take, client, pool, booked):
    admin_user = make_user(is_staff=True, is_superuser=True)
    take(answer(booked, pool.lead, "DECLINED", sender="someone@example.org"))
    held = HeldReply.objects.get()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:offer_sessions_heldreply_changelist"),
        {"action": "dismiss", "_selected_action": [held.pk]},
        follow=True,
    )
    assert response.status_code == 200
    held.refresh_from_db()
    assert held.status == HeldReplyStatus.DISMISSED and held.decided_by
    assert seat_of(pool.lead).status == SeatStatus.INVITED


def test_an_answer_to_an_older_sequence_changes_nothing(take, pool, booked):
    Session.objects.filter(pk=booked.pk).update(sequence=2)
    Invite.objects.filter(seat__peer=pool.lead).update(sequence=2)
    row = take(answer(booked, pool.lead, "DECLINED", sequence=1))
    assert row.outcome == "ignored: an answer to SEQUENCE 1, older than 2"
    assert seat_of(pool.lead).status == SeatStatus.INVITED


def test_an_answer_stamped_before_the_last_one_taken_changes_nothing(take, pool, booked):
    accepted = answer(booked, pool.lead, "ACCEPTED", client="apple")
    take(accepted)
    stamp = seat_of(pool.lead).reply_dtstamp
    older = answer(
        booked, pool.lead, "DECLINED", client="apple", dtstamp=stamp - timedelta(hours=1)
    )
    row = take(older)
    assert row.outcome.startswith("ignored: an answer stamped (DTSTAMP) before the last one")
    assert seat_of(pool.lead).status == SeatStatus.ACCEPTED


def test_a_copy_of_a_message_already_taken_changes_nothing(take, pool, booked):
    raw = answer(booked, pool.member, "DECLINED")
    first = take(raw)
    second = take(raw)
    assert first.kind == MailKind.REPLY and second.kind == MailKind.DUPLICATE
    assert second.outcome == f"a copy of message {first.pk}, already taken: nothing changed"
    # And the same place in the mailbox read twice is the same row.
    assert take(raw, uid=first.uid).pk == first.pk
    assert MailboxMessage.objects.count() == 2


@override_settings(MAILBOX_MESSAGE_MAX_BYTES=4000)
def test_an_oversized_message_is_set_aside_unread_with_a_log_line(take, pool, booked, caplog):
    raw = answer(booked, pool.lead, client="gmail") + b"\r\n" + b"x" * 5000
    with caplog.at_level(logging.WARNING, logger="sessions.mailbox"):
        row = take(raw)
    assert row.kind == MailKind.SET_ASIDE and row.outcome.startswith("set aside unread: over 4000")
    assert "set aside unread" in caplog.text
    assert seat_of(pool.lead).status == SeatStatus.INVITED


@override_settings(MAILBOX_MESSAGE_MAX_PARTS=3)
def test_a_message_with_too_many_parts_is_set_aside(take, pool, booked):
    row = take(answer(booked, pool.lead, client="gmail"))  # 5 parts
    assert row.kind == MailKind.SET_ASIDE and "MIME parts, over 3" in row.outcome
    assert seat_of(pool.lead).status == SeatStatus.INVITED


# Bounces ----------------------------------------------------------------------------------------


def invite_to(peer) -> Invite:
    return Invite.objects.filter(seat__peer=peer).latest("id")


@pytest.mark.parametrize("shape", ["postfix", "microsoft_365", "gmail"])
def test_a_bounce_marks_the_invite_not_delivered_and_tells_staff_and_the_booker_once(
    take, client, pool, booked, shape, run_worker, staff
):
    invite = invite_to(pool.member)
    assert invite.message_id
    raw = {
        "postfix": lambda: mail_shapes.postfix_style_bounce(
            original_id=invite.message_id, recipient=pool.member.email
        ),
        "microsoft_365": lambda: mail_shapes.microsoft_365_ndr(
            original_id=invite.message_id, recipient=pool.member.email
        ),
        "gmail": lambda: mail_shapes.gmail_bounce(recipient=pool.member.email),
    }[shape]()
    row = take(raw)
    assert row.kind == MailKind.BOUNCE and row.invite_id == invite.pk, row.outcome
    invite.refresh_from_db()
    assert invite.undelivered_at is not None
    mail.outbox.clear()
    run_worker()
    told = sorted(m.to[0] for m in mail.outbox)
    assert told == sorted([booked.offer.contact_email, pool.booker.email])
    assert all("not be delivered" in m.subject or "not delivered" in m.subject for m in mail.outbox)
    # Told once: a second bounce for the same invite tells nobody again.
    take(raw)
    mail.outbox.clear()
    run_worker()
    assert mail.outbox == []
    assert BouncedAddress.objects.get(email=pool.member.email).bounces == 1
    # The booking page and the dashboard say so.
    client.force_login(staff)
    page = client.get(reverse("booking-detail", args=[booked.booking_id])).content.decode()
    assert page.count("Invite not delivered") == 1
    summary = client.get(reverse("programme"), {"start": pool.day, "end": pool.day})
    assert pool.member.email in summary.content.decode()


def test_an_address_that_bounces_twice_is_flagged(take, client, pool, booked):
    take(mail_shapes.gmail_bounce(recipient=pool.member.email))
    assert not BouncedAddress.objects.get().flagged
    # A second invite to the same address (an update) bounces too.
    first = invite_to(pool.member)
    second = Invite.objects.create(
        session=booked,
        seat=first.seat,
        recipient_email=first.recipient_email,
        method=first.method,
        sequence=first.sequence + 1,
        status="sent",
        message_id="<second@lga.test>",
    )
    take(
        mail_shapes.postfix_style_bounce(original_id=second.message_id, recipient=pool.member.email)
    )
    address = BouncedAddress.objects.get()
    assert (address.bounces, address.flagged, address.peer_id) == (2, True, pool.member.id)
    # Staff find it in the admin, flagged, beside every message the mailbox brought.
    client.force_login(make_user(is_staff=True, is_superuser=True))
    flagged = client.get(
        reverse("admin:offer_sessions_bouncedaddress_changelist"), {"flagged": "yes"}
    )
    assert pool.member.email in flagged.content.decode()
    messages = client.get(reverse("admin:offer_sessions_mailboxmessage_changelist"))
    assert messages.status_code == 200 and "Bounce (not delivered)" in messages.content.decode()
    row = MailboxMessage.objects.first()
    page = client.get(reverse("admin:offer_sessions_mailboxmessage_change", args=[row.pk]))
    assert page.status_code == 200


def test_a_delay_notice_and_a_bounce_for_no_invite_of_ours_change_nothing(take, pool, booked):
    invite = invite_to(pool.member)
    delayed = take(
        mail_shapes.delay_report(original_id=invite.message_id, recipient=pool.member.email)
    )
    assert delayed.kind == MailKind.DELAY
    stranger = take(mail_shapes.gmail_bounce(recipient="someone@else.example"))
    assert stranger.outcome.startswith("ignored: a bounce for no invite of ours")
    assert not Invite.objects.filter(undelivered_at__isnull=False).exists()


# Automatic replies and people -------------------------------------------------------------------


@pytest.mark.parametrize("style", ["exchange", "suppress-only", "subject"])
def test_automatic_replies_are_recognised_and_ignored(take, pool, booked, style):
    row = take(mail_shapes.out_of_office(sender=pool.lead.email, style=style))
    assert row.kind == MailKind.AUTOMATIC and row.outcome.startswith("ignored: an automatic")
    assert seat_of(pool.lead).status == SeatStatus.INVITED
    assert not row.forward_to


def test_a_written_reply_is_forwarded_to_the_offers_contact_once(take, pool, booked, run_worker):
    invite = invite_to(pool.lead)
    row = take(mail_shapes.written_reply(sender=pool.lead.email, in_reply_to=invite.message_id))
    assert row.kind == MailKind.HUMAN and row.forward_to == booked.offer.contact_email
    mail.outbox.clear()
    run_worker()
    (forward,) = mail.outbox
    assert forward.to == [booked.offer.contact_email] and forward.reply_to == [pool.lead.email]
    sent = forward.message()
    attached = [p for p in sent.walk() if p.get_content_type() == "message/rfc822"]
    assert attached, "the original message is attached"
    row.refresh_from_db()
    assert row.forwarded_at is not None and row.forward_raw is None
    assert mail_forward(message_id=row.pk) is False  # once


# The schedule and the command ------------------------------------------------------------------


def test_the_schedule_follows_the_setting_and_does_nothing_until_imap_is_configured(settings):
    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    assert (schedule.func, schedule.minutes) == ("sessions.tasks.read_mailbox", 1)
    settings.IMAP_HOST = ""
    settings.MAILBOX_READ_MINUTES = 5
    assert read_mailbox() == {"configured": False}
    schedule.refresh_from_db()
    assert schedule.minutes == 5


def test_ingest_replies_imap_needs_the_mailbox_configured(settings):
    settings.IMAP_HOST = ""
    with pytest.raises(CommandError, match="the mailbox is not configured"):
        call_command("ingest_replies", "--imap")
    with pytest.raises(CommandError, match="either --imap or files"):
        call_command("ingest_replies", "--imap", "somewhere.ics")
