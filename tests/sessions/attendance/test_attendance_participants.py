"""The council's participants in attendance: the lead records each participant as each seat,
through the API and the page; a participant of another booking, a person given by both a seat
and a participant or by neither, are refused with nothing recorded; the programme counts the
participants apart from the panel's no-shows; the booking's history names them."""

import csv
import io
from datetime import timedelta

import pytest
from django.db import IntegrityError, transaction

from peers.selectors import caller_for
from sessions.attendance.models import Attendance
from sessions.participants.services import participants_set
from sessions.selectors.history import booking_history, history_rows
from tests.factories import a_booking, bearer, london
from tests.sessions.attendance.recording import attendance
from tests.sessions.participants.people import CABINET

pytestmark = pytest.mark.django_db

LEAD, MEMBER, LGA = "Lead member peer", "Member peer", "LGA lead"


def recorded(session) -> dict:
    """What is recorded, by the seat's role or the participant's name."""
    return {
        (a.seat.role_name if a.seat else a.participant.name): (a.status, a.stand_in_name)
        for a in Attendance.objects.filter(session=session).select_related("seat", "participant")
    }


def test_the_lead_lists_and_records_the_councils_participants(
    api_client, roles, session, seats, participants, after
):
    leader, chief = participants["Leader"], participants["Chief executive"]
    listed = attendance(api_client, session, roles.lga_lead)
    assert listed.status_code == 200, listed.json()
    people = {(row["seat"], row["participant"], row["name"], row["role"]) for row in listed.json()}
    assert {(None, leader.pk, "Jo Bloggs", "Leader")} <= people
    assert {(None, chief.pk, "Sam Smith", "Chief executive")} <= people
    assert {(seats[LEAD].pk, None, "Lead Labour", LEAD)} <= people

    response = attendance(
        api_client,
        session,
        roles.lga_lead,
        [
            {"seat": seats[LEAD].pk, "status": "attended"},
            {"participant": leader.pk, "status": "absent"},
            {"participant": chief.pk, "status": "stand_in", "stand_in_name": " Pat  Deputy "},
        ],
    )
    assert response.status_code == 200, response.json()
    assert recorded(session) == {
        LEAD: ("attended", ""),
        "Jo Bloggs": ("absent", ""),
        "Sam Smith": ("stand_in", "Pat Deputy"),
    }
    rows = {row["name"]: row for row in response.json()}
    assert rows["Sam Smith"]["status_text"] == "Covered by a stand-in"
    assert rows["Jo Bloggs"]["recorded_by"] == "Fay Facilitator"

    # The leader turned up late after all: staff change only that mark.
    change = [{"participant": leader.pk, "status": "attended"}]
    assert attendance(api_client, session, roles.staff, change).status_code == 200
    assert recorded(session)["Jo Bloggs"] == ("attended", "")
    assert Attendance.objects.filter(session=session).count() == 3


def test_a_participant_taken_off_the_list_is_not_among_the_people(
    api_client, pool, roles, booking, session, participants, after
):
    leader, chief = participants["Leader"], participants["Chief executive"]
    participants_set(
        caller=caller_for(pool.booker),
        booking=booking,
        people=[{"name": "Jo Bloggs", "role": "Leader", "email": "jo.bloggs@wigan.gov.uk"}],
        now=london(pool.day, 9, 30),
    )
    listed = attendance(api_client, session, roles.lga_lead).json()
    assert {row["participant"] for row in listed} - {None} == {leader.pk}
    response = attendance(
        api_client, session, roles.lga_lead, [{"participant": chief.pk, "status": "attended"}]
    )
    assert response.status_code == 422
    assert not Attendance.objects.exists()


@pytest.fixture
def bolton_participant(pool, session, django_capture_on_commit_callbacks) -> int:
    """A participant of another booking: Bolton's panel a week later."""
    bolton = a_booking(
        pool,
        london(pool.day + timedelta(days=7), 10),
        capture=django_capture_on_commit_callbacks,
        council=pool.other_council,
        booker=pool.other_booker,
    )
    (named,) = participants_set(
        caller=caller_for(pool.other_booker), booking=bolton, people=[CABINET]
    )
    return named.pk


