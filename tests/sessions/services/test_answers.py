"""Answers to invites: signed links (a page, then a button), the seats API and the My sessions
page; a decline re-staffs the seat at once, or leaves it unfilled and tells the adviser."""

import re
import time
from collections import Counter
from datetime import UTC, timedelta
from urllib.parse import quote

import pytest
from django.core import signing
from django.utils import timezone

from peers.models import BusyEvent, Skill
from scheduling.engine.uk_time import LONDON
from sessions.models import Seat, SeatStatus, Session
from sessions.services import answers
from tests.factories import (
    a_booking,
    bearer,
    import_calendar,
    london,
    make_available,
    make_peer,
    make_user,
)
from tests.interop.parsers import read_calendar
from tests.sent_mail import assert_imip, by_recipient, deliver, links, path_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]


@pytest.fixture
def booked(pool, django_capture_on_commit_callbacks):
    """The panel booked and its invites sent: (booking, mails by recipient)."""
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    return booking, by_recipient(deliver())


def reserve_member(pool):
    return make_available(
        make_peer(
            name="Reserve Member",
            political_group="conservative",
            home_council=pool.member.home_council,
        )
    )


def seat_of(peer) -> Seat:
    return Seat.objects.filter(peer=peer).latest("id")


# The signed links -----------------------------------------------------------------------------


def test_opening_an_answer_link_changes_nothing_and_its_button_accepts(client, pool, booked):
    _, mails = booked
    accept = path_of(links(mails[pool.lead.email].text)["accept"])

    page = client.get(accept)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Accept this seat?" in text and "Lead member peer" in text
    assert 'method="post"' in text and "Accept the seat" in text
    assert seat_of(pool.lead).status == SeatStatus.INVITED  # a mail scanner's visit did nothing

    done = client.post(accept)
    assert done.status_code == 200 and "Thank you: seat accepted" in done.content.decode()
    seat = seat_of(pool.lead)
    assert (seat.status, seat.answered_sequence) == (SeatStatus.ACCEPTED, 0)

    # Used: a clear page, and nothing changes (not even through the decline link).
    again = client.post(accept)
    assert again.status_code == 409 and "already accepted" in again.content.decode()
    decline = path_of(links(mails[pool.lead.email].text)["decline"])
    refused = client.post(decline)
    assert refused.status_code == 409 and "Nothing has been changed" in refused.content.decode()
    assert seat_of(pool.lead).status == SeatStatus.ACCEPTED


def test_a_tampered_or_expired_link_shows_a_clear_page_and_changes_nothing(client, pool, booked):
    _, mails = booked
    accept = path_of(links(mails[pool.lead.email].text)["accept"])
    token = accept.rstrip("/").rsplit("/", 1)[1]
    tampered = accept.replace(token, token[:-3] + ("AAA" if token[-3:] != "AAA" else "BBB"))
    for response in (client.get(tampered), client.post(tampered)):
        assert response.status_code == 400
        assert "This link cannot be used" in response.content.decode()
    # Someone else's seat in a well-formed payload is refused without the signature.
    forged = client.post(f"/answer/{signing.dumps({'seat': 1, 'seq': 0, 'answer': 'decline'})}/")
    assert forged.status_code == 400

    class LongAgo(signing.TimestampSigner):
        def timestamp(self):
            lifetime = answers.ANSWER_LINK_LIFETIME + timedelta(days=1)
            return signing.b62_encode(int(time.time() - lifetime.total_seconds()))

    seat = seat_of(pool.lead)
    old = LongAgo(salt=answers.ANSWER_SALT).sign_object(
        {"seat": seat.pk, "seq": 0, "answer": "decline"}
    )
    response = client.post(f"/answer/{old}/")
    assert response.status_code == 410 and "expired" in response.content.decode()
    assert seat_of(pool.lead).status == SeatStatus.INVITED


