"""The progress review: offered nine months after the panel, booked through the slot search
(the pages and the API), seating the panel's own peers and LGA lead where they are free."""

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.test import Client

from peers.models import Peer
from scheduling.engine.panels import held_range
from scheduling.engine.uk_time import LONDON, day_text
from sessions.feedback.models import ProgressReview
from sessions.models import Booking, BookingStatus, Offer, Seat, SeatStatus, Session
from sessions.references import booking_reference_new
from sessions.seat_plan import booking_keep, panel_plan
from tests.factories import (
    assert_no_peer_double_booked,
    at_once,
    bearer,
    london,
    make_available,
    make_booker,
    make_peer,
    make_user,
)
from tests.sent_mail import by_recipient, deliver
from tests.sessions.feedback.calls import api

OFFER = "recovery-and-renewal-panel"
BOOK = f"/offers/{OFFER}/book/"
CHECK = f"/offers/{OFFER}/book/check/"


@pytest.fixture
def second_panel(pool) -> list[Peer]:
    """A second peer for every seat, as free as the first: without continuity, either could
    sit."""
    home = pool.lead.home_council
    return [
        make_available(
            make_peer(name="Second Labour", political_group="labour", home_council=home)
        ),
        make_available(make_peer(name="Second Green", political_group="green", home_council=home)),
        make_available(
            make_peer(
                kind="officer",
                name="Second Officer",
                home_council=home,
                skills=["recovery-planning"],
            )
        ),
        make_available(make_peer(kind="facilitator", name="Second Facilitator", home_council=home)),
    ]


def sat_before(peers: list[Peer], council, start: datetime) -> None:
    """`peers` sat on a panel for `council` at `start`, in the past: experience the engine
    weighs (sessions with councils of the type) when it chooses between peers."""
    offer = Offer.objects.get(slug=OFFER)
    booking = Booking.objects.create(
        offer=offer,
        council=council,
        reference=booking_reference_new(offer=offer, at=start),
        start=start,
        status=BookingStatus.CONFIRMED,
    )
    session = Session.objects.create(
        offer=offer,
        booking=booking,
        number=1,
        start=start,
        end=start + timedelta(hours=3),
        uid=f"before-{booking.reference.lower()}@example.org",
    )
    roles = ["Lead member peer", "Member peer", "Officer peer", "LGA lead"]
    for role, peer in zip(roles, peers, strict=True):
        held_from, held_until = held_range(session.start, session.end, peer.buffer_minutes)
        Seat.objects.create(
            session=session,
            role_name=role,
            position=0,
            peer=peer,
            status=SeatStatus.ACCEPTED,
            held_from=held_from,
            held_until=held_until,
        )


@pytest.fixture
def ten_months_on(pool, panel, second_panel):
    """The clock forty weeks after the panel (its review is offered from thirty-nine); the
    second panel has meanwhile sat twice for Bolton, a metropolitan council as Wigan is, so
    that without continuity the engine would choose them (more experience)."""
    for weeks in (20, 30):
        sat_before(second_panel, pool.other_council, london(pool.day + timedelta(weeks=weeks), 10))
    with time_machine.travel(london(pool.day + timedelta(weeks=40), 9)) as traveller:
        yield traveller


def earlier_panel(panel: Booking) -> dict[str, int]:
    return {role: peer for (role, _), peer in booking_keep(panel).items()}


def panel_of(booking: Booking) -> dict[str, int]:
    first = booking.sessions.order_by("number").first()
    return dict(first.seats.filter(peer__isnull=False).values_list("role_name", "peer_id"))


def first_day_link(page: str) -> str:
    found = re.search(r'href="(/offers/[^"]+day=[^"]+)"', page)
    assert found, "no day with times"
    return found.group(1).replace("&amp;", "&")


def offered_times(page: str) -> list[tuple[str, list[str]]]:
    """Each time offered on a day page: its value and the panel sent back with it."""
    values = re.findall(r'name="start" type="radio" value="([^"]+)"', page)
    return [
        (value, re.findall(rf'name="panel@{re.escape(value)}" value="([^"]+)"', page))
        for value in values
    ]


def test_the_review_is_not_offered_before_nine_months(client, pool, panel, after):
    client.force_login(pool.booker)
    page = client.get(f"/bookings/{panel.pk}/progress-review/")
    assert page.status_code == 200
    assert "You can book it from" in page.content.decode()
    # The journey sends the booker back to say so; the API refuses with the reason.
    journey = client.get(f"{BOOK}?review={panel.pk}")
    assert journey.status_code == 302
    assert journey["Location"] == f"/bookings/{panel.pk}/progress-review/"
    start = london(pool.day + timedelta(weeks=3), 10).isoformat()
    refused = api(
        client, "post", f"/bookings/{panel.pk}/progress-review", pool.booker, {"start": start}
    )
    assert refused.status_code == 409
    assert "ten months after the panel" in refused.json()["detail"]
    assert not ProgressReview.objects.exists()


