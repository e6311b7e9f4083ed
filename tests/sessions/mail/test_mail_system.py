"""Mail as it really flows, through the Postfix and Dovecot of tests/mail_system/start.sh: a
booking's invites leave through SMTP and land in the peers' mailboxes; a peer's mail client
reads one over IMAP and answers with a REPLY built as Outlook builds one, sent through SMTP to
the organiser; the scheduled reader takes it from the organiser's mailbox. The same for a
decline, a bounce from an unknown address, an automatic reply; and the outbox against the SMTP
server refusing (stopped, or answering 4xx): nothing lost, nothing sent twice."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.module_loading import import_string
from django_q.models import Schedule
from icalendar import Calendar

from sessions.models import (
    Invite,
    InviteStatus,
    MailboxMessage,
    MailKind,
    Seat,
    SeatStatus,
    Session,
)
from sessions.services.inbound import Where, mail_take
from sessions.services.mail import invites_requeue
from sessions.services.mailbox import SCHEDULE_NAME, mailbox_key
from tests import mail_shapes
from tests.factories import a_booking, london, make_available, make_peer
from tests.sent_mail import run_queued_tasks

pytestmark = [
    pytest.mark.mail_system,
    pytest.mark.django_db,
    pytest.mark.usefixtures("empty_broker"),
]


@pytest.fixture
def panel(pool, mail_system, staff):
    """The pool's peers, its LGA lead, booker and the offer's contact with mailboxes in the
    mail system."""
    servers = mail_system
    for peer, address in (
        (pool.lead, 0),
        (pool.member, 1),
        (pool.officer, 2),
        (pool.facilitator, 4),
    ):
        peer.email = servers.PEERS[address]
        peer.save()
    pool.booker.email = servers.BOOKER
    pool.booker.save()
    from sessions.models import Offer

    Offer.objects.update(contact_email=servers.PROGRAMME)
    return pool


def backoff_over() -> None:
    """As if the failed invites' wait (the outbox's backoff) were over: the worker's minute
    requeue queues them again, and the worker sends them."""
    now = timezone.now()
    Invite.objects.filter(status=InviteStatus.FAILED).update(next_attempt_at=now)
    invites_requeue(now=now)
    run_queued_tasks()


def book_and_send(pool, capture) -> Session:
    a_booking(pool, london(pool.day, 10), capture=capture)
    run_queued_tasks()  # the worker sends the invites through SMTP
    return Session.objects.get()


def read_mailbox(capture) -> dict:
    """Run the organiser's mailbox schedule's task as the worker does."""
    schedule = Schedule.objects.get(name=SCHEDULE_NAME)
    with capture(execute=True):
        return import_string(schedule.func)()


def request_in(message) -> dict:
    """What a mail client reads from an invite: the REQUEST's UID, SEQUENCE and times."""
    (part,) = [p for p in message.obj.walk() if p.get_content_type() == "text/calendar"]
    assert part.get_param("method") == "REQUEST"
    (event,) = Calendar.from_ical(part.get_payload(decode=True)).walk("VEVENT")
    return {
        "uid": str(event["UID"]),
        "sequence": int(event.get("SEQUENCE", 0)),
        "start": event["DTSTART"].dt,
        "end": event["DTEND"].dt,
        "message_id": message.obj["Message-ID"],
    }


def answer_as_outlook(servers, peer, partstat: str) -> None:
    """The peer's Outlook reads the invite over IMAP and sends its REPLY through SMTP."""
    (invite,) = servers.wait_for(peer.email)
    request = request_in(invite)
    raw = mail_shapes.outlook_reply(
        uid=request["uid"],
        attendee=peer.email,
        partstat=partstat,
        sequence=request["sequence"],
        start=request["start"],
        end=request["end"],
        name=peer.name,
    )
    servers.send(raw, sender=peer.email, to=servers.SERVICE)
    servers.wait_for(servers.SERVICE)


