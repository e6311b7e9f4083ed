"""A person's data: export and erasure for each kind of person, by the service, the commands
and the admin."""

import json

import pytest
from django.core.management import call_command
from django.test import Client

from peers.models import Peer
from privacy.erasure import person_erase
from privacy.export import person_export
from privacy.models import DataRequest
from sessions.models import HOLDING_SEAT_STATUSES, Booking, Invite, Seat, SeatStatus
from tests.factories import make_user
from tests.privacy.traces import deliver_all, row_counts, traces

KINDS = ["peer", "councillor", "booker", "adviser", "staff"]


@pytest.mark.parametrize("kind", KINDS)
def test_the_export_holds_what_names_the_person_and_is_recorded(programme, kind):
    person = programme.people[kind]
    assert traces(person.needles), "the programme should name them before"
    data = person_export(email=person.email)
    text = json.dumps(data).lower()
    for needle in person.needles:
        assert needle.lower() in text
    if kind == "peer":
        assert data["peer"]["weekly_hours"] and len(data["peer"]["seats"]) == 2
    if kind == "councillor":
        assert len(data["webinar_registrations"]) == 2 and data["calendar_feeds"]
        assert data["accounts"][0]["councillor_of"]["council"] == "Wigan Council"
    if kind == "booker":
        assert len(data["accounts"][0]["bookings_made"]) == 2
    if kind in ("adviser", "staff"):
        assert data["history"], "history entries they made"
    if kind == "adviser":
        assert data["accounts"][0]["principal_adviser_for"] == ["Wigan Council"]
    if kind in ("peer", "councillor", "booker"):
        assert data["messages"], "invitations sent to them"
    (record,) = DataRequest.objects.filter(kind="export")
    assert record.subject.startswith("erased-")
    # The record of the export names the person only by pseudonym.
    assert not [t for t in traces(person.needles + (person.email,)) if t.startswith("privacy.")]


@pytest.mark.parametrize("kind", KINDS)
def test_erasure_leaves_nothing_findable_and_keeps_the_programme_s_facts(
    programme, kind, django_capture_on_commit_callbacks
):
    person = programme.people[kind]
    others = [p for k, p in programme.people.items() if k != kind]
    other_traces = {p.kind: len(traces(p.needles, programme.mail)) for p in others}
    bookings = Booking.objects.count()
    past_seats = list(Seat.objects.filter(session__booking=programme.past).values("pk", "status"))

    with django_capture_on_commit_callbacks(execute=True):
        outcome = person_erase(email=person.email)
    deliver_all(django_capture_on_commit_callbacks)  # the re-staffing, and what it sends

    assert traces(person.needles, programme.mail) == []
    assert outcome["pseudonym"].startswith("erased-") and outcome["found"]
    # The record of the erasure holds only the pseudonym and counts.
    (record,) = DataRequest.objects.filter(kind="erasure")
    assert record.subject == outcome["pseudonym"]
    # Nothing else is lost: every other person can still be found, every booking and past
    # seat is kept (the past seats with their answers).
    for other in others:
        assert len(traces(other.needles, programme.mail)) >= 1, other.kind
        if other.kind != "peer" or kind != "peer":
            assert len(traces(other.needles, programme.mail)) <= other_traces[other.kind] + 20
    assert Booking.objects.count() == bookings
    assert list(Seat.objects.filter(session__booking=programme.past).values("pk", "status")) == (
        past_seats
    )
    if kind == "peer":
        member = Peer.objects.get(pk=programme.member.pk)
        assert member.name.startswith("Erased person") and not member.is_active
        assert not member.weekly_windows.exists() and member.user.has_usable_password() is False
        # The seat to come was given up by the normal path and the reserve stepped in; the
        # peer's calendar was sent its cancellation before their address went.
        seat = Seat.objects.get(session__booking=programme.future, peer=member)
        assert seat.status == SeatStatus.DECLINED
        cancel = Invite.objects.get(seat=seat, method="CANCEL")
        assert cancel.status == "sent" and cancel.recipient_email == member.email
        assert Seat.objects.filter(
            session__booking=programme.future,
            peer=programme.reserve,
            status__in=HOLDING_SEAT_STATUSES,
        ).exists()


@pytest.mark.parametrize("kind", ["peer", "councillor"])
def test_a_second_erasure_is_harmless(programme, kind, django_capture_on_commit_callbacks):
    email = programme.people[kind].email
    person_erase(email=email)
    deliver_all(django_capture_on_commit_callbacks)
    before = row_counts()
    again = person_erase(email=email)
    assert again["found"] is False
    assert not any(again["counts"].values())
    after = row_counts()
    assert after.pop("privacy.DataRequest") == before.pop("privacy.DataRequest") + 1
    assert after == before


def test_the_commands_export_and_erase(programme, tmp_path, capsys):
    person = programme.people["councillor"]
    out = tmp_path / "export.json"
    call_command("person_export", person.email, output=str(out))
    assert json.loads(out.read_text())["accounts"][0]["last_name"] == "Abernathy-Pryce"
    call_command("person_erase", person.email, yes=True)
    assert json.loads(capsys.readouterr().out)["counts"]["registrations deleted"] == 2
    assert traces(person.needles, programme.mail) == []


def test_staff_export_and_erase_from_the_admin_after_a_confirmation(programme):
    staff = make_user("admin-staff", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(staff)
    peer = programme.member
    page = client.post(
        "/admin/peers/peer/",
        {"action": "export_personal_data", "_selected_action": [peer.pk]},
    )
    assert page.status_code == 200
    assert b"Gwendolyn Achterberg" in page.content and b"Download as a JSON file" in page.content
    download = client.post(
        "/admin/peers/peer/",
        {"action": "export_personal_data", "_selected_action": [peer.pk], "format": "json"},
    )
    assert json.loads(download.content)["peer"]["name"] == "Gwendolyn Achterberg"
    assert DataRequest.objects.filter(kind="export", done_by=staff).count() == 2

    asked = client.post(
        "/admin/auth/user/",
        {"action": "erase_personal_data", "_selected_action": [peer.user.pk]},
    )
    assert asked.status_code == 200 and b"Yes, erase them" in asked.content
    assert not DataRequest.objects.filter(kind="erasure").exists()  # only asked so far
    done = client.post(
        "/admin/auth/user/",
        {"action": "erase_personal_data", "_selected_action": [peer.user.pk], "post": "yes"},
        follow=True,
    )
    assert done.status_code == 200 and b"Erased: now erased-" in done.content
    assert traces(programme.people["peer"].needles, programme.mail) == []


def test_the_anonymous_and_non_staff_cannot_reach_the_actions(programme):
    client = Client()
    client.force_login(make_user("not-staff"))
    response = client.post(
        "/admin/auth/user/",
        {"action": "erase_personal_data", "_selected_action": [1], "post": "yes"},
    )
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    assert not DataRequest.objects.exists()
