"""Who may: every predicate of every app's rules module (peers, sessions, webinars, pre-reading,
attendance, learning points, after the panel) against every role, as a table. A predicate added
to a rules module without its row fails here, and a refusal raised anywhere but `require` fails
too (docs/architecture.md, "Who may").

The people are the sessions fixtures' (`pool`, `roles`: Wigan and its neighbour Bolton); the
peers' rules are tested here because their roles are built here."""

import inspect
import re
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied

from peers import rules as peer_rules
from peers.models import Council, Peer
from peers.selectors import caller_for
from sessions import rules as session_rules
from sessions.attendance import rules as attendance_rules
from sessions.feedback import rules as feedback_rules
from sessions.learning import rules as learning_rules
from sessions.learning.models import LearningPoint
from sessions.models import Booking, Seat, SeatStatus, Session
from sessions.packs import rules as pack_rules
from sessions.packs.models import Document
from sessions.packs.services import document_add
from sessions.webinars import rules as webinar_rules
from tests.factories import a_booking, a_webinar, london
from tests.sessions.packs.files import PDF, upload

pytestmark = pytest.mark.django_db

ROLES = (
    "staff",  # LGA staff
    "adviser",  # Wigan's (and Bolton's) Principal Adviser
    "other_adviser",  # the Principal Adviser of a Welsh council
    "booker",  # books for Wigan
    "other_booker",  # books for Bolton
    "peer",  # the lead peer, seated on Wigan's panel
    "lga_lead",  # the LGA facilitator, who leads Wigan's panel
    "councillor",  # a Wigan councillor, who registers for webinars
    "signed_out",
)


@dataclass
class World:
    council: Council  # Wigan
    booking: Booking  # Wigan's panel, booked by its booker
    session: Session  # the booking's session
    seat: Seat  # the lead peer's seat on it
    peer: Peer  # the lead peer's record
    document: Document  # pre-reading the booker added to the booking
    point: LearningPoint  # the lead peer's learning point, for the panel and the council


# How each predicate is asked: (its module, the arguments for a caller in the world).
ASKED = {
    "may_list_peers": (peer_rules, lambda caller, w: (caller,)),
    "may_read_peer": (peer_rules, lambda caller, w: (caller, w.peer)),
    "may_keep_availability": (peer_rules, lambda caller, w: (caller,)),
    "may_book_for": (session_rules, lambda caller, w: (caller, w.council)),
    "may_read_booking": (session_rules, lambda caller, w: (caller, w.booking)),
    "may_manage_booking": (session_rules, lambda caller, w: (caller, w.booking)),
    "may_change_session": (session_rules, lambda caller, w: (caller, w.session)),
    "may_list_requests": (session_rules, lambda caller, w: (caller,)),
    "may_decide_request": (session_rules, lambda caller, w: (caller, w.booking)),
    "may_see_candidates": (session_rules, lambda caller, w: (caller, w.booking)),
    "may_assign_seat": (session_rules, lambda caller, w: (caller,)),
    "may_read_history": (session_rules, lambda caller, w: (caller, w.booking)),
    "may_read_programme": (session_rules, lambda caller, w: (caller,)),
    "may_answer_seats": (session_rules, lambda caller, w: (caller,)),
    # A signed-in peer answers as themselves; a link or a calendar reply names no peer.
    "may_answer_seat": (session_rules, lambda caller, w: (caller.peer, w.seat)),
    "may_see_own_webinars": (webinar_rules, lambda caller, w: (caller,)),
    "may_read_pack": (pack_rules, lambda caller, w: (caller, w.booking)),
    "may_add_to_pack": (pack_rules, lambda caller, w: (caller, w.booking)),
    "may_remove_document": (pack_rules, lambda caller, w: (caller, w.document)),
    "may_record_attendance": (attendance_rules, lambda caller, w: (caller, w.session)),
    "may_give_learning": (learning_rules, lambda caller, w: (caller, w.seat)),
    "may_read_point": (learning_rules, lambda caller, w: (caller, w.point)),
    "may_see_council": (learning_rules, lambda caller, w: (caller, w.point)),
    "may_read_panel_points": (learning_rules, lambda caller, w: (caller, w.booking)),
    "may_check_wording": (learning_rules, lambda caller, w: (caller, w.point)),
    "may_agree_to_naming": (learning_rules, lambda caller, w: (caller, w.point)),
    "may_read_library": (learning_rules, lambda caller, w: (caller,)),
    "may_read_note": (feedback_rules, lambda caller, w: (caller, w.booking)),
    "may_draft_note": (feedback_rules, lambda caller, w: (caller, w.booking)),
    "may_check_note": (feedback_rules, lambda caller, w: (caller, w.booking)),
    "may_keep_actions": (feedback_rules, lambda caller, w: (caller, w.booking)),
    "may_book_progress_review": (feedback_rules, lambda caller, w: (caller, w.booking)),
    "may_read_survey": (feedback_rules, lambda caller, w: (caller, w.booking)),
}

