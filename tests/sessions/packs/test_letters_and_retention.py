"""What the pre-reading tells and how long it is kept: a letter to each seated peer for each
document added (read from the bytes sent), the invite's words and DESCRIPTION counting the
pack, and the daily retention run deleting a pack (row and file) its time after the booking's
last session, recorded in the booking's history."""

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from icalendar import Calendar

from privacy.retention import retention_apply
from sessions.packs.letters import panel_tell
from sessions.packs.models import Document
from tests.sent_mail import by_recipient, deliver
from tests.sessions.packs.files import PDF, add, api, docx, stored_files

pytestmark = pytest.mark.django_db


def test_each_seated_peer_and_the_lead_get_one_letter_for_each_document(
    client, booking, roles, pool, django_capture_on_commit_callbacks
):
    deliver()  # the invitations, first
    add(client, booking, roles.booker, "Budget 2027.pdf", PDF, django_capture_on_commit_callbacks)
    add(client, booking, roles.booker, "Plan.docx", docx(), django_capture_on_commit_callbacks)
    letters = [m for m in deliver() if m.subject.startswith("Pre-reading added")]
    assert len(letters) == 8
    first = by_recipient([m for m in letters if "Budget 2027.pdf" in m.text])
    assert set(first) == {
        pool.lead.email,
        pool.member.email,
        pool.officer.email,
        pool.facilitator.email,
    }
    mail = first[pool.lead.email]
    assert mail.subject == "Pre-reading added: LGA Recovery & Renewal Panel for Wigan Council"
    assert str(mail.message["To"]) == f"Lead Labour <{pool.lead.email}>"
    assert "Dear Lead Labour," in mail.text
    assert "Wigan Council has added a document to the pre-reading" in mail.text
    assert "Document: Budget 2027.pdf" in mail.text and "Kind and size: PDF, 1 KB" in mail.text
    link = f"{settings.SITE_URL}/bookings/{booking.pk}/pre-reading/"
    assert link in mail.text and f'href="{link}"' in mail.html
    # Sent once: a second run of the task sends nothing.
    assert panel_tell(document_id=Document.objects.first().pk) == 0


def test_a_document_removed_before_the_worker_tells_nobody(
    client, booking, roles, django_capture_on_commit_callbacks
):
    deliver()
    added = add(client, booking, roles.booker, "a.pdf", PDF, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        api(
            client, "delete", f"/bookings/{booking.pk}/documents/{added.json()['id']}", roles.booker
        )
    assert [m for m in deliver() if m.subject.startswith("Pre-reading")] == []


def test_the_invite_counts_the_pack_with_a_link(
    client, booking, roles, pool, django_capture_on_commit_callbacks
):
    for name in ("a.pdf", "b.pdf", "c.pdf"):
        add(client, booking, roles.booker, name, PDF, django_capture_on_commit_callbacks)
    invite = by_recipient([m for m in deliver() if m.subject.startswith("Invitation")])[
        pool.lead.email
    ]
    link = f"{settings.SITE_URL}/bookings/{booking.pk}/pre-reading/"
    assert "Pre-reading: 3 documents" in invite.text and link in invite.text
    (event,) = Calendar.from_ical(invite.calendar).walk("VEVENT")
    description = str(event["DESCRIPTION"])
    assert "Pre-reading: 3 documents" in description.splitlines()
    assert f"Read the pre-reading: {link}" in description.splitlines()


def test_an_invite_without_pre_reading_says_nothing_of_it(client, booking, pool):
    invite = by_recipient([m for m in deliver() if m.subject.startswith("Invitation")])[
        pool.lead.email
    ]
    assert "Pre-reading" not in invite.text and "pre-reading" not in invite.text


def test_a_pack_is_deleted_its_time_after_the_last_session_and_the_history_says_so(
    client, booking, roles, storage, django_capture_on_commit_callbacks
):
    add(client, booking, roles.booker, "Budget 2027.pdf", PDF, django_capture_on_commit_callbacks)
    last_end = booking.sessions.order_by("-end").first().end
    keep = settings.RETENTION["pre_reading_days"]
    assert keep == 90

    with (
        time_machine.travel(last_end + timedelta(days=keep - 1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = retention_apply()
    assert run.counts["pre-reading"] == 0
    assert Document.objects.count() == 1 and len(stored_files(storage)) == 1

    with (
        time_machine.travel(last_end + timedelta(days=keep, hours=1), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        run = retention_apply()
    assert run.counts["pre-reading"] == 1
    assert not Document.objects.exists() and stored_files(storage) == []

    history = api(client, "get", f"/bookings/{booking.pk}/history", roles.staff).json()
    documents = [e for e in history if e["what"].startswith("Pre-reading")]
    assert [(e["what"], e["who"]) for e in documents] == [
        ("Pre-reading “Budget 2027.pdf” added", roles.booker.username),
        (
            "Pre-reading “Budget 2027.pdf” removed: kept 90 days after the last session",
            "system",
        ),
    ]
    assert documents[0]["changes"][0] == {
        "field": "name",
        "before": None,
        "after": "Budget 2027.pdf",
    }


def test_the_uploaders_export_lists_what_they_added(client, booking, roles):
    from privacy.export import person_export

    add(client, booking, roles.booker, "Budget 2027.pdf", PDF)
    data = person_export(email=roles.booker.email)
    (added,) = data["accounts"][0]["pre_reading_added"]
    assert (added["name"], added["booking"], added["size"]) == (
        "Budget 2027.pdf",
        booking.reference,
        len(PDF),
    )
    assert any(entry["record"] == "pre-reading document" for entry in data["history"])
