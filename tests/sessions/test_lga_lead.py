"""An LGA lead for every panel the LGA leads: an LGA facilitator, matched like a peer under the
same hard rules, chairs the session, reads the booking and sets its joining link, and is
re-staffed like any seat when they decline."""

from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client

from peers.models import PeerKind
from scheduling.engine.panels import (
    FACILITATOR,
    MEMBER,
    CouncilProfile,
    PeerProfile,
    RoleRequirement,
    chair_roles,
    ineligibility,
)
from sessions.models import HOLDING_SEAT_STATUSES, Booking, Seat
from tests.factories import PANEL, a_booking, bearer, london, make_available, make_peer, make_user
from tests.interop.parsers import libical, libical_ready
from tests.sent_mail import assert_imip, by_recipient, deliver

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]


def slot_starts(api_client, pool) -> list[str]:
    query = urlencode(
        {
            "council": pool.council.id,
            "start": london(pool.day, 0).isoformat(),
            "end": london(pool.day, 23).isoformat(),
        }
    )
    response = api_client.get(f"/offers/{PANEL}/slots?{query}", headers=bearer(pool.booker))
    assert response.status_code == 200, response.json()
    return [slot["start"] for slot in response.json()]


def lead_seat(booking: Booking) -> Seat:
    return Seat.objects.get(
        session__booking=booking, role_name="LGA lead", status__in=HOLDING_SEAT_STATUSES
    )


# The engine's rule ------------------------------------------------------------------------------


def profile(kind: str) -> PeerProfile:
    return PeerProfile(
        id=1,
        name="A person",
        kind=kind,
        home_council_id=99,
        home_region="london",
        political_group="labour" if kind == MEMBER else "",
    )


def test_a_facilitator_sits_only_in_a_lead_slot_and_only_a_facilitator_sits_there():
    council = CouncilProfile(id=1, name="Wigan Council", region="north-west", leader_group="labour")
    either = RoleRequirement(name="Member or officer peer")
    lead = RoleRequirement(name="LGA lead", kind=FACILITATOR)
    assert ineligibility(profile(FACILITATOR), either, council) == "not a member or officer peer"
    assert ineligibility(profile(MEMBER), lead, council) == "not an LGA facilitator"
    assert ineligibility(profile(FACILITATOR), lead, council) is None
    assert ineligibility(profile(MEMBER), either, council) is None
    # The LGA lead chairs; without one, the lead member peer does.
    lead_member = RoleRequirement(name="Lead member peer", kind=MEMBER, lead=True)
    assert chair_roles([lead_member, lead]) == {"LGA lead"}
    assert chair_roles([lead_member, either]) == {"Lead member peer"}


# Times, seats and invites -----------------------------------------------------------------------


def test_a_time_is_offered_only_when_a_facilitator_is_free_as_well(api_client, pool):
    assert slot_starts(api_client, pool)
    # The only facilitator keeps Wednesdays only: the peers are free, but nobody can lead.
    make_available(pool.facilitator, weekly=[{"weekday": 2, "start": "09:00", "end": "17:00"}])
    assert slot_starts(api_client, pool) == []
    query = urlencode({"council": pool.council.id, "start": london(pool.day, 10).isoformat()})
    why = api_client.get(f"/offers/{PANEL}/slots/explain?{query}", headers=bearer(pool.booker))
    assert why.status_code == 200
    assert "LGA facilitator" in str(why.json())


