"""The feedback note from draft to final through the API (every version kept, the letters
sent once), refusals that change nothing, who may read and write it (404 for another council),
the action plan and its reminders and follow-ups, each sent once."""

from datetime import date, timedelta

import pytest
from django.core import mail

from scheduling.engine.availability import working_day_after
from sessions.feedback.letters import council_tell
from sessions.feedback.models import Action, FeedbackNote, FollowUp, NoteStatus, NoteVersion
from sessions.feedback.tasks import after_panel
from tests.sent_mail import Mail, by_recipient, deliver
from tests.sessions.feedback.calls import api

pytestmark = pytest.mark.django_db

NOTE = {
    "heard": "A clear plan for recovery.",
    "strengths": "Leadership that listens.",
    "consider": "The budget gap in 2028.",
}


def sent() -> list[Mail]:
    """What the hourly task sent itself (it sends, rather than queueing)."""
    return [Mail.of(message) for message in mail.outbox]


def note_path(booking) -> str:
    return f"/bookings/{booking.pk}/feedback-note"


def sent_for_check(client, panel, roles, capture):
    with capture(execute=True):
        response = api(
            client, "put", note_path(panel), roles.lga_lead, {**NOTE, "send_for_check": True}
        )
    assert response.status_code == 200, response.content
    return response.json()


def test_draft_check_and_final_keep_every_version_and_tell_each_side_once(
    client, panel, roles, pool, after, django_capture_on_commit_callbacks
):
    draft = api(client, "put", note_path(panel), roles.lga_lead, {"heard": "First thoughts"})
    assert draft.status_code == 200 and draft.json()["status"] == "draft"
    # Due ten working days after the panel (the day shown on the page and in the API).
    assert draft.json()["due_on"] == working_day_after(pool.day, 10).isoformat()
    # The council does not see a draft.
    assert api(client, "get", note_path(panel), roles.booker).status_code == 404

    sent = sent_for_check(client, panel, roles, django_capture_on_commit_callbacks)
    assert sent["status"] == "sent" and sent["versions"] == 2
    assert sent["check_due_on"] == working_day_after(pool.day + timedelta(days=1), 5).isoformat()
    letters = by_recipient(deliver())
    assert set(letters) == {roles.booker.email}
    assert letters[roles.booker.email].subject.startswith("Feedback note to check")
    assert council_tell(note_id=FeedbackNote.objects.get().pk) == 0  # once

    with django_capture_on_commit_callbacks(execute=True):
        checked = api(
            client,
            "post",
            note_path(panel) + "/check",
            roles.booker,
            {"comments": "The budget gap is in 2029."},
        )
    assert checked.status_code == 200 and checked.json()["status"] == "checked"
    letters = by_recipient(deliver())
    assert set(letters) == {pool.facilitator.email}
    assert "sent comments on the note" in letters[pool.facilitator.email].text

    revised = api(
        client, "put", note_path(panel), roles.lga_lead, {**NOTE, "consider": "The gap in 2029."}
    )
    assert revised.json()["status"] == "checked"
    final = api(client, "post", note_path(panel) + "/final", roles.lga_lead)
    assert final.status_code == 200 and final.json()["status"] == "final"
    versions = list(NoteVersion.objects.order_by("number").values_list("status", "consider"))
    assert versions == [
        ("draft", ""),
        ("sent", NOTE["consider"]),
        ("checked", NOTE["consider"]),
        ("checked", "The gap in 2029."),
        ("final", "The gap in 2029."),
    ]
    # History records every change: the first save makes the note with what was written.
    records = list(FeedbackNote.history.order_by("history_date", "history_id"))
    assert [(r.history_type, r.status) for r in records][:2] == [("+", "draft"), ("~", "sent")]
    assert len(records) == 5 and records[0].heard == "First thoughts"
    # The final note is a page linked from the booking, for the council.
    client.force_login(roles.booker)
    booking_page = client.get(f"/bookings/{panel.pk}/").content.decode()
    assert f'href="/bookings/{panel.pk}/feedback-note/"' in booking_page
    assert "Read and print the feedback note" in booking_page
    page = client.get(f"/bookings/{panel.pk}/feedback-note/").content.decode()
    assert "The gap in 2029." in page and "app-no-print" in page