def test_an_accept_from_outlook_comes_back_through_the_mailbox(
    panel, mail_system, django_capture_on_commit_callbacks
):
    servers = mail_system
    book_and_send(panel, django_capture_on_commit_callbacks)
    assert set(Invite.objects.values_list("status", flat=True)) == {InviteStatus.SENT}
    answer_as_outlook(servers, panel.lead, "ACCEPTED")

    assert read_mailbox(django_capture_on_commit_callbacks)["read"] == 1
    assert Seat.objects.get(peer=panel.lead).status == SeatStatus.ACCEPTED
    row = MailboxMessage.objects.get()
    assert (row.kind, row.moved_at is not None) == (MailKind.REPLY, True)
    # Moved to the processed folder after the commit; the inbox is empty.
    assert servers.messages(servers.SERVICE) == []
    assert len(servers.messages(servers.SERVICE, servers.PROCESSED)) == 1
    # The next pass reads nothing.
    assert read_mailbox(django_capture_on_commit_callbacks)["read"] == 0


def test_a_decline_comes_back_and_the_seat_is_re_staffed(
    panel, mail_system, django_capture_on_commit_callbacks, run_worker
):
    servers = mail_system
    reserve = make_available(
        make_peer(
            name="Reserve Member",
            political_group="conservative",
            home_council=panel.member.home_council,
            email=servers.PEERS[3],
        )
    )
    book_and_send(panel, django_capture_on_commit_callbacks)
    answer_as_outlook(servers, panel.member, "DECLINED")

    read_mailbox(django_capture_on_commit_callbacks)
    assert Seat.objects.get(peer=panel.member).status == SeatStatus.DECLINED
    run_worker()  # the re-staffing: the reserve is seated and invited
    run_worker()  # ... and the invite is sent
    assert Seat.objects.get(peer=reserve).status == SeatStatus.INVITED
    (invite,) = servers.wait_for(reserve.email)
    assert request_in(invite)["uid"] == Session.objects.get().uid


def test_a_bounce_from_an_unknown_address_marks_the_invite_not_delivered(
    client, panel, mail_system, django_capture_on_commit_callbacks, run_worker, staff
):
    servers = mail_system
    panel.member.email = "nobody@peers.test"  # no such mailbox: Postfix bounces it
    panel.member.save()
    session = book_and_send(panel, django_capture_on_commit_callbacks)
    (bounce,) = servers.wait_for(servers.SERVICE)
    assert bounce.obj.get_content_type() == "multipart/report"

    read_mailbox(django_capture_on_commit_callbacks)
    invite = Invite.objects.get(recipient_email="nobody@peers.test")
    assert invite.undelivered_at is not None and "5.1.1" in invite.undelivered_reason
    run_worker()  # staff and the booker are told, through SMTP
    (letter,) = servers.wait_for(servers.PROGRAMME)
    assert letter.subject.startswith("Invite not delivered")
    booker_mail = servers.wait_for(servers.BOOKER, count=2)  # the invite, then the letter
    assert any("could not be delivered" in m.subject for m in booker_mail)
    client.force_login(staff)
    page = client.get(reverse("booking-detail", args=[session.booking_id]))
    assert "Invite not delivered" in page.content.decode()


def test_an_automatic_reply_is_ignored(panel, mail_system, django_capture_on_commit_callbacks):
    servers = mail_system
    book_and_send(panel, django_capture_on_commit_callbacks)
    servers.wait_for(panel.lead.email)
    servers.send(
        mail_shapes.out_of_office(sender=panel.lead.email, to=servers.SERVICE),
        sender=panel.lead.email,
        to=servers.SERVICE,
    )
    servers.wait_for(servers.SERVICE)
    read_mailbox(django_capture_on_commit_callbacks)
    assert MailboxMessage.objects.get().kind == MailKind.AUTOMATIC
    assert Seat.objects.get(peer=panel.lead).status == SeatStatus.INVITED
    assert len(servers.messages(servers.SERVICE, servers.PROCESSED)) == 1
    assert mail.outbox == []


