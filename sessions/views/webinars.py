"""Pages for webinars, registrations and calendar feeds, and the feeds themselves."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from peers.forms import add_service_errors
from scheduling.engine.calendar import content_type
from sessions.forms_webinars import FeedLinkRequestForm, RegistrationForm, TopicFilterForm
from sessions.models import Delivery, Offer, RegistrationStatus, Topic
from sessions.selectors import private_feed_path
from sessions.selectors import webinars as selectors
from sessions.services import webinars as services

NOT_FOUND_TEXT = "No such calendar.\n"


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _public_links(request, topic: str = "") -> selectors.SubscribeLinks:
    return selectors.subscribe_links(
        request.build_absolute_uri(selectors.public_feed_path(topic)),
        selectors.public_feed_name(topic),
    )


def _private_links(request, token: str) -> selectors.SubscribeLinks:
    return selectors.subscribe_links(
        request.build_absolute_uri(private_feed_path(token)),
        "LGA webinars: your registrations",
    )


# Webinars --------------------------------------------------------------------------------------


def webinar_list(request):
    form = TopicFilterForm(request.GET or None)
    topic = selectors.topic_or_404(request.GET.get("topic", ""))
    return render(
        request,
        "sessions/webinar_list.html",
        {
            "form": form,
            "topic": topic,
            "topic_name": Topic(topic).label if topic else "",
            "webinars": selectors.webinar_list(topic=topic),
            "subscribe": _public_links(request, topic),
        },
    )


def _initial_for(user) -> dict:
    if not user.is_authenticated:
        return {}
    initial = {"name": user.get_full_name(), "email": user.email}
    councillor = getattr(user, "councillor", None)
    if councillor is not None:
        initial.update(council=councillor.council_id, role=councillor.role)
    return initial


def _throttled(request, form, *, action: str) -> int | None:
    """None when this request may go on; else the seconds to wait, with the reason on the form."""
    try:
        services.throttle_check(
            action=action, client=_client(request), email=request.POST.get("email", "")
        )
    except services.TooManyRequests as refusal:
        form.is_valid()
        form.add_error(None, refusal.detail)
        return refusal.retry_after
    return None


@require_http_methods(["GET", "HEAD", "POST"])
def webinar_detail(request, webinar_id: int):
    webinar = selectors.webinar_get(webinar_id=webinar_id)
    status, retry_after = 200, None
    if request.method == "POST":
        form = RegistrationForm(request.POST)
        retry_after = _throttled(request, form, action="register")
        if retry_after is not None:
            status = 429
        else:
            if form.is_valid():
                response, status = _register(request, webinar, form)
                if response is not None:
                    return response
                webinar = selectors.webinar_get(webinar_id=webinar_id)
    else:
        form = RegistrationForm(initial=_initial_for(request.user))
    response = render(
        request,
        "sessions/webinar_detail.html",
        {
            "webinar": webinar,
            "form": form,
            "invalid": form if form.errors else None,
            "subscribe": _public_links(request, webinar.offer.topic),
            "topic_name": Topic(webinar.offer.topic).label
            if webinar.offer.topic in Topic.values
            else "",
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _register(request, webinar, form):
    """Register from the form: (a redirect to the confirmation, 302) or (None, status)."""
    data = form.cleaned_data
    try:
        result = services.registration_create(
            session=webinar.session,
            name=data["name"],
            email=data["email"],
            council=data["council"],
            council_name=data["council_name"],
            role=data["role"],
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None, 200
    except services.WebinarClosed as closed:
        form.add_error(None, closed.detail)
        return None, 409
    request.session[f"webinar-{webinar.id}"] = {
        "registration": result.registration.pk,
        "created": result.created,
        "feed_token": result.feed_token,
    }
    return redirect("webinar-registered", webinar_id=webinar.id), 302


@never_cache
def webinar_registered(request, webinar_id: int):
    """What happened when you registered: a place or the waiting list, and your calendar."""
    webinar = selectors.webinar_get(webinar_id=webinar_id)
    state = request.session.get(f"webinar-{webinar.id}")
    registration = (
        webinar.session.registrations.filter(pk=state["registration"]).first() if state else None
    )
    if registration is None:
        return redirect("webinar-detail", webinar_id=webinar.id)
    token = state.get("feed_token", "")
    return render(
        request,
        "sessions/webinar_registered.html",
        {
            "webinar": webinar,
            "registration": registration,
            "created": state.get("created", True),
            "position": selectors.waiting_position(registration),
            "private": _private_links(request, token) if token else None,
            "subscribe": _public_links(request, webinar.offer.topic),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request, key: str):
    """The page a registrant's cancel link opens: a button that gives up the place."""
    registration = selectors.registration_for_cancel_key(key)
    if registration is None:
        raise Http404("This link is not valid.")
    problem = ""
    if request.method == "POST":
        try:
            services.registration_cancel(registration=registration)
        except services.WebinarClosed as closed:
            problem = closed.detail
        else:
            return redirect("webinar-registration-cancel", key=key)
    registration.refresh_from_db()
    webinar = selectors.webinar_get(webinar_id=registration.session_id)
    return render(
        request,
        "sessions/webinar_cancel.html",
        {
            "webinar": webinar,
            "registration": registration,
            "problem": problem,
            "cancelled": registration.status == RegistrationStatus.CANCELLED,
            "can_cancel": registration.status != RegistrationStatus.CANCELLED
            and not webinar.is_cancelled
            and webinar.session.end > timezone.now(),
        },
        status=409 if problem else 200,
    )


