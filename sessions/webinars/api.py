"""Webinars and registrations: open to anyone (an address confirms by e-mail, unless its
owner is signed in), and a signed-in councillor's own places."""

from datetime import datetime
from typing import Annotated

from django.http import HttpResponse
from ninja import Field, Router, Schema, Status
from ninja.utils import check_csrf
from pydantic import WithJsonSchema

from peers.schemas import BodyIn
from peers.services import api_token_authenticate
from sessions.models import Topic
from sessions.webinars.models import RegistrationStatus
from sessions.webinars.selectors import feeds as webinar_feeds
from sessions.webinars.selectors import webinars as selectors
from sessions.webinars.selectors.feed_tokens import private_feed_path
from sessions.webinars.services import registrations as services

router = Router(tags=["webinars"])

# Any text is read, so an unknown topic is answered 404 with the list; the schema names them.
TopicKey = Annotated[
    str,
    WithJsonSchema(
        {
            "type": "string",
            "enum": ["", *Topic.values],
            "description": "A topic's key; empty for every topic",
        }
    ),
]


class DetailOut(Schema):
    detail: str


class SubscribeOut(Schema):
    name: str
    https: str
    webcal: str
    google: str
    outlook: str
    microsoft365: str


class WebinarOut(Schema):
    id: int
    title: str
    offer: str
    topic: str
    topic_name: str
    summary: str
    description: str
    audience: str
    start: datetime
    end: datetime
    when: str
    duration_minutes: int
    capacity: int
    places_left: int
    waiting: int
    status: str
    registration_open: bool
    closed_reason: str
    recording_url: str
    url: str
    feed: SubscribeOut


class RegistrationIn(BodyIn):
    name: str = Field(min_length=1, max_length=200, pattern=r"\S")
    email: str = Field(min_length=3, max_length=254, examples=["name@council.gov.uk"])
    council: int | None = Field(default=None, description="A council's id; or give council_name.")
    council_name: str = Field(default="", max_length=200)
    role: str = Field(min_length=1, max_length=200, pattern=r"\S", examples=["Ward councillor"])


class RegistrationOut(Schema):
    id: int
    webinar: int
    status: str
    status_text: str
    waiting_position: int | None
    invited: bool = Field(
        description="Whether this request sent an invitation (a new place); false when the "
        "address was already registered or joined the waiting list"
    )
    feed_url: str | None
    feed: SubscribeOut | None
    private_calendar: str = Field(
        description="The address's private calendar link: live, off or none (see feed_url for "
        "a link created now)"
    )
    note: str


class ConfirmationSentOut(Schema):
    webinar: int
    status: str
    note: str


class MyRegistrationOut(Schema):
    id: int
    webinar: int
    title: str
    start: datetime
    end: datetime
    when: str
    status: str
    status_text: str
    waiting_position: int | None
    joining_url: str
    can_cancel: bool
    url: str


CONFIRMATION_SENT = {
    "status": "confirmation-sent",
    "note": (
        "We have e-mailed a link to the address given. Open it within 48 hours to confirm the "
        "registration: nothing is booked until then. Sign in first to register your own "
        "address at once."
    ),
}


def _webinar_out(request, webinar: selectors.Webinar) -> dict:
    offer = webinar.offer
    topic = offer.topic
    return {
        "id": webinar.id,
        "title": webinar.title,
        "offer": offer.slug,
        "topic": topic,
        "topic_name": Topic(topic).label if topic in Topic.values else "",
        "summary": offer.summary,
        "description": offer.description,
        "audience": offer.audience,
        "start": webinar.start,
        "end": webinar.end,
        "when": webinar.when_text,
        "duration_minutes": webinar.duration_minutes,
        "capacity": webinar.capacity,
        "places_left": webinar.places_left,
        "waiting": webinar.waiting,
        "status": webinar.session.status,
        "registration_open": webinar.is_open,
        "closed_reason": webinar.closed_reason,
        "recording_url": webinar.session.recording_url,
        "url": request.build_absolute_uri(webinar.path),
        "feed": _links(
            request, webinar_feeds.public_feed_path(topic), webinar_feeds.public_feed_name(topic)
        ),
    }


def _links(request, path: str, name: str) -> dict:
    return selectors.subscribe_links(request.build_absolute_uri(path), name).__dict__


@router.get(
    "/webinars",
    response={200: list[WebinarOut], 404: DetailOut},
    auth=None,
    summary="Upcoming webinars, soonest first (times in UK time); filter by topic",
)
def webinar_list(request, topic: TopicKey = ""):
    if topic and topic not in Topic.values:
        return Status(404, {"detail": f"No such topic. Topics: {', '.join(Topic.values)}."})
    return [_webinar_out(request, w) for w in selectors.webinar_list(topic=topic)]


@router.get("/webinars/{int:webinar_id}", response=WebinarOut, auth=None, summary="One webinar")
def webinar_detail(request, webinar_id: int):
    return _webinar_out(request, selectors.webinar_get(webinar_id=webinar_id))