def refused(api_client, roles, session, marks) -> dict:
    before = recorded(session)
    response = attendance(api_client, session, roles.lga_lead, marks)
    assert response.status_code == 422, response.json()
    assert recorded(session) == before
    return {tuple(e["loc"]): e["msg"] for e in response.json()["detail"]}


def test_every_refusal_of_a_participant_changes_nothing(
    api_client, roles, session, seats, participants, bolton_participant, after
):
    leader = participants["Leader"]
    attendance(
        api_client, session, roles.lga_lead, [{"participant": leader.pk, "status": "absent"}]
    )
    good = {"seat": seats[MEMBER].pk, "status": "attended"}
    # A participant of another booking, and one that does not exist.
    for other in (bolton_participant, 99999):
        assert refused(
            api_client, roles, session, [good, {"participant": other, "status": "attended"}]
        ) == {
            ("body", f"participant-{other}"): f"Participant {other} is not among this "
            "booking's participants: record only the people of this session."
        }
    # Both a seat and a participant, and neither.
    both = {"seat": seats[LEAD].pk, "participant": leader.pk, "status": "attended"}
    assert refused(api_client, roles, session, [good, both]) == {
        ("body", "attendance"): f"Seat {seats[LEAD].pk} and participant {leader.pk} are given "
        "together: give each person by their seat or, for the council's participants, by "
        "their participant, not both."
    }
    assert refused(api_client, roles, session, [good, {"status": "attended"}]) == {
        ("body", "attendance"): "A person is given without a seat or a participant: give each "
        "person by their seat or, for the council's participants, by their participant."
    }
    # A participant given twice, a stand-in without a name, a status the service does not know.
    twice = {"participant": leader.pk, "status": "attended"}
    assert refused(api_client, roles, session, [twice, twice]) == {
        ("body", f"participant-{leader.pk}"): "Jo Bloggs (Leader) is given more than once: "
        "give each person once."
    }
    assert refused(
        api_client, roles, session, [{"participant": leader.pk, "status": "stand_in"}]
    ) == {
        ("body", f"participant-{leader.pk}-stand_in_name"): "Give the name of the stand-in "
        "who covered for Jo Bloggs (Leader)."
    }
    assert refused(api_client, roles, session, [{"participant": leader.pk, "status": "late"}]) == {
        ("body", f"participant-{leader.pk}-status"): "Choose whether Jo Bloggs (Leader) "
        "attended, was absent or was covered by a stand-in (give the status as attended, "
        "absent or stand_in)."
    }
    assert recorded(session) == {"Jo Bloggs": ("absent", "")}


def test_a_row_is_of_exactly_one_seat_or_participant(session, seats, participants):
    leader = participants["Leader"]
    for whom in ({"seat": seats[LEAD], "participant": leader}, {}):
        with pytest.raises(IntegrityError), transaction.atomic():
            Attendance.objects.create(session=session, status="attended", **whom)
    Attendance.objects.create(session=session, participant=leader, status="attended")
    with pytest.raises(IntegrityError), transaction.atomic():
        Attendance.objects.create(session=session, participant=leader, status="absent")


def test_the_lead_records_participants_on_the_page(
    client, roles, session, seats, participants, after
):
    leader, chief = participants["Leader"], participants["Chief executive"]
    client.force_login(roles.lga_lead)
    url = f"/sessions/{session.pk}/attendance/"
    page = client.get(url).text
    assert f'name="participant-{leader.pk}-status"' in page
    assert f'name="participant-{chief.pk}-stand_in_name"' in page
    assert "From the council: Chief executive" in page

    refused_page = client.post(
        url,
        {
            f"participant-{chief.pk}-status": "stand_in",
            f"seat-{seats[LEAD].pk}-status": "attended",
        },
    )
    assert refused_page.status_code == 422
    assert (
        f'href="#id_participant-{chief.pk}-stand_in_name">Give the name of the stand-in who '
        "covered for Sam Smith (Chief executive).</a>"
    ) in refused_page.text
    assert not Attendance.objects.exists()

    done = client.post(
        url,
        {
            f"participant-{leader.pk}-status": "attended",
            f"participant-{chief.pk}-status": "stand_in",
            f"participant-{chief.pk}-stand_in_name": "Pat Deputy",
            f"seat-{seats[LEAD].pk}-status": "absent",
        },
    )
    assert done.status_code == 302
    assert recorded(session) == {
        "Jo Bloggs": ("attended", ""),
        "Sam Smith": ("stand_in", "Pat Deputy"),
        LEAD: ("absent", ""),
    }


