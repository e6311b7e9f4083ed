"""Every server-rendered page of the service, old and new, as each person who can see it sees it,
at a desktop's and a phone's width: no axe violations, nothing scrolls sideways, one h1, and a
skip link that is the first thing to tab to and moves focus to the main content.

The pages are listed once, in CASES, each with the URL pattern it is the page of; the guard test
fails when the URLconf has a page pattern that no case covers (and is not a file, a feed or a
POST-only action listed in NOT_PAGES), so a new page cannot be added unchecked.

The data is made once for the module and committed, and the live server shows it to every test:
the pages are looked at, sent invalid forms, or sent a form that can be sent twice (a feed link,
a registration confirmed), so no test needs the database emptied after it, and making the data
again for each of them would take longer than the checks. One browser context per person and
width keeps its sign-in.
"""

import importlib
import re
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from django.apps import apps
from django.contrib.auth.tokens import default_token_generator
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connections
from django.test.utils import override_settings
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from playwright.sync_api import expect

from peers.models import Councillor, Region
from peers.selectors import caller_for
from sessions.learning import links as learning_links
from sessions.learning.models import LearningPoint, Visibility
from sessions.models import Offer, Seat
from sessions.packs.services import document_add
from sessions.participants import links as participant_links
from sessions.participants.selectors import reading_until
from sessions.participants.services import participants_set
from sessions.services import answers, booking_cancel, booking_create
from sessions.services import approval_letters as approval
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.services import registrations as webinar_services
from tests.browser.pages import assert_accessible, assert_fits, screenshot, sign_in
from tests.factories import (
    PANEL,
    WARD,
    a_webinar,
    bookable_day,
    london,
    make_available,
    make_booker,
    make_council,
    make_peer,
    make_user,
    register,
)
from tests.sessions.packs.files import PDF

PASSWORD = "correct horse battery"  # the factories' password
WIDTHS = {"desktop": 1280, "phone": 390}

# Who looks at a page: nobody signed in, or one of the demo's kinds of user (each signs in
# with their kind as the username).
ANONYMOUS, BOOKER, ADVISER, STAFF, PEER, COUNCILLOR = (
    "anonymous",
    "booker",
    "adviser",
    "staff",
    "peer",
    "councillor",
)

# URL patterns that are not pages: files and feeds, and POST-only actions that answer with a
# redirect to a page covered here. A pattern is listed here only for one of those reasons.
NOT_PAGES = {
    "logout": "POST only; redirects to the offers",
    "token-revoke": "POST only; redirects to the account page",
    "override-remove": "POST only; redirects to the availability page",
    "leave-remove": "POST only; redirects to the availability page",
    "busy-calendar-remove": "POST only; redirects to the availability page",
    "booking-approve": "POST only; redirects to the booking page",
    "learning-point-check": "POST only; redirects to the learning point's page",
    "my-webinar-cancel": "POST only; redirects to My webinars",
    "feed-webinars": "an .ics feed",
    "feed-webinars-topic": "an .ics feed",
    "feed-private": "an .ics feed",
    "participant-document": "a file (a pre-reading document, by a participant's signed link)",
    "document-file": "a file (a pre-reading document)",
    "document-remove": "POST only; redirects to the booking page",
    "webinar-material": "a file (a webinar's video, reading or slides, by a signed link)",
    "feedback-note-save": "POST only; redirects to the feedback note",
    "feedback-note-check": "POST only; redirects to the feedback note",
    "feedback-note-final": "POST only; redirects to the feedback note",
    "action-add": "POST only; redirects to the feedback note's action plan",
    "action-status": "POST only; redirects to the feedback note's action plan",
    # A CSV download; a wrong period answers with the programme page, covered as "programme".
    "programme-export": "a CSV file",
    # Read by load balancers and Prometheus, not people; test_health_and_metrics covers them.
    "healthz": "a JSON health answer",
    "readyz": "a JSON readiness answer",
    "metrics": "Prometheus text",
}


# The data every page is shown with ------------------------------------------------------------