def test_refusals_change_nothing(client, panel, roles, after, django_capture_on_commit_callbacks):
    # Only the lead (or staff) writes it; the booker is refused, another council never sees it.
    assert api(client, "put", note_path(panel), roles.booker, NOTE).status_code == 403
    assert api(client, "put", note_path(panel), roles.peer, NOTE).status_code == 403
    assert not FeedbackNote.objects.exists()
    # Sent without all three parts: 422, nothing saved.
    response = api(
        client, "put", note_path(panel), roles.lga_lead, {"heard": "x", "send_for_check": True}
    )
    assert response.status_code == 422 and not FeedbackNote.objects.exists()
    # Checked before it is sent, or finalised before the check: 409.
    api(client, "put", note_path(panel), roles.lga_lead, NOTE)
    check = {"no_corrections": True}
    assert api(client, "post", note_path(panel) + "/check", roles.booker, check).status_code == 409
    assert api(client, "post", note_path(panel) + "/final", roles.lga_lead).status_code == 409
    sent_for_check(client, panel, roles, django_capture_on_commit_callbacks)
    before = NoteVersion.objects.count()
    # While the council checks it, the lead cannot change it; final only after five days.
    assert api(client, "put", note_path(panel), roles.lga_lead, NOTE).status_code == 409
    assert api(client, "post", note_path(panel) + "/final", roles.lga_lead).status_code == 409
    # Comments and "no corrections" together, or neither: 422. The lead cannot check it.
    both = {"comments": "x", "no_corrections": True}
    assert api(client, "post", note_path(panel) + "/check", roles.booker, both).status_code == 422
    assert api(client, "post", note_path(panel) + "/check", roles.booker, {}).status_code == 422
    assert (
        api(client, "post", note_path(panel) + "/check", roles.lga_lead, check).status_code == 403
    )
    assert NoteVersion.objects.count() == before
    assert FeedbackNote.objects.get().status == NoteStatus.SENT


def test_the_lead_may_finalise_once_the_councils_five_working_days_have_passed(
    client, panel, roles, after, django_capture_on_commit_callbacks
):
    sent_for_check(client, panel, roles, django_capture_on_commit_callbacks)
    after.shift(timedelta(days=14))  # past five working days (New Year's Day among them)
    assert api(client, "post", note_path(panel) + "/final", roles.lga_lead).status_code == 200


def test_who_reads_the_note_and_the_actions(
    client, panel, roles, pool, after, django_capture_on_commit_callbacks
):
    sent_for_check(client, panel, roles, django_capture_on_commit_callbacks)
    for user in (roles.booker, roles.peer, roles.lga_lead, roles.adviser, roles.staff):
        assert api(client, "get", note_path(panel), user).status_code == 200, user
    for user in (pool.other_booker, roles.other_adviser, roles.councillor):
        assert api(client, "get", note_path(panel), user).status_code == 404, user
        assert api(client, "get", f"/bookings/{panel.pk}/actions", user).status_code == 404
        client.force_login(user)
        assert client.get(f"/bookings/{panel.pk}/feedback-note/").status_code == 404
    client.logout()
    assert api(client, "get", note_path(panel)).status_code == 401


def final_note(client, panel, roles, capture):
    sent_for_check(client, panel, roles, capture)
    api(client, "post", note_path(panel) + "/check", roles.booker, {"no_corrections": True})
    assert api(client, "post", note_path(panel) + "/final", roles.lga_lead).status_code == 200


def add_action(client, panel, user, due: date, what="Close the budget gap"):
    return api(
        client,
        "post",
        f"/bookings/{panel.pk}/actions",
        user,
        {
            "what": what,
            "owner_name": "Olu Owner",
            "owner_email": "olu@wigan.gov.uk",
            "due_on": due.isoformat(),
        },
    )


