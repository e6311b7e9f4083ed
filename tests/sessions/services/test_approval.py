"""Requests through the Principal Adviser: a booking of an offer that needs approval pencils
its panel's time in (held from every other council) without inviting anyone; the adviser
approves (the plan checked again, the peers invited) or declines (the time released, the
booker told), from the API, the booking page or the e-mailed link; an undecided request
expires after a set number of working days."""

import re
from datetime import date, datetime, timedelta
from urllib.parse import urlencode, urlsplit

import pytest
from django.test import Client

from scheduling.engine.availability import working_day_after
from scheduling.engine.uk_time import LONDON, day_text, moment_text
from sessions.models import HOLDING_SEAT_STATUSES, Booking, Invite, Seat, SeatStatus
from sessions.services import approval
from sessions.services import approval_letters as letters
from tests.factories import PANEL, bearer, london, make_available, make_booker, make_peer, make_user
from tests.sent_mail import by_recipient, deliver

pytestmark = [pytest.mark.django_db, pytest.mark.needs_approval]


def request_booking(api_client, pool, capture, *, council=None, booker=None, hour=10):
    with capture(execute=True):
        response = api_client.post(
            "/bookings",
            json={
                "offer": PANEL,
                "council": (council or pool.council).id,
                "start": london(pool.day, hour).isoformat(),
            },
            headers=bearer(booker or pool.booker),
        )
    return response


def held(booking_id):
    return Seat.objects.filter(session__booking_id=booking_id, status__in=HOLDING_SEAT_STATUSES)


def links(text: str) -> dict[str, str]:
    found = dict(re.findall(r"(Approve the request|Decline the request):\s+(\S+)", text))
    return {k: urlsplit(v).path for k, v in found.items()}


@pytest.mark.usefixtures("empty_broker")
def test_a_request_pencils_the_panel_in_invites_no_one_and_asks_the_adviser(
    api_client, pool, adviser, django_capture_on_commit_callbacks
):
    detail = api_client.get(f"/offers/{PANEL}").json()
    assert detail["needs_approval"] is True

    response = request_booking(api_client, pool, django_capture_on_commit_callbacks)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "requested"
    assert body["state"].startswith("Waiting for approval (until ")
    assert body["request_expires_at"] is not None
    seats = held(body["id"])
    assert {s.peer_id for s in seats} == {
        pool.lead.id,
        pool.member.id,
        pool.officer.id,
        pool.facilitator.id,
    }
    assert {s.status for s in seats} == {SeatStatus.PROPOSED}
    assert not Invite.objects.exists()

    sent = by_recipient(deliver())
    assert set(sent) == {adviser.email}
    letter = sent[adviser.email]
    assert letter.subject == (
        f"Request to approve: LGA Recovery & Renewal Panel for Wigan Council, {day_text(pool.day)}"
    )
    # Named as every letter names its recipient, and the offer with its article.
    assert str(letter.message["To"]) == f"Ada Adviser <{adviser.email}>"
    assert "Wigan Council has asked for the LGA Recovery & Renewal Panel. It needs" in letter.text
    assert set(links(letter.text)) == {"Approve the request", "Decline the request"}
    assert "Lead Labour" in letter.text
    expires = Booking.objects.get(pk=body["id"]).request_expires_at
    assert f"until {moment_text(expires)}; if the request is not decided" in letter.text
    assert moment_text(expires).endswith("(UK time)")

    # The booker sees where it stands.
    page = Client()
    page.force_login(pool.booker)
    html = page.get(f"/bookings/{body['id']}/").content.decode()
    assert "waiting for approval by Ada Adviser" in html
    assert "Approve the request" not in html


@pytest.mark.usefixtures("empty_broker")
def test_without_an_adviser_the_offers_mailbox_is_asked(
    api_client, pool, django_capture_on_commit_callbacks
):
    assert request_booking(api_client, pool, django_capture_on_commit_callbacks).status_code == 201
    sent = by_recipient(deliver())
    assert set(sent) == {"peerchallenge@local.gov.uk"}


