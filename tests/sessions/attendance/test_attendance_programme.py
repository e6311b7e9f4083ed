"""Attendance on the programme dashboard and in its CSV: by offer and month, over the sessions
that have started, with the no-shows apart from the stand-ins; each peer's no-shows for LGA
staff only."""

import csv
import io
from datetime import timedelta

import pytest

from sessions.attendance.models import Attendance
from tests.factories import a_booking, bearer, london
from tests.sessions.attendance.recording import attendance

pytestmark = pytest.mark.django_db


@pytest.fixture
def later(pool, session, django_capture_on_commit_callbacks):
    """Bolton's panel a week later, not started yet: it counts for nothing."""
    return a_booking(
        pool,
        london(pool.day + timedelta(days=7), 10),
        capture=django_capture_on_commit_callbacks,
        council=pool.other_council,
        booker=pool.other_booker,
    )


@pytest.fixture
def recorded(api_client, roles, session, seats, later, after):
    response = attendance(
        api_client,
        session,
        roles.lga_lead,
        [
            {"seat": seats["Lead member peer"].pk, "status": "absent"},
            {"seat": seats["Member peer"].pk, "status": "stand_in", "stand_in_name": "Cllr Deputy"},
            {"seat": seats["Officer peer"].pk, "status": "attended"},
        ],
    )
    assert response.status_code == 200, response.json()
    assert Attendance.objects.count() == 3


def period(pool) -> dict:
    return {
        "start": pool.day.replace(day=1).isoformat(),
        "end": (pool.day + timedelta(days=14)).isoformat(),
    }


def test_the_summary_counts_attendance_by_offer_and_month(
    api_client, pool, roles, session, recorded
):
    response = api_client.get(
        "/programme/summary", query_params=period(pool), headers=bearer(roles.staff)
    )
    assert response.status_code == 200, response.json()
    figures = response.json()["attendance"]
    assert figures["by_offer_month"] == [
        {
            "offer": session.offer.title,
            "month": f"{pool.day:%Y-%m}",
            "sessions": 1,
            "sessions_recorded": 1,
            "attended": 1,
            "stand_ins": 1,
            "no_shows": 1,
            "not_recorded": 1,  # the LGA lead's own seat
            "participants_attended": 0,
            "participants_stand_ins": 0,
            "participants_absent": 0,
        }
    ]
    assert (figures["no_shows"], figures["stand_ins"], figures["attended"]) == (1, 1, 1)
    assert figures["peer_no_shows"] == [
        {"peer": pool.lead.pk, "name": "Lead Labour", "no_shows": 1, "recorded": 1}
    ]


def test_an_adviser_sees_the_figures_but_no_peers_no_shows(api_client, pool, roles, recorded):
    response = api_client.get(
        "/programme/summary", query_params=period(pool), headers=bearer(roles.adviser)
    )
    assert response.status_code == 200, response.json()
    figures = response.json()["attendance"]
    assert figures["no_shows"] == 1
    assert figures["peer_no_shows"] == []


def test_the_page_shows_attendance_and_to_staff_the_peers_no_shows(client, pool, roles, recorded):
    client.force_login(roles.staff)
    page = client.get("/programme/", period(pool)).text
    assert "Attendance and no-shows by offer and month" in page
    assert "Peers recorded absent" in page and "Lead Labour" in page
    client.force_login(roles.adviser)
    page = client.get("/programme/", period(pool)).text
    assert "Attendance and no-shows by offer and month" in page
    assert "Peers recorded absent" not in page


def test_the_export_has_each_seats_attendance_and_a_row_per_offer_and_month(
    client, pool, roles, session, recorded
):
    client.force_login(roles.staff)
    response = client.get("/programme/export.csv", period(pool))
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    seats = {
        row["peer"]: (row["attendance"], row["stand_in"])
        for row in rows
        if row["record"] == "seat" and row["session"] == str(session.pk)
    }
    assert seats == {
        "Lead Labour": ("Absent", ""),
        "Member Green": ("Covered by a stand-in", "Cllr Deputy"),
        "Officer Recovery": ("Attended", ""),
        "Fay Facilitator": ("", ""),
    }
    [month] = [row for row in rows if row["record"] == "attendance"]
    assert {
        key: month[key]
        for key in (
            "offer",
            "month",
            "sessions",
            "attended",
            "stand_ins",
            "no_shows",
            "not_recorded",
        )
    } == {
        "offer": session.offer.title,
        "month": f"{pool.day:%Y-%m}",
        "sessions": "1",
        "attended": "1",
        "stand_ins": "1",
        "no_shows": "1",
        "not_recorded": "1",
    }
