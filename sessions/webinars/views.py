"""Pages for webinars, registrations and calendar feeds, and the feeds themselves."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseNotFound
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import get_conditional_response
from django.utils.http import http_date
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from peers.forms import add_service_errors
from peers.selectors import caller_for
from scheduling.engine.calendar import content_type
from sessions.models import Delivery, Offer, Topic
from sessions.uploads import attachment_response
from sessions.webinars import rules
from sessions.webinars.forms import FeedLinkRequestForm, RegistrationForm, TopicFilterForm
from sessions.webinars.models import MaterialKind, RegistrationStatus
from sessions.webinars.selectors import attendance as attendance_selectors
from sessions.webinars.selectors import feeds as webinar_feeds
from sessions.webinars.selectors import links as webinar_links
from sessions.webinars.selectors import materials as material_selectors
from sessions.webinars.selectors import webinars as selectors
from sessions.webinars.selectors.feed_tokens import private_feed_path
from sessions.webinars.services import feed_tokens as webinar_feed_tokens
from sessions.webinars.services import registrations as services

NOT_FOUND_TEXT = "No such calendar.\n"


def _client(request) -> str:
    return request.META.get("REMOTE_ADDR", "")


def _public_links(request, topic: str = "") -> selectors.SubscribeLinks:
    return selectors.subscribe_links(
        request.build_absolute_uri(webinar_feeds.public_feed_path(topic)),
        webinar_feeds.public_feed_name(topic),
    )


def _private_links(request, token: str) -> selectors.SubscribeLinks:
    return selectors.subscribe_links(
        request.build_absolute_uri(private_feed_path(token)),
        "LGA webinars: your registrations",
    )


def _private_calendar_renew(request, email: str) -> selectors.PrivateCalendar:
    """A new private calendar link for the address, to show in this response only."""
    replaced = selectors.feed_link_state(email) == "live"
    token = webinar_feed_tokens.feed_token_issue(email=email)
    return selectors.PrivateCalendar(
        state="live", links=_private_links(request, token), replaced=replaced
    )


def _councillor_email(user) -> str:
    """A signed-in councillor's address, or "" for anyone else."""
    if not (user.is_authenticated and rules.may_see_own_webinars(caller_for(user))):
        return ""
    return user.email


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
    mine = selectors.my_place(email=_councillor_email(request.user), session=webinar.session)
    response = render(
        request,
        "sessions/webinar_detail.html",
        {
            "webinar": webinar,
            "mine": mine,
            "before": material_selectors.material_links(
                mine.registration, MaterialKind.BEFORE, absolute=False
            )
            if mine
            else (),
            "slides": material_selectors.material_links(
                mine.registration, MaterialKind.SLIDES, absolute=False
            )
            if mine
            else (),
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
    """Register from the form: (a redirect, 302) or (None, status).

    Someone signed in with the address gets the place at once; for anyone else the address is
    sent a link to confirm, and the next page says so, the same for every address."""
    data = form.cleaned_data
    user = request.user
    try:
        result = services.registration_submit(
            session=webinar.session,
            name=data["name"],
            email=data["email"],
            council=data["council"],
            council_name=data["council_name"],
            role=data["role"],
            signed_in_email=user.email if user.is_authenticated else "",
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return None, 200
    except services.WebinarClosed as closed:
        form.add_error(None, closed.detail)
        return None, 409
    if result is None:
        request.session[f"webinar-{webinar.id}-sent"] = data["email"].strip().lower()
        return redirect("webinar-check-email", webinar_id=webinar.id), 302
    _remember(request, webinar.id, result)
    return redirect("webinar-registered", webinar_id=webinar.id), 302


def _remember(request, webinar_id: int, result: services.RegistrationResult) -> None:
    """What the "registered" page shows this browser (the feed link only once, here)."""
    request.session[f"webinar-{webinar_id}"] = {
        "registration": result.registration.pk,
        "created": result.created,
        "feed_token": result.feed_token,
    }


@never_cache
def webinar_check_email(request, webinar_id: int):
    """After asking to register an address: look for the confirmation e-mail."""
    webinar = selectors.webinar_get(webinar_id=webinar_id)
    return render(
        request,
        "sessions/webinar_check_email.html",
        {
            "webinar": webinar,
            "email": request.session.get(f"webinar-{webinar.id}-sent", ""),
            "hours": int(webinar_links.CONFIRM_LINK_AGE.total_seconds() // 3600),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def registration_confirm(request, key: str):
    """The page a confirmation e-mail's link opens: a button that confirms the registration
    (opening the link changes nothing, so a mail scanner that follows it does no harm)."""
    link = webinar_links.registration_request_for_key(key)
    if link.request is None:
        return render(
            request,
            "sessions/webinar_confirm.html",
            {"expired": link.expired, "invalid": not link.expired},
            status=410 if link.expired else 404,
        )
    webinar = selectors.webinar_get(webinar_id=link.request.session_id)
    problem = ""
    if request.method == "POST":
        try:
            result = services.registration_confirm(request=link.request)
        except services.WebinarClosed as closed:
            problem = closed.detail
        else:
            _remember(request, webinar.id, result)
            return redirect("webinar-registered", webinar_id=webinar.id)
    existing = selectors.registration_of(link.request)
    return render(
        request,
        "sessions/webinar_confirm.html",
        {
            "webinar": webinar,
            "request_": link.request,
            "existing": existing,
            "position": selectors.waiting_position(existing) if existing else None,
            "problem": problem,
            "closed_reason": webinar.closed_reason,
        },
        status=409 if problem else 200,
    )


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
    calendar = (
        selectors.PrivateCalendar(state="live", links=_private_links(request, token))
        if token
        else selectors.private_calendar(registration.email)
    )
    return render(
        request,
        "sessions/webinar_registered.html",
        {
            "webinar": webinar,
            "registration": registration,
            "created": state.get("created", True),
            "position": selectors.waiting_position(registration),
            "calendar": calendar,
            "signed_in_councillor": _councillor_email(request.user).lower() == registration.email,
            "subscribe": _public_links(request, webinar.offer.topic),
        },
    )


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def registration_cancel(request, key: str):
    """The page a registrant's cancel link opens: a button that gives up the place. The link
    stops working when the webinar has ended."""
    registration = webinar_links.registration_for_cancel_key(key)
    if registration is None:
        return render(request, "sessions/webinar_cancel.html", {"invalid": True}, status=404)
    if webinar_links.cancel_link_expired(registration):
        webinar = selectors.webinar_get(webinar_id=registration.session_id)
        return render(
            request,
            "sessions/webinar_cancel.html",
            {"expired": True, "webinar": webinar},
            status=410,
        )
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


# A councillor's own webinars --------------------------------------------------------------------


@never_cache
@login_required
def my_webinars(request, calendar: selectors.PrivateCalendar | None = None):
    """A signed-in councillor's places and waiting-list places, with a button to give each up,
    and their private calendar."""
    email = selectors.councillor_email(request.user)
    return render(
        request,
        "sessions/my_webinars.html",
        {
            "rows": selectors.my_registrations(email=email),
            "attended": attendance_selectors.attended_webinars(email=email),
            "calendar": calendar or selectors.private_calendar(email),
        },
    )


@never_cache
@login_required
@require_POST
def my_webinars_calendar(request):
    """Get a new private calendar link (shown in this response only), or turn it off."""
    email = selectors.councillor_email(request.user)
    action = request.POST.get("action")
    if action == "renew":
        return my_webinars(request, calendar=_private_calendar_renew(request, email))
    if action == "revoke":
        webinar_feed_tokens.feed_token_revoke(email=email)
        messages.success(request, "Your private calendar link is turned off: nobody can use it.")
        return redirect(reverse("my-webinars") + "#private-calendar")
    raise Http404("No such action.")


@login_required
@require_POST
def my_webinar_cancel(request, registration_id: int):
    registration = selectors.my_registration_get(
        email=selectors.councillor_email(request.user), registration_id=registration_id
    )
    # From the webinar's own page, back to it; else to My webinars.
    back = (
        redirect("webinar-detail", webinar_id=registration.session_id)
        if request.POST.get("back") == "webinar"
        else redirect("my-webinars")
    )
    waiting = registration.status == RegistrationStatus.WAITING
    try:
        services.registration_cancel(registration=registration)
    except services.WebinarClosed as closed:
        messages.error(request, closed.detail)
        return back
    title = registration.session.title or registration.session.offer.title
    messages.success(
        request,
        f"You have left the waiting list for {title}."
        if waiting
        else f"Your place on {title} is cancelled. It goes to the first person waiting.",
    )
    return back


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
                webinar_feed_tokens.feed_link_request(email=form.cleaned_data["email"])
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
    email = webinar_links.email_for_manage_key(key)
    if email is None:
        return render(
            request,
            "sessions/feed_manage.html",
            {"expired": True, "form": FeedLinkRequestForm()},
            status=404,
        )
    calendar = None
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "renew":
            calendar = _private_calendar_renew(request, email)
        elif action == "revoke":
            webinar_feed_tokens.feed_token_revoke(email=email)
            messages.success(
                request, "Your private calendar link is turned off: nobody can use it."
            )
            return redirect("feed-manage", key=key)
    return render(
        request,
        "sessions/feed_manage.html",
        {
            "expired": False,
            "calendar": calendar or selectors.private_calendar(email),
            "email": email,
        },
    )


def _feed_response(request, answer: webinar_feeds.FeedAnswer, *, public: bool, filename: str):
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
        webinar_feeds.public_feed(topic=topic),
        public=True,
        filename=f"lga-webinars-{topic}.ics" if topic else "lga-webinars.ics",
    )


@require_http_methods(["GET", "HEAD"])
def feed_private(request, token: str):
    answer = webinar_feeds.private_feed(token=token)
    if answer is None:
        return _not_found()
    return _feed_response(request, answer, public=False, filename="lga-calendar.ics")


@never_cache
@require_http_methods(["GET", "HEAD"])
def webinar_material(request, key: str):
    """A webinar's file, from a registrant's signed link: as an attachment (nosniff)."""
    material = material_selectors.material_for_key(key)
    return attachment_response(
        material.file,
        name=material.name,
        content_type=material.content_type,
        missing=material_selectors.NOT_FOUND,
    )


urlpatterns = [
    path("webinars/", webinar_list, name="webinar-list"),
    path("webinars/<int:webinar_id>/", webinar_detail, name="webinar-detail"),
    path("webinars/<int:webinar_id>/registered/", webinar_registered, name="webinar-registered"),
    path(
        "webinars/<int:webinar_id>/check-your-email/",
        webinar_check_email,
        name="webinar-check-email",
    ),
    path("webinars/mine/", my_webinars, name="my-webinars"),
    path("webinars/mine/calendar/", my_webinars_calendar, name="my-webinars-calendar"),
    path(
        "webinars/mine/<int:registration_id>/cancel/",
        my_webinar_cancel,
        name="my-webinar-cancel",
    ),
    path(
        "webinars/places/<str:key>/confirm/",
        registration_confirm,
        name="webinar-registration-confirm",
    ),
    path(
        "webinars/places/<str:key>/cancel/",
        registration_cancel,
        name="webinar-registration-cancel",
    ),
    path("webinars/materials/<str:key>/", webinar_material, name="webinar-material"),
    path("calendars/", feed_list, name="feed-list"),
    path("calendars/link/<str:key>/", feed_manage, name="feed-manage"),
    path("calendars/webinars.ics", feed_webinars, name="feed-webinars"),
    path("calendars/webinars/<str:topic>.ics", feed_webinars, name="feed-webinars-topic"),
    path("calendars/u/<str:token>.ics", feed_private, name="feed-private"),
]