# Calendars -------------------------------------------------------------------------------------


def _webinar_topics() -> list[str]:
    used = set(
        Offer.objects.filter(delivery=Delivery.WEBINAR).values_list("topic", flat=True).distinct()
    )
    return [topic for topic in Topic.values if topic in used]


@require_http_methods(["GET", "HEAD", "POST"])
def feed_list(request):
    """Subscribe to the public calendars, or ask for a link to your private one."""
    form = FeedLinkRequestForm(request.POST if request.method == "POST" else None)
    status, retry_after = 200, None
    if request.method == "POST":
        retry_after = _throttled(request, form, action="feed-link")
        if retry_after is not None:
            status = 429
        else:
            if form.is_valid():
                services.feed_link_request(email=form.cleaned_data["email"])
                messages.success(
                    request,
                    "If that address has registered for a webinar, we have sent it a link to "
                    "manage its private calendar. It should arrive in a few minutes.",
                )
                return redirect("feed-list")
    topics = [
        {"slug": topic, "name": Topic(topic).label, "links": _public_links(request, topic)}
        for topic in _webinar_topics()
    ]
    response = render(
        request,
        "sessions/feed_list.html",
        {
            "everything": _public_links(request),
            "topics": topics,
            "form": form,
            "invalid": form if form.errors else None,
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def feed_manage(request, key: str):
    """From the signed link in a registrant's e-mail: get a new private link, or turn it off."""
    email = selectors.email_for_manage_key(key)
    if email is None:
        return render(
            request,
            "sessions/feed_manage.html",
            {"expired": True, "form": FeedLinkRequestForm()},
            status=404,
        )
    private = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "renew":
            private = _private_links(request, services.feed_link_renew(email=email))
        elif action == "revoke":
            services.feed_link_revoke(email=email)
            messages.success(request, "Your private calendar link is turned off.")
            return redirect("feed-manage", key=key)
    return render(
        request,
        "sessions/feed_manage.html",
        {
            "expired": False,
            "private": private,
            "live": selectors.has_live_feed(email),
            "email": email,
        },
    )


def _feed_response(request, answer: selectors.FeedAnswer, *, public: bool, filename: str):
    response = HttpResponse(content_type=content_type(None))
    response["ETag"] = answer.etag
    timestamp = None
    if answer.last_modified is not None:
        timestamp = int(answer.last_modified.timestamp())
        response["Last-Modified"] = http_date(timestamp)
    response["Cache-Control"] = "public, max-age=300" if public else "private, no-cache"
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    if not public:
        response["X-Robots-Tag"] = "noindex"
    conditional = get_conditional_response(
        request, etag=answer.etag, last_modified=timestamp, response=response
    )
    if conditional is not response:
        return conditional
    response.content = answer.build()
    return response


def _not_found() -> HttpResponse:
    # One answer for every kind of miss, so it says nothing about what exists.
    return HttpResponseNotFound(NOT_FOUND_TEXT, content_type="text/plain; charset=utf-8")


@require_http_methods(["GET", "HEAD"])
def feed_webinars(request, topic: str = ""):
    if topic and topic not in Topic.values:
        return _not_found()
    return _feed_response(
        request,
        selectors.public_feed(topic=topic),
        public=True,
        filename=f"lga-webinars-{topic}.ics" if topic else "lga-webinars.ics",
    )


@require_http_methods(["GET", "HEAD"])
def feed_private(request, token: str):
    answer = selectors.private_feed(token=token)
    if answer is None:
        return _not_found()
    return _feed_response(request, answer, public=False, filename="lga-calendar.ics")


urlpatterns = [
    path("webinars/", webinar_list, name="webinar-list"),
    path("webinars/<int:webinar_id>/", webinar_detail, name="webinar-detail"),
    path("webinars/<int:webinar_id>/registered/", webinar_registered, name="webinar-registered"),
    path(
        "webinars/places/<str:key>/cancel/",
        registration_cancel,
        name="webinar-registration-cancel",
    ),
    path("calendars/", feed_list, name="feed-list"),
    path("calendars/link/<str:key>/", feed_manage, name="feed-manage"),
    path("calendars/webinars.ics", feed_webinars, name="feed-webinars"),
    path("calendars/webinars/<str:topic>.ics", feed_webinars, name="feed-webinars-topic"),
    path("calendars/u/<str:token>.ics", feed_private, name="feed-private"),
]
