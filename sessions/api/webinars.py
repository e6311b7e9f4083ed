"""Webinars and registrations: open to anyone, no sign-in."""

from datetime import datetime

from django.http import HttpResponse
from ninja import Router, Schema, Status

from sessions.models import RegistrationStatus, Topic
from sessions.selectors import private_feed_path
from sessions.selectors import webinars as selectors
from sessions.services import webinars as services

router = Router(tags=["webinars"])


class DetailOut(Schema):
    detail: str


class SubscribeOut(Schema):
    name: str
    https: str
    webcal: str
    google: str
    outlook: str


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


class RegistrationIn(Schema):
    name: str
    email: str
    council: int | None = None
    council_name: str = ""
    role: str = ""


class RegistrationOut(Schema):
    id: int
    webinar: int
    status: str
    status_text: str
    waiting_position: int | None
    invited: bool
    feed_url: str | None
    feed: SubscribeOut | None
    note: str


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
            request, selectors.public_feed_path(topic), selectors.public_feed_name(topic)
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
def webinar_list(request, topic: str = ""):
    topic = topic.strip()
    if topic and topic not in Topic.values:
        return Status(404, {"detail": f"No such topic. Topics: {', '.join(Topic.values)}."})
    return [_webinar_out(request, w) for w in selectors.webinar_list(topic=topic)]


@router.get("/webinars/{int:webinar_id}", response=WebinarOut, auth=None, summary="One webinar")
def webinar_detail(request, webinar_id: int):
    return _webinar_out(request, selectors.webinar_get(webinar_id=webinar_id))


@router.post(
    "/webinars/{int:webinar_id}/registrations",
    response={200: RegistrationOut, 201: RegistrationOut, 409: DetailOut, 429: DetailOut},
    auth=None,
    summary="Register for a webinar (no sign-in): a place and an invite, or the waiting list",
    description=(
        "201 with the registration; 200 with the same registration if the address was "
        "already registered. `feed_url` is the address's private calendar feed, given only "
        "when it is first created: later registrations are added to the same feed, and every "
        "invite e-mail links to a page where a new link can be had. 409 if the webinar is "
        "cancelled, over, started or not open; 422 for invalid input; 429 when one client or "
        "address tries too often."
    ),
)
def registration_create(request, webinar_id: int, payload: RegistrationIn, response: HttpResponse):
    webinar = selectors.webinar_get(webinar_id=webinar_id)
    services.throttle_check(
        action="register", client=request.META.get("REMOTE_ADDR", ""), email=payload.email
    )
    result = services.registration_create(
        session=webinar.session,
        name=payload.name,
        email=payload.email,
        council=payload.council,
        council_name=payload.council_name,
        role=payload.role,
    )
    registration = result.registration
    feed = None
    if result.feed_token:
        feed = _links(
            request,
            private_feed_path(result.feed_token),
            "LGA webinars: your registrations",
        )
    if result.feed_token:
        note = "Keep feed_url private: it shows your registrations with their joining links."
    elif result.created:
        note = (
            "This webinar is added to your private calendar feed. To get a new link to it, "
            "use the link in your invitation e-mail."
        )
    else:
        note = "You were already registered for this webinar; nothing has changed."
    registered = registration.status == RegistrationStatus.REGISTERED
    return Status(
        201 if result.created else 200,
        {
            "id": registration.pk,
            "webinar": webinar.id,
            "status": registration.status,
            "status_text": registration.get_status_display(),
            "waiting_position": selectors.waiting_position(registration),
            "invited": registered,
            "feed_url": feed["https"] if feed else None,
            "feed": feed,
            "note": note,
        },
    )
