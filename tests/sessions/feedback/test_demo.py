"""The demo's feedback on the learning demo's past panels: a note at every stage (each version
and change in the history, by the lead or the booker who made it), the final note's action
plan, a survey short of five answers and one with more, made once; and what Wigan's booker, the
panels' LGA lead and another council's booker see on each note's page."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.utils import timezone
from django.utils.html import escape

from peers.models import Council
from scheduling.engine.uk_time import LONDON
from sessions.feedback.models import (
    OPEN_ACTION_STATUSES,
    Action,
    ActionStatus,
    FeedbackNote,
    NoteStatus,
    SurveyAnswer,
    SurveyInvitation,
)
from sessions.feedback.selectors import booking_sessions, note_due_on, survey_figures
from tests.factories import make_booker

pytestmark = pytest.mark.django_db


def notes_by_stage() -> dict[str, list[FeedbackNote]]:
    by_stage: dict[str, list[FeedbackNote]] = {}
    for note in FeedbackNote.objects.select_related("booking__council").order_by("booking__start"):
        by_stage.setdefault(note.status, []).append(note)
    return by_stage


def test_seed_demo_gives_the_past_panels_every_stage_after_the_panel_once():
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert "Feedback: 5 notes on past panels (draft to final), 4 actions, 9 survey answers." in (
        out.getvalue()
    )
    today = timezone.now().astimezone(LONDON).date()
    stages = notes_by_stage()
    assert {stage: len(notes) for stage, notes in stages.items()} == {
        NoteStatus.DRAFT: 2,
        NoteStatus.SENT: 1,
        NoteStatus.CHECKED: 1,
        NoteStatus.FINAL: 1,
    }
    # One draft is on time, the other past its due date (the dashboard counts it).
    assert sorted(note_due_on(note.booking) < today for note in stages[NoteStatus.DRAFT]) == [
        False,
        True,
    ]
    (sent,) = stages[NoteStatus.SENT]
    assert sent.sent_on < today and sent.council_told_at is not None  # told at the time
    (checked,) = stages[NoteStatus.CHECKED]
    assert checked.check_comments and checked.checked_by.username == "booker"
    (final,) = stages[NoteStatus.FINAL]
    assert final.check_comments and final.finalised_at < timezone.now()
    # Every save kept as a version, dated in the panel's story, by whoever made it.
    versions = list(final.versions.order_by("number"))
    assert [(v.status, v.saved_by) for v in versions] == [
        (NoteStatus.DRAFT, "Helen Ashworth"),
        (NoteStatus.SENT, "Helen Ashworth"),
        (NoteStatus.CHECKED, "Jo Williams"),
        (NoteStatus.CHECKED, "Helen Ashworth"),
        (NoteStatus.FINAL, "Helen Ashworth"),
    ]
    assert versions[0].saved_at > final.booking.start
    assert [v.saved_at for v in versions] == sorted(v.saved_at for v in versions)
    history = list(final.history.order_by("history_date"))
    assert [(h.status, h.history_actor) for h in history] == [
        (v.status, v.saved_by) for v in versions
    ]
    assert [h.history_date for h in history] == [v.saved_at for v in versions]

    # The final note's action plan: open, in progress and done; one overdue, one due soon.
    actions = list(Action.objects.all())
    assert {a.booking_id for a in actions} == {final.booking_id}
    assert {a.status for a in actions} == set(ActionStatus)
    still_open = [a for a in actions if a.status in OPEN_ACTION_STATUSES]
    assert [a for a in still_open if a.due_on < today]
    assert [a for a in still_open if today <= a.due_on <= today + timedelta(days=7)]
    assert all("@" in a.owner_email and a.owner_name for a in actions)
    assert all(a.history.count() >= 1 for a in actions)
    assert {a.history.earliest("history_date").history_actor for a in actions} == {"Jo Williams"}

    # The surveys: one short of five answers (the count alone), one with more.
    few = survey_figures(booking_sessions(sent.booking))
    assert (few.answers, few.shown, few.useful_average) == (3, False, None)
    many = survey_figures(booking_sessions(final.booking))
    assert (many.answers, many.shown) == (6, True)
    assert (many.useful_average, many.recommend_share) == (4.2, 83)
    # Who answered is kept apart from what: as many invitations answered as answers, and
    # nothing in an answer names a person.
    for note, answers in ((sent, 3), (final, 6)):
        sessions = booking_sessions(note.booking)
        asked = SurveyInvitation.objects.filter(session__in=sessions)
        assert asked.filter(answered=True).count() == answers < asked.count()
        assert asked.filter(peer__isnull=True).count() == len(
            note.booking.participants.all()
        )  # the council's participants, asked by address
    assert {f.name for f in SurveyAnswer._meta.get_fields()} == {
        "id",
        "session",
        "useful",
        "recommend",
        "improve",
        "answered_on",
    }

    call_command("seed_demo", stdout=StringIO())
    assert FeedbackNote.objects.count() == 5
    assert Action.objects.count() == 4 and SurveyAnswer.objects.count() == 9


def page(user, note: FeedbackNote):
    client = Client()
    client.force_login(user)
    return client.get(f"/bookings/{note.booking_id}/feedback-note/")


def test_the_booker_the_lead_and_another_councils_booker_each_see_their_part():
    call_command("seed_demo", stdout=StringIO())
    users = {
        u.username: u for u in get_user_model().objects.filter(username__in=["booker", "lead"])
    }
    other = make_booker(Council.objects.get(name="Lancashire County Council"), "lancs-booker")
    stages = notes_by_stage()
    wigan_draft, late_draft = sorted(
        stages[NoteStatus.DRAFT], key=lambda n: n.booking.council.name != "Wigan Council"
    )
    (sent,) = stages[NoteStatus.SENT]
    (checked,) = stages[NoteStatus.CHECKED]
    (final,) = stages[NoteStatus.FINAL]
    wigan = [wigan_draft, sent, checked, final]

    # Wigan's booker: no draft, the check to answer, the comments sent, the final note with
    # the plan to keep and the survey's figures (only the count below five answers).
    seen = {note.pk: page(users["booker"], note) for note in wigan}
    assert all(response.status_code == 200 for response in seen.values())
    text = {pk: response.content.decode() for pk, response in seen.items()}
    assert "The LGA lead has not sent the note yet" in text[wigan_draft.pk]
    assert wigan_draft.heard not in text[wigan_draft.pk]
    assert "Check the note for factual accuracy" in text[sent.pk]
    assert "3 answers so far" in text[sent.pk]
    assert "The council's accuracy check" in text[checked.pk]
    assert escape(checked.check_comments) in text[checked.pk]
    assert "Check the note for factual accuracy" not in text[checked.pk]
    assert "Final" in text[final.pk] and "Add an action" in text[final.pk]
    for action in Action.objects.all():
        assert action.owner_email in text[final.pk]
    assert "4.2 on average" in text[final.pk] and "83%" in text[final.pk]
    assert page(users["booker"], late_draft).status_code == 404  # Lancashire's

    # The LGA lead: the drafts to write, the check's comments to act on, every version.
    lead = {note.pk: page(users["lead"], note).content.decode() for note in [*wigan, late_draft]}
    assert "Send to the council to check" in lead[wigan_draft.pk]
    assert "Change the note" in lead[late_draft.pk]
    assert "Check the note for factual accuracy" not in lead[sent.pk]
    assert "Make the note final" in lead[checked.pk] and "Change the note" in lead[checked.pk]
    assert "Every version (5)" in lead[final.pk] and "Change the note" not in lead[final.pk]
    assert "Add an action" not in lead[final.pk]  # the council keeps its plan

    # Another council's booker: Wigan's notes do not exist for them; their own draft is not
    # theirs to read until it is sent.
    assert {page(other, note).status_code for note in wigan} == {404}
    own = page(other, late_draft).content.decode()
    assert "The LGA lead has not sent the note yet" in own and late_draft.heard not in own
