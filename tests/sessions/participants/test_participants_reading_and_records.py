"""A participant's pre-reading behind their signed link (until the session ends, 404 after or
once removed), their reminders, the booking page's list, the journey's check page, the
booking's history, and the personal data: export, erasure and retention."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.conf import settings
from django.core import mail
from django.test import Client

from privacy.erasure import person_erase
from privacy.export import person_data
from privacy.retention import retention_apply
from sessions.models import Booking
from sessions.participants.models import Participant
from sessions.programme.reminders import reminders_send
from tests.factories import bearer, london
from tests.sent_mail import by_recipient, deliver, path_of
from tests.sessions.packs.files import PDF, add
from tests.sessions.participants.people import CHIEF, LEADER, put

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]


@pytest.fixture(autouse=True)
def storage(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def named(api_client, pool, roles, django_capture_on_commit_callbacks):
    """The pool's panel booked with the leader and the chief executive named to attend."""
    with django_capture_on_commit_callbacks(execute=True):
        response = api_client.post(
            "/bookings",
            json={
                "offer": "recovery-and-renewal-panel",
                "council": pool.council.id,
                "start": london(pool.day, 10).isoformat(),
                "participants": [LEADER, CHIEF],
            },
            headers=bearer(pool.booker),
        )
    assert response.status_code == 201, response.json()
    return response.json()


def reading_url(text: str) -> str:
    (url,) = set(re.findall(r"https?://\S+/pre-reading/[^/\s]+/", text))
    return url


def test_a_participant_reads_the_pre_reading_by_their_link_until_the_session_ends(
    client, api_client, pool, roles, named, django_capture_on_commit_callbacks
):
    booking = Booking.objects.get(pk=named["id"])
    add(client, booking, roles.booker, "Budget 2027.pdf", PDF, django_capture_on_commit_callbacks)
    deliver()
    # The next message they are sent (here the joining link's update) lists the pack.
    with django_capture_on_commit_callbacks(execute=True):
        api_client.put(
            f"/sessions/{named['sessions'][0]['id']}/joining-link",
            json={"joining_url": "https://meet.example.org/wigan"},
            headers=bearer(pool.booker),
        )
    mail = by_recipient(deliver())[LEADER["email"]]
    assert "Pre-reading: 1 document" in mail.text
    url = reading_url(mail.text)
    anyone = Client()
    page = anyone.get(path_of(url))
    assert page.status_code == 200 and "Budget 2027.pdf" in page.content.decode()
    (href,) = re.findall(r'href="(/pre-reading/[^"]+/\d+/)"', page.content.decode())
    download = anyone.get(href)
    assert download.status_code == 200
    assert download["X-Content-Type-Options"] == "nosniff"
    assert download["Content-Disposition"].startswith("attachment")
    assert b"".join(download.streaming_content) == PDF
    # A tampered link, and the link once the session has ended, open nothing.
    assert anyone.get(path_of(url)[:-4] + "xx/").status_code == 400
    with time_machine.travel(london(pool.day, 10) + timedelta(hours=3)):
        assert anyone.get(path_of(url)).status_code == 410
        assert anyone.get(href).status_code == 410
    # Removed from the list: the link finds nothing.
    put(api_client, named["id"], [CHIEF], pool.booker, django_capture_on_commit_callbacks)
    assert anyone.get(href).status_code == 404


def test_participants_are_reminded_unless_they_said_they_cannot_attend(pool, named):
    deliver()
    Participant.objects.filter(email=CHIEF["email"]).update(answer="declined")
    before = len(mail.outbox)
    with time_machine.travel(london(pool.day, 10) - timedelta(hours=47)):
        reminders_send()
    reminded = {m.to[0].lower(): m for m in mail.outbox[before:]}
    leader = next(m for to, m in reminded.items() if LEADER["email"] in to)
    assert leader.subject.startswith("Reminder:")
    assert "/attend/" in leader.body  # their details and answer, without signing in
    assert not any(CHIEF["email"] in to for to in reminded)