def test_the_answer_links_work_until_the_session_starts_and_the_letter_says_so(
    client, pool, booked
):
    booking, mails = booked
    session = Session.objects.get(booking=booking)
    text = mails[pool.lead.email].text
    start = session.start.astimezone(LONDON)
    assert (
        "The accept and decline links work without signing in until the session starts "
        f"({start:%A} {start.day} {start:%B %Y}, {start:%H:%M} UK time)." in text
    )
    # No other day is named: the only days in the letter are the session's.
    named = set(re.findall(r"(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day \d+ \w+ \d{4}", text))
    assert named == {f"{start:%A} {start.day} {start:%B %Y}"}

    # The links carry that end: one signed for a session that has started has expired.
    seat = seat_of(pool.lead)
    started = answers.answer_token(
        seat_id=seat.pk, sequence=0, answer="accept", until=timezone.now() - timedelta(minutes=1)
    )
    response = client.post(f"/answer/{started}/")
    assert response.status_code == 410
    assert "the session it answers has started or taken place" in response.content.decode()
    assert seat_of(pool.lead).status == SeatStatus.INVITED
    # A link is good until then however far ahead the session is (no fixed number of days).
    far = answers.answer_ticket(
        answers.answer_token(seat_id=seat.pk, sequence=0, answer="accept"),
        now=session.start - timedelta(seconds=1),
    )
    assert far.seat_id == seat.pk
    with pytest.raises(answers.AnswerLinkInvalid):
        answers.answer_ticket(
            answers.answer_token(seat_id=seat.pk, sequence=0, answer="accept"), now=session.start
        )


def test_a_link_from_before_an_update_is_refused(
    client, api_client, pool, booked, django_capture_on_commit_callbacks
):
    booking, mails = booked
    old_accept = path_of(links(mails[pool.lead.email].text)["accept"])
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            f"/bookings/{booking.id}/reschedule",
            json={"start": london(pool.day, 13).isoformat()},
            headers=bearer(pool.booker),
        )
    updated = by_recipient(deliver())[pool.lead.email]
    response = client.post(old_accept)
    assert response.status_code == 409 and "updated since" in response.content.decode()
    assert seat_of(pool.lead).status == SeatStatus.INVITED
    new_accept = path_of(links(updated.text)["accept"])
    assert client.post(new_accept).status_code == 200
    seat = seat_of(pool.lead)
    assert (seat.status, seat.answered_sequence) == (SeatStatus.ACCEPTED, 1)


def test_an_answer_for_a_cancelled_session_says_so(
    client, api_client, pool, booked, django_capture_on_commit_callbacks
):
    booking, mails = booked
    accept = path_of(links(mails[pool.member.email].text)["accept"])
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            f"/bookings/{booking.id}/cancel",
            json={"reason": "Called off"},
            headers=bearer(pool.booker),
        )
    for response in (client.get(accept), client.post(accept)):
        assert response.status_code == 409
        assert "This session was cancelled" in response.content.decode()
    peer_user = make_user()
    pool.member.user = peer_user
    pool.member.save()
    seat = seat_of(pool.member)
    response = api_client.post(f"/seats/{seat.pk}/accept", headers=bearer(peer_user))
    assert response.status_code == 409
    assert response.json()["code"] == "cancelled"
    assert "This session was cancelled" in response.json()["detail"]
    assert seat_of(pool.member).status == SeatStatus.WITHDRAWN


# Declines and re-staffing -------------------------------------------------------------------------


