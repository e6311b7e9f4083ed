from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_POST

from peers import rules, selectors, services
from peers.forms import (
    ApiTokenForm,
    AvailabilitySettingsForm,
    BusyCalendarUploadForm,
    BusyCalendarUrlForm,
    CalendarFileLimit,
    CouncilSearchForm,
    DateOverrideForm,
    LeaveForm,
    NewPasswordForm,
    SignInForm,
    WeeklyHoursForm,
    form_write,
    hours_text,
)
from peers.services import TooManyCalendarChanges
from scheduling.engine.staffing import office_hours_words
from scheduling.engine.uk_time import clock_text, day_text


class SignInView(auth_views.LoginView):
    form_class = SignInForm
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class NewPasswordView(auth_views.PasswordResetConfirmView):
    form_class = NewPasswordForm


def privacy_notice(request):
    # How long each kind of data is kept is stated from the policy the retention task applies.
    return render(request, "pages/privacy.html", {"retention": settings.RETENTION})


@login_required
def council_list(request):
    form = CouncilSearchForm(request.GET or None)
    councils = selectors.council_list()
    if form.is_valid():
        councils = selectors.council_list(
            search=form.cleaned_data["search"].strip(),
            region=form.cleaned_data["region"],
            council_type=form.cleaned_data["council_type"],
        )
    page = Paginator(councils, 50).get_page(request.GET.get("page"))
    return render(request, "peers/council_list.html", {"form": form, "page": page})


@login_required
def account(request):
    form = ApiTokenForm()
    issued = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            written = form_write(
                form,
                lambda: services.api_token_issue(user=request.user, name=form.cleaned_data["name"]),
            )
            if written.done:
                issued, form = written.value, ApiTokenForm()
    return render(
        request,
        "peers/account.html",
        {
            "form": form,
            "issued": issued,
            "tokens": selectors.api_token_list(user=request.user),
        },
    )


@login_required
@require_POST
def token_revoke(request, token_id: int):
    token = services.api_token_revoke(user=request.user, token_id=token_id)
    messages.success(
        request, f"The token '{token.name}' is revoked. Scripts using it will stop working."
    )
    return redirect("account")


def _peer_or_403(request):
    caller = selectors.caller_for(request.user)
    rules.require(rules.may_keep_availability(caller), "Only peers have availability to manage.")
    return caller.peer


@csrf_exempt  # checked by _availability, once the upload's size is watched as it streams
@login_required
def availability(request):
    limit = CalendarFileLimit(request)
    request.upload_handlers.insert(0, limit)
    return _availability(request, limit)


@csrf_protect
def _availability(request, limit: CalendarFileLimit):
    peer = _peer_or_403(request)
    current = services.availability_as_input(peer)
    by_day = {day: [] for day in range(7)}
    for window in current["weekly"]:
        by_day[window["weekday"]].append(window)
    forms_ = {
        "hours": WeeklyHoursForm(initial={f"day_{d}": hours_text(w) for d, w in by_day.items()}),
        "settings": AvailabilitySettingsForm(initial=current),
        "override": DateOverrideForm(),
        "leave": LeaveForm(),
        "calendar_url": BusyCalendarUrlForm(),
        "calendar_file": BusyCalendarUploadForm(),
    }
    action = request.POST.get("action") if request.method == "POST" else None
    status, retry_after = 200, None
    if action in forms_:
        extra = {"oversized": "file" in limit.oversized} if action == "calendar_file" else {}
        form = forms_[action].__class__(request.POST, request.FILES, **extra)
        forms_[action] = form
        if form.is_valid():
            written = form_write(
                form,
                lambda: _availability_action(peer, action, form, current),
                _error_field(action, form),
            )
            if written.done:
                message, released = written.value
                messages.success(request, message)
                if released:
                    messages.warning(request, _released_notice(peer, released))
                return redirect("availability")
            if isinstance(written.refusal, TooManyCalendarChanges):
                status, retry_after = written.refusal.status, written.refusal.retry_after
    response = render(
        request,
        "peers/availability.html",
        {
            "peer": peer,
            "forms": forms_,
            "invalid": next((f for f in forms_.values() if f.errors), None),
            "overrides": peer.date_overrides.all(),
            "leave_list": peer.leave.all(),
            "calendar": selectors.busy_calendar_for(peer),
            "preview": selectors.availability_preview(peer),
            "office_hours": office_hours_words(),
        },
        status=status,
    )
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


