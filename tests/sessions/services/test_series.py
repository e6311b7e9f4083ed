"""A series is answered once: each invitation of a coaching series lists every date, one link
(or one button on My sessions) answers every session the peer sits on while each session can
still be answered alone, and one joining link can be set for all sessions of a booking. Each
session keeps its own invitation, UID and SEQUENCE."""

import pytest

from peers.models import Skill
from scheduling.engine.uk_time import when_text
from sessions.models import Seat, SeatStatus, Session
from sessions.services import answers
from tests.factories import a_booking, bearer, london, make_user
from tests.interop.parsers import read_calendar
from tests.sent_mail import assert_imip, deliver, links, path_of

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]

COACHING = "one-to-one-leadership-development"


@pytest.fixture
def series(pool, django_capture_on_commit_callbacks):
    """A coaching series of three calls booked for Wigan, its coach with a sign-in."""
    pool.officer.skills.add(Skill.objects.get(slug="leadership-coaching"))
    booking = a_booking(
        pool, london(pool.day, 14), capture=django_capture_on_commit_callbacks, offer=COACHING
    )
    pool.officer.user = make_user()
    pool.officer.save()
    return booking


def seats(peer) -> list[Seat]:
    return list(Seat.objects.filter(peer=peer).order_by("session__number"))


def test_each_invitation_lists_every_date_and_answers_the_series_or_one_call(
    client, pool, series, django_capture_on_commit_callbacks
):
    sessions = list(Session.objects.filter(booking=series).order_by("number"))
    assert len(sessions) == 3
    invitations = [m for m in deliver() if m.to == pool.officer.email]
    # One invitation per call, each with its own UID: the iTIP rules stand.
    assert len(invitations) == 3
    assert {read_calendar(m.calendar)["events"][0]["uid"] for m in invitations} == {
        s.uid for s in sessions
    }
    first = next(m for m in invitations if sessions[0].uid in m.calendar.decode())
    assert_imip(first, "REQUEST")
    text = first.text
    assert "All sessions of the series:" in text
    for session in sessions:
        assert f"Session {session.number} of 3: {when_text(session.start, session.end)}" in text
    assert "Accept all 3 sessions" in text and "Decline all 3 sessions" in text
    assert "Accept this session only" in text
    # The calendar's description lists them too.
    assert (
        "All sessions of the series:" in read_calendar(first.calendar)["events"][0]["description"]
    )

    # The page behind "Accept all" lists the series and changes nothing until its button.
    every = path_of(links(text, every=True)["accept"])
    page = client.get(every).content.decode()
    assert "Accept all 3 sessions of this series?" in page
    assert all(s.status == SeatStatus.INVITED for s in seats(pool.officer))
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(every)
    assert "Thank you: series accepted" in done.content.decode()
    assert [s.status for s in seats(pool.officer)] == [SeatStatus.ACCEPTED] * 3
    assert [s.answered_sequence for s in seats(pool.officer)] == [0, 0, 0]


def test_one_call_can_still_be_answered_alone(client, pool, series):
    invitations = [m for m in deliver() if m.to == pool.officer.email]
    second = Session.objects.get(booking=series, number=2)
    mail = next(m for m in invitations if second.uid in m.calendar.decode())
    client.post(path_of(links(mail.text)["accept"]))
    assert [s.status for s in seats(pool.officer)] == [
        SeatStatus.INVITED,
        SeatStatus.ACCEPTED,
        SeatStatus.INVITED,
    ]


def test_my_sessions_accepts_and_declines_the_whole_series(
    client, pool, series, django_capture_on_commit_callbacks
):
    deliver()
    client.force_login(pool.officer.user)
    page = client.get("/my-sessions/").content.decode()
    first = seats(pool.officer)[0]
    assert page.count("All sessions of the series") == 3
    assert f'action="/my-sessions/seats/{first.pk}/accept-all/"' in page
    assert "Accept all 3 sessions" in page
    done = client.post(f"/my-sessions/seats/{first.pk}/accept-all/", follow=True)
    assert (
        "You have accepted the Leadership Academy facilitator seat on all 3 sessions of the "
        "series." in done.content.decode()
    )
    assert [s.status for s in seats(pool.officer)] == [SeatStatus.ACCEPTED] * 3

    # Withdrawing from the series asks first, then takes every call, with the reason.
    confirm = f"/my-sessions/seats/{first.pk}/decline-all/"
    page = client.get(confirm).content.decode()
    assert "Are you sure you want to withdraw from all 3 sessions of this series?" in page
    assert "Yes, withdraw from all 3 sessions" in page
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(confirm, {"reason": "Changed role."}, follow=True)
    assert "You have withdrawn from" in done.content.decode()
    given_up = seats(pool.officer)
    assert [s.status for s in given_up] == [SeatStatus.DECLINED] * 3
    assert {s.answer_reason for s in given_up} == {"Changed role."}


def test_one_joining_link_for_every_session_of_the_booking(
    client, api_client, pool, series, django_capture_on_commit_callbacks
):
    deliver()
    sessions = list(Session.objects.filter(booking=series).order_by("number"))
    client.force_login(pool.booker)
    page = client.get(f"/sessions/{sessions[0].pk}/joining-link/").content.decode()
    assert "Use this link for all 3 sessions of this booking still to come" in page
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/sessions/{sessions[0].pk}/joining-link/",
            {"joining_url": "https://meet.example.org/coaching", "every": "on"},
        )
    assert response.status_code == 302
    assert {s.joining_url for s in Session.objects.filter(booking=series)} == {
        "https://meet.example.org/coaching"
    }
    # Each session's update goes with its own UID and a raised SEQUENCE.
    sent = [m for m in deliver() if m.to == pool.officer.email]
    assert len(sent) == 3
    assert sorted(read_calendar(m.calendar)["events"][0]["sequence"] for m in sent) == [1, 1, 1]

    # The API sets one for the booking too; someone else's booking is refused.
    answer = api_client.put(
        f"/bookings/{series.pk}/joining-link",
        json={"joining_url": "https://meet.example.org/new"},
        headers=bearer(pool.booker),
    )
    assert answer.status_code == 200, answer.json()
    assert {s["joining_url"] for s in answer.json()["sessions"]} == {"https://meet.example.org/new"}
    refused = api_client.put(
        f"/bookings/{series.pk}/joining-link",
        json={"joining_url": "https://meet.example.org/x"},
        headers=bearer(pool.other_booker),
    )
    assert refused.status_code == 403
    assert {s.joining_url for s in Session.objects.filter(booking=series)} == {
        "https://meet.example.org/new"
    }


def test_a_series_answer_skips_calls_already_answered(pool, series):
    deliver()
    first, second, third = seats(pool.officer)
    answers.seat_answer(seat_id=second.pk, accept=False, peer=pool.officer)
    from sessions.services.series import seat_answer_series

    outcome = seat_answer_series(seat_id=first.pk, accept=True, peer=pool.officer)
    assert [s.pk for s in outcome.answered] == [first.pk, third.pk]
    assert [s.status for s in seats(pool.officer)][:1] == [SeatStatus.ACCEPTED]