def test_a_pencilled_time_is_not_offered_to_another_council_until_declined(
    api_client, pool, adviser, django_capture_on_commit_callbacks
):
    body = request_booking(api_client, pool, django_capture_on_commit_callbacks).json()
    start = london(pool.day, 10)
    query = urlencode(
        {
            "council": pool.other_council.id,
            "start": london(pool.day, 0).isoformat(),
            "end": london(pool.day, 23).isoformat(),
        }
    )
    slots = api_client.get(
        f"/offers/{PANEL}/slots?{query}", headers=bearer(pool.other_booker)
    ).json()
    assert isinstance(slots, list)
    offered = {datetime.fromisoformat(s["start"].replace("Z", "+00:00")) for s in slots}
    assert start not in offered
    refused = request_booking(
        api_client,
        pool,
        django_capture_on_commit_callbacks,
        council=pool.other_council,
        booker=pool.other_booker,
    )
    assert refused.status_code == 409

    # Declined: the time is free again, and the booker is told why.
    deliver()
    with django_capture_on_commit_callbacks(execute=True):
        missing = api_client.post(
            f"/bookings/{body['id']}/reject", json={"reason": " "}, headers=bearer(adviser)
        )
    assert missing.status_code == 422
    assert Booking.objects.get().status == "requested"
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            f"/bookings/{body['id']}/reject",
            json={"reason": "The council has a peer challenge booked already."},
            headers=bearer(adviser),
        )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "rejected"
    assert response.json()["state"] == "Declined by the Principal Adviser"
    assert response.json()["decided_by"] == "Ada Adviser"
    assert not held(body["id"]).exists()
    sent = by_recipient(deliver())
    assert set(sent) == {pool.booker.email}
    declined = sent[pool.booker.email]
    assert "peer challenge booked already" in declined.text
    assert "Your request for the LGA Recovery & Renewal Panel was declined." in declined.text
    assert declined.subject.endswith(f"for Wigan Council, {day_text(pool.day)}")
    name = pool.booker.get_full_name() or pool.booker.username
    assert str(declined.message["To"]) == f"{name} <{pool.booker.email}>"
    again = request_booking(
        api_client,
        pool,
        django_capture_on_commit_callbacks,
        council=pool.other_council,
        booker=pool.other_booker,
    )
    assert again.status_code == 201, again.json()
    # Deciding it again is a conflict.
    for action, payload in (("approve", None), ("reject", {"reason": "no"})):
        late = api_client.post(
            f"/bookings/{body['id']}/{action}", json=payload, headers=bearer(adviser)
        )
        assert late.status_code == 409, late.json()


@pytest.mark.usefixtures("empty_broker")
def test_the_adviser_approves_and_the_peers_are_invited(
    api_client, pool, adviser, staff, django_capture_on_commit_callbacks
):
    body = request_booking(api_client, pool, django_capture_on_commit_callbacks).json()
    deliver()
    url = f"/bookings/{body['id']}/approve"
    # The booker, another council's booker and a stranger may not approve.
    assert api_client.post(url, headers=bearer(pool.booker)).status_code == 403
    assert api_client.post(url, headers=bearer(pool.other_booker)).status_code == 403
    assert api_client.post(url, headers=bearer(make_user())).status_code == 403
    assert api_client.post(url).status_code == 401
    assert Booking.objects.get().status == "requested"

    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(url, headers=bearer(adviser))
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "confirmed"
    assert response.json()["changes"] == []
    assert response.json()["state"] == "Being staffed (0 of 4 accepted)"
    assert {s.status for s in held(body["id"])} == {SeatStatus.INVITED}
    sent = by_recipient(deliver())
    assert set(sent) == {
        pool.lead.email,
        pool.member.email,
        pool.officer.email,
        pool.facilitator.email,
        pool.booker.email,
    }
    assert sent[pool.lead.email].method == "REQUEST"

    twice = api_client.post(url, headers=bearer(staff))
    assert twice.status_code == 409
    assert twice.json()["detail"] == "This request is already approved."


def test_approving_plans_again_a_seat_whose_peer_is_gone_and_says_why(
    api_client, pool, staff, django_capture_on_commit_callbacks
):
    body = request_booking(api_client, pool, django_capture_on_commit_callbacks).json()
    reserve = make_available(
        make_peer(
            name="Reserve Member",
            political_group="conservative",
            home_council=pool.member.home_council,
        )
    )
    pool.member.is_active = False
    pool.member.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(f"/bookings/{body['id']}/approve", headers=bearer(staff))
    assert response.status_code == 200, response.json()
    (change,) = response.json()["changes"]
    assert change["role"] == "Member peer"
    assert change["shown"]["name"] == "Member Green"
    assert change["now"]["name"] == "Reserve Member"
    assert change["why"] == "the peer shown is no longer in the pool"
    assert {s.peer_id for s in held(body["id"])} == {
        pool.lead.id,
        reserve.id,
        pool.officer.id,
        pool.facilitator.id,
    }


