"""The feedback note's steps and the actions' changes are in the booking's history (the API's
and the page's) as its other changes are: in words, saying which part of the note changed but
not what it says."""

from datetime import timedelta

import pytest

from scheduling.engine.uk_time import day_text
from tests.sessions.feedback.calls import api

pytestmark = pytest.mark.django_db

NOTE = {
    "heard": "A clear plan for recovery.",
    "strengths": "Leadership that listens.",
    "consider": "The budget gap in 2028.",
}
COMMENTS = "The budget gap is in 2029."
WHAT = "Close the budget gap of 2029 by selling the old town hall and sharing a back office"
SHORT = "Close the budget gap of 2029 by selling the old town hall…"


def ok(response, status: int = 200):
    assert response.status_code == status, response.content
    return response.json()


def test_the_notes_steps_and_the_actions_changes_are_in_the_bookings_history(
    client, panel, roles, pool, after, django_capture_on_commit_callbacks
):
    note = f"/bookings/{panel.pk}/feedback-note"
    ok(api(client, "put", note, roles.lga_lead, {"heard": "First thoughts"}))
    with django_capture_on_commit_callbacks():
        ok(api(client, "put", note, roles.lga_lead, {**NOTE, "send_for_check": True}))
        ok(api(client, "post", note + "/check", roles.booker, {"comments": COMMENTS}))
    ok(api(client, "put", note, roles.lga_lead, {**NOTE, "consider": "The gap in 2029."}))
    ok(api(client, "post", note + "/final", roles.lga_lead))
    today = pool.day + timedelta(days=1)
    due, moved = today + timedelta(days=30), today + timedelta(days=60)
    action = ok(
        api(
            client,
            "post",
            f"/bookings/{panel.pk}/actions",
            roles.booker,
            {
                "what": WHAT,
                "owner_name": "Olu Owner",
                "owner_email": "olu@wigan.gov.uk",
                "due_on": due.isoformat(),
            },
        ),
        201,
    )
    path = f"/actions/{action['id']}"
    ok(api(client, "patch", path, roles.booker, {"status": "in_progress"}))
    ok(api(client, "patch", path, roles.booker, {"due_on": moved.isoformat()}))

    response = api(client, "get", f"/bookings/{panel.pk}/history", roles.staff)
    ours = [
        (entry["who"], entry["what"], entry["changes"])
        for entry in ok(response)
        if entry["what"].startswith(("Feedback note", "Action"))
    ]
    lead, booker = "Fay Facilitator", roles.booker.username

    def changed(field, after, before=None):
        return {"field": field, "before": before, "after": after}

    assert ours == [
        (lead, "Feedback note drafted", [changed("status", "Draft"), changed("heard", "written")]),
        (
            lead,
            "Feedback note sent to the council to check",
            [
                changed("status", "Sent to the council to check", "Draft"),
                changed("heard", "changed"),
                changed("strengths", "written"),
                changed("consider", "written"),
                changed("sent_on", today.isoformat()),
            ],
        ),
        (
            booker,
            "Feedback note checked by the council: with comments",
            [
                changed("status", "Checked by the council", "Sent to the council to check"),
                changed("check_comments", "written"),
                changed("checked_by", booker),
            ],
        ),
        (lead, "Feedback note changed", [changed("consider", "changed")]),
        (
            lead,
            "Feedback note finalised",
            [changed("status", "Final", "Checked by the council")],
        ),
        (
            booker,
            f"Action “{SHORT}” added",
            [
                changed("what", "written"),
                changed("owner_name", "Olu Owner"),
                changed("owner_email", "olu@wigan.gov.uk"),
                changed("due_on", due.isoformat()),
                changed("status", "Open"),
            ],
        ),
        (
            booker,
            f"Action “{SHORT}” marked in progress",
            [changed("status", "In progress", "Open")],
        ),
        (
            booker,
            f"Action “{SHORT}”: due date changed",
            [changed("due_on", moved.isoformat(), due.isoformat())],
        ),
    ]
    # The note's words and the council's comments stay on the note's page.
    for text in (*NOTE.values(), COMMENTS, WHAT):
        assert text not in response.text

    client.force_login(roles.staff)
    page = client.get(f"/bookings/{panel.pk}/")
    assert page.status_code == 200
    for row in (
        "Feedback note checked by the council: with comments",
        "The council&#x27;s comments: written",
        f"Checked by: {booker}",
        f"Sent on: {day_text(today)}",
        "Things to consider: changed",
        "Status: from Checked by the council to Final",
        f"Action “{SHORT}” marked in progress",
        f"Due date: from {day_text(due)} to {day_text(moved)}",
    ):
        assert row in page.text, row
    for text in (*NOTE.values(), COMMENTS, WHAT):
        assert text not in page.text
