"""The survey: asked once of each peer on the panel once it has met, answered once through
the link, anonymous (nothing stored joins an answer to who gave it) and shown from five
answers."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.db import models

from sessions.feedback.letters import survey_token
from sessions.feedback.models import SurveyAnswer, SurveyInvitation
from sessions.feedback.selectors import booking_sessions, survey_figures
from sessions.feedback.tasks import after_panel
from sessions.models import Session

pytestmark = pytest.mark.django_db


def links() -> list[str]:
    return [re.search(r"/survey/[^/\s]+/", m.body)[0] for m in mail.outbox]


def answer(client, path: str, useful="4", recommend="yes", improve=""):
    return client.post(path, {"useful": useful, "recommend": recommend, "improve": improve})


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


def test_nothing_stored_joins_an_answer_to_its_respondent(client, panel, after):
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
    assert SurveyInvitation.objects.filter(answered=True).count() == 4


def test_an_expired_link_is_refused(client, panel, after):
    mail.outbox.clear()
    after_panel()
    after.shift(timedelta(days=15))
    response = answer(client, links()[0])
    assert response.status_code == 404 and not SurveyAnswer.objects.exists()
