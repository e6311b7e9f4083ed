"""Booking a virtual panel through the API: only staffable times, optimal panels, clear refusals."""

from datetime import UTC, timedelta

import pytest
from django.utils import timezone
from pydantic import TypeAdapter

from sessions.models import Booking, Offer, Seat, Session
from sessions.schemas import PanelSeatOut, PeerBrief, SlotOut
from tests.factories import bearer, bookable_day, london, make_council, make_user

pytestmark = pytest.mark.django_db
PANEL = "recovery-and-renewal-panel"


def z(moment) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def slots(api_client, user, council, start, end, offer=PANEL):
    return api_client.get(
        f"/offers/{offer}/slots",
        query_params={"council": council.id, "start": start.isoformat(), "end": end.isoformat()},
        headers=bearer(user),
    )


def book(api_client, user, council, start, offer=PANEL, notes=""):
    return api_client.post(
        "/bookings",
        json={"offer": offer, "council": council.id, "start": start.isoformat(), "notes": notes},
        headers=bearer(user),
    )


def test_slots_offer_only_staffable_times_with_a_valid_panel(api_client, pool):
    day = bookable_day()
    response = slots(
        api_client, pool.booker, pool.council, london(day, 0), london(day + timedelta(days=1), 0)
    )
    assert response.status_code == 200, response.json()
    times = response.json()
    # Every half hour from 09:00 to 14:00 UK time: a 3-hour panel, peers free until 17:00.
    expected = [london(day, 9) + timedelta(minutes=30 * n) for n in range(11)]
    assert [t["start"] for t in times] == [z(t) for t in expected]
    for slot in times:
        panel = {seat["role"]: seat["peer"]["name"] for seat in slot["panel"]}
        assert panel == {
            "Lead member peer": "Lead Labour",
            "Member peer": "Member Green",
            "Officer peer": "Officer Recovery",
            "LGA lead": "Fay Facilitator",
        }


def test_the_slots_answer_is_what_the_schema_documents(api_client, pool):
    day = bookable_day()
    response = slots(
        api_client, pool.booker, pool.council, london(day, 0), london(day + timedelta(days=1), 0)
    )
    assert response["Content-Type"] == "application/json; charset=utf-8"
    times = TypeAdapter(list[SlotOut]).validate_json(response.content)
    assert times and [t.model_dump(mode="json") for t in times] == response.json()
    documented = {
        SlotOut: set(SlotOut.model_fields),
        PanelSeatOut: set(PanelSeatOut.model_fields),
        PeerBrief: set(PeerBrief.model_fields),
    }
    for slot in response.json():
        assert set(slot) == documented[SlotOut]
        for seat in slot["panel"]:
            assert set(seat) == documented[PanelSeatOut]
            assert set(seat["peer"]) == documented[PeerBrief]


def test_slots_skip_weekends_and_respect_notice(api_client, pool):
    day = bookable_day(weekday=5)  # a Saturday
    assert (
        slots(
            api_client,
            pool.booker,
            pool.council,
            london(day, 0),
            london(day + timedelta(days=2), 0),
        ).json()
        == []
    )
    today = timezone.now()
    soon = slots(api_client, pool.booker, pool.council, today, today + timedelta(days=9)).json()
    assert soon == []  # inside the 10-day minimum notice


@pytest.mark.parametrize(
    ("params", "status"),
    [
        (
            {"start": "2027-01-01T00:00:00Z", "end": "2027-12-01T00:00:00Z"},
            422,
        ),  # longer than 26 weeks
        ({"start": "2027-01-08T00:00:00Z", "end": "2027-01-01T00:00:00Z"}, 422),
        ({"start": "next week", "end": "2027-01-01T00:00:00Z"}, 422),
    ],
)
def test_slot_queries_are_validated(api_client, pool, params, status):
    response = api_client.get(
        f"/offers/{PANEL}/slots",
        query_params={"council": pool.council.id, **params},
        headers=bearer(pool.booker),
    )
    assert response.status_code == status