@dataclass
class Sweep:
    """Ids and signed links of the rows the pages show."""

    confirmed: int  # a booking being staffed, the peers invited
    requested: int  # a request waiting for the Principal Adviser
    cancelled: int
    seat: int  # the signed-in peer's invited seat on the confirmed booking
    session: int  # the confirmed booking's session
    full_webinar: int  # one place, taken; the councillor is on its waiting list
    open_webinar: int  # the councillor has a place
    accept: str  # the peer's answer links
    decline: str
    approve: str  # the adviser's decision links
    reject: str
    confirm_keys: dict[str, str]  # width → a registration request's confirmation link
    cancel_key: str  # the councillor's place's cancel link
    manage_key: str  # the councillor's private calendar's manage link
    reset_uid: str
    reset_token: str
    free_day: str  # a day with staffable times
    participant_answer: str  # the confirmed booking's participant's signed links
    participant_reading: str
    point: int  # the peer's learning point, naming the council, waiting for its agreement
    ask: str  # the peer's signed link to give learning points


def load_catalogue():
    """As the `catalogue` fixture loads it for each transactional test; here once a module."""
    importlib.import_module("sessions.migrations.0002_catalogue").load_catalogue(apps, None)


def make_sweep() -> Sweep:
    load_catalogue()
    Offer.objects.filter(slug=PANEL).update(needs_approval=False)
    council = make_council(
        "Wigan Council",
        region=Region.NORTH_WEST,
        leader_group="labour",
        council_type="metropolitan",
        principal_adviser=make_user("adviser", first_name="Ada", last_name="Adviser"),
    )
    home = make_council("Cardiff Council", region=Region.WALES, leader_group="labour")
    lead = make_peer(
        name="Ann Lead", political_group="labour", home_council=home, user=make_user("peer")
    )
    member = make_peer(name="Gwen Member", political_group="green", home_council=home)
    officer = make_peer(
        kind="officer", name="Owen Officer", home_council=home, skills=["recovery-planning"]
    )
    reserve = make_peer(name="Rhys Reserve", political_group="conservative", home_council=home)
    facilitator = make_peer(kind="facilitator", name="Fay Facilitator", home_council=home)
    for peer in (lead, member, officer, reserve, facilitator):
        make_available(peer)
    booker = caller_for(make_booker(council, "booker"))
    make_user("staff", is_staff=True, first_name="Sam", last_name="Staff")
    councillor = make_user("councillor", first_name="Ceri", last_name="Jones")
    Councillor.objects.create(user=councillor, council=council, role="Ward councillor")

    def book(weeks: int):
        return booking_create(
            caller=booker,
            offer=Offer.objects.get(slug=PANEL),
            council=council,
            start=london(bookable_day(1, weeks), 10),
        )

    confirmed = book(3)
    cancelled = book(4)
    booking_cancel(caller=booker, booking=cancelled, reason="The council's plans changed.")
    Offer.objects.filter(slug=PANEL).update(needs_approval=True)
    requested = book(5)
    Offer.objects.filter(slug=PANEL).update(needs_approval=False)

    # The council's leader is to attend the confirmed booking, which has a pre-reading pack.
    (leader,) = participants_set(
        caller=booker,
        booking=confirmed,
        people=[{"name": "Jo Bloggs", "role": "Leader", "email": "jo.bloggs@example.gov.uk"}],
    )
    document_add(
        caller=booker,
        booking=confirmed,
        upload=SimpleUploadedFile("Budget 2027.pdf", PDF, content_type="application/pdf"),
        name="Budget 2027.pdf",
    )
    session = confirmed.sessions.get()

    seat = Seat.objects.get(session__booking=confirmed, peer=lead)
    sequence = answers.latest_request_sequence(seat)
    # Learning points: one waiting for the council to agree to be named, one in the library.
    point = LearningPoint.objects.create(
        seat=seat,
        booking=confirmed,
        theme="finance",
        doing="A rolling budget agreed with residents.",
        why="Savings are agreed, not imposed.",
        elsewhere="yes",
        visibility=Visibility.NAMED,
    )
    LearningPoint.objects.create(
        seat=seat,
        booking=confirmed,
        theme="digital",
        doing="Resident accounts that keep every request in one place.",
        why="Fewer calls.",
        elsewhere="some",
        visibility=Visibility.ANONYMOUS,
        published_at=timezone.now(),
        search_text="Recovery: digital\nResident accounts that keep every request in one place.",
    )

    full = a_webinar(WARD, days=10, capacity=1)
    register(full, "first@example.org", name="Pat First")
    register(full, councillor.email, name="Ceri Jones")  # waiting
    open_ = a_webinar(WARD, days=20)
    place = register(open_, councillor.email, name="Ceri Jones").registration
    # One registration request per width, so each width sees one unconfirmed.
    requests = {
        width: webinar_services.registration_request(
            session=open_,
            name="Dee Other",
            email=f"dee.{width}@example.org",
            council_name="Anytown Council",
            role="Cabinet member",
        )
        for width in WIDTHS
    }
    return Sweep(
        confirmed=confirmed.pk,
        requested=requested.pk,
        cancelled=cancelled.pk,
        seat=seat.pk,
        session=session.pk,
        full_webinar=full.pk,
        open_webinar=open_.pk,
        accept=answers.answer_token(seat_id=seat.pk, sequence=sequence, answer=answers.ACCEPT),
        decline=answers.answer_token(seat_id=seat.pk, sequence=sequence, answer=answers.DECLINE),
        approve=_path(approval.decision_url(booking_id=requested.pk, decision=approval.APPROVE)),
        reject=_path(approval.decision_url(booking_id=requested.pk, decision=approval.DECLINE)),
        confirm_keys={
            width: webinar_links.registration_confirm_key(request)
            for width, request in requests.items()
        },
        cancel_key=webinar_links.registration_cancel_key(place),
        manage_key=webinar_links.calendar_manage_key(place),
        reset_uid=urlsafe_base64_encode(force_bytes(councillor.pk)),
        reset_token=default_token_generator.make_token(councillor),
        free_day=bookable_day(3, 6).isoformat(),
        participant_answer=participant_links.answer_token(
            participant_id=leader.pk,
            session_id=session.pk,
            sequence=session.sequence,
            until=session.start,
        ),
        participant_reading=participant_links.reading_token(
            participant_id=leader.pk, booking_id=confirmed.pk, until=reading_until(confirmed)
        ),
        point=point.pk,
        ask=_path(
            learning_links.ask_url(seat_id=seat.pk, until=timezone.now() + timedelta(days=14))
        )
        .removeprefix("/learning/ask/")
        .rstrip("/"),
    )


