"""LGA staff schedule webinar sessions in the admin: date and start time in UK time, capacity
(the offer's seats unless given), joining link, and the recording link after the event.

Saving goes through the webinar services, so moving a webinar or changing its joining link
raises SEQUENCE and sends registrants updated invites, and cancelling (an action; webinars
are never deleted) sends cancellations. Registrants are listed read-only.

Imported by sessions/admin.py, which this module leaves alone.
"""

from datetime import UTC, datetime

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.widgets import AdminDateWidget, AdminTimeWidget
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.utils import timezone

from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import clock_text, day_text
from sessions.admin_history import HistoryInWordsAdmin
from sessions.models import Delivery, Offer, Session
from sessions.webinars.models import Registration, RegistrationStatus
from sessions.webinars.selectors import webinars as selectors
from sessions.webinars.services import registrations as services


class WebinarSessionForm(forms.ModelForm):
    date = forms.DateField(label="Date", widget=AdminDateWidget)
    start_time = forms.TimeField(
        label="Start time (UK time)", widget=AdminTimeWidget, help_text="For example 10:00."
    )
    duration_minutes = forms.IntegerField(
        label="Length in minutes",
        required=False,
        min_value=1,
        help_text="Leave blank for the offer's length.",
    )

    class Meta:
        model = Session
        fields = ["offer", "title", "capacity", "joining_url", "recording_url"]
        help_texts = {
            "capacity": "Places; leave blank for the offer's seats.",
            "joining_url": "Sent to registrants in their invitations; never shown publicly.",
            "recording_url": "Add after the event.",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["offer"].queryset = Offer.objects.filter(delivery=Delivery.WEBINAR)
        self.fields["offer"].label = "Webinar"
        if self.instance.pk:
            start = self.instance.start.astimezone(UK)
            self.fields["offer"].disabled = True
            self.initial.setdefault("date", start.date())
            self.initial.setdefault("start_time", start.time().replace(second=0, microsecond=0))
            self.initial.setdefault(
                "duration_minutes",
                round((self.instance.end - self.instance.start).total_seconds() / 60),
            )

    def clean(self):
        cleaned = super().clean()
        day, start_time = cleaned.get("date"), cleaned.get("start_time")
        if day is None or start_time is None:
            return cleaned
        start = datetime.combine(day, start_time, UK).astimezone(UTC)
        cleaned["start"] = start
        moved = not self.instance.pk or start != self.instance.start
        if moved and start <= timezone.now():
            self.add_error("date", "The start is in the past.")
        if self.instance.pk:
            holding = self.instance.registrations.filter(
                status=RegistrationStatus.REGISTERED
            ).count()
            capacity = cleaned.get("capacity")
            if capacity is not None and capacity < holding:
                self.add_error(
                    "capacity", f"{holding} people have places; the capacity cannot be lower."
                )
        return cleaned


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    can_delete = False
    fields = ["name", "email", "council", "council_name", "role", "status", "created_at"]
    readonly_fields = fields
    ordering = ["status", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.action(description="Cancel the selected webinars (registrants are sent cancellations)")
def cancel_webinars(modeladmin, request, queryset):
    cancelled = 0
    for session in queryset:
        try:
            services.webinar_cancel(session=session)
        except ValidationError as error:
            messages.warning(request, f"{session}: {' '.join(error.messages)}")
        else:
            cancelled += 1
    if cancelled:
        messages.success(request, f"Cancelled {cancelled} webinar{'s' if cancelled != 1 else ''}.")


@admin.register(Session)
class WebinarSessionAdmin(HistoryInWordsAdmin):
    form = WebinarSessionForm
    list_display = ["webinar", "uk_start", "status", "places", "waiting", "sequence"]
    list_filter = ["status", "offer__topic", "offer"]
    search_fields = ["title", "offer__title"]
    date_hierarchy = "start"
    ordering = ["-start"]
    actions = [cancel_webinars]
    inlines = [RegistrationInline]
    readonly_fields = ["status", "sequence", "uid"]
    fieldsets = [
        (None, {"fields": ["offer", "title", "date", "start_time", "duration_minutes"]}),
        ("Places and links", {"fields": ["capacity", "joining_url", "recording_url"]}),
        ("Calendar", {"fields": ["status", "sequence", "uid"]}),
    ]

    def get_queryset(self, request):
        return (
            selectors.webinar_sessions()
            .select_related("offer")
            .annotate(
                holding=Count(
                    "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED)
                ),
                queued=Count(
                    "registrations", filter=Q(registrations__status=RegistrationStatus.WAITING)
                ),
            )
        )

    @admin.display(description="Webinar", ordering="offer__title")
    def webinar(self, obj):
        return obj.title or obj.offer.title

    @admin.display(description="Start (UK time)", ordering="start")
    def uk_start(self, obj):
        return f"{day_text(obj.start)}, {clock_text(obj.start)}"

    @admin.display(description="Places taken")
    def places(self, obj):
        return f"{obj.holding} of {selectors.capacity_of(obj)}"

    @admin.display(description="Waiting")
    def waiting(self, obj):
        return obj.queued

    def has_delete_permission(self, request, obj=None):
        return False  # cancel instead, so calendars hear about it

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            saved = services.webinar_update(
                session=obj,
                start=data["start"],
                duration_minutes=data["duration_minutes"],
                capacity=data["capacity"],
                joining_url=data["joining_url"],
                recording_url=data["recording_url"],
                title=data["title"],
            )
        else:
            saved = services.webinar_schedule(
                offer=data["offer"],
                start=data["start"],
                duration_minutes=data["duration_minutes"],
                capacity=data["capacity"],
                joining_url=data["joining_url"],
                title=data["title"],
            )
            if data["recording_url"]:
                saved = services.webinar_update(session=saved, recording_url=data["recording_url"])
        for field in Session._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))


@admin.register(Registration)
class RegistrationAdmin(HistoryInWordsAdmin):
    """Places on webinars, to find one and read its history (changes go through the pages)."""

    list_display = ["name", "email", "session", "status", "council", "created_at"]
    list_filter = ["status", "session__offer", ("session__start", admin.DateFieldListFilter)]
    search_fields = ["name", "email", "council__name", "council_name"]
    list_select_related = ["session__offer", "council"]
    readonly_fields = [
        "session",
        "name",
        "email",
        "council",
        "council_name",
        "role",
        "status",
        "created_at",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