def test_slots_check_who_is_asking(api_client, pool):
    window = {"start": "2027-01-04T00:00:00Z", "end": "2027-01-08T00:00:00Z"}
    url = f"/offers/{PANEL}/slots"
    assert (
        api_client.get(url, query_params={"council": pool.council.id, **window}).status_code == 401
    )
    response = api_client.get(
        url, query_params={"council": pool.council.id, **window}, headers=bearer(pool.other_booker)
    )
    assert response.status_code == 403
    assert (
        api_client.get(
            "/offers/nope/slots",
            query_params={"council": pool.council.id, **window},
            headers=bearer(pool.booker),
        ).status_code
        == 404
    )
    assert (
        api_client.get(
            url, query_params={"council": 999999, **window}, headers=bearer(pool.booker)
        ).status_code
        == 404
    )
    adviser = make_user()
    pool.council.principal_adviser = adviser
    pool.council.save()
    assert (
        api_client.get(
            url, query_params={"council": pool.council.id, **window}, headers=bearer(adviser)
        ).status_code
        == 200
    )


def test_book_a_panel(api_client, pool):
    start = london(bookable_day(), 10)
    response = book(api_client, pool.booker, pool.council, start, notes="Focus on the budget")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["council"] == pool.council.id and body["notes"] == "Focus on the budget"
    (session,) = body["sessions"]
    assert session["start"] == z(start)
    assert session["sequence"] == 0 and session["uid"].endswith("@peers.local.gov.uk")
    seats = {seat["role"]: seat for seat in session["seats"]}
    assert seats["Lead member peer"]["peer"]["political_group"] == "labour"
    assert seats["Lead member peer"]["peer"]["id"] == pool.lead.id
    # The council reads why in words; the scores are for staff.
    assert seats["Officer peer"]["why_words"].startswith(
        "Chief executive; brings a skill this panel needs"
    )
    assert seats["Lead member peer"]["why_words"].startswith("Labour, like your leader")
    assert seats["Officer peer"]["why"] == {} and seats["Officer peer"]["runner_up"] == {}
    assert {s["status"] for s in seats.values()} == {"invited"}
    assert Seat.objects.filter(peer=pool.lead, held_from=start).exists()


def test_staff_see_the_scores_behind_the_words(api_client, pool):
    start = london(bookable_day(), 10)
    booking = book(api_client, pool.booker, pool.council, start).json()
    staff = make_user(is_staff=True)
    body = api_client.get(f"/bookings/{booking['id']}", headers=bearer(staff)).json()
    seats = {seat["role"]: seat for seat in body["sessions"][0]["seats"]}
    assert seats["Officer peer"]["why"]["skill"] > 0  # recovery planning matched
    assert seats["Officer peer"]["why_words"].startswith("Chief executive")


def test_the_same_peers_are_not_booked_twice(api_client, pool):
    start = london(bookable_day(), 10)
    assert book(api_client, pool.booker, pool.council, start).status_code == 201
    before = (Booking.objects.count(), Session.objects.count(), Seat.objects.count())

    response = book(api_client, pool.other_booker, pool.other_council, start + timedelta(hours=1))
    assert response.status_code == 409
    body = response.json()
    assert body["detail"] == "That time can no longer be staffed."
    assert any("is busy at that time" in reason for reason in body["reasons"]), body["reasons"]
    assert body["alternatives"], "a conflict offers other times"
    assert (Booking.objects.count(), Session.objects.count(), Seat.objects.count()) == before

    # The alternatives really can be booked.
    alternative = body["alternatives"][0]
    assert (
        book(
            api_client,
            pool.other_booker,
            pool.other_council,
            timezone.datetime.fromisoformat(alternative),
        ).status_code
        == 201
    )


def test_buffer_between_sessions_is_kept(api_client, pool):
    day = bookable_day()
    assert book(api_client, pool.booker, pool.council, london(day, 9)).status_code == 201
    # The first panel ends at 12:00; with a 30-minute buffer the peers are free again at 12:30.
    times = slots(
        api_client, pool.other_booker, pool.other_council, london(day, 0), london(day, 23)
    ).json()
    assert [t["start"] for t in times] == [
        z(london(day, 12, 30) + timedelta(minutes=30 * n)) for n in range(4)
    ]


def test_why_cant_i_have_that_time(api_client, pool):
    start = london(bookable_day(), 10)
    book(api_client, pool.booker, pool.council, start)
    response = api_client.get(
        f"/offers/{PANEL}/slots/explain",
        query_params={"council": pool.other_council.id, "start": start.isoformat()},
        headers=bearer(pool.other_booker),
    )
    body = response.json()
    assert body["staffable"] is False
    reasons = " ".join(body["reasons"])
    assert "busy at that time" in reasons
    assert reasons.split(":")[0] in {"Lead member peer", "Member peer", "Officer peer"}

    christmas = london(bookable_day().replace(month=12, day=25), 10)
    body = api_client.get(
        f"/offers/{PANEL}/slots/explain",
        query_params={"council": pool.council.id, "start": christmas.isoformat()},
        headers=bearer(pool.booker),
    ).json()
    assert body["staffable"] is False


