"""The e-mails as people read them, from the real message bytes: one layout that reads on a
phone (a viewport, one primary and one quieter secondary action, a named contact, a plain-text
part that says the same), the council's notes reaching the peers, dates written one way with a
peer's own zone beside UK time, and several changes reaching the booker as one summary."""

import re

import pytest
from django.conf import settings
from django.core import mail

from peers.models import Peer
from scheduling.engine.uk_time import day_text, when_text
from sessions.models import HOLDING_SEAT_STATUSES, Invite, InviteStatus, Offer, Seat
from tests.factories import PANEL, bearer, london, make_available, make_peer, make_user
from tests.interop.parsers import read_calendar
from tests.sent_mail import Mail, by_recipient, deliver, gathering_over

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]

NOTES = (
    "Our new leader wants the panel to focus on the budget gap and on rebuilding trust with "
    "town and parish councils.\nPlease read the recovery plan first."
)

# Dates as they were written before there was one way: "Mon 07 Dec 2026", "Mon 7 Dec 2026",
# "07/12/2026".
OTHER_DATE_FORMS = re.compile(
    r"\b(Mon|Tue|Wed|Thu|Fri|Sat|Sun) \d|\b\d{1,2} (Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Oct|Nov|Dec) "
    r"|\b\d{2}/\d{2}/\d{4}\b"
)


def book_with_notes(api_client, pool, capture, notes=NOTES) -> dict:
    with capture(execute=True):
        response = api_client.post(
            "/bookings",
            json={
                "offer": PANEL,
                "council": pool.council.id,
                "start": london(pool.day, 10).isoformat(),
                "notes": notes,
            },
            headers=bearer(pool.booker),
        )
    assert response.status_code == 201, response.json()
    return response.json()


def actions(html: str) -> dict[str, tuple[str, str]]:
    """The buttons of a message's HTML: class -> (label, href)."""
    found = re.findall(r'<a href="([^"]+)" class="(action-\w+)" style="([^"]*)">([^<]+)</a>', html)
    return {kind: (label, href, style) for href, kind, style, label in found}


def test_a_peers_invite_has_the_one_layout_with_accept_primary_and_decline_secondary(
    api_client, pool, django_capture_on_commit_callbacks
):
    book_with_notes(api_client, pool, django_capture_on_commit_callbacks)
    lead = by_recipient(deliver())[pool.lead.email]
    html, text = lead.html, lead.text

    # Laid out for a phone, and as tables with inline styles for Outlook; nothing fetched.
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert 'role="presentation"' in html and "max-width: 600px" in html
    assert "<link" not in html and "<img" not in html and "<style>" not in html.split("[endif]")[-1]
    assert ">LGA</p>" in html and "Local Government Association" in html

    # One clear primary action, and a quieter secondary one.
    buttons = actions(html)
    primary_label, primary_href, primary_style = buttons["action-primary"]
    secondary_label, secondary_href, secondary_style = buttons["action-secondary"]
    assert (primary_label, secondary_label) == ("Accept the seat", "Decline the seat")
    assert "/answer/" in primary_href and "/answer/" in secondary_href
    assert "color: #ffffff" in primary_style and "font-weight: bold" in primary_style
    assert "color: #3b1f5e" in secondary_style and "font-weight: normal" in secondary_style
    assert html.count('class="action-primary"') == 1
    # The plain-text part says the same, links included.
    assert f"Accept the seat:\n{primary_href}" in text
    assert f"Decline the seat:\n{secondary_href}" in text

    # A named contact: the offer's mailbox.
    contact = Offer.objects.get(slug=PANEL).contact_email
    assert f'<a href="mailto:{contact}"' in html
    assert f"Write to the LGA Recovery & Renewal Panel team: {contact}" in text


def test_without_an_offer_mailbox_the_contact_is_the_councils_principal_adviser(
    api_client, pool, django_capture_on_commit_callbacks
):
    Offer.objects.filter(slug=PANEL).update(contact_email="")
    adviser = make_user("pat.adviser", first_name="Pat", last_name="Okafor")
    pool.council.principal_adviser = adviser
    pool.council.save()
    book_with_notes(api_client, pool, django_capture_on_commit_callbacks)
    sent = by_recipient(deliver())
    for to in (pool.lead.email, pool.booker.email):
        assert (
            f"Write to Pat Okafor, Principal Adviser for Wigan Council: {adviser.email}"
            in sent[to].text
        )
        assert f'href="mailto:{adviser.email}"' in sent[to].html


def test_the_councils_notes_reach_every_peer_in_text_html_calendar_and_api(
    api_client, pool, django_capture_on_commit_callbacks
):
    book_with_notes(api_client, pool, django_capture_on_commit_callbacks)
    sent = by_recipient(deliver())
    for peer in (pool.lead, pool.member, pool.officer):
        message = sent[peer.email]
        assert "What the council wants the panel to focus on:\n" + NOTES in message.text
        assert "focus on the budget gap and on rebuilding trust with town and parish" in (
            message.html
        )
        (event,) = read_calendar(message.calendar)["events"]
        assert NOTES in event["description"]
    # And through the API, for the peer's own seats.
    pool.lead.user = make_user()
    pool.lead.save()
    (seat,) = api_client.get("/seats", headers=bearer(pool.lead.user)).json()
    assert seat["notes"] == NOTES


