"""The outbox: each message is a row written with the change and queued on commit; a task sends
it once. A refused recipient does not hold up the others and is retried with backoff; nothing is
sent twice, whether two workers race, a worker dies mid-send, or the outcome is unknown."""

import smtplib
import threading
from datetime import timedelta
from email.utils import parseaddr
from typing import ClassVar

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.utils import timezone
from django_q.brokers import get_broker
from django_q.models import Schedule

from sessions import tasks
from sessions.models import Invite, InviteStatus, Reminder, Seat, SeatStatus, Session
from sessions.programme import reminders
from sessions.services.mail import MAX_ATTEMPTS, backoff, invite_message
from tests.factories import PANEL, a_booking, bearer, london
from tests.sent_mail import Mail, by_recipient, deliver, run_queued_tasks

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]

BACKEND = "tests.sessions.mail.test_outbox"


class RefusingBackend(locmem.EmailBackend):
    """Delivers like the test backend, but refuses some recipients as an SMTP server would."""

    refused: ClassVar[set[str]] = set()

    def send_messages(self, messages):
        for message in messages:
            for recipient in message.recipients():
                address = parseaddr(recipient)[1].lower()
                if address in self.refused:
                    raise smtplib.SMTPRecipientsRefused(
                        {address: (550, b"5.2.1 Mailbox unavailable")}
                    )
        return super().send_messages(messages)


class DroppingBackend(locmem.EmailBackend):
    """The connection drops after the server may have taken the message: outcome unknown."""

    def send_messages(self, messages):
        super().send_messages(messages)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


@pytest.fixture
def refusing(settings):
    RefusingBackend.refused = set()
    settings.MAILERS = {"default": {"BACKEND": f"{BACKEND}.RefusingBackend"}}
    yield RefusingBackend.refused
    RefusingBackend.refused = set()


def invite_to(email: str, **filters) -> Invite:
    return Invite.objects.get(recipient_email=email.lower(), **filters)


def due_now(invite: Invite) -> None:
    """Let the wait before the next attempt pass."""
    Invite.objects.filter(pk=invite.pk).update(
        next_attempt_at=timezone.now() - timedelta(seconds=1)
    )


def count_to(email: str) -> int:
    return sum(1 for message in mail.outbox if Mail.of(message).to == email.lower())


# Written with the change, queued on commit --------------------------------------------------------


def test_rows_are_written_in_the_change_and_queued_only_when_it_commits(
    api_client, pool, django_capture_on_commit_callbacks
):
    broker = get_broker()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = api_client.post(
            "/bookings",
            json={
                "offer": PANEL,
                "council": pool.council.id,
                "start": london(pool.day, 10).isoformat(),
            },
            headers=bearer(pool.booker),
        )
    assert response.status_code == 201
    assert Invite.objects.filter(status=InviteStatus.PENDING).count() == 5
    assert broker.queue_size() == 0  # nothing queued before the commit
    for callback in callbacks:
        callback()
    assert broker.queue_size() == 5
    assert len(by_recipient(deliver())) == 5

    # A booking refused (the panel is taken) writes no rows at all.
    with django_capture_on_commit_callbacks(execute=True):
        refused = api_client.post(
            "/bookings",
            json={
                "offer": PANEL,
                "council": pool.other_council.id,
                "start": london(pool.day, 10).isoformat(),
            },
            headers=bearer(pool.other_booker),
        )
    assert refused.status_code == 409
    assert Invite.objects.count() == 5 and broker.queue_size() == 0


# Refusals and retries -------------------------------------------------------------------------------


def test_a_refused_recipient_does_not_block_the_others_and_is_sent_once_later(
    api_client, pool, refusing, django_capture_on_commit_callbacks
):
    refusing.add(pool.officer.email)
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    before = timezone.now()
    sent = by_recipient(deliver())
    after = timezone.now()
    assert set(sent) == {
        pool.lead.email,
        pool.member.email,
        pool.facilitator.email,
        pool.booker.email,
    }
    failed = invite_to(pool.officer.email)
    assert (failed.status, failed.attempts) == (InviteStatus.FAILED, 1)
    assert "Refused" in failed.last_error and "Mailbox unavailable" in failed.last_error
    assert before + backoff(1) <= failed.next_attempt_at <= after + backoff(1)

    # Not due yet: nothing is queued.
    assert tasks.retry_due_invites() == {"queued": 0, "outcome_unknown": 0}
    assert deliver() == []

    refusing.clear()  # the mailbox is back
    due_now(failed)
    assert tasks.retry_due_invites()["queued"] == 1
    (retried,) = deliver()
    assert retried.to == pool.officer.email
    failed.refresh_from_db()
    assert (failed.status, failed.attempts) == (InviteStatus.SENT, 2)
    assert failed.last_error == ""
    assert tasks.retry_due_invites()["queued"] == 0 and deliver() == []
    for peer in (pool.lead, pool.member, pool.officer):
        assert count_to(peer.email) == 1


