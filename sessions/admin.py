from django import forms
from django.contrib import admin, messages

from sessions import (
    admin_bookings,  # noqa: F401  (registers bookings, their sessions and seats)
    admin_mailbox,  # noqa: F401  (registers what the organiser's mailbox brought)
)
from sessions.models import Invite, Offer, OfferStatus, Reminder, RoleSlot
from sessions.offer_status import uk_today
from sessions.services.mail import invites_resend
from sessions.webinars import admin as webinars_admin  # noqa: F401  (registers the webinar admin)


class OfferForm(forms.ModelForm):
    """A date newly set for a suspension or a coming offer must be still to come: one already
    passed would make the offer available the moment it is saved."""

    def clean(self):
        data = super().clean()
        status = data.get("status")
        for field, applies in (
            ("suspended_until", status == OfferStatus.SUSPENDED),
            ("available_from", status == OfferStatus.COMING_SOON),
        ):
            day = data.get(field)
            changed = field in self.changed_data or "status" in self.changed_data
            if applies and day is not None and changed and day <= uk_today():
                self.add_error(
                    field,
                    "Enter a date after today: from this date the offer is available to book.",
                )
        return data


def lapsed_warning(offer: Offer) -> str:
    """What staff are told about an offer whose status date has passed, or ""."""
    lapsed = offer.state().lapsed
    if not lapsed:
        return ""
    return (
        f"{offer.title}: {lapsed[0].lower()}{lapsed[1:]}, so the catalogue shows it as available and councils can "
        "book it. Set its status to Available, or give it a new date."
    )


class RoleSlotInline(admin.TabularInline):
    model = RoleSlot
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    form = OfferForm
    list_display = [
        "title",
        "programme",
        "delivery",
        "status",
        "suspended_until",
        "available_from",
        "status_today",
        "needs_approval",
        "contact_email",
    ]
    readonly_fields = ["status_today"]
    list_filter = ["programme", "delivery", "status", "topic", "needs_approval"]
    search_fields = ["title", "summary", "slug", "code"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RoleSlotInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "code",
                    "programme",
                    "status",
                    "suspended_until",
                    "available_from",
                    "status_today",
                    "needs_approval",
                    "order",
                ]
            },
        ),
        (
            "Description",
            {
                "fields": [
                    "summary",
                    "audience",
                    "description",
                    "partner",
                    "contact_email",
                    "source",
                ]
            },
        ),
        (
            "Format",
            {
                "fields": [
                    "delivery",
                    "duration_minutes",
                    "duration_text",
                    "session_count",
                    "spacing_days",
                    "seats",
                    "topic",
                ]
            },
        ),
        ("Booking rules", {"fields": ["min_notice_days", "horizon_days", "conflict_same_region"]}),
    ]

    @admin.display(description="Status today")
    def status_today(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        state = obj.state()
        return f"{state.text}: {state.lapsed}" if state.lapsed else state.text

    def changelist_view(self, request, extra_context=None):
        if request.method == "GET":
            for offer in Offer.objects.all():
                if warning := lapsed_warning(offer):
                    self.message_user(request, warning, messages.WARNING)
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET":
            offer = self.get_object(request, object_id)
            if offer is not None and (warning := lapsed_warning(offer)):
                self.message_user(request, warning, messages.WARNING)
        return super().change_view(request, object_id, form_url, extra_context)


@admin.register(Invite)
class InviteAdmin(admin.ModelAdmin):
    """The outbox: what was sent to whom, what failed and why; staff can resend."""

    list_display = [
        "recipient_email",
        "method",
        "sequence",
        "session",
        "status",
        "attempts",
        "next_attempt_at",
        "sent_at",
        "last_error_short",
    ]
    list_filter = ["status", "method"]
    search_fields = ["recipient_email", "recipient_name", "session__uid", "message_id"]
    date_hierarchy = "created_at"
    list_select_related = ["session__offer"]
    actions = ["resend"]
    readonly_fields = [
        "session",
        "seat",
        "registration",
        "recipient_email",
        "recipient_name",
        "role",
        "method",
        "sequence",
        "status",
        "attempts",
        "next_attempt_at",
        "last_error",
        "message_id",
        "created_at",
        "sent_at",
    ]

    def has_add_permission(self, request):
        return False  # rows are written by the changes that cause them

    def has_delete_permission(self, request, obj=None):
        return False  # the outbox is the record of what was sent

    @admin.display(description="Last error")
    def last_error_short(self, obj):
        return (obj.last_error[:80] + "…") if len(obj.last_error) > 80 else obj.last_error

    @admin.action(description="Resend the selected messages")
    def resend(self, request, queryset):
        count = invites_resend(invite_ids=queryset.values_list("pk", flat=True))
        skipped = queryset.count() - count
        self.message_user(
            request,
            f"{count} message(s) queued to be sent again"
            + (f"; {skipped} being sent right now were left alone." if skipped else "."),
            messages.SUCCESS,
        )


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ["recipient_email", "kind", "session", "session_start", "sent_at"]
    list_filter = ["kind"]
    search_fields = ["recipient_email", "session__uid"]
    readonly_fields = ["session", "recipient_email", "kind", "session_start", "sent_at"]

    def has_add_permission(self, request):
        return False
