from django.contrib import admin, messages

from sessions import (
    admin_bookings,  # noqa: F401  (registers bookings, their sessions and seats)
    admin_mailbox,  # noqa: F401  (registers what the organiser's mailbox brought)
    admin_webinars,  # noqa: F401  (registers the webinar sessions admin)
)
from sessions.models import Invite, Offer, Reminder, RoleSlot
from sessions.services.mail import invites_resend


class RoleSlotInline(admin.TabularInline):
    model = RoleSlot
    extra = 0
    autocomplete_fields = ["skill"]


@admin.register(Offer)
class OfferAdmin(admin.ModelAdmin):
    list_display = [
        "title",
        "programme",
        "delivery",
        "status",
        "suspended_until",
        "needs_approval",
        "contact_email",
    ]
    list_filter = ["programme", "delivery", "status", "topic", "needs_approval"]
    search_fields = ["title", "summary", "slug"]
    prepopulated_fields = {"slug": ["title"]}
    inlines = [RoleSlotInline]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "slug",
                    "programme",
                    "status",
                    "suspended_until",
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