def test_retries_back_off_then_give_up_and_staff_can_resend_from_the_admin(
    admin_client, api_client, pool, refusing, django_capture_on_commit_callbacks
):
    refusing.add(pool.officer.email)
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    invite = invite_to(pool.officer.email)
    while True:
        invite.refresh_from_db()
        if invite.status == InviteStatus.GAVE_UP:
            break
        due_now(invite)
        before = timezone.now()
        tasks.retry_due_invites()
        run_queued_tasks()
        invite.refresh_from_db()
        if invite.status == InviteStatus.FAILED:
            after = timezone.now()
            wait = backoff(invite.attempts)
            assert before + wait <= invite.next_attempt_at <= after + wait
    assert invite.attempts == MAX_ATTEMPTS
    assert invite.last_error.startswith(f"Gave up after {MAX_ATTEMPTS} attempts")
    assert [backoff(n) for n in range(1, 9)] == [
        timedelta(minutes=m) for m in (1, 2, 4, 8, 16, 32, 60, 60)
    ]
    assert count_to(pool.officer.email) == 0

    # Gave-up rows are visible to staff, who resend once the problem is fixed.
    listing = admin_client.get("/admin/offer_sessions/invite/", {"status": "gave-up"})
    assert listing.status_code == 200
    page = listing.content.decode()
    assert pool.officer.email in page and pool.lead.email not in page
    refusing.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/admin/offer_sessions/invite/",
            {"action": "resend", "_selected_action": [invite.pk]},
            follow=True,
        )
    assert "1 message(s) queued to be sent again" in response.content.decode()
    (resent,) = deliver()
    assert resent.to == pool.officer.email
    invite.refresh_from_db()
    assert invite.status == InviteStatus.SENT
    assert resent.message["Message-ID"] == invite.message_id
    assert admin_client.get(f"/admin/offer_sessions/invite/{invite.pk}/change/").status_code == 200


# Never twice --------------------------------------------------------------------------------------