Y, N = True, False
# fmt: off
EXPECTED = {
    #                        staff, adviser, other_adv, booker, other_bk, peer, lga_lead, cllr, signed_out
    "may_list_peers":       (Y, N, N, N, N, N, N, N, N),
    "may_read_peer":        (Y, N, N, N, N, Y, N, N, N),
    "may_keep_availability": (N, N, N, N, N, Y, Y, N, N),
    "may_book_for":         (Y, Y, N, Y, N, N, N, N, N),
    "may_read_booking":     (Y, Y, N, Y, N, N, Y, N, N),
    "may_manage_booking":   (Y, Y, N, Y, N, N, N, N, N),
    "may_change_session":   (Y, Y, N, Y, N, N, Y, N, N),
    "may_list_requests":    (Y, Y, Y, N, N, N, N, N, N),
    "may_decide_request":   (Y, Y, N, N, N, N, N, N, N),
    "may_see_candidates":   (Y, Y, N, N, N, N, N, N, N),
    "may_assign_seat":      (Y, N, N, N, N, N, N, N, N),
    "may_read_history":     (Y, Y, N, N, N, N, N, N, N),
    "may_read_programme":   (Y, Y, Y, N, N, N, N, N, N),
    "may_answer_seats":     (N, N, N, N, N, Y, Y, N, N),
    "may_answer_seat":      (N, N, N, N, N, Y, N, N, N),
    "may_see_own_webinars": (N, N, N, N, N, N, N, Y, N),
    "may_read_pack":        (Y, Y, N, Y, N, Y, Y, N, N),
    "may_add_to_pack":      (Y, N, N, Y, N, N, Y, N, N),
    "may_remove_document":  (Y, N, N, Y, N, N, N, N, N),
    "may_record_attendance": (Y, N, N, N, N, N, Y, N, N),
    "may_give_learning":    (N, N, N, N, N, Y, N, N, N),
    "may_read_point":       (Y, Y, N, Y, N, Y, Y, N, N),
    "may_see_council":      (Y, Y, N, Y, N, Y, Y, N, N),
    "may_read_panel_points": (Y, Y, N, Y, N, Y, Y, N, N),
    "may_check_wording":    (Y, N, N, N, N, N, Y, N, N),
    "may_agree_to_naming":  (N, N, N, Y, N, N, N, N, N),
    "may_read_library":     (Y, Y, Y, Y, Y, Y, Y, N, N),
    "may_read_note":        (Y, Y, N, Y, N, Y, Y, N, N),
    "may_draft_note":       (Y, N, N, N, N, N, Y, N, N),
    "may_check_note":       (N, N, N, Y, N, N, N, N, N),
    "may_keep_actions":     (Y, N, N, Y, N, N, N, N, N),
    "may_book_progress_review": (Y, Y, N, Y, N, N, N, N, N),
    "may_read_survey":      (Y, Y, N, Y, N, N, Y, N, N),
}
# fmt: on

