"""One panel plan: what a council is shown with a time is what booking it seats.

Through the API: the first, a middle and the last time offered, for several councils and
offers, book exactly the panel shown; a panel that changed in between is a 409 saying how and
why; random pools agree too. Then the regressions: a peer with no buffer can be booked for the
first time offered after a session; moving to the same time; the same booking twice; the
booking's state following its seats; fair ties and a rolling fairness window.
"""

import contextlib
import html
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from peers.models import Peer, PeerKind, Region
from peers.services import availability_update
from sessions.models import Booking, Invite, Offer, Seat, SeatStatus, Session
from sessions.pool import staffable_starts
from sessions.seat_plan import panel_plan
from sessions.services import BookingConflict
from tests.factories import (
    bearer,
    bookable_day,
    london,
    make_available,
    make_booker,
    make_council,
    make_peer,
    make_user,
)
from tests.sent_mail import by_recipient, deliver

pytestmark = pytest.mark.django_db
PANEL = "recovery-and-renewal-panel"
COACHING = "one-to-one-leadership-development"
SURGERY = "virtual-commercial-surgeries"
BESPOKE = "bespoke-remote-peer-support"


def slots(api_client, user, council, start, end, offer=PANEL):
    response = api_client.get(
        f"/offers/{offer}/slots",
        query_params={"council": council.id, "start": start.isoformat(), "end": end.isoformat()},
        headers=bearer(user),
    )
    assert response.status_code == 200, response.json()
    return response.json()


def book(api_client, user, council, start, offer=PANEL, panel=None):
    body = {"offer": offer, "council": council.id, "start": start}
    if panel is not None:
        body["panel"] = panel
    return api_client.post("/bookings", json=body, headers=bearer(user))


def shown(slot) -> list[dict]:
    return [{"role": seat["role"], "peer": seat["peer"]["id"]} for seat in slot["panel"]]


def seated(booking: dict) -> list[set[tuple[str, int]]]:
    return [
        {(seat["role"], seat["peer"]["id"]) for seat in session["seats"] if seat["peer"]}
        for session in booking["sessions"]
    ]


def as_set(slot) -> set[tuple[str, int]]:
    return {(seat["role"], seat["peer"]["id"]) for seat in slot["panel"]}