def test_a_decline_through_the_link_invites_a_replacement_and_tells_the_booker(
    client, pool, booked, django_capture_on_commit_callbacks, run_worker
):
    reserve = reserve_member(pool)
    booking, mails = booked
    decline = path_of(links(mails[pool.member.email].text)["decline"])
    page = client.get(decline)
    assert "Are you sure you want to decline this seat?" in page.content.decode()
    assert "Why are you declining? (optional)" in page.content.decode()
    assert seat_of(pool.member).status == SeatStatus.INVITED

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(decline)
    assert done.status_code == 200 and "Thank you: seat declined" in done.content.decode()
    assert "The LGA is finding a replacement" in done.content.decode()
    assert seat_of(pool.member).status == SeatStatus.DECLINED
    # The answer only records the decline: the worker finds the replacement.
    assert not Seat.objects.filter(peer=reserve).exists()
    assert Session.objects.get().sequence == 0

    assert run_worker() == [{"invited": 1, "removed": 0, "unfilled": 0}]
    replacement = seat_of(reserve)
    assert (replacement.role_name, replacement.status) == ("Member peer", SeatStatus.INVITED)
    session = Session.objects.get()
    assert session.sequence == 1

    sent = by_recipient(deliver())
    # The replacement is invited; the booker is told; everyone else is left alone.
    assert set(sent) == {reserve.email, pool.booker.email}
    invite = sent[reserve.email]
    event = assert_imip(invite, "REQUEST")
    assert event["sequence"] == 1 and event["uid"] == session.uid
    assert "You are invited to take the Member peer seat" in invite.text
    booker = sent[pool.booker.email]
    assert_imip(booker, "REQUEST")
    assert "Member Green declined the Member peer seat." in booker.text
    assert (
        "Reserve Member replaces Member Green in the Member peer seat, as Member Green declined."
        in booker.text
    )
    assert "- Member peer: Reserve Member (invited)" in booker.text

    # The peers kept can still answer with the links they had.
    lead_accept = path_of(links(mails[pool.lead.email].text)["accept"])
    assert client.post(lead_accept).status_code == 200
    assert seat_of(pool.lead).status == SeatStatus.ACCEPTED
    # And the replacement's own link works.
    assert client.post(path_of(links(invite.text)["accept"])).status_code == 200
    assert seat_of(reserve).status == SeatStatus.ACCEPTED


def test_a_decline_through_the_api_may_say_why(api_client, pool, booked):
    peer_user = make_user()
    pool.member.user = peer_user
    pool.member.save()
    seat = seat_of(pool.member)
    path = f"/seats/{seat.pk}/decline"
    too_long = api_client.post(path, json={"reason": "x" * 1001}, headers=bearer(peer_user))
    assert too_long.status_code == 422
    unknown = api_client.post(path, json={"why": "Away"}, headers=bearer(peer_user))
    assert unknown.status_code == 422
    assert seat_of(pool.member).status == SeatStatus.INVITED  # refused: nothing changed
    said = api_client.post(
        path, json={"reason": "  At a budget meeting that day.  "}, headers=bearer(peer_user)
    )
    assert said.status_code == 200, said.json()
    seat = Seat.objects.get(pk=seat.pk)
    assert (seat.status, seat.answer_reason) == (
        SeatStatus.DECLINED,
        "At a budget meeting that day.",
    )