def _error_field(action, form):
    def field_for(name: str):
        if action == "hours" and name.startswith("weekly["):
            return form.field_for_window(int(name[len("weekly[") : name.index("]")]))
        if action == "override" and name.startswith("overrides["):
            return "date" if name.endswith(".date") else "hours"
        if action == "leave" and name.startswith("leave["):
            return "last_day" if name.endswith("last_day") else "first_day"
        if action == "calendar_url":
            return "url"
        return None

    return field_for


def _availability_action(peer, action, form, current) -> tuple[str, tuple]:
    """Do the form's change: the message to show, and the seats it released."""
    data = form.cleaned_data
    if action == "hours":
        change = services.availability_update(peer=peer, weekly=form.weekly())
        return "Your weekly hours are saved.", change.released
    if action == "settings":
        change = services.availability_update(peer=peer, **data)
        return "Your settings are saved.", change.released
    if action == "override":
        others = [o for o in current["overrides"] if o["date"] != data["date"]]
        change = services.availability_update(
            peer=peer, overrides=[*others, {"date": data["date"], "windows": data["hours"]}]
        )
        return f"Your hours for {day_text(data['date'])} are saved.", change.released
    if action == "leave":
        change = services.availability_update(peer=peer, leave=[*current["leave"], data])
        return _leave_saved_message(change.merged_leave), change.released
    if action == "calendar_url":
        services.busy_calendar_connect(peer=peer, url=data["url"])
        return (
            "Your calendar feed is connected. Its busy times will appear within a few minutes.",
            (),
        )
    upload = data["file"]
    services.busy_calendar_upload(peer=peer, data=upload.read(), filename=upload.name)
    return (
        "Your calendar file is received and is being read. Its busy times will appear below "
        "within a few minutes; reload this page to see them.",
        (),
    )


def _leave_saved_message(merges) -> str:
    """What the peer is told when their new leave met leave they already had (kept as one)."""
    if not merges:
        return "Your leave is saved."
    (merge, *_) = merges
    days = f"{day_text(merge.first_day)} to {day_text(merge.last_day)}"
    if merge.repeated:
        return f"You already had leave from {days}, so it is listed once."
    return (
        "Your leave is saved. It overlapped leave you already had, so they are now one entry: "
        f"{days}."
    )


def _released_notice(peer, released) -> str:
    zone = ZoneInfo(peer.time_zone)
    sessions = "; ".join(
        f"{held.label}, {day_text(held.start, zone)}, {clock_text(held.start, zone)} to "
        f"{clock_text(held.end, zone)}"
        for held in released
    )
    count = "a session" if len(released) == 1 else f"{len(released)} sessions"
    return (
        f"You were seated on {count} in that time, so your seat is released and the LGA is "
        f"finding a replacement (the council is told): {sessions}."
    )


@login_required
@require_POST
def override_remove(request, override_id: int):
    peer = _peer_or_403(request)
    current = services.availability_as_input(peer)
    override = get_object_or_404(peer.date_overrides, pk=override_id)
    services.availability_update(
        peer=peer, overrides=[o for o in current["overrides"] if o["date"] != override.date]
    )
    messages.success(request, f"Your usual hours apply again on {day_text(override.date)}.")
    return redirect("availability")


@login_required
@require_POST
def leave_remove(request, leave_id: int):
    peer = _peer_or_403(request)
    entry = get_object_or_404(peer.leave, pk=leave_id)
    current = services.availability_as_input(peer)
    services.availability_update(
        peer=peer,
        leave=[
            lv
            for lv in current["leave"]
            if (lv["first_day"], lv["last_day"]) != (entry.first_day, entry.last_day)
        ],
    )
    messages.success(request, "That leave is removed.")
    return redirect("availability")


@login_required
@require_POST
def busy_calendar_remove(request):
    services.busy_calendar_disconnect(peer=_peer_or_403(request))
    messages.success(request, "Your calendar is disconnected; its busy times no longer block you.")
    return redirect("availability")
