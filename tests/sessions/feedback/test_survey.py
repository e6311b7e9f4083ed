"""The survey: asked once of each peer on the panel and each of the council's participants
who was there once it has met, answered once through the link, anonymous (nothing stored joins
an answer to who gave it) and shown from five answers."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import models

from peers.selectors import caller_for
from sessions.attendance.services import Mark, attendance_record
from sessions.feedback.letters import survey_token
from sessions.feedback.models import SurveyAnswer, SurveyInvitation
from sessions.feedback.selectors import booking_sessions, survey_figures
from sessions.feedback.tasks import after_panel
from sessions.models import Session
from sessions.participants.models import Participant, ParticipantAnswer
from sessions.participants.services import participants_set
from tests.factories import london
from tests.sent_mail import Mail, by_recipient
from tests.sessions.participants.people import CABINET, CHIEF, LEADER

pytestmark = pytest.mark.django_db

# Named to attend and not recorded either way: asked, as one who was there; and one who
# declined the invitation and is not recorded: not asked.
FINANCE = {"name": "Kim Lee", "role": "Director of finance", "email": "kim.lee@wigan.gov.uk"}
MONITORING = {"name": "Pat Jones", "role": "Monitoring officer", "email": "pat.jones@wigan.gov.uk"}


def links() -> list[str]:
    return [re.search(r"/survey/[^/\s]+/", m.body)[0] for m in mail.outbox]


def answer(client, path: str, useful="4", recommend="yes", improve=""):
    return client.post(path, {"useful": useful, "recommend": recommend, "improve": improve})


@pytest.fixture
def participants(pool, panel, roles) -> dict[str, Participant]:
    """Five of Wigan's people named by the booker on the morning of the panel (the monitoring
    officer declines); once it has met, its LGA lead records the leader there, the chief
    executive absent and the cabinet member covered by a stand-in."""
    named = participants_set(
        caller=caller_for(pool.booker),
        booking=panel,
        people=[LEADER, CHIEF, CABINET, FINANCE, MONITORING],
        now=london(pool.day, 9),
    )
    by_role = {p.role: p for p in named}
    Participant.objects.filter(pk=by_role["Monitoring officer"].pk).update(
        answer=ParticipantAnswer.DECLINED
    )
    attendance_record(
        caller=caller_for(roles.lga_lead),
        session=panel.sessions.get(),
        marks=[
            Mark(participant=by_role["Leader"].pk, status="attended"),
            Mark(participant=by_role["Chief executive"].pk, status="absent"),
            Mark(participant=by_role["Cabinet member"].pk, status="stand_in", stand_in_name="Al"),
        ],
        now=london(pool.day, 14),
    )
    return by_role


def test_each_peer_is_asked_once_answers_once_and_figures_wait_for_five(client, panel, after):
    mail.outbox.clear()
    assert after_panel()["surveys"] == 4  # the three peers and the LGA lead
    assert after_panel()["surveys"] == 0
    paths = links()
    for path in paths:
        assert answer(client, path, improve="Shorter introductions").status_code == 200
    assert answer(client, paths[0], useful="1").status_code == 200  # thanked, not kept
    assert SurveyAnswer.objects.count() == 4
    assert SurveyAnswer.objects.filter(useful=1).count() == 0
    figures = survey_figures(booking_sessions(panel))
    assert (figures.answers, figures.shown, figures.useful_average) == (4, False, None)
    # A participant is asked the same way (an invitation by address); the fifth answer
    # makes the figures show.
    session = Session.objects.get(booking=panel)
    extra = SurveyInvitation.objects.create(session=session, email="p@wigan.gov.uk")
    answer(client, f"/survey/{survey_token(extra)}/", useful="2", recommend="no")
    figures = survey_figures(booking_sessions(panel))
    assert (figures.answers, figures.shown) == (5, True)
    assert figures.useful_average == 3.6 and figures.recommend_share == 80


def test_the_councils_participants_who_were_there_are_asked_too(client, panel, participants, after):
    mail.outbox.clear()
    assert after_panel()["surveys"] == 6  # the four on the panel, the leader and the director
    assert after_panel()["surveys"] == 0
    letters = by_recipient([Mail.of(message) for message in mail.outbox])
    assert {LEADER["email"], FINANCE["email"]} <= set(letters)
    assert CHIEF["email"] not in letters  # recorded absent
    assert CABINET["email"] not in letters  # a stand-in came in their place
    assert MONITORING["email"] not in letters  # declined, and not recorded there after all
    leader = letters[LEADER["email"]]
    assert leader.subject == f"Three questions about the {panel.offer.title} for Wigan Council"
    assert "Dear Jo Bloggs," in leader.text
    path = re.search(r"/survey/[^/\s]+/", leader.text)[0]

    page = client.get(path)
    assert page.status_code == 200 and "Three questions about the session" in page.text
    thanked = answer(client, path, useful="5", improve="More time with the leader")
    assert thanked.status_code == 200 and "Thank you" in thanked.text
    assert answer(client, path, useful="1").status_code == 200  # thanked again, not kept
    assert list(SurveyAnswer.objects.values_list("useful", "improve")) == [
        (5, "More time with the leader")
    ]
    invitation = SurveyInvitation.objects.get(email=LEADER["email"])
    assert (invitation.peer, invitation.name, invitation.answered) == (None, "Jo Bloggs", True)


def test_nothing_stored_joins_an_answer_to_its_respondent(client, panel, participants, after):
    mail.outbox.clear()
    after_panel()
    for path in links():
        answer(client, path)
    fields = {f.name: f for f in SurveyAnswer._meta.get_fields()}
    assert set(fields) == {"id", "session", "useful", "recommend", "improve", "answered_on"}
    assert isinstance(fields["id"], models.UUIDField)  # no count that follows the invitations
    assert type(fields["answered_on"]) is models.DateField  # the day only
    invitation_fields = {f.name for f in SurveyInvitation._meta.get_fields()}
    assert invitation_fields == {"id", "session", "peer", "email", "name", "answered"}
    # Neither keeps a history, which would time each answer.
    assert not hasattr(SurveyAnswer, "history") and not hasattr(SurveyInvitation, "history")
    assert SurveyInvitation.objects.filter(answered=True).count() == 6  # peers, participants
    assert SurveyAnswer.objects.count() == 6


def test_an_expired_link_is_refused(client, panel, after):
    mail.outbox.clear()
    after_panel()
    after.shift(timedelta(days=15))
    response = answer(client, links()[0])
    assert response.status_code == 404 and not SurveyAnswer.objects.exists()