def _path(url: str) -> str:
    return urlsplit(url).path


# The pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One page as one person sees it: where to go, and what to do there before looking (an
    invalid form sent, say). `pattern` names the URL pattern the page finally shown is on."""

    name: str
    pattern: str
    role: str
    path: object  # Sweep -> the path, or a dict of paths by width
    then: object = None  # Page -> None


def press(name: str):
    def step(page):
        with page.expect_navigation():
            page.get_by_role("button", name=name, exact=True).click()

    return step


def fill_and_press(fields: dict[str, str], button: str):
    def step(page):
        for label, value in fields.items():
            page.get_by_label(label, exact=True).first.fill(value)
        press(button)(page)

    return step


def heading(text: str):
    """Only a look, but at the page meant: a signed link's page also answers a refusal."""

    def step(page):
        expect(page.get_by_role("heading", level=1)).to_have_text(text)

    return step


def choose_a_time(page):
    page.locator("input[name=start][type=radio]").first.check()
    press("Continue")(page)


def sign_in_wrongly_until_locked_out(page):
    for _ in range(6):
        if page.get_by_role("heading", level=1, name=re.compile("locked", re.I)).count():
            return
        page.get_by_label("Username").fill("someone")
        page.get_by_label("Password").fill("not the password")
        press("Sign in")(page)
    raise AssertionError("six wrong sign-ins did not lock the name out")