def test_the_council_keeps_its_actions_and_another_council_cannot_touch_them(
    client, panel, roles, pool, after, django_capture_on_commit_callbacks
):
    today = pool.day + timedelta(days=1)
    assert add_action(client, panel, roles.booker, today + timedelta(days=30)).status_code == 409
    final_note(client, panel, roles, django_capture_on_commit_callbacks)
    added = add_action(client, panel, roles.booker, today + timedelta(days=30))
    assert added.status_code == 201, added.content
    action_id = added.json()["id"]
    assert add_action(client, panel, roles.lga_lead, today).status_code == 403
    assert add_action(client, panel, pool.other_booker, today).status_code == 404
    path = f"/actions/{action_id}"
    assert api(client, "patch", path, pool.other_booker, {"status": "done"}).status_code == 404
    assert api(client, "patch", path, roles.peer, {"status": "done"}).status_code == 403
    assert api(client, "patch", path, roles.booker, {"status": "finished"}).status_code == 422
    assert Action.objects.get().status == "open"
    changed = api(client, "patch", path, roles.booker, {"status": "in_progress"})
    assert changed.status_code == 200 and changed.json()["status"] == "in_progress"
    listed = api(client, "get", f"/bookings/{panel.pk}/actions", roles.peer).json()
    assert [a["status"] for a in listed] == ["in_progress"]
    assert Action.history.count() == 2


def test_reminders_and_follow_ups_are_sent_once_each(
    client, panel, roles, pool, after, django_capture_on_commit_callbacks
):
    today = pool.day + timedelta(days=1)
    final_note(client, panel, roles, django_capture_on_commit_callbacks)
    deliver()
    add_action(client, panel, roles.booker, today + timedelta(days=20), "Soon")
    add_action(client, panel, roles.booker, today + timedelta(days=200), "Later")
    done = add_action(client, panel, roles.booker, today + timedelta(days=20), "Done already")
    api(client, "patch", f"/actions/{done.json()['id']}", roles.booker, {"status": "done"})

    after.shift(timedelta(days=14))  # six days before "Soon" is due
    mail.outbox.clear()
    assert after_panel()["reminders"] == 1
    assert after_panel()["reminders"] == 0
    reminders = [m for m in sent() if m.subject.startswith("An action is due")]
    assert [m.to for m in reminders] == ["olu@wigan.gov.uk"]
    assert "Soon" in reminders[0].text

    after.shift(timedelta(weeks=5))  # six weeks after the panel
    mail.outbox.clear()
    after_panel()
    after_panel()
    follow = [m for m in sent() if "still open" in m.subject]
    assert [m.to for m in follow] == [roles.booker.email]
    assert "six weeks" in follow[0].subject and "Later" in follow[0].text
    assert "Done already" not in follow[0].text

    after.shift(timedelta(weeks=7))  # three months after the panel
    mail.outbox.clear()
    after_panel()
    after_panel()
    follow = [m for m in sent() if "still open" in m.subject]
    assert len(follow) == 1 and "three months" in follow[0].subject
    assert FollowUp.objects.count() == 2


def test_a_note_letter_whose_task_was_lost_is_sent_by_the_hourly_sweep_once(
    client, panel, roles, pool, after, django_capture_on_commit_callbacks
):
    """The broker was down as the note was sent: its task never ran. The hourly task sends
    the council's letter, once; the lost task, were it to run after all, sends nothing."""
    with django_capture_on_commit_callbacks(execute=False) as lost:
        response = api(
            client, "put", note_path(panel), roles.lga_lead, {**NOTE, "send_for_check": True}
        )
    assert response.status_code == 200 and lost  # the queueing, captured and never run
    mail.outbox.clear()
    assert after_panel()["notes_told"] == 1
    assert [m.to for m in sent() if m.subject.startswith("Feedback note to check")] == [
        roles.booker.email
    ]
    assert after_panel()["notes_told"] == 0
    assert council_tell(note_id=FeedbackNote.objects.get().pk) == 0

    with django_capture_on_commit_callbacks(execute=False):
        checked = api(
            client, "post", note_path(panel) + "/check", roles.booker, {"no_corrections": True}
        )
    assert checked.status_code == 200
    mail.outbox.clear()
    assert after_panel()["notes_told"] == 1
    assert [m.to for m in sent()] == [pool.facilitator.email]
    assert after_panel()["notes_told"] == 0