@pytest.mark.parametrize(
    ("offer", "start_shift", "field"),
    [
        (PANEL, -timedelta(days=40), "start"),  # in the past
        (PANEL, "soon", "start"),  # inside the minimum notice
        ("finance-recovery-panel", None, "offer"),  # coming soon
        ("webinar-role-of-the-ward-councillor", None, "offer"),
        ("corporate-peer-challenge", None, "offer"),  # suspended until next month
    ],
)
def test_bad_bookings_are_422_and_write_nothing(api_client, pool, offer, start_shift, field):
    Offer.objects.filter(slug="corporate-peer-challenge").update(
        suspended_until=timezone.localdate() + timedelta(days=31)
    )
    start = london(bookable_day(), 10)
    if start_shift == "soon":
        start = timezone.now().astimezone(london(bookable_day(), 10).tzinfo).replace(
            minute=0, second=0, microsecond=0
        ) + timedelta(days=2)
    elif start_shift is not None:
        start = start + start_shift
    response = book(api_client, pool.booker, pool.council, start, offer=offer)
    assert response.status_code == 422, response.json()
    assert response.json()["detail"][0]["loc"][-1] == field
    assert not Booking.objects.exists()


def test_booking_for_someone_elses_council_is_403(api_client, pool):
    response = book(api_client, pool.booker, pool.other_council, london(bookable_day(), 10))
    assert response.status_code == 403
    assert not Booking.objects.exists()
    assert (
        book(api_client, pool.booker, make_council(), london(bookable_day(), 10)).status_code == 403
    )
    response = api_client.post(
        "/bookings",
        json={"offer": "nope", "council": pool.council.id, "start": "2027-01-05T10:00:00Z"},
        headers=bearer(pool.booker),
    )
    assert response.status_code == 404
    response = api_client.post(
        "/bookings", json={"offer": PANEL, "council": pool.council.id}, headers=bearer(pool.booker)
    )
    assert response.status_code == 422


def test_who_sees_which_bookings(api_client, pool):
    mine = book(api_client, pool.booker, pool.council, london(bookable_day(), 10)).json()
    assert [b["id"] for b in api_client.get("/bookings", headers=bearer(pool.booker)).json()] == [
        mine["id"]
    ]
    assert api_client.get("/bookings", headers=bearer(pool.other_booker)).json() == []
    assert (
        api_client.get(f"/bookings/{mine['id']}", headers=bearer(pool.other_booker)).status_code
        == 403
    )
    assert api_client.get("/bookings/999999", headers=bearer(pool.booker)).status_code == 404
    staff = make_user(is_staff=True)
    assert [b["id"] for b in api_client.get("/bookings", headers=bearer(staff)).json()] == [
        mine["id"]
    ]
    adviser = make_user()
    pool.council.principal_adviser = adviser
    pool.council.save()
    assert api_client.get(f"/bookings/{mine['id']}", headers=bearer(adviser)).status_code == 200


def test_reschedule_keeps_the_panel_and_raises_the_sequence(api_client, pool):
    day = bookable_day()
    booking = book(api_client, pool.booker, pool.council, london(day, 10)).json()
    seats_before = {s["role"]: s["peer"]["id"] for s in booking["sessions"][0]["seats"]}
    new_start = london(day + timedelta(days=1), 11)
    response = api_client.post(
        f"/bookings/{booking['id']}/reschedule",
        json={"start": new_start.isoformat()},
        headers=bearer(pool.booker),
    )
    assert response.status_code == 200, response.json()
    (session,) = response.json()["sessions"]
    assert session["start"] == z(new_start)
    assert session["sequence"] == 1
    assert session["uid"] == booking["sessions"][0]["uid"]
    held = {s["role"]: s["peer"]["id"] for s in session["seats"] if s["status"] == "invited"}
    assert held == seats_before
    # The old time is free again for someone else.
    assert (
        book(api_client, pool.other_booker, pool.other_council, london(day, 10)).status_code == 201
    )