def test_a_pass_that_stopped_before_moving_moves_without_taking_again(
    panel, mail_system, django_capture_on_commit_callbacks, settings
):
    """A crash between the commit and the move: the next pass finds the UID recorded, moves
    the message, and changes nothing."""
    servers = mail_system
    book_and_send(panel, django_capture_on_commit_callbacks)
    answer_as_outlook(servers, panel.member, "DECLINED")
    with servers.mailbox(servers.SERVICE) as box:
        uidvalidity = int(box.folder.status("INBOX", ["UIDVALIDITY"])["UIDVALIDITY"])
        box.folder.set("INBOX")
        (uid,) = box.uids("ALL")
        (message,) = box.fetch(mark_seen=False)
    with django_capture_on_commit_callbacks(execute=True):
        mail_take(
            where=Where(mailbox_key("INBOX"), uidvalidity, int(uid)), raw=message.obj.as_bytes()
        )
    declined = Seat.objects.get(peer=panel.member)
    assert declined.status == SeatStatus.DECLINED

    result = read_mailbox(django_capture_on_commit_callbacks)
    assert (result["read"], result["moved_again"]) == (0, 1)
    assert MailboxMessage.objects.count() == 1
    assert Seat.objects.get(pk=declined.pk).updated_at == declined.updated_at
    assert servers.messages(servers.SERVICE) == []


def test_an_oversized_message_is_set_aside_unread(
    panel, mail_system, django_capture_on_commit_callbacks, settings
):
    servers = mail_system
    settings.MAILBOX_MESSAGE_MAX_BYTES = 5000
    raw = mail_shapes.written_reply(sender=servers.PEERS[0]) + b"x" * 8000 + b"\r\n"
    servers.send(raw, sender=servers.PEERS[0], to=servers.SERVICE)
    servers.wait_for(servers.SERVICE)
    result = read_mailbox(django_capture_on_commit_callbacks)
    assert result["set_aside"] == 1
    row = MailboxMessage.objects.get()
    assert row.kind == MailKind.SET_ASIDE and row.size > 5000
    assert len(servers.messages(servers.SERVICE, servers.SET_ASIDE)) == 1


# The outbox against a refusing SMTP server -------------------------------------------------------


def test_invites_wait_while_the_smtp_server_is_stopped_then_go_once(
    panel, mail_system, django_capture_on_commit_callbacks
):
    servers = mail_system
    servers.postfix("stop")
    book_and_send(panel, django_capture_on_commit_callbacks)
    invites = Invite.objects.all()
    assert {i.status for i in invites} == {InviteStatus.FAILED}
    assert all("Could not reach the mail server" in i.last_error for i in invites)

    servers.postfix("start")
    backoff_over()
    assert {(i.status, i.attempts) for i in Invite.objects.all()} == {(InviteStatus.SENT, 2)}
    for peer in (panel.lead, panel.member, panel.officer):
        (only,) = servers.wait_for(peer.email)
    (only,) = servers.wait_for(servers.BOOKER)
    # Requeued again later: nothing is sent twice.
    backoff_over()
    invites_requeue(now=timezone.now() + timedelta(hours=2))
    run_queued_tasks()
    assert len(servers.messages(panel.lead.email)) == 1


def test_an_invite_refused_with_a_4xx_is_retried_and_sent_once(
    panel, mail_system, django_capture_on_commit_callbacks
):
    servers = mail_system
    servers.refuse({panel.lead.email: "450 4.2.1 Mailbox busy, try again later"})
    book_and_send(panel, django_capture_on_commit_callbacks)
    refused = Invite.objects.get(recipient_email=panel.lead.email)
    assert refused.status == InviteStatus.FAILED and "450" in refused.last_error
    others = Invite.objects.exclude(pk=refused.pk)
    assert {i.status for i in others} == {InviteStatus.SENT}

    servers.refuse({})
    backoff_over()
    refused.refresh_from_db()
    assert (refused.status, refused.attempts) == (InviteStatus.SENT, 2)
    assert {i.attempts for i in others} == {1}
    (only,) = servers.wait_for(panel.lead.email)
    for peer in (panel.member, panel.officer):
        assert len(servers.wait_for(peer.email)) == 1


def test_ingest_replies_imap_reads_the_mailbox_once_by_hand(
    panel, mail_system, django_capture_on_commit_callbacks
):
    from io import StringIO

    from django.core.management import call_command

    servers = mail_system
    book_and_send(panel, django_capture_on_commit_callbacks)
    answer_as_outlook(servers, panel.officer, "ACCEPTED")
    out = StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("ingest_replies", "--imap", stdout=out)
    assert out.getvalue().startswith("1 message(s) read (reply 1)")
    assert Seat.objects.get(peer=panel.officer).status == SeatStatus.ACCEPTED