def test_the_lead_chairs_and_their_invite_reads_in_icaljs_and_libical(
    pool, django_capture_on_commit_callbacks
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    assert lead_seat(booking).peer == pool.facilitator
    mails = by_recipient(deliver())
    invite = mails[pool.facilitator.email]
    event = assert_imip(invite, "REQUEST")
    (attendee,) = event["attendees"]
    assert (attendee["role"], attendee["cn"]) == ("CHAIR", "Fay Facilitator")
    assert "You are invited to take the LGA lead seat" in invite.text
    # The lead member peer takes part; the council is told who leads.
    assert assert_imip(mails[pool.lead.email], "REQUEST")["attendees"][0]["role"] == (
        "REQ-PARTICIPANT"
    )
    assert "LGA lead: Fay Facilitator" in mails[pool.booker.email].text
    if libical_ready():
        code, result = libical(invite.calendar)
        assert code == 0, result


def test_a_leads_decline_is_restaffed_by_another_facilitator_never_by_a_peer(
    api_client, pool, run_worker, django_capture_on_commit_callbacks
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    deliver()
    home = pool.member.home_council
    reserve_member = make_available(
        make_peer(name="Reserve Member", political_group="conservative", home_council=home)
    )
    other = make_available(make_peer(kind=PeerKind.FACILITATOR, name="Lee Lead", home_council=home))
    pool.facilitator.user = make_user()
    pool.facilitator.save()
    with django_capture_on_commit_callbacks(execute=True):
        declined = api_client.post(
            f"/seats/{lead_seat(booking).pk}/decline", headers=bearer(pool.facilitator.user)
        )
    assert declined.status_code == 200, declined.json()
    assert run_worker() == [{"invited": 1, "removed": 0, "unfilled": 0}]
    assert lead_seat(booking).peer == other
    assert not Seat.objects.filter(peer=reserve_member).exists()
    sent = by_recipient(deliver())
    assert assert_imip(sent[other.email], "REQUEST")["attendees"][0]["role"] == "CHAIR"
    assert "Fay Facilitator declined the LGA lead seat." in sent[pool.booker.email].text


def test_with_no_other_facilitator_the_lead_seat_waits_unfilled_and_says_why(
    api_client, pool, run_worker, django_capture_on_commit_callbacks
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    make_available(make_peer(name="Reserve Member", political_group="labour"))
    pool.facilitator.user = make_user()
    pool.facilitator.save()
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            f"/seats/{lead_seat(booking).pk}/decline", headers=bearer(pool.facilitator.user)
        )
    run_worker()
    unfilled = Seat.objects.get(session__booking=booking, role_name="LGA lead", peer=None)
    assert "not free for the LGA lead seat (1 declined this seat)" in unfilled.unfilled_reason


# What the lead may do --------------------------------------------------------------------------


def test_the_lead_reads_the_booking_and_sets_the_joining_link_but_cannot_move_or_cancel_it(
    api_client, pool, roles, django_capture_on_commit_callbacks
):
    booking = a_booking(
        pool,
        london(pool.day, 10),
        capture=django_capture_on_commit_callbacks,
        notes="Leader and chief executive will attend.",
    )
    deliver()
    page = Client()
    page.force_login(roles.lga_lead)
    mine = page.get("/my-sessions/").content.decode()
    assert "You lead this panel" in mine and f"/bookings/{booking.pk}/" in mine
    html = page.get(f"/bookings/{booking.pk}/").content.decode()
    assert "Leader and chief executive will attend." in html
    assert "add the joining link" in html
    assert "Cancel this booking" not in html and "Move to another time" not in html

    with django_capture_on_commit_callbacks(execute=True):
        linked = api_client.put(
            f"/bookings/{booking.pk}/joining-link",
            json={"joining_url": "https://teams.example.org/meet/123"},
            headers=bearer(roles.lga_lead),
        )
    assert linked.status_code == 200, linked.json()
    updates = by_recipient(deliver())
    assert pool.booker.email in updates and pool.member.email in updates
    cancelled = api_client.post(
        f"/bookings/{booking.pk}/cancel", json={"reason": "No"}, headers=bearer(roles.lga_lead)
    )
    assert cancelled.status_code == 403
    assert Booking.objects.get(pk=booking.pk).status == "confirmed"


def test_a_facilitator_who_does_not_lead_the_panel_cannot_read_it(
    api_client, pool, django_capture_on_commit_callbacks
):
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    stranger = make_peer(kind=PeerKind.FACILITATOR, name="Not This One", user=make_user())
    response = api_client.get(f"/bookings/{booking.pk}", headers=bearer(stranger.user))
    assert response.status_code in (403, 404)
    assert booking.sessions.get().start - london(pool.day, 10) == timedelta(0)