def test_the_review_booked_through_the_pages_seats_the_same_panel(
    client, pool, panel, ten_months_on
):
    before = earlier_panel(panel)
    client.force_login(pool.booker)
    # The booking page's link leads into the slot search for the review.
    start_page = client.get(f"/bookings/{panel.pk}/progress-review/")
    assert start_page.status_code == 302
    assert start_page["Location"] == f"{BOOK}?review={panel.pk}"
    month = client.get(start_page["Location"]).content.decode()
    assert "Book a progress review: choose a day" in month
    day = client.get(first_day_link(month)).content.decode()
    assert "Progress review: choose a time on" in day
    assert "The same panel as before: all 4 of them." in day
    assert day.count("(on the earlier panel)") >= 4
    value, shown = offered_times(day)[0]
    start = datetime.fromisoformat(value)

    # The test can fail: without continuity the engine would seat another panel then.
    unkept = panel_plan(offer=panel.offer, council=pool.council, start=start.astimezone(UTC))
    assert {role: peer for role, peer in unkept.panel()} != before

    form = {
        "council": pool.council.pk,
        "day": start.date().isoformat(),
        "review": panel.pk,
        "start": value,
        f"panel@{value}": shown,
        "notes": "What has changed since the panel.",
    }
    check = client.post(CHECK, form)
    assert check.status_code == 200
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", check.content.decode()))
    assert "Check the progress review before booking" in text
    assert f"The panel it reviews Booking {panel.reference}" in text
    assert "Nobody: the same panel sits again" in text
    booked = client.post(BOOK, form)
    assert booked.status_code == 302

    review = ProgressReview.objects.select_related("review").get(panel=panel).review
    assert booked["Location"] == f"/bookings/{review.pk}/confirmation/"
    assert (review.offer_id, review.council_id) == (panel.offer_id, panel.council_id)
    assert panel_of(review) == before
    assert review.sessions.get().start == start
    assert review.notes.startswith(f"Progress review of the panel {panel.reference}.")
    # Once booked, it is not offered again: the page links the review instead.
    again = client.get(f"/bookings/{panel.pk}/progress-review/")
    assert again.status_code == 200
    assert f"booking {review.reference}" in again.content.decode()
    assert client.get(f"{BOOK}?review={panel.pk}")["Location"] == again.request["PATH_INFO"]


def test_a_peer_not_free_is_replaced_and_the_check_says_who(client, pool, panel, ten_months_on):
    make_available(pool.member, weekly=[])  # the member peer has no time now
    client.force_login(pool.booker)
    month = client.get(f"{BOOK}?review={panel.pk}").content.decode()
    day = client.get(first_day_link(month)).content.decode()
    assert "3 of the 4 from the earlier panel." in day
    value, shown = offered_times(day)[0]
    assert f"{pool.member.pk}|Member peer" not in shown
    check = client.post(
        CHECK,
        {
            "council": pool.council.pk,
            "day": value[:10],
            "review": panel.pk,
            "start": value,
            f"panel@{value}": shown,
        },
    )
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", check.content.decode()))
    assert "Check the progress review – " in text
    # The newcomer reads the earlier panel's note and actions once they sit on its review.
    newcomer = Peer.objects.get(
        pk=int(next(v for v in shown if v.endswith("|Member peer")).split("|")[0])
    )
    newcomer.user = make_user()
    newcomer.save()
    actions = f"/bookings/{panel.pk}/actions"
    assert api(client, "get", actions, newcomer.user).status_code == 404
    booked = client.post(
        BOOK,
        {
            "council": pool.council.pk,
            "day": value[:10],
            "review": panel.pk,
            "start": value,
            f"panel@{value}": shown,
        },
    )
    assert booked.status_code == 302
    assert api(client, "get", actions, newcomer.user).status_code == 200
    assert re.search(
        r"New to the council Second \w+ \(in place of Member Green, who is not free", text
    )


