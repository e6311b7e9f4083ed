"""Re-staffing runs in the worker: an answer only records the decline and queues the booking's
re-staffing, which is idempotent (a retried task, or two declines in a row, staff each place
once and tell the booker once) and serialised with bookings by the booking lock."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from django_q.models import Schedule

from scheduling.engine.uk_time import LONDON, day_text
from sessions.models import HOLDING_SEAT_STATUSES, Booking, Invite, Offer, Seat, SeatStatus, Session
from sessions.services import restaff_queue
from sessions.tasks import restaff_booking
from tests.factories import (
    PANEL,
    a_booking,
    at_once,
    bearer,
    london,
    make_available,
    make_council,
    make_peer,
    make_user,
)
from tests.sent_mail import Mail, by_recipient, deliver, run_queued_tasks


def reserves(pool):
    """A free member peer and a free officer peer who could each take a place on the panel."""
    home = pool.member.home_council
    member = make_available(
        make_peer(name="Reserve Member", political_group="conservative", home_council=home)
    )
    officer = make_available(
        make_peer(
            kind="officer", name="Reserve Officer", home_council=home, skills=["recovery-planning"]
        )
    )
    return member, officer


def signed_in(peer):
    peer.user = make_user()
    peer.save()
    return peer.user


def holding(peer):
    return Seat.objects.filter(peer=peer, status__in=HOLDING_SEAT_STATUSES)


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_broker")
def test_two_declines_in_a_row_and_a_retry_staff_each_place_once_and_tell_the_booker_once(
    api_client, pool, django_capture_on_commit_callbacks, run_worker
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    member, officer = reserves(pool)
    for peer in (pool.member, pool.officer):
        user = signed_in(peer)
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(
                f"/seats/{holding(peer).get().pk}/decline", headers=bearer(user)
            )
        assert response.status_code == 200 and response.json()["status"] == "declined"
    # Nothing re-staffed yet, nothing sent: two tasks wait for the worker.
    assert not Seat.objects.filter(peer__in=[member, officer]).exists()
    assert Invite.objects.count() == 5  # the booking's own invitations
    assert Session.objects.get().sequence == 0

    # The first task fills both places; the second finds none open.
    assert run_worker() == [
        {"invited": 2, "removed": 0, "unfilled": 0},
        {"invited": 0, "removed": 0, "unfilled": 0},
    ]
    assert holding(member).get().role_name == "Member peer"
    assert holding(officer).get().role_name == "Officer peer"
    assert holding(pool.lead).get().status == SeatStatus.INVITED  # kept
    assert Session.objects.get().sequence == 1
    sent = by_recipient(deliver())  # (no one twice)
    assert set(sent) == {member.email, officer.email, pool.booker.email}
    assert "Member Green declined the Member peer seat." in sent[pool.booker.email].text
    assert "Officer Recovery declined the Officer peer seat." in sent[pool.booker.email].text

    # A retry of the task (the worker died after its commit) changes and sends nothing.
    assert restaff_booking(booking.id) == {"invited": 0, "removed": 0, "unfilled": 0}
    assert Session.objects.get().sequence == 1
    assert run_queued_tasks() == []


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_broker")
def test_a_decline_on_a_cancelled_booking_leaves_the_task_nothing_to_do(
    api_client, pool, django_capture_on_commit_callbacks, run_worker
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    reserves(pool)
    user = signed_in(pool.member)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(f"/seats/{holding(pool.member).get().pk}/decline", headers=bearer(user))
        api_client.post(
            f"/bookings/{booking.id}/cancel",
            json={"reason": "Called off"},
            headers=bearer(pool.booker),
        )
    deliver_before = Invite.objects.count()
    results = [r for r in run_worker() if isinstance(r, dict) and "invited" in r]
    assert results == [{"invited": 0, "removed": 0, "unfilled": 0}]
    assert Invite.objects.count() == deliver_before


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("catalogue", "empty_broker")
def test_re_staffing_tasks_running_at_once_staff_the_place_once(pool):
    """Two workers take the same booking's re-staffing (a retry overlapping the first run),
    while a council books the reserve's time: the booking lock serialises them all."""
    client = Client()
    start = london(pool.day, 10)
    response = client.post(
        "/api/bookings",
        data=json.dumps(
            {
                "offer": "recovery-and-renewal-panel",
                "council": pool.council.id,
                "start": start.isoformat(),
            }
        ),
        content_type="application/json",
        headers=bearer(pool.booker),
    )
    assert response.status_code == 201, response.json()
    booking_id = response.json()["id"]
    reserves(pool)
    user = signed_in(pool.member)
    seat = holding(pool.member).get()
    declined = Client().post(
        f"/api/seats/{seat.pk}/decline", content_type="application/json", headers=bearer(user)
    )
    assert declined.status_code == 200

    headers = bearer(pool.other_booker)

    def book_other():
        return Client().post(
            "/api/bookings",
            data=json.dumps(
                {
                    "offer": "recovery-and-renewal-panel",
                    "council": pool.other_council.id,
                    "start": start.isoformat(),
                }
            ),
            content_type="application/json",
            headers=headers,
        )

    first, second, other = at_once(
        [lambda: restaff_booking(booking_id), lambda: restaff_booking(booking_id), book_other]
    )
    # One run re-staffed (the reserve, or, if the other council took them first, an
    # unfilled seat); the other found nothing open.
    changed = [r for r in (first, second) if r != {"invited": 0, "removed": 0, "unfilled": 0}]
    assert len(changed) == 1 and changed[0]["invited"] + changed[0]["unfilled"] == 1
    assert other.status_code in (201, 409)
    session = Session.objects.get(booking_id=booking_id)
    assert session.sequence == 1
    assert Invite.objects.filter(session=session, recipient_email=pool.booker.email).count() == 2
    # No peer holds two overlapping seats.
    held = {}
    for seat in Seat.objects.filter(status__in=HOLDING_SEAT_STATUSES, peer__isnull=False):
        for other_seat in held.get(seat.peer_id, []):
            assert not (
                seat.held_from < other_seat.held_until and other_seat.held_from < seat.held_until
            ), f"peer {seat.peer_id} holds two overlapping seats"
        held.setdefault(seat.peer_id, []).append(seat)