@pytest.fixture
def marked(api_client, roles, session, seats, participants, after):
    response = attendance(
        api_client,
        session,
        roles.lga_lead,
        [
            {"seat": seats[LEAD].pk, "status": "absent"},
            {"seat": seats[MEMBER].pk, "status": "attended"},
            {"participant": participants["Leader"].pk, "status": "absent"},
            {
                "participant": participants["Chief executive"].pk,
                "status": "stand_in",
                "stand_in_name": "Pat Deputy",
            },
        ],
    )
    assert response.status_code == 200, response.json()


def period(pool) -> dict:
    return {
        "start": pool.day.replace(day=1).isoformat(),
        "end": (pool.day + timedelta(days=14)).isoformat(),
    }


def test_the_figures_count_participants_apart_from_the_panels_no_shows(
    api_client, client, pool, roles, session, marked
):
    response = api_client.get(
        "/programme/summary", query_params=period(pool), headers=bearer(roles.staff)
    )
    assert response.status_code == 200, response.json()
    figures = response.json()["attendance"]
    [month] = figures["by_offer_month"]
    assert {key: month[key] for key in month if key not in ("offer", "month")} == {
        "sessions": 1,
        "sessions_recorded": 1,
        "attended": 1,
        "stand_ins": 0,
        "no_shows": 1,  # the lead member peer; the absent leader is nobody's no-show
        "not_recorded": 2,  # the officer peer's and the LGA lead's seats
        "participants_attended": 0,
        "participants_stand_ins": 1,
        "participants_absent": 1,
    }
    assert (
        figures["no_shows"],
        figures["participants_attended"],
        figures["participants_stand_ins"],
        figures["participants_absent"],
    ) == (1, 0, 1, 1)
    assert [row["name"] for row in figures["peer_no_shows"]] == ["Lead Labour"]

    client.force_login(roles.staff)
    page = client.get("/programme/", period(pool)).text
    assert "The council's participants by offer and month" in page
    assert "0 attended, 1 by a stand-in, 1 absent" in page

    export = client.get("/programme/export.csv", period(pool))
    assert export.status_code == 200
    [row] = [
        row
        for row in csv.DictReader(io.StringIO(export.content.decode()))
        if row["record"] == "attendance"
    ]
    assert (
        row["no_shows"],
        row["participants_attended"],
        row["participants_stand_ins"],
        row["participants_absent"],
    ) == ("1", "0", "1", "1")


def test_a_session_with_only_participants_recorded_counts_as_recorded(
    api_client, pool, roles, session, participants, after
):
    marks = [{"participant": participants["Leader"].pk, "status": "attended"}]
    assert attendance(api_client, session, roles.lga_lead, marks).status_code == 200
    figures = api_client.get(
        "/programme/summary", query_params=period(pool), headers=bearer(roles.staff)
    ).json()["attendance"]
    assert (figures["sessions_recorded"], figures["participants_attended"]) == (1, 1)


def test_the_bookings_history_names_the_participant(roles, booking, session, marked):
    rows = history_rows(booking_history(caller=caller_for(roles.staff), booking=booking))
    ours = [row["what"] for row in rows if row["what"].startswith("Attendance")]
    assert "Attendance at the session added (Jo Bloggs, Leader)" in ours
    assert "Attendance at the session added (Sam Smith, Chief executive)" in ours
    assert "Attendance at the session added (Lead Labour, Lead member peer)" in ours