def test_the_review_booked_through_the_api_keeps_the_panel_once(
    client, pool, panel, ten_months_on, django_capture_on_commit_callbacks
):
    before, bookings = earlier_panel(panel), Booking.objects.count()
    now = datetime.now(UTC)
    query = (
        f"council={pool.council.pk}&review={panel.pk}"
        f"&start={(now + timedelta(days=14)).isoformat()}&end={(now + timedelta(days=42)).isoformat()}"
    ).replace("+", "%2B")
    slots = api(client, "get", f"/offers/{OFFER}/slots?{query}", pool.booker)
    assert slots.status_code == 200, slots.content
    first = slots.json()[0]
    assert {seat["role"]: seat["peer"]["id"] for seat in first["panel"]} == before

    body = {"start": first["start"], "notes": "Ten months on."}
    with django_capture_on_commit_callbacks(execute=True):
        made = api(client, "post", f"/bookings/{panel.pk}/progress-review", pool.booker, body)
    assert made.status_code == 201, made.content
    # Each peer's invitation says what the review looks back on, and links the earlier note.
    invitation = by_recipient(deliver())[pool.member.email.lower()]
    assert f"Reviews: the panel of {day_text(panel.start)} ({panel.reference})" in invitation.text
    assert f"/bookings/{panel.pk}/feedback-note/" in invitation.text
    assert f"/bookings/{panel.pk}/feedback-note/" in invitation.html
    review = Booking.objects.get(pk=made.json()["id"])
    assert panel_of(review) == before
    assert review.status == BookingStatus.CONFIRMED
    assert ProgressReview.objects.get(panel=panel).review == review

    # Both bookings' histories say which reviews which, and who booked it.
    staff = make_user(is_staff=True)
    told = {
        booking.pk: [
            (row["who"], row["what"])
            for row in api(client, "get", f"/bookings/{booking.pk}/history", staff).json()
        ]
        for booking in (panel, review)
    }
    booker_name = pool.booker.get_full_name() or pool.booker.username
    assert (booker_name, f"Progress review booked: booking {review.reference}") in told[panel.pk]
    assert (
        booker_name,
        f"Booked as the progress review of booking {panel.reference}",
    ) in told[review.pk]

    twice = api(client, "post", f"/bookings/{panel.pk}/progress-review", pool.booker, body)
    assert twice.status_code == 409
    assert "already booked" in twice.json()["detail"]
    # The slot search refuses the review once it is booked.
    assert api(client, "get", f"/offers/{OFFER}/slots?{query}", pool.booker).status_code == 422
    assert Booking.objects.count() == bookings + 1


def test_only_the_councils_booker_may_book_its_review(client, pool, panel, ten_months_on):
    start = datetime.now(LONDON).replace(hour=10, minute=0) + timedelta(days=21)
    body, bookings = {"start": start.isoformat()}, Booking.objects.count()
    path = f"/bookings/{panel.pk}/progress-review"
    # Another council's booker is told nothing exists; a peer of the panel reads its note
    # but does not manage the council's bookings.
    assert api(client, "post", path, pool.other_booker, body).status_code == 404
    pool.member.user = make_user()
    pool.member.save()
    assert api(client, "post", path, pool.member.user, body).status_code == 403
    client.force_login(pool.other_booker)
    assert client.get(f"{BOOK}?review={panel.pk}").status_code == 404
    assert client.get(f"/bookings/{panel.pk}/progress-review/").status_code == 404
    assert not ProgressReview.objects.exists()
    assert Booking.objects.count() == bookings


@pytest.mark.django_db(transaction=True)
def test_two_bookers_at_once_book_one_review(catalogue, pool, panel, ten_months_on):
    """The council's two bookers book its review at the same moment, at different times:
    one review is booked, the other is refused and its booking rolls back."""
    second_booker, bookings = make_booker(pool.council), Booking.objects.count()
    offer = Offer.objects.get(slug=OFFER)
    day, starts = datetime.now(LONDON).date() + timedelta(days=21), []
    while len(starts) < 2:
        start = london(day, 10)
        plan = panel_plan(
            offer=offer, council=pool.council, start=start.astimezone(UTC), keep=booking_keep(panel)
        )
        if plan.staffable:
            starts.append(start)
        day += timedelta(days=7)
    headers = [bearer(pool.booker), bearer(second_booker)]

    def booking(n):
        return lambda: Client().post(
            f"/api/bookings/{panel.pk}/progress-review",
            data=json.dumps({"start": starts[n].isoformat()}),
            content_type="application/json",
            headers=headers[n],
        )

    responses = at_once([booking(0), booking(1)])
    assert sorted(r.status_code for r in responses) == [201, 409], [r.json() for r in responses]
    loser = next(r for r in responses if r.status_code == 409)
    assert "already booked" in loser.json()["detail"]
    assert ProgressReview.objects.count() == 1
    assert Booking.objects.count() == bookings + 1
    assert_no_peer_double_booked()
