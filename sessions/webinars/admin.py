"""LGA staff schedule webinar sessions in the admin: date and start time in UK time, capacity
(the offer's seats unless given), joining link, and the recording link after the event. They
attach the short videos and reading to watch before (links or files) and the slides after,
and upload the video platform's attendance report on the webinar's attendance page.

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
from django.forms.models import BaseInlineFormSet
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from scheduling.engine.uk_time import LONDON as UK
from scheduling.engine.uk_time import clock_text, day_text
from sessions.admin_history import HistoryInWordsAdmin
from sessions.models import Delivery, Offer, Session
from sessions.webinars.models import Material, Registration, RegistrationStatus
from sessions.webinars.rules import require
from sessions.webinars.selectors import webinars as selectors
from sessions.webinars.selectors.attendance import webinar_attendance
from sessions.webinars.services import materials as material_services
from sessions.webinars.services import registrations as services
from sessions.webinars.services.attendance import attendance_record


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
        recording = (cleaned.get("recording_url") or "").strip()
        if recording and recording != (self.instance.recording_url or ""):
            if not self.instance.pk or self.instance.end > timezone.now():
                self.add_error(
                    "recording_url", "Add the recording once the webinar has taken place."
                )
            else:
                try:
                    material_services.https_url(recording, "recording_url")
                except ValidationError as error:
                    self.add_error(None, error)
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


class MaterialForm(forms.ModelForm):
    class Meta:
        model = Material
        fields = ["kind", "title", "url", "file"]
        labels = {"url": "Link (https)", "file": "Or a file"}

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            return cleaned
        url, upload = (cleaned.get("url") or "").strip(), cleaned.get("file")
        if bool(url) == bool(upload):
            raise ValidationError("Give a link or a file, not both.")
        try:
            if url:
                material_services.https_url(url, "url")
            else:
                material_services.material_file_checked(upload)
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


class MaterialInline(admin.TabularInline):
    """Videos and reading to watch before (sent to registrants), and the slides after, as
    added. A material is never changed: remove it and add another."""

    model = Material
    extra = 0
    fields = ["kind", "title", "url", "name", "added_at"]
    readonly_fields = fields
    verbose_name_plural = "Videos, reading and slides"

    def has_add_permission(self, request, obj=None):
        return False


class NewMaterialFormSet(BaseInlineFormSet):
    @classmethod
    def get_default_prefix(cls):
        return "new-materials"  # beside MaterialInline's, which has the default


class NewMaterialInline(admin.TabularInline):
    """Add a video, reading or the slides: a link (https) or a file."""

    model = Material
    form = MaterialForm
    formset = NewMaterialFormSet
    extra = 1
    can_delete = False
    fields = ["kind", "title", "url", "file"]
    verbose_name = "new video, reading or slides"
    verbose_name_plural = "Add videos, reading or slides"

    def get_queryset(self, request):
        return super().get_queryset(request).none()


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
    inlines = [MaterialInline, NewMaterialInline, RegistrationInline]
    readonly_fields = ["status", "sequence", "uid", "attendance_link"]
    fieldsets = [
        (None, {"fields": ["offer", "title", "date", "start_time", "duration_minutes"]}),
        ("Places and links", {"fields": ["capacity", "joining_url", "recording_url"]}),
        ("Attendance", {"fields": ["attendance_link"]}),
        ("Calendar", {"fields": ["status", "sequence", "uid"]}),
    ]

    @admin.display(description="Attendance report")
    def attendance_link(self, obj):
        if not obj or not obj.pk:
            return "After the webinar."
        url = reverse("admin:webinar-attendance", args=[obj.pk])
        return format_html('<a href="{}">Upload the report, see who attended</a>', url)

    def get_urls(self):
        return [
            path(
                "<int:session_id>/attendance/",
                self.admin_site.admin_view(self.attendance_view),
                name="webinar-attendance",
            ),
            *super().get_urls(),
        ]

    def attendance_view(self, request, session_id: int):
        """Upload a Teams or Zoom attendance report; see who attended, who did not, and the
        rows no registration matches."""
        session = get_object_or_404(
            selectors.webinar_sessions().select_related("offer"), pk=session_id
        )
        require(
            self.has_change_permission(request, session),
            "Only LGA staff who may change webinars can record their attendance.",
        )
        form = AttendanceReportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                count = attendance_record(session=session, data=form.cleaned_data["report"].read())
            except ValidationError as error:
                form.add_error("report", error.message_dict.get("report", error.messages))
            else:
                messages.success(request, f"The report names {count} people.")
                return redirect(request.path)
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": session,
            "title": f"Attendance: {session.title or session.offer.title}",
            "form": form,
            "attendance": webinar_attendance(session),
        }
        return TemplateResponse(request, "admin/webinars/attendance.html", context)

    def save_formset(self, request, form, formset, change):
        """Materials go through the services (checked, files kept under made-up names)."""
        if formset.model is not Material:
            return super().save_formset(request, form, formset, change)
        user = request.user if request.user.is_authenticated else None
        # What the admin's change message reads (formset.save() would have set them).
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        for material_form in formset.forms:
            data = getattr(material_form, "cleaned_data", None) or {}
            if material_form.instance.pk:
                if data.get("DELETE"):
                    formset.deleted_objects.append(material_form.instance)
                    material_services.material_remove(material=material_form.instance)
                continue
            if not data or not material_form.has_changed():
                continue
            if data.get("url"):
                added = material_services.material_link_add(
                    session=form.instance,
                    kind=data["kind"],
                    title=data["title"],
                    url=data["url"],
                    added_by=user,
                )
            else:
                added = material_services.material_file_add(
                    session=form.instance,
                    kind=data["kind"],
                    title=data["title"],
                    upload=data["file"],
                    added_by=user,
                )
            formset.new_objects.append(added)

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
        for field in Session._meta.concrete_fields:
            setattr(obj, field.attname, getattr(saved, field.attname))


class AttendanceReportForm(forms.Form):
    report = forms.FileField(
        label="Attendance report",
        help_text="The attendance report exported from Microsoft Teams (CSV), or the "
        "participants export from Zoom (CSV). A new upload replaces the last.",
    )


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
