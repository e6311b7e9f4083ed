"""The council's participants: named when booking and after, each sent the invitation, its
updates and a CANCEL, answering by a scanner-safe signed link that never re-staffs anything,
and seen by the panel by name and role, never by address."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client

from sessions.models import Booking, Invite, Seat
from sessions.participants.links import answer_ticket
from sessions.participants.models import Participant
from tests.factories import PANEL, bearer, london
from tests.interop.parsers import libical, libical_ready, read_calendar
from tests.sent_mail import assert_imip, by_recipient, deliver, path_of
from tests.sessions.participants.people import CABINET, CHIEF, LEADER, book_with, put

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("empty_broker")]


def answer_url(text: str) -> str:
    (url,) = set(re.findall(r"https?://\S+/attend/\S+/", text))
    return url


def test_each_participant_is_invited_alone_and_reads_in_icaljs_and_libical(
    api_client, pool, django_capture_on_commit_callbacks
):
    out = book_with(api_client, pool, django_capture_on_commit_callbacks, [LEADER, CHIEF])
    assert [(p["name"], p["role"], p["answer"]) for p in out["participants"]] == [
        ("Jo Bloggs", "Leader", "needs-action"),
        ("Sam Smith", "Chief executive", "needs-action"),
    ]
    mails = by_recipient(deliver())
    leader = mails[LEADER["email"]]
    event = assert_imip(leader, "REQUEST")
    (attendee,) = event["attendees"]
    assert attendee["role"] == "REQ-PARTICIPANT" and attendee["cn"] == "Jo Bloggs"
    # Only the recipient is an attendee: nobody else's address is in the calendar or the text.
    for other in (CHIEF["email"], pool.lead.email, pool.booker.email):
        assert other not in leader.calendar.decode() and other not in leader.text
    assert "has named you to attend" in leader.text and "as Leader" in leader.text
    assert answer_url(leader.text) in leader.text
    if libical_ready():
        code, result = libical(leader.calendar)
        assert code == 0, result
        assert result["method"] == "REQUEST"
    assert read_calendar(leader.calendar)["events"][0]["uid"] == event["uid"]


def test_the_peers_invite_names_who_they_will_meet_by_name_and_role_never_by_address(
    api_client, pool, roles, django_capture_on_commit_callbacks
):
    out = book_with(api_client, pool, django_capture_on_commit_callbacks, [LEADER, CHIEF])
    mails = by_recipient(deliver())
    for peer in (pool.lead, pool.facilitator):
        mail = mails[peer.email]
        # As the recipient reads it: the text, the HTML and the calendar's DESCRIPTION.
        assert "From the council: Jo Bloggs (Leader), Sam Smith (Chief executive)" in mail.text
        assert "Jo Bloggs (Leader)" in mail.html
        description = read_calendar(mail.calendar)["events"][0]["description"]
        assert "Jo Bloggs (Leader)" in description
        for address in (LEADER["email"], CHIEF["email"]):
            assert address not in mail.raw.decode().lower()
    seats = api_client.get("/seats", headers=bearer(roles.peer)).json()
    (seat,) = [s for s in seats if s["session"] == out["sessions"][0]["id"]]
    assert seat["participants"] == [
        {
            "name": "Jo Bloggs",
            "role": "Leader",
            "answer": "needs-action",
            "answer_text": "Not answered yet",
        },
        {
            "name": "Sam Smith",
            "role": "Chief executive",
            "answer": "needs-action",
            "answer_text": "Not answered yet",
        },
    ]
    client = Client()
    client.force_login(roles.peer)
    page = client.get("/my-sessions/").content.decode()
    assert "Jo Bloggs, Leader" in page and LEADER["email"] not in page
    # The lead reads the booking: names and roles, not addresses.
    lead_view = api_client.get(f"/bookings/{out['id']}", headers=bearer(roles.lga_lead)).json()
    assert [p["email"] for p in lead_view["participants"]] == ["", ""]


def test_a_move_and_a_joining_link_update_them_and_removal_and_cancelling_send_a_cancel(
    api_client, pool, django_capture_on_commit_callbacks
):
    out = book_with(api_client, pool, django_capture_on_commit_callbacks, [LEADER, CHIEF])
    deliver()
    booking_id, session_id = out["id"], out["sessions"][0]["id"]
    with django_capture_on_commit_callbacks(execute=True):
        linked = api_client.put(
            f"/sessions/{session_id}/joining-link",
            json={"joining_url": "https://meet.example.org/wigan"},
            headers=bearer(pool.booker),
        )
    assert linked.status_code == 200, linked.json()
    update = by_recipient(deliver())[LEADER["email"]]
    assert assert_imip(update, "REQUEST")["location"] == "https://meet.example.org/wigan"
    assert update.subject.startswith("Updated invitation")

    # Removing someone: a CANCEL to them alone, at a raised SEQUENCE; the others keep theirs.
    removed = put(api_client, booking_id, [LEADER], pool.booker, django_capture_on_commit_callbacks)
    assert removed.status_code == 200, removed.json()
    assert [p["name"] for p in removed.json()] == ["Jo Bloggs"]
    sent = by_recipient(deliver())
    assert set(sent) == {CHIEF["email"]}
    cancel = assert_imip(sent[CHIEF["email"]], "CANCEL")
    assert cancel["sequence"] > update_sequence(update)
    assert "no longer expected" in sent[CHIEF["email"]].text

    # Cancelling the booking: a CANCEL to every participant still named.
    with django_capture_on_commit_callbacks(execute=True):
        api_client.post(
            f"/bookings/{booking_id}/cancel", json={"reason": "Budget"}, headers=bearer(pool.booker)
        )
    sent = by_recipient(deliver())
    assert_imip(sent[LEADER["email"]], "CANCEL")
    assert "is cancelled" in sent[LEADER["email"]].text
    assert CHIEF["email"] not in sent  # told already


def update_sequence(mail) -> int:
    return read_calendar(mail.calendar)["events"][0]["sequence"]


def test_adding_later_invites_only_the_newcomer(
    api_client, pool, django_capture_on_commit_callbacks
):
    out = book_with(api_client, pool, django_capture_on_commit_callbacks, [LEADER])
    deliver()
    added = put(
        api_client, out["id"], [LEADER, CABINET], pool.booker, django_capture_on_commit_callbacks
    )
    assert added.status_code == 200, added.json()
    sent = by_recipient(deliver())
    assert set(sent) == {CABINET["email"]}
    assert_imip(sent[CABINET["email"]], "REQUEST")


def test_the_answer_link_changes_nothing_until_its_button_and_never_restaffs(
    api_client, pool, django_capture_on_commit_callbacks
):
    out = book_with(api_client, pool, django_capture_on_commit_callbacks, [LEADER])
    url = answer_url(by_recipient(deliver())[LEADER["email"]].text)
    seats_before = list(Seat.objects.values_list("id", "peer_id", "status").order_by("id"))
    client = Client()
    opened = client.get(path_of(url))  # a mail scanner opening the link
    assert opened.status_code == 200 and "Will you attend?" in opened.content.decode()
    assert Participant.objects.get().answer == "needs-action"
    with django_capture_on_commit_callbacks(execute=True):
        declined = client.post(path_of(url), {"answer": "decline"})
    assert declined.status_code == 200
    participant = Participant.objects.get()
    assert participant.answer == "declined" and participant.answered_at is not None
    assert list(Seat.objects.values_list("id", "peer_id", "status").order_by("id")) == seats_before
    assert deliver() == []  # nobody is re-staffed or told
    booking = api_client.get(f"/bookings/{out['id']}", headers=bearer(pool.booker)).json()
    assert booking["participants"][0]["answer"] == "declined"
    history = participant.history.first()
    assert history.history_actor == "Jo Bloggs (by the link in their e-mail)"
    # The answer can change; a tampered link cannot be used.
    assert client.post(path_of(url), {"answer": "tentative"}).status_code == 200
    assert Participant.objects.get().answer == "tentative"
    assert client.get(path_of(url)[:-5] + "xx/").status_code == 400
    ticket = answer_ticket(url.rstrip("/").rsplit("/", 1)[1])
    assert ticket.participant_id == participant.pk


def test_an_answer_link_from_before_a_move_is_refused(
    api_client, pool, django_capture_on_commit_callbacks
):
    out = book_with(api_client, pool, django_capture_on_commit_callbacks, [LEADER])
    old = answer_url(by_recipient(deliver())[LEADER["email"]].text)
    with django_capture_on_commit_callbacks(execute=True):
        moved = api_client.post(
            f"/bookings/{out['id']}/reschedule",
            json={"start": london(pool.day, 14).isoformat()},
            headers=bearer(pool.booker),
        )
    assert moved.status_code == 200, moved.json()
    deliver()
    refused = Client().post(path_of(old), {"answer": "accept"})
    assert refused.status_code == 409
    assert "updated since" in refused.content.decode()
    assert Participant.objects.get().answer == "needs-action"


def test_the_limit_and_duplicates_are_refused_in_sentences_and_change_nothing(
    api_client, pool, django_capture_on_commit_callbacks
):
    out = book_with(api_client, pool, django_capture_on_commit_callbacks, [LEADER])
    deliver()
    invites = Invite.objects.count()
    many = [
        {"name": f"Person {n}", "role": "", "email": f"person{n}@wigan.gov.uk"} for n in range(13)
    ]
    too_many = put(api_client, out["id"], many, pool.booker, django_capture_on_commit_callbacks)
    assert too_many.status_code == 422
    assert too_many.json()["detail"][0]["msg"] == "Name at most 12 participants: the list has 13."
    twice = put(
        api_client,
        out["id"],
        [CHIEF, {**LEADER, "email": LEADER["email"].upper()}, {**CHIEF, "name": "S Smith"}],
        pool.booker,
        django_capture_on_commit_callbacks,
    )
    assert twice.status_code == 422
    assert twice.json()["detail"][0]["msg"] == (
        "Participant 3 has the same e-mail address as participant 1 (sam.smith@wigan.gov.uk): "
        "name each person once."
    )
    bad = put(
        api_client,
        out["id"],
        [{"name": "", "role": "", "email": "not-an-address"}],
        pool.booker,
        django_capture_on_commit_callbacks,
    )
    assert bad.status_code == 422
    assert "Participant 1: enter their name." in bad.json()["detail"][0]["msg"]
    assert "enter an e-mail address in the right form" in bad.json()["detail"][0]["msg"]
    assert list(Participant.objects.values_list("email", "removed_at")) == [(LEADER["email"], None)]
    assert Invite.objects.count() == invites
    assert deliver() == []
    # Booking with an invalid list books nothing.
    with django_capture_on_commit_callbacks(execute=True):
        refused = api_client.post(
            "/bookings",
            json={
                "offer": PANEL,
                "council": pool.council.id,
                "start": london(pool.day, 14).isoformat(),
                "participants": [LEADER, LEADER],
            },
            headers=bearer(pool.booker),
        )
    assert refused.status_code == 422
    assert Booking.objects.count() == 1


def test_other_councils_bookers_are_refused_and_unknown_bookings_not_found(
    api_client, pool, roles, django_capture_on_commit_callbacks
):
    out = book_with(api_client, pool, django_capture_on_commit_callbacks, [LEADER])
    path = f"/bookings/{out['id']}/participants"
    assert api_client.get(path, headers=bearer(pool.other_booker)).status_code == 403
    assert put(api_client, out["id"], [CHIEF], pool.other_booker).status_code == 403
    assert put(api_client, out["id"], [CHIEF], roles.lga_lead).status_code == 403
    assert put(api_client, out["id"] + 999, [CHIEF], pool.booker).status_code == 404
    assert [p["email"] for p in api_client.get(path, headers=bearer(pool.booker)).json()] == [
        LEADER["email"]
    ]


def test_the_list_closes_when_the_session_starts(
    api_client, pool, django_capture_on_commit_callbacks
):
    out = book_with(api_client, pool, django_capture_on_commit_callbacks, [LEADER])
    with time_machine.travel(london(pool.day, 10) + timedelta(minutes=1)):
        late = put(api_client, out["id"], [LEADER, CHIEF], pool.booker)
    assert late.status_code == 409
    assert late.json()["detail"] == (
        "The participants can no longer be changed: the session has started or taken place."
    )