def _signed_in_email(request) -> str:
    """The address of a caller signed in with a bearer token, or with the session and its CSRF
    token; "" for anyone else, who then confirms the address by e-mail."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        user = api_token_authenticate(token.strip())
    elif request.user.is_authenticated and check_csrf(request) is None:
        user = request.user
    else:
        user = None
    return user.email if user is not None else ""


@router.post(
    "/webinars/{int:webinar_id}/registrations",
    response={
        200: RegistrationOut,
        201: RegistrationOut,
        202: ConfirmationSentOut,
        409: DetailOut,
        429: DetailOut,
    },
    auth=None,
    summary="Register for a webinar: the address confirms by e-mail, unless it is the caller's",
    description=(
        "Signed out, or for an address other than the caller's own: 202, always with the same "
        "body, whether or not the address is known; the address is sent a link that confirms "
        "the registration (a place, or the waiting list when full) and holds nothing until "
        "then. Signed in (bearer token or session) with the same address: 201 with the "
        "registration, or 200 with the same registration if it was already there (nothing is "
        "changed or sent then: `invited` is false; a session without its CSRF token counts as "
        "signed out); `feed_url` "
        "is the private calendar feed, given only when it is first created. 409 if the webinar "
        "is cancelled, over, started or not open; 422 for invalid input (`type: rule`: an "
        "address that cannot take mail, or no council); 429 when one client "
        "or address tries too often."
    ),
)
def registration_create(request, webinar_id: int, payload: RegistrationIn, response: HttpResponse):
    webinar = selectors.webinar_get(webinar_id=webinar_id)
    services.throttle_check(
        action="register", client=request.META.get("REMOTE_ADDR", ""), email=payload.email
    )
    result = services.registration_submit(
        session=webinar.session,
        name=payload.name,
        email=payload.email,
        council=payload.council,
        council_name=payload.council_name,
        role=payload.role,
        signed_in_email=_signed_in_email(request),
    )
    if result is None:
        return Status(202, {"webinar": webinar.id, **CONFIRMATION_SENT})
    registration = result.registration
    feed = None
    if result.feed_token:
        feed = _links(
            request,
            private_feed_path(result.feed_token),
            "LGA webinars: your registrations",
        )
    registered = registration.status == RegistrationStatus.REGISTERED
    position = selectors.waiting_position(registration)
    calendar = selectors.private_calendar(registration.email).state
    return Status(
        201 if result.created else 200,
        {
            "id": registration.pk,
            "webinar": webinar.id,
            "status": registration.status,
            "status_text": registration.get_status_display(),
            "waiting_position": position,
            "invited": result.created and registered,
            "feed_url": feed["https"] if feed else None,
            "feed": feed,
            "private_calendar": calendar,
            "note": _registration_note(
                created=result.created,
                position=position,
                calendar=calendar,
                new_feed=bool(result.feed_token),
            ),
        },
    )


def _registration_note(*, created: bool, position: int | None, calendar: str, new_feed: bool):
    """What a registration's answer says, true for each state (as the pages say it)."""
    if not created:
        held = (
            f"You are already number {position} on the waiting list"
            if position
            else "You already have a place"
        )
        first = f"{held}: nothing has changed, and no e-mail was sent."
    elif position:
        first = (
            f"Every place is taken: you are number {position} on the waiting list and hold no "
            "place yet. We have e-mailed you how to leave it; if a place frees, it is yours and "
            "we e-mail you an invitation with the joining link."
        )
    else:
        first = "You have a place: we have e-mailed you an invitation with the joining link."
    if new_feed:
        second = "Keep feed_url private: it shows your webinars with their joining links."
    elif calendar == "live":
        second = (
            "Your private calendar link lists your webinars; it cannot be shown again. Get a "
            "new one with the link in any e-mail about your webinars."
        )
    elif calendar == "off":
        second = "Your private calendar link is turned off."
    else:
        second = "You do not have a private calendar link."
    return f"{first} {second}"


# A councillor's own places ---------------------------------------------------------------------


def _my_registration_out(request, row: selectors.MyRegistration) -> dict:
    webinar = row.webinar
    return {
        "id": row.id,
        "webinar": webinar.id,
        "title": webinar.title,
        "start": webinar.start,
        "end": webinar.end,
        "when": webinar.when_text,
        "status": row.status,
        "status_text": row.status_text,
        "waiting_position": row.position,
        "joining_url": row.joining_url,
        "can_cancel": row.can_cancel,
        "url": request.build_absolute_uri(webinar.path),
    }


@router.get(
    "/me/registrations",
    response={200: list[MyRegistrationOut], 403: DetailOut},
    summary="The caller's webinar places and waiting-list places (councillors), soonest first",
)
def my_registration_list(request):
    rows = selectors.my_registrations(email=selectors.councillor_email(request.user))
    return [_my_registration_out(request, row) for row in rows]


@router.post(
    "/me/registrations/{int:registration_id}/cancel",
    response={200: MyRegistrationOut, 403: DetailOut, 404: DetailOut, 409: DetailOut},
    summary="Give up one of the caller's places, or leave a waiting list",
    description=(
        "The place goes to the first person waiting. 404 for a registration that is not the "
        "caller's; 409 once the webinar has taken place."
    ),
)
def my_registration_cancel(request, registration_id: int):
    registration = services.registration_cancel_mine(
        email=selectors.councillor_email(request.user), registration_id=registration_id
    )
    return _my_registration_out(request, selectors.my_registration_view(registration))
