"""Updates that say what changed, read from the bytes that were sent: the booker's and the
adviser's summaries name who declined, who replaced whom and why, whom LGA staff seated in
place of whom, a new joining link and a new time (old and new); a peer who stays on a moved
panel is told the old and the new time and why their acceptance no longer stands. After staff
choose a peer by hand, the seat's runner-up is the next eligible peer, not "nobody"."""

import json
from datetime import timedelta

import pytest

from scheduling.engine.uk_time import when_text
from sessions.models import HOLDING_SEAT_STATUSES, Booking, Seat, SeatStatus, Session
from sessions.services import answers
from tests.factories import a_booking, bearer, london, make_available, make_peer, make_user
from tests.sent_mail import by_recipient, deliver

pytestmark = pytest.mark.django_db


def changes_in(text: str) -> list[str]:
    """The "What has changed" list of a letter's plain-text part."""
    assert "What has changed:\n" in text, text
    return text.split("What has changed:\n")[1].split("\n\n")[0].splitlines()


def holding(peer) -> Seat:
    return Seat.objects.get(peer=peer, status__in=HOLDING_SEAT_STATUSES)


@pytest.fixture
def booked(pool, django_capture_on_commit_callbacks) -> Booking:
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    return booking


def reserves(pool):
    """Two more Labour member peers who could lead the panel."""
    return [
        make_available(
            make_peer(name=name, political_group="labour", home_council=pool.lead.home_council)
        )
        for name in ("Reserve Labour", "Spare Labour")
    ]


def test_staff_seating_a_peer_says_whom_they_replaced_and_records_the_next_best(
    client, pool, booked, django_capture_on_commit_callbacks
):
    staff = make_user("sam", is_staff=True, first_name="Sam", last_name="Staff")
    reserve, spare = reserves(pool)
    seat = holding(pool.lead)
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(f"/seats/{seat.pk}/assign/", {"peer": reserve.pk}, follow=True)
    assert "Reserve Labour is seated and invited." in done.content.decode()

    # The runner-up is recomputed for the seat: the best other eligible peer.
    new = holding(reserve)
    assert new.runner_up["peer_id"] in {pool.lead.pk, spare.pk}
    assert set(new.runner_up["fit"]) >= {"total", "skill"}
    page = client.get(f"/bookings/{booked.pk}/").content.decode()
    cards = page.split('<li class="govuk-summary-card">')
    (card,) = [card for card in cards if "Lead member peer</h3>" in card]
    assert "no other eligible peer was free" not in card
    runner = "Lead Labour" if new.runner_up["peer_id"] == pool.lead.pk else "Spare Labour"
    assert f"<strong>Next best:</strong> {runner} (fit " in card

    sent = by_recipient(deliver())
    summary = sent[pool.booker.email]
    assert summary.subject.startswith("Updated: ")
    assert changes_in(summary.text) == [
        "- Sam Staff (LGA staff) seated Reserve Labour in the Lead member peer seat in place "
        "of Lead Labour."
    ]
    assert "in place of Lead Labour" in summary.html
    assert sent[pool.lead.email].method == "CANCEL"


def test_staff_seating_through_the_api_names_them_too(
    client, pool, booked, staff, django_capture_on_commit_callbacks
):
    reserve, _ = reserves(pool)
    # Through the whole stack (middleware included), as a script calls it.
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/seats/{holding(pool.lead).pk}/assign",
            data=json.dumps({"peer": reserve.pk}),
            content_type="application/json",
            HTTP_AUTHORIZATION=bearer(staff)["Authorization"],
        )
    assert response.status_code == 200, response.json()
    assert holding(reserve).runner_up  # recorded, whoever seats by hand
    summary = by_recipient(deliver())[pool.booker.email]
    assert changes_in(summary.text) == [
        "- lga-staff (LGA staff) seated Reserve Labour in the Lead member peer seat in place "
        "of Lead Labour."
    ]


def test_the_peer_moved_off_by_hand_can_be_the_next_best(client, pool, booked, staff):
    # Lead Labour, moved off, is the only other eligible peer: the next best.
    (reserve, spare) = reserves(pool)
    spare.is_active = False
    spare.save()
    client.force_login(staff)
    client.post(f"/seats/{holding(pool.lead).pk}/assign/", {"peer": reserve.pk})
    assert holding(reserve).runner_up == {"peer_id": pool.lead.pk, "fit": holding(reserve).fit}


def test_a_new_joining_link_is_named_in_every_update(
    api_client, pool, booked, django_capture_on_commit_callbacks
):
    answers.seat_answer(seat_id=holding(pool.lead).pk, accept=True)
    session = Session.objects.get(booking=booked)
    url = "https://meet.example.org/wigan-panel"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.put(
            f"/sessions/{session.pk}/joining-link",
            json={"joining_url": url},
            headers=bearer(pool.booker),
        )
    assert response.status_code == 200, response.json()
    sent = by_recipient(deliver())
    assert changes_in(sent[pool.booker.email].text) == [
        "- Lead Labour accepted the Lead member peer seat.",
        f"- A joining link was added: {url}",
    ]
    lead = sent[pool.lead.email]
    assert "your answer stands" in lead.text
    assert changes_in(lead.text) == [f"- A joining link was added: {url}"]
    assert changes_in(sent[pool.member.email].text) == [f"- A joining link was added: {url}"]

    other = "https://meet.example.org/another-room"
    with django_capture_on_commit_callbacks(execute=True):
        api_client.put(
            f"/sessions/{session.pk}/joining-link",
            json={"joining_url": other},
            headers=bearer(pool.booker),
        )
    sent = by_recipient(deliver())
    assert changes_in(sent[pool.booker.email].text) == [
        f"- The joining link changed to {other} (the old one no longer applies)."
    ]