def test_a_cancelled_request_cannot_be_approved(
    api_client, pool, adviser, django_capture_on_commit_callbacks
):
    body = request_booking(api_client, pool, django_capture_on_commit_callbacks).json()
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = api_client.post(
            f"/bookings/{body['id']}/cancel",
            json={"reason": "Not needed after all."},
            headers=bearer(pool.booker),
        )
    assert cancelled.status_code == 200
    response = api_client.post(f"/bookings/{body['id']}/approve", headers=bearer(adviser))
    assert response.status_code == 409
    assert response.json()["detail"] == "This request is cancelled."


@pytest.mark.usefixtures("empty_broker")
def test_an_undecided_request_expires_releases_its_time_and_tells_both(
    api_client, pool, adviser, django_capture_on_commit_callbacks
):
    body = request_booking(api_client, pool, django_capture_on_commit_callbacks).json()
    deliver()
    booking = Booking.objects.get(pk=body["id"])
    assert approval.requests_expire(now=booking.request_expires_at - timedelta(minutes=1)) == []
    with django_capture_on_commit_callbacks(execute=True):
        assert approval.requests_expire(now=booking.request_expires_at) == [booking.pk]
    booking.refresh_from_db()
    assert booking.status == "expired"
    assert not held(booking.pk).exists()
    sent = by_recipient(deliver())
    assert set(sent) == {pool.booker.email, adviser.email}
    assert all(m.subject.startswith("Request expired:") for m in sent.values())
    # Another council can have the time now.
    again = request_booking(
        api_client,
        pool,
        django_capture_on_commit_callbacks,
        council=pool.other_council,
        booker=pool.other_booker,
    )
    assert again.status_code == 201
    assert (
        api_client.post(f"/bookings/{booking.pk}/approve", headers=bearer(adviser)).status_code
        == 409
    )


def test_a_request_holds_five_working_days_not_counting_bank_holidays(settings):
    # Christmas 2026: Friday 25th, and Monday 28th for Boxing Day; New Year's Day a Friday.
    assert working_day_after(date(2026, 12, 24), 5) == date(2027, 1, 5)
    assert working_day_after(date(2026, 11, 27), 5) == date(2026, 12, 4)  # a weekend between
    asked = datetime(2026, 12, 24, 9, 30, tzinfo=LONDON)
    assert letters.request_expiry(asked) == datetime(2027, 1, 5, 9, 30, tzinfo=LONDON)
    settings.REQUEST_WORKING_DAYS = 2
    assert letters.request_expiry(asked) == datetime(2026, 12, 30, 9, 30, tzinfo=LONDON)


@pytest.mark.usefixtures("empty_broker")
def test_the_emailed_link_opens_a_page_and_only_its_button_decides(
    api_client, pool, adviser, django_capture_on_commit_callbacks
):
    body = request_booking(api_client, pool, django_capture_on_commit_callbacks).json()
    urls = links(by_recipient(deliver())[adviser.email].text)
    browser = Client()  # not signed in, as a mail scanner or the adviser's phone

    page = browser.get(urls["Approve the request"])
    assert page.status_code == 200
    assert "Approve this request?" in page.content.decode()
    assert page["Cache-Control"].startswith("max-age=0")
    assert Booking.objects.get().status == "requested"

    decline = browser.post(urls["Decline the request"], {"reason": ""})
    assert "Say why you are declining the request." in decline.content.decode()
    assert Booking.objects.get().status == "requested"

    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(urls["Approve the request"])
    assert done.status_code == 200
    assert "Request approved" in done.content.decode()
    booking = Booking.objects.get()
    assert booking.status == "confirmed"
    assert booking.decided_by == "Ada Adviser (by the link in their e-mail)"
    invited = by_recipient(deliver())
    assert set(invited) == {
        pool.lead.email,
        pool.member.email,
        pool.officer.email,
        pool.facilitator.email,
        pool.booker.email,
    }
    # The booker is told it was approved, and by whom, not just "Booked".
    told = invited[pool.booker.email]
    assert told.subject.startswith("Approved and booked: LGA Recovery & Renewal Panel for Wigan")
    assert (
        "Your request for LGA Recovery & Renewal Panel for Wigan Council was approved by Ada "
        f"Adviser on {day_text(booking.decided_at)}."
    ) in told.text
    assert "by the link" not in told.text

    again = browser.post(urls["Approve the request"])
    assert again.status_code == 409
    assert "already approved" in again.content.decode()
    assert browser.get("/requests/decide/not-a-token/").status_code == 400
    assert body["id"] == booking.pk


