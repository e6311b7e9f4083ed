"""The dashboard's figures after the panel, over its period and the caller's councils: the notes
final and the drafts past their due date, the actions on track, overdue and done, and the
survey by offer with no figure from fewer than five answers; on the page and in the API."""

from datetime import timedelta

import pytest
from django.test import Client

from peers.selectors import caller_for
from sessions.feedback import services
from sessions.feedback.letters import survey_token
from sessions.feedback.models import ActionStatus, SurveyInvitation
from sessions.feedback.selectors import note_due_on
from sessions.models import Session
from sessions.programme.figures import programme_period, programme_summary
from tests.factories import london
from tests.sessions.feedback.calls import api

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]

NOTE = {
    "heard": "A clear plan for recovery.",
    "strengths": "Leadership that listens.",
    "consider": "The budget gap in 2028.",
}


def feedback_of(user, day) -> dict:
    period = programme_period(first_day=day, last_day=day, today=day)
    return programme_summary(caller=caller_for(user), period=period)["feedback"]


def page_of(user, day) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/programme/?start={day}&end={day}")
    assert response.status_code == 200
    return response.content.decode()


def test_notes_final_drafts_overdue_and_actions_over_the_callers_councils(
    panel, roles, pool, after
):
    day = pool.day
    lead, booker = caller_for(roles.lga_lead), caller_for(roles.booker)
    notes = feedback_of(roles.staff, day)["notes"]
    assert notes == {"panels": 1, "final": 0, "share_final": 0.0, "drafts_overdue": 0}

    # The day after the note was due, a draft is still not sent: it is past its due date.
    after.move_to(london(note_due_on(panel) + timedelta(days=1), 9))
    services.note_save(caller=lead, booking=panel, **NOTE)
    assert feedback_of(roles.staff, day)["notes"]["drafts_overdue"] == 1
    services.note_save(caller=lead, booking=panel, send=True, **NOTE)
    assert feedback_of(roles.staff, day)["notes"]["drafts_overdue"] == 0
    services.note_check(caller=booker, booking=panel, no_corrections=True)
    services.note_finalise(caller=lead, booking=panel)

    today = note_due_on(panel) + timedelta(days=1)
    for what, due_in, status in (
        ("Publish the plan", -1, ActionStatus.OPEN),  # overdue
        ("Consult residents", 0, ActionStatus.IN_PROGRESS),  # due today: on track
        ("Brief the cabinet", 30, ActionStatus.OPEN),
        ("Name an owner for recovery", -5, ActionStatus.DONE),
    ):
        action = services.action_add(
            caller=booker,
            booking=panel,
            what=what,
            owner_name="Ann Owner",
            owner_email="ann@wigan.gov.uk",
            due_on=today + timedelta(days=due_in),
        )
        if status != ActionStatus.OPEN:
            services.action_change(caller=booker, action=action, status=status)

    figures = feedback_of(roles.adviser, day)
    assert figures["notes"] == {"panels": 1, "final": 1, "share_final": 1.0, "drafts_overdue": 0}
    assert figures["actions"] == {"on_track": 2, "overdue": 1, "done": 1}
    assert feedback_of(roles.staff, day)["actions"] == figures["actions"]
    # An adviser sees their own councils alone: Wales's adviser has no panel here.
    elsewhere = feedback_of(roles.other_adviser, day)
    assert elsewhere["notes"] == {
        "panels": 0,
        "final": 0,
        "share_final": None,
        "drafts_overdue": 0,
    }
    assert elsewhere["actions"] == {"on_track": 0, "overdue": 0, "done": 0}
    # A period without the panel counts nothing.
    assert feedback_of(roles.staff, day + timedelta(days=1))["notes"]["panels"] == 0

    page = page_of(roles.adviser, day)
    assert "Panels over with the feedback note final" in page
    assert "1 of 1 (100%); 0 drafts past their due date" in page
    assert "2 on track, 1 overdue, 1 done" in page
    assert 'aria-labelledby="actions-title"' in page  # the actions' chart, with its table
    other_page = page_of(roles.other_adviser, day)
    assert "No panels in the period are over" in other_page
    assert "0 on track, 0 overdue, 0 done" in other_page

    summary = api(Client(), "get", f"/programme/summary?start={day}&end={day}", roles.adviser)
    assert summary.status_code == 200
    assert summary.json()["feedback"]["notes"]["final"] == 1
    assert summary.json()["feedback"]["actions"] == {"on_track": 2, "overdue": 1, "done": 1}


def answer(session: Session, n: int, *, useful: int, recommend: bool) -> None:
    invitation = SurveyInvitation.objects.create(session=session, email=f"p{n}@wigan.gov.uk")
    services.survey_answer(token=survey_token(invitation), useful=useful, recommend=recommend)


def test_survey_by_offer_shows_no_figure_from_fewer_than_five_answers(panel, roles, pool, after):
    day = pool.day
    session = Session.objects.get(booking=panel)
    for n, useful in enumerate((5, 4, 4, 3)):
        answer(session, n, useful=useful, recommend=n != 3)

    (row,) = feedback_of(roles.adviser, day)["survey"]
    assert row == {
        "offer": panel.offer.slug,
        "label": panel.offer.title,
        "answers": 4,
        "shown": False,
        "useful_average": None,
        "recommend_share": None,
    }
    page = page_of(roles.staff, day)
    assert "Not shown (fewer than 5 answers)" in page
    summary = api(Client(), "get", f"/programme/summary?start={day}&end={day}", roles.staff)
    assert summary.json()["feedback"]["survey"][0]["useful_average"] is None

    answer(session, 4, useful=4, recommend=True)
    (row,) = feedback_of(roles.adviser, day)["survey"]
    assert (row["answers"], row["shown"], row["useful_average"], row["recommend_share"]) == (
        5,
        True,
        4.0,
        80,
    )
    page = page_of(roles.adviser, day)
    assert "Not shown" not in page and ">4.0<" in page and ">80%<" in page
    # Another region's adviser sees no answers of Wigan's panel, nor any figure of them.
    assert feedback_of(roles.other_adviser, day)["survey"] == []
    assert "No survey answers for the period's sessions." in page_of(roles.other_adviser, day)