@pytest.fixture
def moving(api_client, pool, django_capture_on_commit_callbacks):
    """A panel on a Tuesday whose member peer is free on Tuesdays only; a reserve member is
    free on Wednesdays. The lead has accepted."""
    tuesday = pool.day
    assert tuesday.weekday() == 1
    make_available(pool.member, weekly=[{"weekday": 1, "start": "09:00", "end": "17:00"}])
    reserve = make_available(
        make_peer(
            name="Reserve Member",
            political_group="conservative",
            home_council=pool.member.home_council,
        ),
        weekly=[{"weekday": 2, "start": "09:00", "end": "17:00"}],
    )
    booking = a_booking(pool, london(tuesday, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    answers.seat_answer(seat_id=holding(pool.lead).pk, accept=True)
    return booking, reserve


def test_a_move_tells_a_peer_who_stays_the_old_and_new_time_and_why_to_answer_again(
    api_client, pool, moving, django_capture_on_commit_callbacks
):
    booking, reserve = moving
    old = (london(pool.day, 10), london(pool.day, 13))
    new_day = pool.day + timedelta(days=1)
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/bookings/{booking.pk}/reschedule",
            json={"start": london(new_day, 10).isoformat()},
            headers=bearer(pool.booker),
        )
    assert response.status_code == 200, response.json()
    new = (london(new_day, 10), london(new_day, 13))
    sent = by_recipient(deliver())

    lead = sent[pool.lead.email]
    assert lead.subject.startswith("Updated invitation: ")
    moved = f"The session moved from {when_text(*old)} to {when_text(*new)}."
    assert moved in lead.text
    assert "You had accepted the Lead member peer seat; a new time needs a new answer" in lead.text
    assert "Accept the seat" in lead.text
    assert holding(pool.lead).status == SeatStatus.INVITED
    # A peer who had not answered is asked to check the new time, without the acceptance.
    officer = sent[pool.officer.email]
    assert moved in officer.text and "You had accepted" not in officer.text

    summary = sent[pool.booker.email]
    assert changes_in(summary.text) == [
        "- Lead Labour accepted the Lead member peer seat.",
        f"- {moved}",
        "- Member Green leaves the panel with the move; Reserve Member joins it in the Member "
        "peer seat.",
    ]
    assert sent[pool.member.email].method == "CANCEL"
    assert "You are invited" in sent[reserve.email].text


def test_the_check_the_move_page_shows_the_booking_now_beside_the_move(client, pool, moving):
    booking, reserve = moving
    new_day = pool.day + timedelta(days=1)
    client.force_login(pool.booker)
    page = client.post(
        "/offers/recovery-and-renewal-panel/book/check/",
        {
            "booking": booking.pk,
            "council": pool.council.pk,
            "start": london(new_day, 10).isoformat(),
            "day": new_day.isoformat(),
        },
    )
    html = page.content.decode()
    assert page.status_code == 200, html
    assert "Check the move before you confirm it" in html
    assert "Date and time now (UK time)" in html and "New date and time (UK time)" in html
    assert f"{pool.day:%A} {pool.day.day} {pool.day:%B %Y}, 10:00 to 13:00" in html
    assert f"{new_day:%A} {new_day.day} {new_day:%B %Y}, 10:00 to 13:00" in html
    assert "Panel now" in html and "The new panel" in html
    leaving = html.split('id="leaving-row"')[1].split("</div>")[0]
    joining = html.split('id="joining-row"')[1].split("</div>")[0]
    assert "Member Green" in leaving and "Reserve Member" in joining
    assert "Reserve Member" not in leaving and "Member Green" not in joining


@pytest.mark.usefixtures("empty_broker")
def test_staff_filling_an_unfilled_seat_is_told_to_the_booker_and_the_adviser(
    client, pool, booked, adviser, django_capture_on_commit_callbacks, run_worker
):
    # The only Green member peer declines: the place stays empty and the adviser is told.
    with django_capture_on_commit_callbacks(execute=True):
        answers.seat_answer(seat_id=holding(pool.member).pk, accept=False)
    run_worker()
    deliver()
    unfilled = Seat.objects.get(role_name="Member peer", peer=None)
    newcomer = make_available(
        make_peer(name="New Green", political_group="green", home_council=pool.lead.home_council)
    )
    staff = make_user("sam", is_staff=True, first_name="Sam", last_name="Staff")
    client.force_login(staff)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/seats/{unfilled.pk}/assign/", {"peer": newcomer.pk})
    sent = by_recipient(deliver())
    line = "- Sam Staff (LGA staff) seated New Green in the Member peer seat, which was unfilled."
    assert changes_in(sent[pool.booker.email].text) == [line]
    told = sent[adviser.email]
    assert told.subject.startswith("Updated: ")
    assert "Every seat on its panel is now filled." in told.text
    assert changes_in(told.text) == [line]