def press_feed_link(page):
    # "Create a feed link" the first time, "Renew the feed link" at the second width.
    with page.expect_navigation():
        page.locator("form[action$='/my-sessions/feed/'] button[value=issue]").click()


def press_private_calendar_link(page):
    # "Get a private calendar link" the first time, "Get a new ..." at the second width.
    with page.expect_navigation():
        page.locator("form[action$='/webinars/mine/calendar/'] button[value=renew]").click()


def confirm_paths(sweep: Sweep) -> dict[str, str]:
    return {width: f"/webinars/places/{key}/confirm/" for width, key in sweep.confirm_keys.items()}


CASES = [
    # Anyone: the catalogue, the footer's pages, signing in and resetting a password.
    Case("offers", "home", ANONYMOUS, lambda s: "/"),
    Case("offer", "offer-detail", ANONYMOUS, lambda s: f"/offers/{PANEL}/"),
    Case("webinar-offer", "offer-detail", ANONYMOUS, lambda s: f"/offers/{WARD}/"),
    Case("offer-bookable", "offer-detail", BOOKER, lambda s: f"/offers/{PANEL}/"),
    Case("accessibility", "accessibility", ANONYMOUS, lambda s: "/accessibility/"),
    Case("privacy", "privacy", ANONYMOUS, lambda s: "/privacy/"),
    Case("contact", "contact", ANONYMOUS, lambda s: "/contact/"),
    Case("sign-in", "login", ANONYMOUS, lambda s: "/accounts/sign-in/"),
    Case(
        "sign-in-wrong",
        "login",
        ANONYMOUS,
        lambda s: "/accounts/sign-in/",
        fill_and_press({"Username": "nobody", "Password": "wrong"}, "Sign in"),
    ),
    Case(
        "sign-in-locked-out",
        "login",
        ANONYMOUS,
        lambda s: "/accounts/sign-in/",
        sign_in_wrongly_until_locked_out,
    ),
    Case("reset", "password_reset", ANONYMOUS, lambda s: "/accounts/password-reset/"),
    Case(
        "reset-invalid",
        "password_reset",
        ANONYMOUS,
        lambda s: "/accounts/password-reset/",
        fill_and_press({"E-mail address": "not an address"}, "Send the link"),
    ),
    Case(
        "reset-sent", "password_reset_done", ANONYMOUS, lambda s: "/accounts/password-reset/sent/"
    ),
    Case(
        "reset-new-password",
        "password_reset_confirm",
        ANONYMOUS,
        lambda s: f"/accounts/password-reset/{s.reset_uid}/{s.reset_token}/",
    ),
    Case(
        "reset-new-password-invalid",
        "password_reset_confirm",
        ANONYMOUS,
        lambda s: f"/accounts/password-reset/{s.reset_uid}/{s.reset_token}/",
        fill_and_press(
            {"New password": "short", "Type the new password again": "other"},
            "Save the new password",
        ),
    ),
    Case(
        "reset-link-expired",
        "password_reset_confirm",
        ANONYMOUS,
        lambda s: f"/accounts/password-reset/{s.reset_uid}/not-a-token/",
    ),
    Case(
        "reset-complete",
        "password_reset_complete",
        ANONYMOUS,
        lambda s: "/accounts/password-reset/done/",
    ),
    Case("not-found", "", ANONYMOUS, lambda s: "/no-such-page/"),
    Case("forbidden", "availability", COUNCILLOR, lambda s: "/availability/"),
    # Webinars and calendars, and the signed links in registrants' e-mails.
    Case("webinars", "webinar-list", ANONYMOUS, lambda s: "/webinars/"),
    Case("webinar", "webinar-detail", ANONYMOUS, lambda s: f"/webinars/{s.open_webinar}/"),
    Case(
        "webinar-invalid",
        "webinar-detail",
        ANONYMOUS,
        lambda s: f"/webinars/{s.open_webinar}/",
        press("Register"),
    ),
    Case("webinar-full", "webinar-detail", COUNCILLOR, lambda s: f"/webinars/{s.full_webinar}/"),
    Case(
        "webinar-check-email",
        "webinar-check-email",
        ANONYMOUS,
        lambda s: f"/webinars/{s.open_webinar}/check-your-email/",
    ),
    Case(
        "webinar-confirm",
        "webinar-registration-confirm",
        ANONYMOUS,
        confirm_paths,
    ),
    Case(
        "webinar-confirm-invalid",
        "webinar-registration-confirm",
        ANONYMOUS,
        lambda s: "/webinars/places/not-a-key/confirm/",
    ),
    # Confirming (again, at the second width: nothing changes) leads to the "registered" page.
    Case(
        "webinar-registered",
        "webinar-registered",
        ANONYMOUS,
        confirm_paths,
        press("Confirm my place"),
    ),
    Case(
        "webinar-cancel",
        "webinar-registration-cancel",
        ANONYMOUS,
        lambda s: f"/webinars/places/{s.cancel_key}/cancel/",
    ),
    Case(
        "webinar-cancel-invalid",
        "webinar-registration-cancel",
        ANONYMOUS,
        lambda s: "/webinars/places/not-a-key/cancel/",
    ),
    Case(
        "my-webinars",
        "my-webinars",
        COUNCILLOR,
        lambda s: "/webinars/mine/",
    ),
    Case(
        "my-webinars-calendar",
        "my-webinars-calendar",
        COUNCILLOR,
        lambda s: "/webinars/mine/",
        press_private_calendar_link,
    ),
    Case("calendars", "feed-list", ANONYMOUS, lambda s: "/calendars/"),
    Case(
        "calendars-invalid",
        "feed-list",
        ANONYMOUS,
        lambda s: "/calendars/",
        fill_and_press({"E-mail address you registered with": "not an address"}, "Send me a link"),
    ),
    Case("calendar-manage", "feed-manage", ANONYMOUS, lambda s: f"/calendars/link/{s.manage_key}/"),
    Case(
        "calendar-manage-expired", "feed-manage", ANONYMOUS, lambda s: "/calendars/link/not-a-key/"
    ),
    # Booking: the journey, the bookings and their states.
    Case("book-month", "booking-new", BOOKER, lambda s: f"/offers/{PANEL}/book/"),
    Case("book-day", "booking-new", BOOKER, lambda s: f"/offers/{PANEL}/book/?day={s.free_day}"),
    Case(
        "book-day-no-time",
        "booking-check",
        BOOKER,
        lambda s: f"/offers/{PANEL}/book/?day={s.free_day}",
        press("Continue"),
    ),
    Case(
        "book-check",
        "booking-check",
        BOOKER,
        lambda s: f"/offers/{PANEL}/book/?day={s.free_day}",
        choose_a_time,
    ),
    Case("book-closed", "booking-new", BOOKER, lambda s: "/offers/finance-recovery-panel/book/"),
    Case(
        "booking-confirmation",
        "booking-confirmation",
        BOOKER,
        lambda s: f"/bookings/{s.confirmed}/confirmation/",
    ),
    Case(
        "request-confirmation",
        "booking-confirmation",
        BOOKER,
        lambda s: f"/bookings/{s.requested}/confirmation/",
    ),
    Case("bookings", "booking-list", BOOKER, lambda s: "/bookings/"),
    Case("bookings-staff", "booking-list", STAFF, lambda s: "/bookings/"),
    Case("bookings-found", "booking-list", BOOKER, lambda s: "/bookings/?q=rrp"),
    Case("bookings-search-invalid", "booking-list", BOOKER, lambda s: f"/bookings/?q={'x' * 201}"),
    Case("booking", "booking-detail", BOOKER, lambda s: f"/bookings/{s.confirmed}/"),
    Case("booking-staff", "booking-detail", STAFF, lambda s: f"/bookings/{s.confirmed}/"),
    Case("booking-cancelled", "booking-detail", BOOKER, lambda s: f"/bookings/{s.cancelled}/"),
    Case(
        "booking-cancel-invalid",
        "booking-cancel",
        BOOKER,
        lambda s: f"/bookings/{s.confirmed}/",
        press("Cancel this booking"),
    ),
    Case("request", "booking-detail", ADVISER, lambda s: f"/bookings/{s.requested}/"),
    Case(
        "request-decline-invalid",
        "booking-reject",
        ADVISER,
        lambda s: f"/bookings/{s.requested}/",
        press("Decline the request"),
    ),
    Case("requests", "request-list", ADVISER, lambda s: "/requests/"),
    Case("decide-approve", "request-decide", ANONYMOUS, lambda s: s.approve),
    Case("decide-decline", "request-decide", ANONYMOUS, lambda s: s.reject),
    Case(
        "decide-approve-decline-invalid",
        "request-decide",
        ANONYMOUS,
        lambda s: s.approve,
        press("Decline the request"),
    ),
    Case(
        "decide-decline-invalid",
        "request-decide",
        ANONYMOUS,
        lambda s: s.reject,
        press("Decline the request"),
    ),
    Case("decide-invalid", "request-decide", ANONYMOUS, lambda s: "/requests/decide/not-a-token/"),
    Case("seat-assign", "seat-assign", STAFF, lambda s: f"/seats/{s.seat}/assign/"),
    # The council's participants, and the pre-reading.
    Case(
        "booking-participants",
        "booking-participants",
        BOOKER,
        lambda s: f"/bookings/{s.confirmed}/participants/",
    ),
    Case(
        "booking-participants-invalid",
        "booking-participants",
        BOOKER,
        lambda s: f"/bookings/{s.confirmed}/participants/",
        fill_and_press({"E-mail address": "not an address"}, "Save who will attend"),
    ),
    Case(
        "participant-answer",
        "participant-answer",
        ANONYMOUS,
        lambda s: f"/attend/{s.participant_answer}/",
        heading("Will you attend?"),
    ),
    Case("participant-answer-invalid", "participant-answer", ANONYMOUS, lambda s: "/attend/x/"),
    Case(
        "participant-pre-reading",
        "participant-pre-reading",
        ANONYMOUS,
        lambda s: f"/pre-reading/{s.participant_reading}/",
        heading("Pre-reading"),
    ),
    Case(
        "participant-pre-reading-invalid",
        "participant-pre-reading",
        ANONYMOUS,
        lambda s: "/pre-reading/x/",
    ),
    Case("pack", "pack-detail", PEER, lambda s: f"/bookings/{s.confirmed}/pre-reading/"),
    Case(
        "document-add-invalid",
        "document-add",
        BOOKER,
        lambda s: f"/bookings/{s.confirmed}/",
        press("Add the document"),
    ),
    # Before the session starts: the page says when attendance can be recorded.
    Case("attendance", "attendance", STAFF, lambda s: f"/sessions/{s.session}/attendance/"),
    Case(
        "seat-assign-invalid",
        "seat-assign",
        STAFF,
        lambda s: f"/seats/{s.seat}/assign/",
        press("Seat this peer"),
    ),
    Case("joining-link", "joining-link", BOOKER, lambda s: f"/sessions/{s.session}/joining-link/"),
    Case(
        "joining-link-invalid",
        "joining-link",
        BOOKER,
        lambda s: f"/sessions/{s.session}/joining-link/",
        fill_and_press({"Joining link": "not a link"}, "Save the joining link"),
    ),
    Case("programme", "programme", STAFF, lambda s: "/programme/"),
    Case("programme-adviser", "programme", ADVISER, lambda s: "/programme/"),
    Case("programme-invalid", "programme", STAFF, lambda s: "/programme/?start=2027-02-31"),
    # Peers: their sessions and answers, their availability.
    Case(
        "my-sessions",
        "my-sessions",
        PEER,
        lambda s: "/my-sessions/",
    ),
    Case(
        "my-sessions-feed",
        "my-feed",
        PEER,
        lambda s: "/my-sessions/",
        press_feed_link,
    ),
    Case(
        "my-session-decline",
        "my-session-answer",
        PEER,
        lambda s: f"/my-sessions/seats/{s.seat}/decline/",
    ),
    Case("answer-accept", "answer", ANONYMOUS, lambda s: f"/answer/{s.accept}/"),
    Case("answer-decline", "answer", ANONYMOUS, lambda s: f"/answer/{s.decline}/"),
    Case("answer-invalid", "answer", ANONYMOUS, lambda s: "/answer/not-a-token/"),
    Case("availability", "availability", PEER, lambda s: "/availability/"),
    Case(
        "availability-invalid",
        "availability",
        PEER,
        lambda s: "/availability/",
        fill_and_press({"Day": "31", "Month": "2", "Year": "2027"}, "Save hours for this date"),
    ),
    # Anyone signed in.
    Case("account", "account", BOOKER, lambda s: "/account/"),
    Case("account-invalid", "account", BOOKER, lambda s: "/account/", press("Create token")),
    Case("councils", "council-list", BOOKER, lambda s: "/councils/"),
    # Learning points and the library.
    Case("learning-library", "learning-library", BOOKER, lambda s: "/learning/"),
    Case(
        "learning-library-found",
        "learning-library",
        PEER,
        lambda s: "/learning/?q=resident&theme=digital",
    ),
    Case(
        "learning-library-invalid",
        "learning-library",
        BOOKER,
        lambda s: "/learning/?end=2027-02-31",
    ),
    Case("learning-seat", "learning-seat", PEER, lambda s: f"/learning/sessions/{s.seat}/"),
    Case("learning-ask", "learning-ask", ANONYMOUS, lambda s: f"/learning/ask/{s.ask}/"),
    Case("learning-ask-invalid", "learning-ask", ANONYMOUS, lambda s: "/learning/ask/not-a-link/"),
    # After the panel: the feedback note (its draft is staff's and the lead's to write), the
    # progress review, and the survey's signed link.
    Case(
        "feedback-note", "feedback-note", STAFF, lambda s: f"/bookings/{s.confirmed}/feedback-note/"
    ),
    Case(
        "progress-review",
        "progress-review",
        BOOKER,
        lambda s: f"/bookings/{s.confirmed}/progress-review/",
    ),
    Case("survey-answer-invalid", "survey-answer", ANONYMOUS, lambda s: "/survey/not-a-link/"),
    Case("learning-point", "learning-point", PEER, lambda s: f"/learning/points/{s.point}/"),
    Case(
        "learning-point-invalid",
        "learning-point",
        PEER,
        lambda s: f"/learning/points/{s.point}/",
        fill_and_press({"What is the council doing?": ""}, "Save the changes"),
    ),
    Case(
        "learning-point-agree",
        "learning-point-agree",
        BOOKER,
        lambda s: f"/learning/points/{s.point}/agree/",
    ),
    Case(
        "booking-learning",
        "booking-learning",
        BOOKER,
        lambda s: f"/bookings/{s.confirmed}/learning/",
    ),
]