# Leave or an override over a held seat ------------------------------------------------------------


def availability_body(**changes):
    body = {
        "time_zone": "Europe/London",
        "weekly": [{"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5)],
        "overrides": [],
        "leave": [],
        "monthly_session_cap": 6,
        "monthly_hours_cap": 30,
        "buffer_minutes": 30,
        "bank_holidays_block": True,
        "nation": "england",
    }
    return {**body, **changes}


@pytest.fixture
def panel(api_client, pool, django_capture_on_commit_callbacks):
    """The panel booked and its invitations sent; a reserve member and officer free to step in."""
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    return Session.objects.get(), *reserves(pool)


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_broker")
def test_leave_over_a_held_seat_lists_it_re_staffs_it_and_tells_the_booker(
    api_client, pool, panel, django_capture_on_commit_callbacks, run_worker
):
    session, reserve, _ = panel
    user = signed_in(pool.member)
    seat = holding(pool.member).get()
    day = pool.day.isoformat()

    # Leave on another day touches nothing (the day after the panel's: in the future on any day).
    other_day = pool.day + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.put(
            "/peers/me/availability",
            json=availability_body(
                leave=[{"first_day": other_day.isoformat(), "last_day": other_day.isoformat()}]
            ),
            headers=bearer(user),
        )
    assert response.status_code == 200, response.json()
    assert response.json()["released_seats"] == []
    assert run_queued_tasks() == []

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.put(
            "/peers/me/availability",
            json=availability_body(leave=[{"first_day": day, "last_day": day, "note": "Away"}]),
            headers=bearer(user),
        )
    assert response.status_code == 200, response.json()
    assert response.json()["leave"] == [{"first_day": day, "last_day": day, "note": "Away"}]
    (released,) = response.json()["released_seats"]
    assert released["id"] == seat.pk
    assert released["title"] == "LGA Recovery & Renewal Panel for Wigan Council"
    assert (released["start"], released["end"]) == (
        session.start.isoformat().replace("+00:00", "Z"),
        session.end.isoformat().replace("+00:00", "Z"),
    )
    # Released at once; the replacement is the worker's.
    seat.refresh_from_db()
    assert seat.status == SeatStatus.DECLINED
    assert not Seat.objects.filter(peer=reserve).exists()
    assert api_client.get("/seats", headers=bearer(user)).json()[0]["can_accept"] is False

    # The worker sends the peer a CANCEL (at a raised SEQUENCE) and finds the replacement.
    before = len(mail.outbox)
    assert run_worker() == ["sent", {"invited": 1, "removed": 0, "unfilled": 0}]
    (cancel,) = [Mail.of(message) for message in mail.outbox[before:]]
    assert (cancel.to, cancel.method) == (pool.member.email, "CANCEL")
    assert "you are no longer available then" in cancel.text
    assert f"Wigan Council on {session.start.astimezone(LONDON):%A}" in cancel.text
    assert holding(reserve).get().role_name == "Member peer"
    assert holding(pool.lead).exists() and holding(pool.officer).exists()
    assert Session.objects.get().sequence == 2  # the CANCEL's, then the re-staffing's
    sent = by_recipient(deliver())
    assert set(sent) == {reserve.email, pool.booker.email}
    assert sent[reserve.email].method == "REQUEST"
    booker = sent[pool.booker.email]
    assert "Member Green gave up the Member peer seat: they are no longer free then" in booker.text
    assert (
        "Reserve Member replaces Member Green in the Member peer seat, as Member Green is no "
        "longer free then." in booker.text
    )

    # Saving the same availability again releases nothing more and queues nothing.
    with django_capture_on_commit_callbacks(execute=True):
        again = api_client.put(
            "/peers/me/availability",
            json=availability_body(leave=[{"first_day": day, "last_day": day, "note": "Away"}]),
            headers=bearer(user),
        )
    assert again.json()["released_seats"] == []
    assert run_queued_tasks() == []


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_broker")
def test_an_override_over_a_held_seat_on_the_page_says_so_and_re_staffs_it(
    client, pool, panel, django_capture_on_commit_callbacks, run_worker
):
    session, reserve, officer = panel
    client.force_login(signed_in(pool.officer))
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/availability/",
            {"action": "override", "date": pool.day.isoformat(), "hours": ""},
            follow=True,
        )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"Your hours for {day_text(pool.day)} are saved." in page
    start = session.start.astimezone(london(pool.day, 0).tzinfo)
    assert (
        "You were seated on a session in that time, so your seat is released and the LGA is "
        "finding a replacement (the council is told): LGA Recovery &amp; Renewal Panel for "
        f"Wigan Council, {start:%A} {start.day} {start:%B %Y, %H:%M} to 13:00."
    ) in page
    assert Seat.objects.filter(peer=pool.officer).get().status == SeatStatus.DECLINED

    assert run_worker() == ["sent", {"invited": 1, "removed": 0, "unfilled": 0}]
    assert holding(officer).get().role_name == "Officer peer"
    assert not holding(reserve).exists()  # the member peer's place was never open
    sent = by_recipient(deliver())
    assert set(sent) == {officer.email, pool.booker.email}
    told = sent[pool.booker.email].text
    # Given up by a date override, not by an answer: the summary says which.
    assert (
        "Officer Recovery gave up the Officer peer seat: they are no longer free then "
        "(their leave, a date or their hours changed)." in told
    )
    assert (
        f"{officer.name} replaces Officer Recovery in the Officer peer seat, as Officer "
        "Recovery is no longer free then." in told
    )


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_broker")
def test_a_decline_whose_task_was_lost_is_re_staffed_by_the_sweep(
    api_client, pool, panel, run_worker
):
    session, reserve, _ = panel
    user = signed_in(pool.member)
    # Not run on commit: as if the broker had been down when the decline was taken.
    api_client.post(f"/seats/{holding(pool.member).get().pk}/decline", headers=bearer(user))
    assert run_queued_tasks() == []
    assert restaff_queue.restaff_lost_queue() == []  # too recent: its task may still be coming

    later = timezone.now() + restaff_queue.LOST_AFTER + timedelta(minutes=1)
    assert restaff_queue.restaff_lost_queue(now=later) == [session.booking_id]
    assert run_worker() == [{"invited": 1, "removed": 0, "unfilled": 0}]
    assert holding(reserve).get().role_name == "Member peer"
    assert restaff_queue.restaff_lost_queue(now=later) == []  # the place is filled

    schedule = Schedule.objects.get(func="sessions.tasks.restaff_lost")
    assert (schedule.schedule_type, schedule.minutes, schedule.repeats) == (Schedule.MINUTES, 5, -1)


# Ties: who steps in when the reserves are equally suited ------------------------------------------


def seats_given(pool, *peers):
    """A seat for each peer in turn (the last given most recently), each on a panel of its own
    ten weeks after the pool's day: outside the fairness window of the panel re-staffed, in
    another month, and with no past work for a metropolitan council, so the peers stay equal
    in fit and load and differ only in when they were last seated."""
    offer = Offer.objects.get(slug=PANEL)
    start = london(pool.day + timedelta(weeks=10), 10)
    for n, peer in enumerate(peers):
        session = Session.objects.create(
            offer=offer,
            booking=Booking.objects.create(
                offer=offer, council=make_council(), reference=f"RRP-00-{n:04d}"
            ),
            start=start,
            end=start + timedelta(hours=3),
            uid=f"given-{n}@example.org",
        )
        Seat.objects.create(
            session=session,
            role_name="Member peer",
            peer=peer,
            status=SeatStatus.ACCEPTED,
            held_from=session.start,
            held_until=session.end + timedelta(minutes=peer.buffer_minutes),
        )


def equal_reserves(pool, names):
    """Free member peers of no group the lead seat wants, equally suited to the member seat."""
    return [
        make_available(
            make_peer(name=name, political_group="green", home_council=pool.member.home_council)
        )
        for name in names
    ]


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_broker")
def test_a_peer_never_seated_is_proposed_before_one_seated_last_week(
    api_client, pool, django_capture_on_commit_callbacks, run_worker
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    # The lower id would win a fixed order; the one who has never sat wins the tie.
    seated_last_week, never_seated = equal_reserves(pool, ["Seated Last Week", "Never Seated"])
    seats_given(pool, seated_last_week)

    user = signed_in(pool.member)
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(f"/seats/{holding(pool.member).get().pk}/decline", headers=bearer(user))
    assert run_worker()[-1] == {"invited": 1, "removed": 0, "unfilled": 0}
    session = Session.objects.get(booking=booking)
    member_seat = session.seats.get(role_name="Member peer", status__in=HOLDING_SEAT_STATUSES)
    assert member_seat.peer == never_seated
    assert member_seat.runner_up["peer_id"] == seated_last_week.pk
    assert not holding(seated_last_week).filter(session=session).exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("empty_broker")
def test_successive_declines_bring_replacements_in_least_recently_seated_order(
    api_client, pool, django_capture_on_commit_callbacks, run_worker
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    first, second, third, fourth = equal_reserves(
        pool, ["Reserve One", "Reserve Two", "Reserve Three", "Reserve Four"]
    )
    # Seated longest ago first: Three, then One, then Four; Two has never sat.
    seats_given(pool, third, first, fourth)
    session = Session.objects.get(booking=booking)

    def member_seat():
        return session.seats.get(role_name="Member peer", status__in=HOLDING_SEAT_STATUSES)

    stepped_in = []
    for _ in range(4):
        peer = member_seat().peer
        user = signed_in(peer)
        with django_capture_on_commit_callbacks(execute=True):
            response = api_client.post(
                f"/seats/{holding(peer).get(session=session).pk}/decline", headers=bearer(user)
            )
        assert response.status_code == 200, response.json()
        assert run_worker()[-1] == {"invited": 1, "removed": 0, "unfilled": 0}
        stepped_in.append(member_seat().peer)
        # Everyone else keeps their seat: one decline moves one person.
        assert holding(pool.lead).get(session=session).role_name == "Lead member peer"
        assert holding(pool.officer).get(session=session).role_name == "Officer peer"
    # Not the order of ids (One, Two, Three, Four): the order of waiting.
    assert stepped_in == [second, third, first, fourth]
    sent = by_recipient(deliver())
    assert sent[fourth.email].method == "REQUEST"


@pytest.mark.django_db
def test_staff_see_equally_suited_candidates_in_the_order_a_decline_would_bring_them(
    api_client, pool, staff, django_capture_on_commit_callbacks
):
    a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    # Ids run One, Two, Three; names sort One, Three, Two; waiting gives Two, Three, One.
    first, second, third = equal_reserves(pool, ["Reserve One", "Reserve Two", "Reserve Three"])
    seats_given(pool, third, first)
    seat = holding(pool.member).get()
    response = api_client.get(f"/seats/{seat.pk}/candidates", headers=bearer(staff))
    assert response.status_code == 200, response.json()
    reserves = [
        c["peer"]["name"] for c in response.json()["eligible"] if "Reserve" in c["peer"]["name"]
    ]
    assert reserves == ["Reserve Two", "Reserve Three", "Reserve One"]
