"""Calendar clients' answers (METHOD:REPLY) saved from the organiser's mailbox and taken by
`manage.py ingest_replies`: matched by UID and attendee address, older SEQUENCEs ignored,
strangers and unknown UIDs skipped and logged."""

import logging
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.mail import EmailMultiAlternatives
from django.core.management import CommandError, call_command

from scheduling.engine.calendar import CalendarEvent, Person, build_reply
from sessions.models import Seat, SeatStatus, Session
from sessions.services.mail import organizer
from tests.factories import a_booking, bearer, london, make_available, make_peer
from tests.sent_mail import by_recipient, deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]


@pytest.fixture
def booked(pool, django_capture_on_commit_callbacks):
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    return Session.objects.get()


def reply(session: Session, peer, partstat: str, *, sequence=None, uid=None) -> bytes:
    """A REPLY as a calendar client sends it: the attendee alone, with their PARTSTAT."""
    event = CalendarEvent(
        uid=uid or session.uid,
        start=session.start,
        end=session.end,
        summary="LGA Recovery & Renewal Panel",
        sequence=session.sequence if sequence is None else sequence,
    )
    return build_reply(
        event,
        organizer(),
        Person(email=peer.email.upper(), name=peer.name, partstat=partstat, rsvp=False),
        dtstamp=datetime.now(UTC),
    )


def ingest(*paths) -> str:
    out = StringIO()
    call_command("ingest_replies", *[str(p) for p in paths], stdout=out)
    return out.getvalue()


def status_of(peer) -> str:
    return Seat.objects.filter(peer=peer).latest("id").status


def test_an_accept_saved_as_ics_accepts_the_seat(tmp_path, pool, booked):
    path = tmp_path / "accept.ics"
    path.write_bytes(reply(booked, pool.lead, "ACCEPTED"))
    output = ingest(path)
    assert f"accepted: {pool.lead.email}" in output and "1 answer(s) taken, 0 skipped" in output
    seat = Seat.objects.get(peer=pool.lead)
    assert (seat.status, seat.answered_sequence) == (SeatStatus.ACCEPTED, 0)
    # The same answer again is harmless.
    assert "1 answer(s) taken" in ingest(path)
    assert status_of(pool.lead) == SeatStatus.ACCEPTED


def test_a_decline_in_a_saved_message_re_staffs_the_seat(
    tmp_path, pool, booked, django_capture_on_commit_callbacks, run_worker
):
    reserve = make_available(
        make_peer(
            name="Reserve Member",
            political_group="conservative",
            home_council=pool.member.home_council,
        )
    )
    message = EmailMultiAlternatives(
        subject="Declined: LGA Recovery & Renewal Panel",
        body="Member Green has declined this invitation.",
        from_email=pool.member.email,
        to=[organizer().email],
    )
    message.attach_alternative(reply(booked, pool.member, "DECLINED").decode(), "text/calendar")
    path = tmp_path / "declined.eml"
    path.write_bytes(message.message().as_bytes())

    with django_capture_on_commit_callbacks(execute=True):
        output = ingest(path)
    assert f"declined: {pool.member.email}" in output
    assert status_of(pool.member) == SeatStatus.DECLINED
    assert not Seat.objects.filter(peer=reserve).exists()  # the worker finds the replacement
    run_worker()
    assert status_of(reserve) == SeatStatus.INVITED
    sent = by_recipient(deliver())
    assert set(sent) == {reserve.email, pool.booker.email}
    assert sent[reserve.email].method == "REQUEST"


def test_an_answer_to_an_older_sequence_is_ignored(
    tmp_path, api_client, pool, booked, django_capture_on_commit_callbacks
):
    old = reply(booked, pool.officer, "DECLINED", sequence=0)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            f"/bookings/{booked.booking_id}/reschedule",
            json={"start": london(pool.day, 13).isoformat()},
            headers=bearer(pool.booker),
        )
    booked.refresh_from_db()
    assert booked.sequence == 1
    (tmp_path / "old.ics").write_bytes(old)
    output = ingest(tmp_path / "old.ics")
    assert "ignored: an answer to SEQUENCE 0, older than 1" in output
    assert status_of(pool.officer) == SeatStatus.INVITED
    (tmp_path / "new.ics").write_bytes(reply(booked, pool.officer, "ACCEPTED"))
    assert "accepted" in ingest(tmp_path / "new.ics")
    assert status_of(pool.officer) == SeatStatus.ACCEPTED


def test_unknown_uids_strangers_and_non_answers_are_skipped_and_logged(
    tmp_path, pool, booked, caplog
):
    stranger = make_peer(name="Someone Else")
    (tmp_path / "a-unknown.ics").write_bytes(
        reply(booked, pool.lead, "ACCEPTED", uid="nobody@example.org")
    )
    (tmp_path / "b-stranger.ics").write_bytes(reply(booked, stranger, "ACCEPTED"))
    (tmp_path / "c-tentative.ics").write_bytes(reply(booked, pool.lead, "TENTATIVE"))
    (tmp_path / "d-not-a-reply.ics").write_bytes(b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")
    (tmp_path / "e-notes.txt").write_text("not looked at")
    nested = tmp_path / "later"
    nested.mkdir()
    (nested / "f-accept.ics").write_bytes(reply(booked, pool.member, "ACCEPTED"))

    with caplog.at_level(logging.INFO):
        output = ingest(tmp_path)
    assert "skipped: no session has UID nobody@example.org" in output
    assert f"skipped: {stranger.email} is not a peer on {booked.uid}" in output
    assert "skipped: TENTATIVE is not an answer we take" in output
    assert "d-not-a-reply.ics: skipped:" in output
    assert "e-notes.txt" not in output
    assert "1 answer(s) taken, 4 skipped" in output
    logged = caplog.text
    assert "unknown UID nobody@example.org" in logged
    assert f"{stranger.email} holds no seat" in logged
    assert status_of(pool.lead) == SeatStatus.INVITED
    assert status_of(pool.member) == SeatStatus.ACCEPTED
    assert not Seat.objects.filter(peer=stranger).exists()


def test_an_answer_for_a_cancelled_session_is_skipped_with_the_reason(
    tmp_path, api_client, pool, booked
):
    api_client.post(
        f"/bookings/{booked.booking_id}/cancel",
        json={"reason": "Called off"},
        headers=bearer(pool.booker),
    )
    (tmp_path / "late.ics").write_bytes(reply(booked, pool.lead, "ACCEPTED", sequence=1))
    output = ingest(tmp_path / "late.ics")
    assert "skipped: This session was cancelled" in output
    assert status_of(pool.lead) == SeatStatus.WITHDRAWN


def test_a_missing_path_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or directory"):
        ingest(tmp_path / "missing.ics")


def test_a_reply_dated_after_the_session_is_refused(tmp_path, pool, booked):
    Session.objects.filter(pk=booked.pk).update(
        start=datetime.now(UTC) - timedelta(hours=3), end=datetime.now(UTC) - timedelta(hours=1)
    )
    booked.refresh_from_db()
    (tmp_path / "late.ics").write_bytes(reply(booked, pool.lead, "DECLINED"))
    assert "skipped: This session has already started" in ingest(tmp_path / "late.ics")
    assert status_of(pool.lead) == SeatStatus.INVITED
