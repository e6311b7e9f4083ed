"""The ask for learning points, sent once to each accepted seat (the LGA lead among them) when
the session has ended, with a signed link that works for 14 days and a task on My sessions;
and one reminder after 5 working days to those who have given none. Time moves by
time-machine."""

import re
from datetime import timedelta

import pytest
from django.test import Client

from peers.selectors import caller_for
from scheduling.engine.availability import working_day_after
from scheduling.engine.uk_time import LONDON
from sessions.learning import services
from sessions.learning.models import LearningAsk, LearningPoint
from tests.sessions.learning.points import words

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]


def link_in(message) -> str:
    return re.search(r"https?://\S+/learning/ask/[^/\s]+/", message.body).group(0)


def test_nothing_is_asked_before_the_session_ends(pool, roles, panel, time_machine, mailoutbox):
    time_machine.move_to(panel.lead_seat.session.end - timedelta(minutes=1), tick=False)
    mailoutbox.clear()
    assert services.learning_asks_send() == {"asked": 0, "reminded": 0}
    assert mailoutbox == []


def test_each_accepted_seat_is_asked_once(pool, roles, panel, mailoutbox):
    mailoutbox.clear()
    assert services.learning_asks_send()["asked"] == len(panel.seats)
    recipients = sorted(address for m in mailoutbox for address in m.to)
    assert len(recipients) == len(panel.seats)
    assert any(pool.facilitator.email in r for r in recipients)  # the LGA lead is asked too
    assert all("learning points" in m.subject for m in mailoutbox)
    mailoutbox.clear()
    assert services.learning_asks_send() == {"asked": 0, "reminded": 0}
    assert mailoutbox == []
    assert LearningAsk.objects.filter(asked_at__isnull=False).count() == len(panel.seats)


def test_one_reminder_after_five_working_days_to_those_who_gave_none(
    pool, roles, panel, time_machine, mailoutbox
):
    services.learning_asks_send()
    asked_at = LearningAsk.objects.get(seat=panel.lead_seat).asked_at
    services.point_give(seat=panel.lead_seat, words=words(), caller=caller_for(roles.peer))
    mailoutbox.clear()

    due = working_day_after(asked_at.astimezone(LONDON).date(), 5)
    time_machine.move_to(
        (
            asked_at.astimezone(LONDON)
            + (due - asked_at.astimezone(LONDON).date())
            - timedelta(days=1)
        ),
        tick=False,
    )
    assert services.learning_asks_send()["reminded"] == 0

    time_machine.move_to(
        asked_at.astimezone(LONDON) + (due - asked_at.astimezone(LONDON).date()), tick=False
    )
    sent = services.learning_asks_send()
    assert sent == {"asked": 0, "reminded": len(panel.seats) - 1}
    assert all(m.subject.startswith("Reminder: ") for m in mailoutbox)
    assert not any(pool.lead.email in address for m in mailoutbox for address in m.to)

    mailoutbox.clear()
    time_machine.shift(timedelta(days=1))
    assert services.learning_asks_send() == {"asked": 0, "reminded": 0}
    assert mailoutbox == []


def test_the_link_gives_points_for_14_days_then_expires(
    pool, roles, panel, time_machine, mailoutbox
):
    mailoutbox.clear()
    services.learning_asks_send()
    message = next(m for m in mailoutbox if any(pool.lead.email in a for a in m.to))
    url = link_in(message)
    path = url[url.index("/learning/") :]
    client = Client()
    page = client.get(path)
    assert page.status_code == 200
    assert "Your learning points" in page.content.decode()
    answered = client.post(
        path,
        {
            "theme": "finance",
            "doing": "Budget conversations with residents.",
            "why": "Savings are agreed, not imposed.",
            "elsewhere": "yes",
            "visibility": "panel",
        },
    )
    assert answered.status_code == 302
    point = LearningPoint.objects.get()
    assert point.seat_id == panel.lead_seat.pk
    assert point.history.get().history_actor == pool.lead.name

    time_machine.shift(timedelta(days=14, minutes=1))
    assert client.get(path).status_code == 410
    assert client.get(path[:-5] + "x/").status_code == 400


def test_my_sessions_shows_the_task_until_points_are_given(pool, roles, panel):
    client = Client()
    client.force_login(roles.peer)
    page = client.get("/my-sessions/").content.decode()
    assert "Learning points to give" in page and "Not yet given" in page
    services.point_give(seat=panel.lead_seat, words=words(), caller=caller_for(roles.peer))
    page = client.get("/my-sessions/").content.decode()
    assert "1 point given" in page
