"""Recording who attended through the API: the session's LGA lead or LGA staff record and
change each person's attendance once it has started; every refusal changes nothing."""

from datetime import timedelta

import pytest
import time_machine

from sessions.attendance.models import Attendance
from sessions.models import Seat
from tests.factories import a_booking, london, make_peer, make_user
from tests.sessions.attendance.recording import attendance

pytestmark = pytest.mark.django_db

LEAD, MEMBER, OFFICER, LGA = "Lead member peer", "Member peer", "Officer peer", "LGA lead"


def recorded(session) -> dict:
    return {
        a.seat.role_name: (a.status, a.stand_in_name)
        for a in Attendance.objects.filter(session=session).select_related("seat")
    }


def test_the_lead_lists_the_people_and_records_them(api_client, roles, session, seats, after):
    listed = attendance(api_client, session, roles.lga_lead)
    assert listed.status_code == 200, listed.json()
    assert {(row["role"], row["name"], row["status"]) for row in listed.json()} == {
        (LEAD, "Lead Labour", ""),
        (MEMBER, "Member Green", ""),
        (OFFICER, "Officer Recovery", ""),
        (LGA, "Fay Facilitator", ""),
    }
    response = attendance(
        api_client,
        session,
        roles.lga_lead,
        [
            {"seat": seats[LEAD].pk, "status": "attended"},
            {"seat": seats[MEMBER].pk, "status": "absent"},
            {"seat": seats[OFFICER].pk, "status": "stand_in", "stand_in_name": "  Sam  Deputy "},
            {"seat": seats[LGA].pk, "status": "attended", "stand_in_name": "ignored"},
        ],
    )
    assert response.status_code == 200, response.json()
    assert recorded(session) == {
        LEAD: ("attended", ""),
        MEMBER: ("absent", ""),
        OFFICER: ("stand_in", "Sam Deputy"),
        LGA: ("attended", ""),
    }
    rows = {row["role"]: row for row in response.json()}
    assert rows[OFFICER]["status_text"] == "Covered by a stand-in"
    assert rows[MEMBER]["recorded_by"] == "Fay Facilitator"


def test_a_change_rewrites_only_the_people_given(api_client, roles, session, seats, after):
    first = [
        {"seat": seats[LEAD].pk, "status": "absent"},
        {"seat": seats[MEMBER].pk, "status": "attended"},
    ]
    assert attendance(api_client, session, roles.lga_lead, first).status_code == 200
    # Later that day, staff hear the lead member sent a deputy.
    change = [{"seat": seats[LEAD].pk, "status": "stand_in", "stand_in_name": "Cllr Deputy"}]
    response = attendance(api_client, session, roles.staff, change)
    assert response.status_code == 200, response.json()
    assert recorded(session) == {LEAD: ("stand_in", "Cllr Deputy"), MEMBER: ("attended", "")}
    assert Attendance.objects.count() == 2


def test_staff_may_record_any_session(api_client, roles, session, seats, after):
    response = attendance(
        api_client, session, roles.staff, [{"seat": seats[LGA].pk, "status": "attended"}]
    )
    assert response.status_code == 200, response.json()
    assert recorded(session) == {LGA: ("attended", "")}


@pytest.mark.parametrize("who", ["booker", "peer", "adviser", "councillor"])
def test_nobody_else_may_read_or_record(api_client, roles, session, seats, after, who):
    user = getattr(roles, who)
    marks = [{"seat": seats[LEAD].pk, "status": "absent"}]
    for response in (
        attendance(api_client, session, user),
        attendance(api_client, session, user, marks),
    ):
        assert response.status_code == 403, response.json()
        assert response.json()["detail"] == (
            "Only the session's LGA lead and LGA staff can record who attended."
        )
    assert not Attendance.objects.exists()


def test_another_facilitator_does_not_lead_this_session(
    api_client, pool, roles, session, seats, after
):
    other = make_user("another-lead")
    make_peer(
        kind="facilitator",
        name="Other Facilitator",
        home_council=pool.lead.home_council,
        user=other,
    )
    response = attendance(
        api_client, session, other, [{"seat": seats[LEAD].pk, "status": "absent"}]
    )
    assert response.status_code == 403
    assert not Attendance.objects.exists()


def test_not_before_the_session_starts(api_client, pool, roles, session, seats):
    marks = [{"seat": seats[LEAD].pk, "status": "attended"}]
    with time_machine.travel(london(pool.day, 9, 59), tick=False):
        response = attendance(api_client, session, roles.lga_lead, marks)
    assert response.status_code == 409, response.json()
    assert response.json()["detail"] == (
        "Attendance can be recorded once the session has started: it starts at 10:00 on "
        f"{pool.day:%A} {pool.day.day} {pool.day:%B %Y} (UK time)."
    )
    assert not Attendance.objects.exists()
    # From its start, and at any time after.
    for moment in (london(pool.day, 10), london(pool.day, 10).replace(year=pool.day.year + 1)):
        with time_machine.travel(moment, tick=False):
            assert attendance(api_client, session, roles.lga_lead, marks).status_code == 200


def refused(api_client, roles, session, marks) -> dict:
    before = recorded(session)
    response = attendance(api_client, session, roles.lga_lead, marks)
    assert response.status_code == 422, response.json()
    assert recorded(session) == before
    return {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}


@pytest.fixture
def elsewhere(pool, session, django_capture_on_commit_callbacks) -> int:
    """A seat of another session: Bolton's panel a week later, with the same peers."""
    bolton = a_booking(
        pool,
        london(pool.day + timedelta(days=7), 10),
        capture=django_capture_on_commit_callbacks,
        council=pool.other_council,
        booker=pool.other_booker,
    )
    return Seat.objects.get(session__booking=bolton, peer=pool.lead).pk


def test_every_refusal_changes_nothing(api_client, roles, session, seats, elsewhere, after):
    attendance(api_client, session, roles.lga_lead, [{"seat": seats[LEAD].pk, "status": "absent"}])
    good = {"seat": seats[MEMBER].pk, "status": "attended"}
    # A seat of another session, and one that does not exist.
    for seat in (elsewhere, 99999):
        assert refused(
            api_client, roles, session, [good, {"seat": seat, "status": "attended"}]
        ) == {
            ("body", f"seat-{seat}"): f"Seat {seat} is not on this session's panel: record only "
            "the people of this session."
        }
    # A stand-in without a name.
    assert refused(
        api_client, roles, session, [good, {"seat": seats[LEAD].pk, "status": "stand_in"}]
    ) == {
        ("body", f"seat-{seats[LEAD].pk}-stand_in_name"): "Give the name of the stand-in who "
        "covered for Lead Labour (Lead member peer)."
    }
    # A status the service does not know.
    assert refused(
        api_client, roles, session, [good, {"seat": seats[LEAD].pk, "status": "late"}]
    ) == {
        ("body", f"seat-{seats[LEAD].pk}-status"): "Choose whether Lead Labour (Lead member "
        "peer) attended, was absent or was covered by a stand-in (give the status as attended, "
        "absent or stand_in)."
    }
    # The same person twice, and nobody at all.
    twice = refused(api_client, roles, session, [good, good])
    assert twice == {
        ("body", f"seat-{seats[MEMBER].pk}"): "Member Green (Member peer) is given more than "
        "once: give each person once."
    }
    assert refused(api_client, roles, session, []) == {
        ("body", "attendance"): "Give the attendance of at least one person."
    }
    assert recorded(session) == {LEAD: ("absent", "")}