def test_the_approve_links_page_can_decline_instead_with_a_reason(
    api_client, pool, adviser, django_capture_on_commit_callbacks
):
    request_booking(api_client, pool, django_capture_on_commit_callbacks)
    approve = links(by_recipient(deliver())[adviser.email].text)["Approve the request"]
    browser = Client()

    html = browser.get(approve).content.decode()
    assert "Approve this request?" in html
    assert "Or decline it instead" in html
    assert 'name="decision" value="decline"' in html
    assert "Why are you declining the request?" in html

    # Without a reason nothing changes, and the page says what is missing.
    refused = browser.post(approve, {"decision": "decline", "reason": "  "})
    assert refused.status_code == 200
    text = refused.content.decode()
    assert "There is a problem" in text and "Say why you are declining the request." in text
    assert Booking.objects.get().status == "requested"

    with django_capture_on_commit_callbacks(execute=True):
        done = browser.post(approve, {"decision": "decline", "reason": "Booked elsewhere."})
    assert done.status_code == 200
    assert "Request declined" in done.content.decode()
    booking = Booking.objects.get()
    assert (booking.status, booking.decision_reason) == ("rejected", "Booked elsewhere.")
    assert booking.decided_by == "Ada Adviser (by the link in their e-mail)"
    assert not held(booking.pk).exists()
    told = by_recipient(deliver())
    assert set(told) == {pool.booker.email}
    assert "Booked elsewhere." in told[pool.booker.email].text


def test_the_requests_page_lists_waiting_requests_for_advisers_and_staff_only(
    api_client, pool, adviser, staff, django_capture_on_commit_callbacks
):
    body = request_booking(api_client, pool, django_capture_on_commit_callbacks).json()
    for user in (adviser, staff):
        page = Client()
        page.force_login(user)
        html = page.get("/requests/").content.decode()
        assert f'href="/bookings/{body["id"]}/"' in html
        assert 'href="/requests/"' in html  # the nav link
        assert [b["id"] for b in api_client.get("/requests", headers=bearer(user)).json()] == [
            body["id"]
        ]
        # The programme dashboard lists it too, oldest first with its age.
        summary = api_client.get(
            f"/programme/summary?start={pool.day.isoformat()}&end={pool.day.isoformat()}",
            headers=bearer(user),
        ).json()
        (waiting,) = summary["requests_waiting"]
        assert (waiting["id"], waiting["age"]) == (body["id"], "less than a day")
    booker = Client()
    booker.force_login(pool.booker)
    assert booker.get("/requests/").status_code == 403
    assert api_client.get("/requests", headers=bearer(pool.booker)).json() == []
    other = make_user("other-adviser")
    make_booker(pool.other_council)
    pool.other_council.principal_adviser = other
    pool.other_council.save()
    assert api_client.get("/requests", headers=bearer(other)).json() == []


def test_the_adviser_decides_from_the_booking_page(
    client, api_client, pool, adviser, django_capture_on_commit_callbacks
):
    body = request_booking(api_client, pool, django_capture_on_commit_callbacks).json()
    client.force_login(adviser)
    html = client.get(f"/bookings/{body['id']}/").content.decode()
    assert "Decide this request" in html
    response = client.post(f"/bookings/{body['id']}/reject/", {"reason": ""})
    assert response.status_code == 200
    assert "Say why you are declining the request." in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/bookings/{body['id']}/approve/", follow=True)
    assert "The request is approved and the peers are invited." in response.content.decode()
    assert Booking.objects.get().status == "confirmed"
    booker = Client()
    booker.force_login(pool.booker)
    assert booker.post(f"/bookings/{body['id']}/approve/").status_code == 403
    assert Booking.objects.get().status == "confirmed"