def test_the_booking_page_lists_and_changes_who_will_attend_and_the_history_shows_it(
    pool, roles, named, django_capture_on_commit_callbacks
):
    deliver()
    booker = Client()
    booker.force_login(roles.booker)
    page = booker.get(f"/bookings/{named['id']}/").content.decode()
    assert "Who will attend from Wigan Council" in page and LEADER["email"] in page
    form = booker.get(f"/bookings/{named['id']}/participants/")
    assert form.status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        saved = booker.post(
            f"/bookings/{named['id']}/participants/",
            {
                "participant-1-name": LEADER["name"],
                "participant-1-role": LEADER["role"],
                "participant-1-email": LEADER["email"],
                "participant-2-name": CHIEF["name"],
                "participant-2-role": CHIEF["role"],
                "participant-2-email": CHIEF["email"],
                "participant-2-remove": "yes",
                "participant-3-name": "Ash Patel",
                "participant-3-role": "",
                "participant-3-email": "ash.patel@wigan.gov.uk",
            },
        )
    assert saved.status_code == 302
    sent = by_recipient(deliver())
    assert set(sent) == {CHIEF["email"], "ash.patel@wigan.gov.uk"}
    twice = booker.post(
        f"/bookings/{named['id']}/participants/",
        {
            "participant-1-name": "A",
            "participant-1-email": LEADER["email"],
            "participant-2-name": "B",
            "participant-2-email": LEADER["email"],
        },
    )
    assert twice.status_code == 422
    assert "Participant 2 has the same e-mail address as participant 1" in twice.content.decode()
    # Another council's booker cannot reach the list.
    other = Client()
    other.force_login(pool.other_booker)
    assert other.get(f"/bookings/{named['id']}/participants/").status_code == 403
    staff = Client()
    staff.force_login(roles.staff)
    history = staff.get(f"/bookings/{named['id']}/").content.decode()
    assert "Participant Ash Patel added" in history and "Participant Sam Smith changed" in history


def test_the_journey_carries_participants_to_the_check_page_and_the_booking(
    pool, roles, django_capture_on_commit_callbacks
):
    booker = Client()
    booker.force_login(roles.booker)
    start = london(pool.day, 10).isoformat()
    people = {
        "participant-1-name": LEADER["name"],
        "participant-1-role": LEADER["role"],
        "participant-1-email": LEADER["email"],
    }
    check = booker.post(
        "/offers/recovery-and-renewal-panel/book/check/",
        {"council": pool.council.pk, "start": start, "day": pool.day.isoformat(), **people},
    )
    assert check.status_code == 200
    body = check.content.decode()
    assert "Jo Bloggs" in body and "Leader" in body
    assert 'name="participant-1-email" value="jo.bloggs@wigan.gov.uk"' in body
    with django_capture_on_commit_callbacks(execute=True):
        booked = booker.post(
            "/offers/recovery-and-renewal-panel/book/",
            {"council": pool.council.pk, "start": start, "day": pool.day.isoformat(), **people},
        )
    assert booked.status_code == 302, booked.content.decode()[:2000]
    assert list(Participant.objects.values_list("name", "role")) == [("Jo Bloggs", "Leader")]
    assert LEADER["email"] in by_recipient(deliver())


def test_export_lists_the_panels_a_person_was_named_for_and_erasure_blanks_them(
    pool, named, django_capture_on_commit_callbacks
):
    deliver()
    data = person_data(LEADER["email"])
    (row,) = data["named_to_attend"]
    assert row["council"] == "Wigan Council" and row["role"] == "Leader"
    assert row["booking"] == named["reference"]
    with django_capture_on_commit_callbacks(execute=True):
        person_erase(email=LEADER["email"])
    participant = Participant.objects.get(pk=named["participants"][0]["id"])
    assert participant.email.endswith("@erased.invalid") and "Jo Bloggs" not in participant.name
    assert not participant.history.filter(email__iexact=LEADER["email"]).exists()
    assert not participant.history.filter(name="Jo Bloggs").exists()
    assert person_data(LEADER["email"])["named_to_attend"] == []


def test_retention_removes_participants_with_their_history_after_their_time(pool, named):
    keep = timedelta(days=settings.RETENTION["participant_days"])
    end = london(pool.day, 12)
    retention_apply(now=end + keep - timedelta(days=1))
    assert Participant.objects.count() == 2
    run = retention_apply(now=end + keep + timedelta(days=1))
    assert run.counts["participants"] == 2
    assert not Participant.objects.exists() and not Participant.history.exists()