def test_a_row_another_worker_is_sending_is_left_alone_and_resent_only_if_never_handed_over(
    api_client, pool, django_capture_on_commit_callbacks
):
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    lead = invite_to(pool.lead.email)
    # Another worker claimed the lead's row a moment ago (its lease is running) ...
    Invite.objects.filter(pk=lead.pk).update(
        status=InviteStatus.SENDING,
        attempts=1,
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    sent = by_recipient(deliver())
    assert pool.lead.email not in sent and len(sent) == 4
    assert tasks.retry_due_invites()["queued"] == 0

    # ... and died before handing the message to the mail server; its lease runs out.
    due_now(lead)
    assert tasks.retry_due_invites() == {"queued": 1, "outcome_unknown": 0}
    (recovered,) = deliver()
    assert recovered.to == pool.lead.email
    lead.refresh_from_db()
    assert (lead.status, lead.attempts) == (InviteStatus.SENT, 2)
    assert count_to(pool.lead.email) == 1


def test_a_worker_that_died_after_handing_over_does_not_cause_a_second_copy(
    api_client, pool, django_capture_on_commit_callbacks
):
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    lead = Invite.objects.select_related("session__offer", "session__booking__council").get(
        recipient_email=pool.lead.email
    )
    # The worker claimed the row, handed the message over (the server took it) and died
    # before it could mark the row sent.
    message = invite_message(lead, now=timezone.now())
    message.send()
    Invite.objects.filter(pk=lead.pk).update(
        status=InviteStatus.SENDING,
        attempts=1,
        message_id=message.extra_headers["Message-ID"],
        next_attempt_at=timezone.now() + timedelta(minutes=5),
    )
    deliver()  # the other three; the lead's queued task finds the row taken
    assert count_to(pool.lead.email) == 1

    due_now(lead)  # the lease runs out
    assert tasks.retry_due_invites() == {"queued": 0, "outcome_unknown": 1}
    assert deliver() == []
    assert count_to(pool.lead.email) == 1
    lead.refresh_from_db()
    assert lead.status == InviteStatus.GAVE_UP
    assert lead.last_error.startswith("Outcome unknown")
    assert lead.message_id == Mail.of(mail.outbox[0]).message["Message-ID"]


def test_an_unknown_outcome_is_not_retried(
    api_client, pool, settings, django_capture_on_commit_callbacks
):
    settings.MAILERS = {"default": {"BACKEND": f"{BACKEND}.DroppingBackend"}}
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    assert len(mail.outbox) == 5  # the server did take them
    assert set(Invite.objects.values_list("status", flat=True)) == {InviteStatus.GAVE_UP}
    assert all(i.last_error.startswith("Outcome unknown") for i in Invite.objects.all())
    assert tasks.retry_due_invites()["queued"] == 0
    assert deliver() == [] and len(mail.outbox) == 5


def test_a_lost_task_is_queued_again(api_client, pool, django_capture_on_commit_callbacks):
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    get_broker().purge_queue()  # the broker lost the tasks
    assert tasks.retry_due_invites()["queued"] == 0  # too young to be called lost
    Invite.objects.update(created_at=timezone.now() - timedelta(minutes=3))
    assert tasks.retry_due_invites()["queued"] == 5
    assert len(by_recipient(deliver())) == 5
    assert set(Invite.objects.values_list("status", flat=True)) == {InviteStatus.SENT}


def test_a_message_a_later_one_supersedes_is_not_sent(
    api_client, pool, django_capture_on_commit_callbacks
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            f"/bookings/{booking.id}/cancel",
            json={"reason": "Booked in error"},
            headers=bearer(pool.booker),
        )
    mails = by_recipient(deliver())
    assert len(mails) == 5 and {m.method for m in mails.values()} == {"CANCEL"}
    requests = Invite.objects.filter(method="REQUEST")
    assert {i.status for i in requests} == {InviteStatus.SUPERSEDED}
    assert all(i.last_error.startswith("Superseded") for i in requests)


# Reminders ----------------------------------------------------------------------------------------


def test_reminders_go_48_and_2_hours_before_once_each_and_anew_after_a_move(
    api_client, pool, refusing, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    booking = a_booking(pool, london(pool.day, 10), capture=capture)
    deliver()
    session = Session.objects.get()
    people = {
        pool.lead.email,
        pool.member.email,
        pool.officer.email,
        pool.facilitator.email,
        pool.booker.email,
    }
    mail.outbox.clear()

    assert reminders.reminders_send(now=session.start - timedelta(hours=49)) == 0
    refusing.add(pool.member.email)
    assert reminders.reminders_send(now=session.start - timedelta(hours=47)) == 4
    refusing.clear()
    # The refused one is tried again on the next run; the others are not sent twice.
    assert reminders.reminders_send(now=session.start - timedelta(hours=46, minutes=45)) == 1
    two_days = [Mail.of(m) for m in mail.outbox]
    assert {m.to for m in two_days} == people and len(two_days) == 5
    lead = next(m for m in two_days if m.to == pool.lead.email)
    assert lead.subject.startswith("Reminder: LGA Recovery & Renewal Panel for Wigan Council")
    assert "in 2 days" in lead.subject and "/my-sessions/" in lead.text

    assert reminders.reminders_send(now=session.start - timedelta(hours=1, minutes=50)) == 5
    assert reminders.reminders_send(now=session.start - timedelta(hours=1)) == 0
    assert all("in 2 hours" in Mail.of(m).subject for m in mail.outbox[5:])
    assert Reminder.objects.count() == 10

    # A declined peer is not reminded; a moved session is reminded again at its new time.
    new_start = london(pool.day + timedelta(days=1), 10)
    with capture(execute=True):
        api_client.post(
            f"/bookings/{booking.id}/reschedule",
            json={"start": new_start.isoformat()},
            headers=bearer(pool.booker),
        )
    Seat.objects.filter(peer=pool.officer, status=SeatStatus.INVITED).update(
        status=SeatStatus.DECLINED
    )
    assert reminders.reminders_send(now=new_start - timedelta(hours=40)) == 4


def test_a_cancelled_session_gets_no_reminders(
    api_client, pool, django_capture_on_commit_callbacks
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    api_client.post(
        f"/bookings/{booking.id}/cancel", json={"reason": "No"}, headers=bearer(pool.booker)
    )
    session = Session.objects.get()
    assert reminders.reminders_send(now=session.start - timedelta(hours=47)) == 0


def test_the_schedules_are_installed():
    retry = Schedule.objects.get(func="sessions.tasks.retry_due_invites")
    remind = Schedule.objects.get(func="sessions.tasks.send_reminders")
    assert (retry.schedule_type, retry.minutes, retry.repeats) == (Schedule.MINUTES, 1, -1)
    assert (remind.schedule_type, remind.minutes) == (Schedule.MINUTES, 15)


@pytest.mark.django_db(transaction=True)
def test_two_workers_sending_at_once_send_each_message_once(catalogue, pool):
    from django.db import connection

    from peers.selectors import caller_for
    from sessions.models import Offer
    from sessions.services import booking_create
    from sessions.services.mail import invite_deliver

    booking_create(
        caller=caller_for(pool.booker),
        offer=Offer.objects.get(slug=PANEL),
        council=pool.council,
        start=london(pool.day, 10),
    )
    ids = list(Invite.objects.values_list("pk", flat=True))
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def worker():
        try:
            barrier.wait()
            outcomes.extend(invite_deliver(invite_id=invite_id) for invite_id in ids)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["not-claimed"] * 5 + ["sent"] * 5
    assert sorted(Mail.of(m).to for m in mail.outbox) == sorted(
        i.recipient_email for i in Invite.objects.all()
    )