def test_reschedule_to_an_unstaffable_time_is_409_and_changes_nothing(api_client, pool):
    day = bookable_day()
    first = book(api_client, pool.booker, pool.council, london(day, 10)).json()
    second = book(
        api_client, pool.other_booker, pool.other_council, london(day + timedelta(days=1), 10)
    ).json()
    response = api_client.post(
        f"/bookings/{first['id']}/reschedule",
        json={"start": london(day + timedelta(days=1), 10).isoformat()},
        headers=bearer(pool.booker),
    )
    assert response.status_code == 409
    assert api_client.get(f"/bookings/{first['id']}", headers=bearer(pool.booker)).json() == first
    assert second["status"] == "confirmed"


def test_cancel_needs_a_reason_and_frees_the_peers(api_client, pool):
    start = london(bookable_day(), 10)
    booking = book(api_client, pool.booker, pool.council, start).json()
    url = f"/bookings/{booking['id']}/cancel"
    response = api_client.post(url, json={"reason": "  "}, headers=bearer(pool.booker))
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "reason"
    assert (
        api_client.post(url, json={"reason": "x"}, headers=bearer(pool.other_booker)).status_code
        == 403
    )

    response = api_client.post(
        url, json={"reason": "The leader is unwell"}, headers=bearer(pool.booker)
    )
    body = response.json()
    assert body["status"] == "cancelled" and body["cancel_reason"] == "The leader is unwell"
    assert body["sessions"][0]["status"] == "cancelled" and body["sessions"][0]["sequence"] == 1
    assert {s["status"] for s in body["sessions"][0]["seats"]} == {"withdrawn"}
    assert (
        api_client.post(url, json={"reason": "again"}, headers=bearer(pool.booker)).status_code
        == 422
    )
    assert book(api_client, pool.other_booker, pool.other_council, start).status_code == 201


def test_a_coaching_series_keeps_one_facilitator(api_client, pool):
    coach = pool.officer
    coach.skills.add(*coach.skills.model.objects.filter(slug="leadership-coaching"))
    start = london(bookable_day(), 14)
    response = book(
        api_client, pool.booker, pool.council, start, offer="one-to-one-leadership-development"
    )
    assert response.status_code == 201, response.json()
    sessions = response.json()["sessions"]
    assert len(sessions) == 3
    assert {s["seats"][0]["peer"]["id"] for s in sessions} == {coach.id}
    starts = [
        timezone.datetime.fromisoformat(s["start"]).astimezone(london(bookable_day(), 0).tzinfo)
        for s in sessions
    ]
    assert [(b - a).days for a, b in zip(starts, starts[1:], strict=False)] == [14, 14]
    assert {s.hour for s in starts} == {14}  # same UK time even across a clock change


def test_offer_models_are_unchanged_by_bookings(pool):
    assert Offer.objects.get(slug=PANEL).role_slots.count() == 4


def test_moving_a_booking_offers_times_its_own_seats_would_block(api_client, pool):
    from sessions.pool import staffable_starts

    day = bookable_day()
    booking = Booking.objects.get(
        pk=book(api_client, pool.booker, pool.council, london(day, 10)).json()["id"]
    )
    window = {
        "offer": booking.offer,
        "council": pool.council,
        "range_start": london(day, 0),
        "range_end": london(day, 23),
    }
    others, _ = staffable_starts(**window)
    assert london(day, 10, 30) not in [s.start for s in others]
    moving, _ = staffable_starts(**window, ignore_booking_id=booking.id)
    assert london(day, 10, 30) in [s.start for s in moving]


def test_a_peers_imported_calendar_blocks_their_slots(api_client, pool):
    from tests.factories import import_calendar

    day = bookable_day()
    # Full council 10:30-11:15 UK time: no 3-hour panel with the lead peer may overlap it.
    start, end = london(day, 10, 30).astimezone(UTC), london(day, 11, 15).astimezone(UTC)
    import_calendar(
        pool.lead,
        (
            "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//tests//EN\r\nBEGIN:VEVENT\r\n"
            f"UID:full-council@example.org\r\nDTSTAMP:20260101T000000Z\r\n"
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}\r\nDTEND:{end:%Y%m%dT%H%M%SZ}\r\n"
            "SUMMARY:Full council\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
        ).encode(),
    )
    times = slots(api_client, pool.booker, pool.council, london(day, 0), london(day, 23)).json()
    assert [t["start"] for t in times] == [
        z(london(day, 11, 30) + timedelta(minutes=30 * n)) for n in range(6)
    ]