def test_a_decline_through_the_api_with_no_one_left_tells_the_adviser(
    client, api_client, pool, booked, django_capture_on_commit_callbacks, run_worker
):
    booking, _ = booked
    adviser = make_user("adviser1", first_name="Ada", last_name="Adviser")
    pool.council.principal_adviser = adviser
    pool.council.save()
    peer_user = make_user()
    pool.member.user = peer_user
    pool.member.save()
    seat = seat_of(pool.member)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/seats/{seat.pk}/decline", headers=bearer(peer_user))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "declined"
    assert response.json()["sequence"] == 0  # re-staffing is the worker's
    assert run_worker() == [{"invited": 0, "removed": 0, "unfilled": 1}]
    assert Session.objects.get().sequence == 1  # raised by the re-staffing
    unfilled = Seat.objects.get(session=seat.session, role_name="Member peer", peer=None)
    assert unfilled.status == SeatStatus.PROPOSED
    assert unfilled.unfilled_reason  # the matcher's account of why no one is left
    # Everyone else keeps their seat.
    assert seat_of(pool.lead).status == SeatStatus.INVITED
    assert seat_of(pool.officer).status == SeatStatus.INVITED

    sent = by_recipient(deliver())
    assert set(sent) == {adviser.email, pool.booker.email}
    told = sent[adviser.email]
    event = assert_imip(told, "REQUEST")
    assert event["attendees"][0]["role"] == "NON-PARTICIPANT"
    assert event["attendees"][0]["rsvp"] == "FALSE"  # for information: no answer asked
    assert told.subject.startswith("Seat unfilled: ")
    assert f"Member peer: {unfilled.unfilled_reason}" in told.text
    # The panel's line for the seat: a dash before the reason, never brackets in brackets.
    assert f"- Member peer: not filled – {unfilled.unfilled_reason}" in told.text
    assert not re.search(r"\([^()]*\(", told.text)
    assert f"/bookings/{booking.id}/" in told.text
    assert "The Member peer seat could not be filled" in sent[pool.booker.email].text

    client.force_login(pool.booker)
    page = client.get(f"/bookings/{booking.id}/").content.decode()
    assert "Unfilled" in page and unfilled.unfilled_reason in page

    # A second answer to a declined seat is a conflict, and changes nothing.
    again = api_client.post(f"/seats/{seat.pk}/accept", headers=bearer(peer_user))
    assert again.status_code == 409 and again.json()["code"] == "declined"

    # When an eligible peer joins the pool, the next decline fills the empty seat too.
    reserve = reserve_member(pool)
    officer_user = make_user()
    pool.officer.user = officer_user
    pool.officer.save()
    backup = make_available(
        make_peer(
            kind="officer",
            name="Backup Officer",
            home_council=pool.officer.home_council,
            skills=["recovery-planning"],
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/seats/{seat_of(pool.officer).pk}/decline", headers=bearer(officer_user)
        )
    assert response.status_code == 200
    run_worker()
    assert seat_of(reserve).status == SeatStatus.INVITED
    assert seat_of(backup).status == SeatStatus.INVITED
    assert Session.objects.get().sequence == 2
    sent = by_recipient(deliver())
    assert set(sent) == {reserve.email, backup.email, pool.booker.email, adviser.email}
    told = sent[adviser.email].text
    assert "Every seat on its panel is now filled." in told
    # The adviser's update lists each change since the "Seat unfilled" letter, in words.
    assert told.split("What has changed:\n")[1].split("\n\n")[0].splitlines() == [
        "- Officer Recovery declined the Officer peer seat.",
        "- Reserve Member has been invited to the Member peer seat, which was unfilled.",
        "- Backup Officer replaces Officer Recovery in the Officer peer seat, as Officer "
        "Recovery declined.",
    ]


def test_a_seated_peer_whose_calendar_holds_the_session_is_not_moved_by_a_decline(
    api_client, pool, booked, django_capture_on_commit_callbacks, run_worker
):
    """Peers' own calendars soon hold the sessions they accepted; that is not a clash."""
    booking, _ = booked
    session = Session.objects.get()
    import_calendar(
        pool.lead,
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:{session.uid}\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:{session.start.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n"
            f"DTEND:{session.end.astimezone(UTC):%Y%m%dT%H%M%SZ}\r\n"
            f"SUMMARY:{session.uid}\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode(),
    )
    assert BusyEvent.objects.filter(calendar__peer=pool.lead).count() == 1
    reserve_member(pool)
    peer_user = make_user()
    pool.member.user = peer_user
    pool.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/seats/{seat_of(pool.member).pk}/decline", headers=bearer(peer_user)
        )
    assert response.status_code == 200
    assert run_worker() == [{"invited": 1, "removed": 0, "unfilled": 0}]
    lead = seat_of(pool.lead)
    assert lead.status == SeatStatus.INVITED and lead.role_name == "Lead member peer"


def test_a_decline_in_a_coaching_series_moves_every_call_to_one_new_facilitator(
    api_client, pool, django_capture_on_commit_callbacks, run_worker
):
    coaching = Skill.objects.get(slug="leadership-coaching")
    pool.officer.skills.add(coaching)
    second = make_available(
        make_peer(
            kind="officer",
            name="Second Coach",
            home_council=pool.officer.home_council,
            skills=["leadership-coaching"],
        )
    )
    booking = a_booking(
        pool,
        london(pool.day, 14),
        capture=django_capture_on_commit_callbacks,
        offer="one-to-one-leadership-development",
    )
    deliver()
    coaches = set(Seat.objects.filter(session__booking=booking).values_list("peer", flat=True))
    assert len(coaches) == 1  # one facilitator for the series
    first = pool.officer if coaches == {pool.officer.id} else second
    other = second if first is pool.officer else pool.officer
    first.user = make_user()
    first.save()
    call_2 = Seat.objects.get(peer=first, session__number=2)

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/seats/{call_2.pk}/decline", headers=bearer(first.user))
    assert response.status_code == 200, response.json()
    run_worker()
    sessions = list(Session.objects.order_by("number"))
    assert [s.sequence for s in sessions] == [1, 1, 1]
    for session in sessions:
        (holder,) = Seat.objects.filter(session=session, status=SeatStatus.INVITED)
        assert holder.peer_id == other.id
    assert {s.status for s in Seat.objects.filter(peer=first)} == {
        SeatStatus.DECLINED,
        SeatStatus.WITHDRAWN,
    }

    sent = deliver()
    got = Counter((m.to, m.method) for m in sent)
    assert got == {
        (other.email, "REQUEST"): 3,
        (first.email, "CANCEL"): 2,  # the calls they did not decline leave their calendar
        (pool.booker.email, "REQUEST"): 3,
    }
    for message in sent:
        event = assert_imip(message, message.method)
        assert event["sequence"] == 1
    assert {read_calendar(m.calendar)["events"][0]["uid"] for m in sent if m.to == other.email} == {
        s.uid for s in sessions
    }


def test_withdrawing_on_my_sessions_asks_first_and_its_reason_reaches_the_history_and_adviser(
    client, pool, booked, django_capture_on_commit_callbacks, run_worker
):
    booking, _ = booked
    adviser = make_user("adviser1", first_name="Ada", last_name="Adviser")
    pool.council.principal_adviser = adviser
    pool.council.save()
    peer_user = make_user()
    pool.member.user = peer_user
    pool.member.save()
    client.force_login(peer_user)
    seat = seat_of(pool.member)
    client.post(f"/my-sessions/seats/{seat.pk}/accept/")
    assert seat_of(pool.member).status == SeatStatus.ACCEPTED

    # My sessions offers "Withdraw" as a link to a page that asks: it changes nothing itself.
    mine = client.get("/my-sessions/").content.decode()
    confirm = f"/my-sessions/seats/{seat.pk}/decline/"
    assert f'href="{confirm}"' in mine and ">Withdraw<" in mine
    assert f'action="{confirm}"' not in mine
    page = client.get(confirm)
    text = page.content.decode()
    assert page.status_code == 200
    assert "Are you sure you want to withdraw from this panel?" in text
    assert "The LGA looks for another peer to take your seat straight away." in text
    assert "The council's booker is told who takes your place." in text
    assert "Why are you withdrawing? (optional)" in text
    assert "Yes, withdraw from this panel" in text and "No, keep my seat" in text
    assert seat_of(pool.member).status == SeatStatus.ACCEPTED

    # A reason too long is refused with a sentence, and changes nothing.
    too_long = client.post(confirm, {"reason": "x" * 1001})
    assert too_long.status_code == 200
    assert "The reason must be 1000 characters or fewer (it has 1001)." in (
        too_long.content.decode()
    )
    assert seat_of(pool.member).status == SeatStatus.ACCEPTED

    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(confirm, {"reason": "  A family matter came up.  "}, follow=True)
    assert "You have withdrawn from the Member peer seat" in done.content.decode()
    declined = seat_of(pool.member)
    assert declined.status == SeatStatus.DECLINED
    assert declined.answer_reason == "A family matter came up."
    # The page for a seat already given up says why nothing more can be done, with no button.
    again = client.get(confirm)
    assert again.status_code == 409
    assert "You have already declined this seat" in again.content.decode()
    assert "Yes, withdraw" not in again.content.decode()

    run_worker()
    sent = by_recipient(deliver())
    # The adviser (LGA) reads the reason; the council's booker is told only of the change.
    assert (
        "Member Green withdrew from the Member peer seat, saying: \u201cA family matter came "
        "up.\u201d" in sent[adviser.email].text
    )
    booker = sent[pool.booker.email].text
    assert "Member Green withdrew from the Member peer seat." in booker
    assert "family matter" not in booker

    # LGA staff and the adviser read it in the booking's history.
    client.force_login(adviser)
    history = client.get(f"/bookings/{booking.id}/").content.decode()
    assert "A family matter came up." in history


def test_the_e_mailed_decline_link_takes_an_optional_reason(
    client, pool, booked, django_capture_on_commit_callbacks
):
    _, mails = booked
    decline = path_of(links(mails[pool.officer.email].text)["decline"])
    assert client.post(decline, {"reason": "\x00"}).status_code == 200  # the form refuses it
    assert seat_of(pool.officer).status == SeatStatus.INVITED
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(decline, {"reason": "On leave that week."})
    assert "Thank you: seat declined" in done.content.decode()
    assert seat_of(pool.officer).answer_reason == "On leave that week."


# The seats API -----------------------------------------------------------------------------------


def test_the_seats_api_lists_and_answers_only_the_callers_seats(api_client, pool, booked):
    peer_user, other_user = make_user(), make_user()
    pool.lead.user = peer_user
    pool.lead.save()
    pool.officer.user = other_user
    pool.officer.save()
    assert api_client.get("/seats").status_code == 401
    assert api_client.get("/seats", headers=bearer(pool.booker)).status_code == 403

    seats = api_client.get("/seats", headers=bearer(peer_user)).json()
    assert len(seats) == 1
    (mine,) = seats
    assert (mine["role"], mine["status"], mine["can_accept"], mine["can_decline"]) == (
        "Lead member peer",
        "invited",
        True,
        True,
    )
    assert mine["title"] == "LGA Recovery & Renewal Panel for Wigan Council"

    accepted = api_client.post(f"/seats/{mine['id']}/accept", headers=bearer(peer_user))
    assert accepted.status_code == 200
    assert (accepted.json()["status"], accepted.json()["answered_sequence"]) == ("accepted", 0)
    assert accepted.json()["can_accept"] is False and accepted.json()["can_decline"] is True
    # Accepting again is harmless.
    assert (
        api_client.post(f"/seats/{mine['id']}/accept", headers=bearer(peer_user)).status_code == 200
    )

    officer_seat = seat_of(pool.officer)
    response = api_client.post(f"/seats/{officer_seat.pk}/decline", headers=bearer(peer_user))
    assert response.status_code == 403
    assert seat_of(pool.officer).status == SeatStatus.INVITED
    assert api_client.post("/seats/999999/accept", headers=bearer(peer_user)).status_code == 404


# The My sessions page ----------------------------------------------------------------------------


def test_my_sessions_lists_a_peers_seats_and_takes_answers(client, pool, booked):
    reserve_member(pool)
    peer_user = make_user()
    pool.member.user = peer_user
    pool.member.save()
    client.force_login(peer_user)
    home = client.get("/").content.decode()
    assert 'href="/my-sessions/"' in home

    page = client.get("/my-sessions/").content.decode()
    assert "LGA Recovery &amp; Renewal Panel for Wigan Council" in page
    assert "Member peer" in page and "Invited" in page
    seat = seat_of(pool.member)
    assert f'action="/my-sessions/seats/{seat.pk}/accept/"' in page

    response = client.post(f"/my-sessions/seats/{seat.pk}/accept/", follow=True)
    assert "You have accepted the Member peer seat" in response.content.decode()
    assert seat_of(pool.member).status == SeatStatus.ACCEPTED

    response = client.post(f"/my-sessions/seats/{seat.pk}/decline/", follow=True)
    assert "You have withdrawn from the Member peer seat" in response.content.decode()
    assert seat_of(pool.member).status == SeatStatus.DECLINED
    assert "Declined" in client.get("/my-sessions/").content.decode()

    # Someone else's seat, or someone who is not a peer, is refused.
    lead_seat = seat_of(pool.lead)
    assert client.post(f"/my-sessions/seats/{lead_seat.pk}/accept/").status_code == 403
    assert client.get(f"/my-sessions/seats/{lead_seat.pk}/decline/").status_code == 403
    assert client.get(f"/my-sessions/seats/{seat.pk}/accept/").status_code == 405
    assert seat_of(pool.lead).status == SeatStatus.INVITED
    client.force_login(pool.booker)
    assert client.get("/my-sessions/").status_code == 403
    assert 'href="/my-sessions/"' not in client.get("/").content.decode()


def test_a_peer_in_another_zone_sees_their_own_time_beside_uk_time_on_every_page(
    client, pool, booked
):
    from scheduling.engine.uk_time import when_text

    booking, mails = booked
    session = Session.objects.get(booking=booking)
    pool.lead.time_zone = "America/New_York"
    pool.lead.user = make_user()
    pool.lead.save()
    when = when_text(session.start, session.end, "America/New_York")
    assert "your time (America/New_York)" in when
    client.force_login(pool.lead.user)
    seat = seat_of(pool.lead)
    for path in (
        "/my-sessions/",
        f"/my-sessions/seats/{seat.pk}/decline/",
        path_of(links(mails[pool.lead.email].text)["accept"]),
    ):
        assert when in client.get(path).content.decode(), path
    # A peer in UK time sees UK time alone.
    pool.member.user = make_user()
    pool.member.save()
    client.force_login(pool.member.user)
    page = client.get("/my-sessions/").content.decode()
    assert f"{when_text(session.start, session.end)}<" in page and "your time" not in page


def test_the_feed_link_is_shown_once_and_can_be_renewed_or_turned_off(client, pool):
    from sessions.webinars.selectors.feed_tokens import feed_token_owner

    peer_user = make_user()
    pool.lead.user = peer_user
    pool.lead.save()
    client.force_login(peer_user)
    assert "Create a feed link" in client.get("/my-sessions/").content.decode()

    response = client.post("/my-sessions/feed/", {"action": "issue"})
    assert "no-store" in response["Cache-Control"]  # the secret stays out of caches
    issued = response.content.decode()
    assert "Here is your feed link." in issued and "no longer works" not in issued
    url = issued.split('id="peer-feed" type="text" readonly spellcheck="false" value="', 1)[1]
    url = url.split('"', 1)[0]
    assert url.startswith("http://127.0.0.1:8000/calendars/u/") and url.endswith(".ics")
    token = url.removeprefix("http://127.0.0.1:8000/calendars/u/").removesuffix(".ics")
    assert feed_token_owner(token).peer == pool.lead
    webcal = url.replace("http://", "webcal://")
    assert f'href="{webcal}"' in issued
    assert f'href="https://calendar.google.com/calendar/r?cid={quote(webcal, safe="")}"' in issued
    # The same ways to subscribe as every feed: Microsoft 365, Outlook.com and a Copy button.
    add_from_web = f"addfromweb?url={quote(url, safe='')}&amp;name=Your%20LGA%20peer%20sessions"
    assert f'href="https://outlook.office.com/calendar/0/{add_from_web}"' in issued
    assert f'href="https://outlook.live.com/calendar/0/{add_from_web}"' in issued
    assert 'data-copy="peer-feed"' in issued and "Copy link" in issued

    later = client.get("/my-sessions/").content.decode()
    assert token not in later and "Renew the feed link" in later

    renewed = client.post("/my-sessions/feed/", {"action": "issue"}).content.decode()
    assert "Here is your new feed link." in renewed and "The old one no longer works" in renewed
    new_url = renewed.split('id="peer-feed" type="text" readonly spellcheck="false" value="', 1)[1]
    new_url = new_url.split('"', 1)[0]
    assert new_url != url and feed_token_owner(token) is None

    response = client.post("/my-sessions/feed/", {"action": "revoke"}, follow=True)
    assert "Your calendar feed is turned off" in response.content.decode()
    new_token = new_url.rsplit("/", 1)[1].removesuffix(".ics")
    assert feed_token_owner(new_token) is None
    assert "Create a feed link" in response.content.decode()


def test_a_peers_reason_is_in_their_export_and_goes_with_their_erasure(
    pool, booked, django_capture_on_commit_callbacks
):
    from privacy.erasure import person_erase
    from privacy.export import person_export

    seat = seat_of(pool.member)
    with django_capture_on_commit_callbacks(execute=True):
        answers.seat_answer(seat_id=seat.pk, accept=False, reason="A hospital appointment.")
    data = person_export(email=pool.member.email)
    assert {s["reason_given"] for s in data["peer"]["seats"]} == {"A hospital appointment."}
    assert Seat.history.filter(answer_reason="A hospital appointment.").exists()
    with django_capture_on_commit_callbacks(execute=True):
        outcome = person_erase(email=pool.member.email)
    assert outcome["counts"]["reasons for declining cleared"] == 1
    assert not Seat.objects.exclude(answer_reason="").exists()
    assert not Seat.history.exclude(answer_reason="").exists()