# The module's server, data and browsers -------------------------------------------------------


@pytest.fixture(autouse=True)
def _catalogue():
    """Not per test here: the module loads the catalogue once, with its data."""


@pytest.fixture
def transactional_db(site):
    """The module's tests only look, so they share the rows `site` committed: no flush after
    each test (the live server asks for this fixture for every test that uses it)."""


@pytest.fixture(scope="module")
def site(django_db_setup, live_server, django_db_blocker, tmp_path_factory):
    """The data made once for the module and committed, and the server showing it (the
    pre-reading's files in a folder of the module's own); the database is emptied after, as a
    transactional test leaves it."""
    fast = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    media = str(tmp_path_factory.mktemp("media"))
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=fast, SITE_URL=live_server.url, MEDIA_ROOT=media),
    ):
        cache.clear()
        yield live_server, make_sweep()
        call_command("flush", verbosity=0, interactive=False)
        # Else PostgreSQL keeps this connection open and refuses to drop the test database.
        connections.close_all()


@pytest.fixture(scope="module")
def tabs(chromium, site):
    """One signed-in tab per person and width, opened when first needed; the second width
    takes the first one's sign-in (its cookies) rather than signing in again."""
    server, _ = site
    opened = {}

    def tab(role: str, width: str):
        if (role, width) not in opened:
            phone = width == "phone"
            signed_in = next(
                (p for (r, _), p in opened.items() if r == role and role != ANONYMOUS), None
            )
            context = chromium.new_context(
                viewport={"width": WIDTHS[width], "height": 900},
                is_mobile=phone,
                has_touch=phone,
                locale="en-GB",
                timezone_id="Europe/London",
                storage_state=signed_in.context.storage_state() if signed_in else None,
            )
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.width_name = width
            if role != ANONYMOUS and signed_in is None:
                sign_in(page, server, role, PASSWORD)
            opened[role, width] = page
        return opened[role, width]

    yield tab
    for page in opened.values():
        page.context.close()