@pytest.mark.parametrize("offer", [PANEL, COACHING, SURGERY])
def test_the_first_a_middle_and_the_last_time_book_exactly_the_panel_shown(
    api_client, crowd, offer
):
    day = bookable_day(weeks_ahead=3)
    window = (london(day, 0), london(day + timedelta(days=14), 0))
    sent_panel = False
    for council in crowd.councils:
        booker = crowd.bookers[council.id]
        for pick in ("first", "middle", "last"):
            times = slots(api_client, booker, council, *window, offer=offer)
            assert times, f"no time for {council.name}"
            slot = {"first": times[0], "middle": times[len(times) // 2], "last": times[-1]}[pick]
            # Half the bookings send the panel they were shown, half leave it out.
            panel = shown(slot) if sent_panel else None
            sent_panel = not sent_panel
            response = book(api_client, booker, council, slot["start"], offer=offer, panel=panel)
            assert response.status_code == 201, (council.name, pick, response.json())
            sessions = seated(response.json())
            assert sessions[0] == as_set(slot), (council.name, pick)
            assert all(session == sessions[0] for session in sessions)


def test_a_panel_that_changed_since_it_was_shown_is_a_409_saying_why(api_client, crowd):
    council = crowd.councils[0]
    booker = crowd.bookers[council.id]
    day = bookable_day()
    slot = slots(api_client, booker, council, london(day, 10), london(day, 10, 30))[0]
    lead = next(seat for seat in slot["panel"] if seat["role"] == "Lead member peer")
    # The lead shown goes on leave that day before the booker presses "Book".
    availability_update(
        peer=Peer.objects.get(pk=lead["peer"]["id"]),
        leave=[{"first_day": day, "last_day": day}],
    )
    before = (Booking.objects.count(), Seat.objects.count(), Invite.objects.count())
    response = book(api_client, booker, council, slot["start"], panel=shown(slot))
    assert response.status_code == 409
    body = response.json()
    assert "changed since it was shown" in body["detail"]
    (change,) = body["changes"]
    assert change["role"] == "Lead member peer"
    assert change["shown"]["id"] == lead["peer"]["id"]
    assert change["now"]["id"] != lead["peer"]["id"]
    assert "no longer free" in change["why"]
    assert {seat["role"] for seat in body["panel"]} == {seat["role"] for seat in slot["panel"]}
    assert (Booking.objects.count(), Seat.objects.count(), Invite.objects.count()) == before

    # Sending the new panel books it; leaving the panel out books the fresh plan too.
    again = book(api_client, booker, council, slot["start"], panel=shown(body))
    assert again.status_code == 201, again.json()
    assert seated(again.json())[0] == as_set(body)


@st.composite
def pools(draw):
    members = draw(
        st.lists(
            st.tuples(st.sampled_from(["labour", "green"]), st.integers(0, 3)),
            min_size=2,
            max_size=6,
        )
    )
    officers = draw(st.lists(st.tuples(st.booleans(), st.integers(0, 2)), min_size=1, max_size=4))
    earlier = draw(st.lists(st.integers(0, 9), max_size=3))
    return members, officers, earlier


@settings(
    max_examples=12,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(pools())
def test_the_search_and_the_booking_agree_on_random_pools(api_client, db, case):
    """Random pools with random earlier bookings: every time offered books its panel."""
    members, officers, earlier = case
    with transaction.atomic():
        home = make_council(region=Region.WALES)
        council = make_council(region=Region.NORTH_WEST, leader_group="labour")
        booker = make_booker(council)
        for group, holidays in members:
            make_available(
                make_peer(political_group=group, home_council=home),
                weekly=[
                    {"weekday": d, "start": "09:00", "end": "17:00"} for d in range(5 - holidays)
                ],
            )
        for skilled, extra_skill in officers:
            make_available(
                make_peer(
                    kind=PeerKind.OFFICER,
                    home_council=home,
                    skills=(["recovery-planning"] if skilled else [])
                    + (["finance"] if extra_skill else []),
                    profession=["chief-executive", "s151-finance", "planning"][extra_skill],
                )
            )
        day = bookable_day()
        offer = Offer.objects.get(slug=PANEL)
        for hour in sorted(set(earlier)):
            # Earlier bookings the next day: a time that cannot be staffed is skipped.
            with contextlib.suppress(BookingConflict):
                book_now(
                    offer,
                    council,
                    booker,
                    london(day + timedelta(days=1), 9) + timedelta(minutes=30 * hour),
                )
        found, _ = staffable_starts(
            offer=offer, council=council, range_start=london(day, 0), range_end=london(day, 23)
        )
        for start in found[:: max(1, len(found) // 3)]:
            plan = panel_plan(offer=offer, council=council, start=start.start)
            assert plan.staffable
            assert {(r, p) for r, p in plan.panel()} == {
                (role, peer_id) for role, ids in start.panel.items() for peer_id in ids
            }
        if found:
            chosen = found[len(found) // 2]
            response = book(api_client, booker, council, chosen.start.isoformat())
            assert response.status_code == 201, response.json()
            assert seated(response.json())[0] == {
                (role, peer_id) for role, ids in chosen.panel.items() for peer_id in ids
            }
        transaction.set_rollback(True)


def book_now(offer, council, user, start):
    from peers.selectors import caller_for
    from sessions.services import booking_create

    return booking_create(caller=caller_for(user), offer=offer, council=council, start=start)


# Regressions ----------------------------------------------------------------------------------


def test_with_no_buffer_the_first_time_after_a_session_is_offered_and_bookable(api_client, pool):
    for peer in (pool.lead, pool.member, pool.officer, pool.facilitator):
        peer.buffer_minutes = 0
        peer.save()
    day = pool.day
    assert (
        book(api_client, pool.booker, pool.council, london(day, 9).isoformat()).status_code == 201
    )
    times = slots(
        api_client, pool.other_booker, pool.other_council, london(day, 0), london(day, 23)
    )
    first = times[0]["start"]
    assert datetime.fromisoformat(first) == london(day, 12)  # straight after 09:00-12:00
    response = book(api_client, pool.other_booker, pool.other_council, first, panel=shown(times[0]))
    assert response.status_code == 201, response.json()
    # Each seat holds its session and the peer's buffer after it: here nothing more.
    for seat in Seat.objects.filter(peer=pool.lead):
        assert (seat.held_from, seat.held_until) == (seat.session.start, seat.session.end)


def test_a_held_range_is_the_session_and_the_peers_buffer_after_it(api_client, pool):
    pool.lead.buffer_minutes = 45
    pool.lead.save()
    start = london(pool.day, 10)
    assert book(api_client, pool.booker, pool.council, start.isoformat()).status_code == 201
    seat = Seat.objects.get(peer=pool.lead)
    assert seat.held_from == start
    assert seat.held_until == start + timedelta(hours=3, minutes=45)
    # 45 minutes after 13:00 is 13:45; the next half-hour start the lead can take is 14:00.
    # (Wigan's lead can only be this peer: the other Labour members are ruled out.)
    times = slots(api_client, pool.booker, pool.council, start, london(pool.day, 23))
    assert times[0]["start"].startswith(london(pool.day, 14).astimezone(UTC).isoformat()[:16])


def test_moving_a_booking_to_the_time_it_has_is_422_and_sends_nothing(api_client, pool):
    start = london(pool.day, 10)
    booking = book(api_client, pool.booker, pool.council, start.isoformat()).json()
    before = (Invite.objects.count(), Session.objects.get().sequence)
    statuses = sorted(Seat.objects.values_list("status", flat=True))
    response = api_client.post(
        f"/bookings/{booking['id']}/reschedule",
        json={"start": start.astimezone(UTC).isoformat()},
        headers=bearer(pool.booker),
    )
    assert response.status_code == 422
    assert "already at that time" in str(response.json())
    assert (Invite.objects.count(), Session.objects.get().sequence) == before
    assert sorted(Seat.objects.values_list("status", flat=True)) == statuses


def test_the_same_offer_council_and_start_cannot_be_booked_twice(api_client, crowd):
    council = crowd.councils[0]
    booker = crowd.bookers[council.id]
    start = london(bookable_day(), 10)
    first = book(api_client, booker, council, start.isoformat())
    assert first.status_code == 201
    before = (Booking.objects.count(), Seat.objects.count(), Invite.objects.count())
    again = book(api_client, booker, council, start.astimezone(UTC).isoformat())
    assert again.status_code == 409
    assert again.json()["booking"] == first.json()["id"]
    assert f"(booking {first.json()['reference']})" in again.json()["detail"]
    assert (Booking.objects.count(), Seat.objects.count(), Invite.objects.count()) == before

    # The database refuses it too, while the first is live; once cancelled, the time is free.
    existing = Booking.objects.get()
    with pytest.raises(IntegrityError), transaction.atomic():
        Booking.objects.create(offer=existing.offer, council=council, start=existing.start)
    api_client.post(
        f"/bookings/{existing.pk}/cancel", json={"reason": "Wrong day"}, headers=bearer(booker)
    )
    assert book(api_client, booker, council, start.isoformat()).status_code == 201


@pytest.mark.usefixtures("empty_broker")
def test_the_booking_state_follows_its_seats(
    api_client, pool, run_worker, django_capture_on_commit_callbacks
):
    start = london(pool.day, 10)
    booking = book(api_client, pool.booker, pool.council, start.isoformat()).json()
    assert booking["state"] == "Being staffed (0 of 4 accepted)"

    def state():
        return api_client.get(f"/bookings/{booking['id']}", headers=bearer(pool.booker)).json()[
            "state"
        ]

    for n, peer in enumerate((pool.lead, pool.member, pool.facilitator), start=1):
        user = make_user()
        peer.user = user
        peer.save()
        seat = Seat.objects.get(peer=peer)
        assert api_client.post(f"/seats/{seat.pk}/accept", headers=bearer(user)).status_code == 200
        assert state() == f"Being staffed ({n} of 4 accepted)"
    officer_user = make_user()
    pool.officer.user = officer_user
    pool.officer.save()
    seat = Seat.objects.get(peer=pool.officer)
    assert (
        api_client.post(f"/seats/{seat.pk}/accept", headers=bearer(officer_user)).status_code == 200
    )
    assert state() == "Confirmed"
    # The officer then declines: the place is being staffed again until the worker has
    # looked, and needs attention once nobody else can take it.
    with django_capture_on_commit_callbacks(execute=True):
        declined = api_client.post(f"/seats/{seat.pk}/decline", headers=bearer(officer_user))
    assert declined.status_code == 200
    assert state() == "Being staffed (3 of 4 accepted)"
    run_worker()
    assert Seat.objects.filter(peer=None, status=SeatStatus.PROPOSED).exists()
    assert state() == "Needs attention"
    api_client.post(
        f"/bookings/{booking['id']}/cancel",
        json={"reason": "No longer needed"},
        headers=bearer(pool.booker),
    )
    assert state() == "Cancelled"


# Fairness -------------------------------------------------------------------------------------


@pytest.fixture
def advisers(db):
    """Three equally suited commercial advisers (the surgery's one seat), free on weekdays."""
    home = make_council(region=Region.WALES)
    council = make_council(region=Region.NORTH_WEST)
    peers = [
        make_available(
            make_peer(
                kind=PeerKind.OFFICER,
                name=f"Adviser {n}",
                profession="planning",
                home_council=home,
                skills=["commercial"],
            )
        )
        for n in range(3)
    ]
    Offer.objects.filter(slug=SURGERY).update(horizon_days=500)
    return council, make_booker(council), peers


def test_equally_suited_peers_share_the_work(api_client, advisers):
    council, booker, peers = advisers
    first = bookable_day()
    for week in range(9):
        day = first + timedelta(weeks=2 * week)  # far enough apart that no window overlaps
        day = bookable_day_from(day)
        times = slots(api_client, booker, council, london(day, 0), london(day, 23), offer=SURGERY)
        response = book(api_client, booker, council, times[0]["start"], offer=SURGERY)
        assert response.status_code == 201
    counts = sorted(Seat.objects.filter(peer__in=peers).values_list("peer_id", flat=True))
    assert [counts.count(peer.id) for peer in peers] == [3, 3, 3]


def test_a_january_booking_sees_decembers_work(api_client, advisers):
    council, booker, (first, second, third) = advisers
    third.is_active = False
    third.save()
    december = bookable_day_from(next_month_day(12, 14))
    january = bookable_day_from(december + timedelta(days=27))
    far = bookable_day_from(january + timedelta(days=60))
    assert january.month == 1 and (january - december).days < 30
    # The first adviser sits in December; the second is seated more recently, in March (far
    # from January). Counting calendar months, January would see neither and prefer the one
    # seated least recently: the first. The rolling window sees December's work.
    book_at(api_client, booker, council, december, expect=first)
    book_at(api_client, booker, council, far, expect=second)
    book_at(api_client, booker, council, january, expect=second)


def book_at(api_client, booker, council, day, *, expect):
    times = slots(api_client, booker, council, london(day, 10), london(day, 10, 30), offer=SURGERY)
    assert times[0]["panel"][0]["peer"]["id"] == expect.id
    response = book(api_client, booker, council, times[0]["start"], offer=SURGERY)
    assert response.status_code == 201
    assert response.json()["sessions"][0]["seats"][0]["peer"]["id"] == expect.id


def bookable_day_from(day: date) -> date:
    import holidays

    england = holidays.country_holidays("GB", subdiv="ENG", years=[day.year, day.year + 1])
    while day.weekday() >= 5 or day in england:
        day += timedelta(days=1)
    return day


def next_month_day(month: int, day: int) -> date:
    today = timezone.localdate()
    candidate = date(today.year, month, day)
    while candidate < today + timedelta(days=15):
        candidate = date(candidate.year + 1, month, day)
    return candidate


def test_bespoke_support_can_be_staffed_by_peers_with_ordinary_caps(api_client, crowd):
    """Three half-days with the same team fit a 10-hour, 3-session monthly cap."""
    for peer in crowd.peers:
        peer.monthly_hours_cap, peer.monthly_session_cap = 10, 3
        peer.save()
    council = crowd.councils[0]
    booker = crowd.bookers[council.id]
    day = bookable_day(weeks_ahead=4)
    times = slots(
        api_client, booker, council, london(day, 0), london(day + timedelta(days=7), 0), BESPOKE
    )
    assert times, "bespoke support has times"
    assert [len(t["sessions"]) for t in times] == [3] * len(times)
    response = book(api_client, booker, council, times[0]["start"], offer=BESPOKE)
    assert response.status_code == 201, response.json()
    sessions = seated(response.json())
    assert sessions == [as_set(times[0])] * 3


# The booking page ---------------------------------------------------------------------------


def hidden_panels(page_html: str) -> dict[str, list[str]]:
    """The hidden `panel@<time>` fields a page sends back with each time's button."""
    found: dict[str, list[str]] = {}
    for name, value in re.findall(r'name="panel@([^"]+)" value="([^"]+)"', page_html):
        found.setdefault(html.unescape(name), []).append(html.unescape(value))
    return found


def test_the_booking_page_sends_the_panel_shown_and_shows_what_changed(client, crowd):
    council = crowd.councils[0]
    client.force_login(crowd.bookers[council.id])
    url = f"/offers/{PANEL}/book/"
    day = bookable_day()
    page = client.get(url, {"council": council.pk, "day": day.isoformat()})
    panels = hidden_panels(page.content.decode())
    start, fields = next(iter(panels.items()))
    assert len(fields) == 4
    lead_id = int(next(f for f in fields if f.endswith("|Lead member peer")).split("|")[0])
    chosen = datetime.fromisoformat(start).date()
    availability_update(
        peer=Peer.objects.get(pk=lead_id), leave=[{"first_day": chosen, "last_day": chosen}]
    )
    refused = client.post(
        url, {"council": council.pk, "start": start, "notes": "", f"panel@{start}": fields}
    )
    assert refused.status_code == 409
    text = re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", refused.content.decode())))
    assert "The panel has changed" in text and "is no longer free then" in text
    assert not Booking.objects.exists()
    fresh = hidden_panels(refused.content.decode())[start]
    assert f"{lead_id}|Lead member peer" not in fresh
    booked = client.post(
        url, {"council": council.pk, "start": start, "notes": "", f"panel@{start}": fresh}
    )
    assert booked.status_code == 302
    seats = Seat.objects.filter(session__booking=Booking.objects.get())
    assert {f"{s.peer_id}|{s.role_name}" for s in seats} == set(fresh)


def test_moving_books_the_panel_the_slot_search_shows_for_the_move(api_client, crowd):
    council = crowd.councils[1]
    booker = crowd.bookers[council.id]
    day = bookable_day()
    booking = book(api_client, booker, council, london(day, 10).isoformat()).json()
    before = seated(booking)[0]
    window = {
        "council": council.id,
        "start": london(day, 0).isoformat(),
        "end": london(day, 23).isoformat(),
        "booking": booking["id"],
    }
    times = api_client.get(
        f"/offers/{PANEL}/slots", query_params=window, headers=bearer(booker)
    ).json()
    # Its own seats do not block it: 10:30 is offered, with the peers it has kept.
    near = next(t for t in times if datetime.fromisoformat(t["start"]) == london(day, 10, 30))
    assert as_set(near) == before
    later = times[-1]
    moved = api_client.post(
        f"/bookings/{booking['id']}/reschedule",
        json={"start": later["start"], "panel": shown(later)},
        headers=bearer(booker),
    )
    assert moved.status_code == 200, moved.json()
    assert seated(moved.json())[0] == as_set(later)
    other = crowd.councils[0]
    wrong = api_client.get(
        f"/offers/{PANEL}/slots",
        query_params={**window, "council": other.id},
        headers=bearer(crowd.bookers[other.id]),
    )
    assert wrong.status_code in (403, 404, 422)


def test_the_bookers_letter_says_where_the_booking_stands(
    api_client, pool, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = book(api_client, pool.booker, pool.council, london(pool.day, 10).isoformat())
    assert response.status_code == 201
    letter = by_recipient(deliver())[pool.booker.email]
    assert "Being staffed (0 of 4 accepted)" in letter.text