def test_a_peer_abroad_sees_their_own_time_beside_uk_time_and_dates_are_written_one_way(
    api_client, pool, django_capture_on_commit_callbacks
):
    Peer.objects.filter(pk=pool.officer.pk).update(time_zone="Europe/Paris")
    book_with_notes(api_client, pool, django_capture_on_commit_callbacks)
    sent = by_recipient(deliver())
    start = london(pool.day, 10)
    uk = f"{day_text(start)}, 10:00 to 13:00 (UK time)"
    assert when_text(start, start.replace(hour=13)) == uk
    officer = sent[pool.officer.email]
    assert f"When: {uk}; 11:00 to 14:00 your time (Europe/Paris)" in officer.text
    assert "11:00 to 14:00 your time (Europe/Paris)" in officer.html
    # Everyone else, in the UK, sees UK time alone.
    for to in (pool.lead.email, pool.member.email, pool.booker.email):
        assert f"When: {uk}\n" in sent[to].text
        assert "your time" not in sent[to].text
    for message in sent.values():
        assert message.subject.endswith(f", {day_text(start)}")
        (event,) = read_calendar(message.calendar)["events"]
        for words in (message.subject, message.text, message.html, event["description"]):
            assert not OTHER_DATE_FORMS.search(words), OTHER_DATE_FORMS.search(words)


def test_several_changes_within_minutes_reach_the_booker_as_one_summary(
    api_client, pool, django_capture_on_commit_callbacks, run_worker
):
    capture = django_capture_on_commit_callbacks
    book_with_notes(api_client, pool, capture)
    deliver()
    reserve = make_available(
        make_peer(
            name="Reserve Member",
            political_group="conservative",
            home_council=pool.member.home_council,
        )
    )
    # Three peers decline one after another; the worker re-staffs after each.
    first = len(mail.outbox)
    for peer in (pool.member, pool.officer, pool.lead):
        peer.user = make_user()
        peer.save()
        seat = Seat.objects.get(peer=peer, status__in=HOLDING_SEAT_STATUSES)
        with capture(execute=True):
            response = api_client.post(f"/seats/{seat.pk}/decline", headers=bearer(peer.user))
        assert response.status_code == 200
        run_worker()
    # The replacement's invitation went at once; the booker's updates wait together.
    deliver(gathered=False)
    at_once = by_recipient([Mail.of(message) for message in mail.outbox[first:]])
    assert set(at_once) == {reserve.email}
    assert at_once[reserve.email].subject.startswith("Invitation: ")
    waiting = Invite.objects.filter(recipient_email=pool.booker.email, status=InviteStatus.PENDING)
    assert waiting.count() == 3
    assert len({invite.next_attempt_at for invite in waiting}) == 1  # one time for them all

    before = len(mail.outbox)
    gathering_over()
    sent = [Mail.of(message) for message in mail.outbox[before:]]
    (summary,) = sent
    assert summary.to == pool.booker.email
    assert summary.subject.startswith("Updated: ")
    assert "has changed since our last e-mail: 6 changes, oldest first." in summary.text
    changes = summary.text.split("What has changed:\n")[1].split("\n\n")[0].splitlines()
    # Oldest first; an unfilled seat says why, in the matcher's words.
    assert changes[:3] + [changes[4]] == [
        "- Member Green declined the Member peer seat.",
        "- Reserve Member replaces Member Green in the Member peer seat, as Member Green declined.",
        "- Officer Recovery declined the Officer peer seat.",
        "- Lead Labour declined the Lead member peer seat.",
    ]
    assert changes[3].startswith("- The Officer peer seat could not be filled: ")
    assert changes[5].startswith("- The Lead member peer seat could not be filled: ")
    assert len(changes) == 6
    assert "What has changed" in summary.html
    statuses = sorted(
        Invite.objects.filter(recipient_email=pool.booker.email).values_list("status", flat=True)
    )
    assert statuses == ["sent", "sent", "superseded", "superseded"]
    # Nothing more goes later.
    gathering_over()
    assert len(mail.outbox) == before + 1


def test_a_letter_without_a_session_has_the_layout_and_the_services_contact():
    """Reminders, webinar places, confirmation links and the others render the one layout."""
    from sessions.mail.letters import Letter

    letter = Letter(
        subject="Reminder",
        greeting="Dear Jo,",
        actions=(("Join the meeting", "https://example.org/j"), ("See the details", "https://x")),
    )
    message = Mail.of(letter.message("jo@example.org"))
    assert '<meta name="viewport"' in message.html
    assert actions(message.html)["action-primary"][0] == "Join the meeting"
    assert actions(message.html)["action-secondary"][0] == "See the details"
    assert f"Write to LGA peer support: {settings.DEFAULT_FROM_EMAIL.split('<')[1][:-1]}" in (
        message.text
    )


def test_every_letter_names_its_recipient_in_to_as_the_invites_do():
    """One function writes a To: header: "Name <address>", quotes and runs of spaces dropped."""
    from sessions.mail.letters import Letter, recipient

    assert recipient("ada@example.org", "Ada  Adviser") == "Ada Adviser <ada@example.org>"
    assert recipient("ada@example.org", 'Ada "The Boss" Adviser') == (
        "Ada The Boss Adviser <ada@example.org>"
    )
    assert recipient("ada@example.org") == "ada@example.org"
    message = Mail.of(Letter(subject="S", greeting="Hi").message("jo@example.org", "Jo Bloggs"))
    assert str(message.message["To"]) == "Jo Bloggs <jo@example.org>"
