"""Staff step in: every peer who could take a seat, ranked with why, and why the others could
not (the engine's checker, through the panel plan); seating one by hand under the same hard
rules (a broken one is a 422 naming it), a swap withdrawing the peer there before; and places
left unfilled re-staffed when a peer adds hours or a booking releases its peers."""

import pytest
from django.test import Client

from peers.models import Peer
from sessions.models import HOLDING_SEAT_STATUSES, Seat, SeatStatus
from sessions.services import answers
from tests.factories import a_booking, bearer, london, make_available, make_peer
from tests.sent_mail import by_recipient, deliver

pytestmark = pytest.mark.django_db


@pytest.fixture
def booked(pool, django_capture_on_commit_callbacks):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    return booking


def lead_seat(pool) -> Seat:
    return Seat.objects.get(peer=pool.lead, status__in=HOLDING_SEAT_STATUSES)


def test_candidates_rank_the_eligible_with_why_and_say_why_not_for_the_rest(
    api_client, pool, booked, staff, adviser
):
    seat = lead_seat(pool)
    response = api_client.get(f"/seats/{seat.pk}/candidates", headers=bearer(staff))
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["role"] == "Lead member peer" and body["peer"]["name"] == "Lead Labour"
    assert [c["peer"]["name"] for c in body["eligible"]] == ["Lead Labour"]
    assert "seniority" in body["eligible"][0]["why"]
    why_not = {c["peer"]["name"]: c for c in body["not_eligible"]}
    assert why_not["Own Council Labour"]["why"] == "own council"
    assert why_not["Conflicted Labour"]["why"] == "declared interest"
    assert why_not["Officer Recovery"]["rules"][0] == "eligibility"
    assert "already sits on this panel" in why_not["Member Green"]["why"]
    # The adviser may read it; the booker and a peer may not.
    assert (
        api_client.get(f"/seats/{seat.pk}/candidates", headers=bearer(adviser)).status_code == 200
    )
    assert (
        api_client.get(f"/seats/{seat.pk}/candidates", headers=bearer(pool.booker)).status_code
        == 403
    )
    assert api_client.get("/seats/999999/candidates", headers=bearer(staff)).status_code == 404


def test_assigning_a_peer_who_breaks_a_hard_rule_is_refused_naming_it(
    api_client, pool, booked, staff, adviser
):
    seat = lead_seat(pool)
    own = Peer.objects.get(name="Own Council Labour")
    response = api_client.post(
        f"/seats/{seat.pk}/assign", json={"peer": own.pk}, headers=bearer(staff)
    )
    assert response.status_code == 422, response.json()
    assert response.json()["detail"] == "Own Council Labour cannot take this seat: own council."
    assert response.json()["rules"] == ["eligibility"]
    assert response.json()["field"] == "peer"
    assert lead_seat(pool).pk == seat.pk  # nothing changed
    # Only staff seat a peer by hand.
    forbidden = api_client.post(
        f"/seats/{seat.pk}/assign", json={"peer": own.pk}, headers=bearer(adviser)
    )
    assert forbidden.status_code == 403


@pytest.mark.usefixtures("empty_broker")
def test_a_swap_seats_the_chosen_peer_withdraws_the_other_and_tells_them(
    api_client, pool, booked, staff, django_capture_on_commit_callbacks
):
    reserve = make_available(
        make_peer(
            name="Reserve Labour", political_group="labour", home_council=pool.lead.home_council
        )
    )
    seat = lead_seat(pool)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/seats/{seat.pk}/assign", json={"peer": reserve.pk}, headers=bearer(staff)
        )
    assert response.status_code == 200, response.json()
    seat.refresh_from_db()
    assert seat.status == SeatStatus.WITHDRAWN
    new = Seat.objects.get(peer=reserve, status__in=HOLDING_SEAT_STATUSES)
    assert (new.role_name, new.position, new.status) == ("Lead member peer", 0, SeatStatus.INVITED)
    assert new.held_from is not None
    sent = by_recipient(deliver())
    assert sent[reserve.email].method == "REQUEST"
    assert sent[pool.lead.email].method == "CANCEL"
    assert pool.booker.email in sent
    again = api_client.post(
        f"/seats/{new.pk}/assign", json={"peer": reserve.pk}, headers=bearer(staff)
    )
    assert again.status_code == 409