def assert_skip_link_first(page):
    """The skip link is the first thing to tab to, and following it moves focus to main."""
    first = page.evaluate(
        """() => {
            const focusable = 'a[href], button:not([disabled]), input:not([type=hidden]),'
                + ' select, textarea, [tabindex]:not([tabindex="-1"])';
            const el = [...document.querySelectorAll(focusable)]
                .find(e => !e.closest('[hidden]') && e.getClientRects().length);
            return el ? el.outerHTML.slice(0, 120) : '';
        }"""
    )
    assert "govuk-skip-link" in first, f"the first thing to tab to is not the skip link: {first}"
    skip = page.get_by_role("link", name="Skip to main content")
    skip.focus()
    expect(skip).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("main#main-content")).to_be_focused()


def assert_one_h1(page):
    headings = page.locator("h1").all_inner_texts()
    assert len(headings) == 1, f"the page has {len(headings)} h1s: {headings}"


def pattern_of(page) -> str:
    match = resolve(urlsplit(page.url).path)
    return match.url_name or ""


PARAMS = [
    pytest.param(
        case,
        width,
        id=f"{case.name}-{width}",
    )
    for case in CASES
    for width in WIDTHS
]


@pytest.mark.parametrize(("case", "width"), PARAMS)
def test_the_page_is_accessible_and_fits(case, width, site, tabs, axe):
    server, sweep = site
    page = tabs(case.role, width)
    path = case.path(sweep)
    page.goto(server.url + (path[width] if isinstance(path, dict) else path))
    if case.then is not None:
        case.then(page)
    try:
        if case.pattern:
            assert pattern_of(page) == case.pattern, f"ended on {page.url}"
        assert_one_h1(page)
        assert_fits(page)
        assert_accessible(axe, page)
        assert_skip_link_first(page)
    except AssertionError:
        # Only a failing page is kept to look at: a screenshot of every page doubles the time.
        screenshot(page, f"every-page-{case.name}")
        raise


# The guard --------------------------------------------------------------------------------------


def page_patterns(patterns=None, prefix: str = "") -> dict[str, str]:
    """Name → route of every pattern outside the admin and the API."""
    found = {}
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if route.lstrip("^").startswith(("admin/", "api/")):
            continue
        if isinstance(pattern, URLResolver):
            found |= page_patterns(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern):
            found[pattern.name or route] = route
    return found


def test_every_page_pattern_is_swept():
    patterns = page_patterns()
    covered = {case.pattern for case in CASES if case.pattern}
    unswept = set(patterns) - covered - set(NOT_PAGES)
    assert not unswept, f"pages with no case in CASES: {sorted(unswept)}"
    assert not covered & set(NOT_PAGES), "a pattern is both swept and set aside"
    assert not (set(NOT_PAGES) | covered) - set(patterns), "no such pattern any more"
    # Every width of every case is a test, and none is skipped unseen.
    assert len(PARAMS) == len(CASES) * len(WIDTHS)
