"""The admin's history pages say who made each change and what it changed, in words: the
actor of a change made from an e-mailed link is named as the booking page names them (one
function), statuses by their labels, times in the one UK wording, people by name."""

import re
from urllib.parse import urlsplit

import pytest
from django.test import Client

from scheduling.engine.uk_time import clock_text, day_text
from sessions.models import Booking, Seat, Session
from sessions.selectors.history import history_who, record_history
from tests.factories import PANEL, bearer, london
from tests.sent_mail import by_recipient, deliver

pytestmark = [pytest.mark.django_db, pytest.mark.needs_approval]

RAW_TIME = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d|\+00:00")


@pytest.fixture
def approved_by_link(api_client, pool, adviser, django_capture_on_commit_callbacks) -> Booking:
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/bookings",
            json={
                "offer": PANEL,
                "council": pool.council.id,
                "start": london(pool.day, 10).isoformat(),
            },
            headers=bearer(pool.booker),
        )
    assert response.status_code == 201, response.json()
    text = by_recipient(deliver())[adviser.email].text
    approve = urlsplit(re.search(r"Approve the request:\s+(\S+)", text).group(1)).path
    with django_capture_on_commit_callbacks(execute=True):
        assert Client().post(approve).status_code == 200  # not signed in: the link decides
    deliver()
    return Booking.objects.get()


def test_the_admin_history_names_the_adviser_who_approved_from_the_link(
    client, staff, approved_by_link
):
    booking = approved_by_link
    staff.is_superuser = True  # the admin's own permissions
    staff.save()
    client.force_login(staff)
    page = client.get(f"/admin/offer_sessions/booking/{booking.pk}/history/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "Changed by" in html
    assert "Ada Adviser (by the link in their e-mail)" in html
    assert ">None<" not in html
    assert "Status: from Waiting for approval to Live" in html
    assert "requested" not in html.split('id="change-history"')[1]
    made = booking.created_at
    assert f"{day_text(made)}, {clock_text(made)}" in html
    assert not RAW_TIME.search(html.split('id="change-history"')[1].split("</table>")[0])


def test_the_admin_and_the_booking_page_name_the_actor_with_one_function(approved_by_link):
    records = list(Booking.history.filter(id=approved_by_link.pk))
    words = record_history(records)
    for record in records:
        assert words[record.history_id]["who"] == history_who(record)
    assert {row["who"] for row in words.values()} >= {"Ada Adviser (by the link in their e-mail)"}


def test_session_and_seat_histories_are_in_words(client, staff, pool, approved_by_link):
    session = Session.objects.get(booking=approved_by_link)
    seat = Seat.objects.get(peer=pool.lead)
    staff.is_superuser = True  # the admin's own permissions
    staff.save()
    client.force_login(staff)
    html = client.get(f"/admin/offer_sessions/bookedsession/{session.pk}/history/").content
    html = html.decode()
    assert f"Start: {day_text(session.start)}, {clock_text(session.start)}" in html
    assert not RAW_TIME.search(html.split('id="change-history"')[1].split("</table>")[0])
    html = client.get(f"/admin/offer_sessions/seat/{seat.pk}/history/").content.decode()
    assert "Peer: Lead Labour" in html
    assert "Status: from Proposed to Invited" in html