def test_staff_choose_a_peer_on_the_page(
    client, pool, booked, staff, django_capture_on_commit_callbacks
):
    reserve = make_available(
        make_peer(
            name="Reserve Labour", political_group="labour", home_council=pool.lead.home_council
        )
    )
    seat = lead_seat(pool)
    client.force_login(staff)
    html = client.get(f"/bookings/{booked.id}/").content.decode()
    assert f'href="/seats/{seat.pk}/assign/"' in html
    page = client.get(f"/seats/{seat.pk}/assign/").content.decode()
    assert "Reserve Labour" in page and "Own council" in page
    missing = client.post(f"/seats/{seat.pk}/assign/", {})
    assert "Choose a peer for the seat." in missing.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/seats/{seat.pk}/assign/", {"peer": reserve.pk}, follow=True)
    assert "Reserve Labour is seated and invited." in done.content.decode()
    adviser_page = Client()
    adviser_page.force_login(pool.booker)
    assert adviser_page.get(f"/seats/{seat.pk}/assign/").status_code == 403


@pytest.mark.usefixtures("empty_broker")
def test_an_unfilled_seat_is_filled_when_a_peer_adds_hours_and_the_adviser_is_told(
    api_client, pool, booked, adviser, django_capture_on_commit_callbacks, run_worker
):
    # The only Labour member peer declines: the lead seat is left unfilled.
    with django_capture_on_commit_callbacks(execute=True):
        answers.seat_answer(seat_id=lead_seat(pool).pk, accept=False)
    assert run_worker()[-1] == {"invited": 0, "removed": 0, "unfilled": 1}
    sent = by_recipient(deliver())
    assert sent[adviser.email].subject.startswith("Seat unfilled:")
    newcomer = make_peer(
        name="New Labour", political_group="labour", home_council=pool.lead.home_council
    )
    # A peer with no hours yet fills nothing; adding hours does, in the worker.
    with django_capture_on_commit_callbacks(execute=True):
        make_available(newcomer)
    assert run_worker() == [{"invited": 1, "removed": 0, "unfilled": 0}]
    seat = Seat.objects.get(peer=newcomer, status__in=HOLDING_SEAT_STATUSES)
    assert seat.role_name == "Lead member peer"
    sent = by_recipient(deliver())
    assert sent[newcomer.email].method == "REQUEST"
    told = sent[adviser.email].text
    assert "Every seat on its panel is now filled." in told
    assert "- New Labour has been invited to the Lead member peer seat, which was unfilled." in told


@pytest.mark.usefixtures("empty_broker")
def test_a_cancellation_releasing_a_peer_fills_another_bookings_unfilled_seat(
    api_client, pool, booked, django_capture_on_commit_callbacks, run_worker
):
    # The lead may sit once a month, and sits on Wigan's panel: Bolton's panel gets a second
    # lead, who declines, so Bolton's lead seat is left unfilled.
    pool.lead.monthly_session_cap = 1
    pool.lead.save()
    Peer.objects.filter(name="Own Council Labour").update(is_active=False)  # would suit Bolton
    second = make_available(
        make_peer(
            name="Second Labour", political_group="labour", home_council=pool.lead.home_council
        )
    )
    other = a_booking(
        pool,
        london(pool.day, 14),
        capture=django_capture_on_commit_callbacks,
        booker=pool.other_booker,
        council=pool.other_council,
    )
    deliver()
    with django_capture_on_commit_callbacks(execute=True):
        answers.seat_answer(
            seat_id=Seat.objects.get(peer=second, status__in=HOLDING_SEAT_STATUSES).pk,
            accept=False,
        )
    assert run_worker() == [{"invited": 0, "removed": 0, "unfilled": 1}]
    deliver()

    # Wigan cancels: the lead is free again, and Bolton's place is filled by the worker.
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/bookings/{booked.id}/cancel",
            json={"reason": "Postponed."},
            headers=bearer(pool.booker),
        )
    assert response.status_code == 200
    assert {"invited": 1, "removed": 0, "unfilled": 0} in run_worker()
    seat = Seat.objects.get(
        session__booking_id=other.id,
        role_name="Lead member peer",
        status__in=HOLDING_SEAT_STATUSES,
    )
    assert seat.peer == pool.lead