RULES_MODULES = (
    peer_rules,
    session_rules,
    webinar_rules,
    pack_rules,
    attendance_rules,
    learning_rules,
    feedback_rules,
)


def predicates(module: ModuleType) -> set[str]:
    return {
        name
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if name.startswith("may_") and function.__module__ == module.__name__
    }


@pytest.fixture
def callers(pool, roles) -> dict:
    users = {
        "staff": roles.staff,
        "adviser": roles.adviser,
        "other_adviser": roles.other_adviser,
        "booker": roles.booker,
        "other_booker": pool.other_booker,
        "peer": roles.peer,
        "lga_lead": roles.lga_lead,
        "councillor": roles.councillor,
        "signed_out": AnonymousUser(),
    }
    return {role: caller_for(user) for role, user in users.items()}


@pytest.fixture
def world(pool, roles, django_capture_on_commit_callbacks, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # the pre-reading in this test's own folder
    booking = a_booking(pool, london(pool.day, 10), capture=django_capture_on_commit_callbacks)
    booking = Booking.objects.select_related("council").get(pk=booking.pk)
    # The lead peer and the LGA lead accepted: the panel that gives and reads learning points.
    Seat.objects.filter(session__booking=booking, peer__in=[pool.lead, pool.facilitator]).update(
        status=SeatStatus.ACCEPTED
    )
    seat = Seat.objects.select_related("session__booking__council").get(
        session__booking=booking, peer=pool.lead
    )
    return World(
        council=booking.council,
        booking=booking,
        session=seat.session,
        seat=seat,
        peer=Peer.objects.get(pk=pool.lead.pk),
        document=document_add(
            caller=caller_for(roles.booker), booking=booking, upload=upload("brief.pdf", PDF)
        ),
        point=LearningPoint.objects.create(
            seat=seat,
            booking=booking,
            theme="finance",
            doing="A budget agreed with residents.",
            why="Savings are agreed, not imposed.",
            elsewhere="yes",
        ),
    )


def test_every_predicate_has_a_row_and_every_row_a_predicate():
    defined = {name for module in RULES_MODULES for name in predicates(module)}
    assert defined == set(ASKED) == set(EXPECTED)
    for name, (module, _) in ASKED.items():
        assert name in predicates(module), f"{name} is not in {module.__name__}"
    assert all(len(row) == len(ROLES) for row in EXPECTED.values())


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_who_may(name, callers, world):
    module, asked = ASKED[name]
    predicate = getattr(module, name)
    answers = {role: predicate(*asked(callers[role], world)) for role in ROLES}
    assert answers == dict(zip(ROLES, EXPECTED[name], strict=True))
    assert all(type(answer) is bool for answer in answers.values())


def test_a_webinars_session_has_no_booking_for_anyone_to_change(callers):
    webinar = a_webinar()
    assert not any(session_rules.may_change_session(c, webinar) for c in callers.values())


def test_require_refuses_with_its_sentence_and_allows_quietly():
    session_rules.require(True, "never said")
    with pytest.raises(PermissionDenied, match="^Only LGA staff choose a peer by hand.$"):
        session_rules.require(False, "Only LGA staff choose a peer by hand.")
    assert session_rules.require is webinar_rules.require is peer_rules.require
    assert pack_rules.require is peer_rules.require
    assert feedback_rules.require is peer_rules.require
    assert pack_rules.require is attendance_rules.require is peer_rules.require
    assert learning_rules.require is peer_rules.require


def test_only_the_rules_modules_raise_a_refusal():
    root = Path(__file__).resolve().parents[2]
    raising = re.compile(r"raise\s+PermissionDenied\b")
    found = sorted(
        str(path.relative_to(root))
        for app in ("peers", "sessions", "privacy", "scheduling")
        for path in (root / app).rglob("*.py")
        if path.name != "rules.py" and raising.search(path.read_text(encoding="utf-8"))
    )
    assert found == []
