"""Every change to attendance is recorded, with who made it, and appears in the booking's
history (the API's and the page's) as its other changes do."""

import json

import pytest

from peers.selectors import caller_for
from sessions.attendance.models import Attendance
from sessions.selectors.history import booking_history, history_rows
from tests.factories import bearer

pytestmark = pytest.mark.django_db


def record(client, session, user, marks):
    """Through the whole stack (middleware included), as a script records it."""
    response = client.post(
        f"/api/sessions/{session.pk}/attendance",
        data=json.dumps(marks),
        content_type="application/json",
        HTTP_AUTHORIZATION=bearer(user)["Authorization"],
    )
    assert response.status_code == 200, response.content


def test_recording_and_changing_attendance_is_in_the_bookings_history(
    api_client, client, roles, booking, session, seats, after
):
    lead_seat = seats["Lead member peer"]
    absent = {"seat": lead_seat.pk, "status": "absent"}
    record(
        client,
        session,
        roles.lga_lead,
        [absent, {"seat": seats["LGA lead"].pk, "status": "attended"}],
    )
    # The same again changes nothing, so records nothing.
    record(client, session, roles.lga_lead, [absent])
    record(
        client,
        session,
        roles.staff,
        [{"seat": lead_seat.pk, "status": "stand_in", "stand_in_name": "Cllr Deputy"}],
    )
    kept = Attendance.objects.get(seat=lead_seat)
    assert [(h.history_type, h.status, h.history_user.username) for h in kept.history.all()] == [
        ("~", "stand_in", "lga-staff"),
        ("+", "absent", "lga-lead"),
    ]

    rows = history_rows(booking_history(caller=caller_for(roles.staff), booking=booking))
    ours = [row for row in rows if row["what"].startswith("Attendance")]
    assert [(row["who"], row["what"], row["changes"]) for row in ours] == [
        (
            "Fay Facilitator",
            "Attendance at the session added (Lead Labour, Lead member peer)",
            ["Status: Absent"],
        ),
        (
            "Fay Facilitator",
            "Attendance at the session added (Fay Facilitator, LGA lead)",
            ["Status: Attended"],
        ),
        (
            "Sam Staff",
            "Attendance at the session changed (Lead Labour, Lead member peer)",
            ["Status: from Absent to Covered by a stand-in", "Stand-in: Cllr Deputy"],
        ),
    ]

    response = api_client.get(f"/bookings/{booking.pk}/history", headers=bearer(roles.staff))
    assert response.status_code == 200, response.json()
    last = response.json()[-1]
    assert last["what"] == "Attendance at the session changed (Lead Labour, Lead member peer)"
    assert {"field": "stand_in_name", "before": None, "after": "Cllr Deputy"} in last["changes"]

    client.force_login(roles.staff)
    page = client.get(f"/bookings/{booking.pk}/")
    assert "Attendance at the session changed (Lead Labour, Lead member peer)" in page.text
